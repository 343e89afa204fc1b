import { AMY, BOB, community, type Harness, ladder, SAM, startHarness, ZOE } from "./harness";

/** peers 10m → staff 15m. */
const LADDER = ladder("on_call_peers 10m", "on_call_staff 15m");

// Every test starts from a fresh harness with this ladder.
let h: Harness;
beforeEach(() => {
  h = startHarness({ community: community(LADDER) });
});
afterEach(() => h?.close());

describe("`!ack N` and `!resolve N` from someone with nothing to do with page N", () => {
  it("get the same answer whether page N does not exist, is open, or is closed", async () => {
    await h.command(AMY, "!page not ok");
    await h.flush();
    const answers = async (n: number) => [(await h.command(ZOE, `!ack ${n}`)).reply.plain, (await h.command(ZOE, `!resolve ${n}`)).reply.plain];
    const open = await answers(1);
    const missing = await answers(99);
    await h.command(SAM, "!resolve 1");
    await h.flush();
    const closed = await answers(1);
    const asNumber = (texts: string[], n: number) => texts.map((t) => t.replace(`page ${n} `, "page N "));
    expect(asNumber(open, 1)).toEqual(asNumber(missing, 99));
    expect(asNumber(closed, 1)).toEqual(asNumber(missing, 99));
    expect(open[0]).toContain("There is no page 1 that you can acknowledge");
    expect(open[1]).toContain("There is no page 1 that you can close");
    expect(h.pages.get(1)!.state.status).toBe("resolved");
  });

  it("the people involved are still told the truth", async () => {
    await h.command(AMY, "!page not ok");
    await h.flush();
    expect((await h.command(BOB, "!ack 1")).outcome).toBe("ok");
    await h.command(AMY, "!resolve 1");
    expect((await h.command(BOB, "!ack 1")).reply.plain).toContain("Page 1 is already closed");
    expect((await h.command(SAM, "!resolve 1")).reply.plain).toContain("Page 1 was already closed");
  });
});

describe("`!decline N` from someone not asked to page N", () => {
  it("gets the same answer whether page N does not exist, is open, or is closed", async () => {
    await h.command(AMY, "!page not ok");
    await h.flush();
    const answer = async (who: string, n: number) => {
      const r = await h.command(who, `!decline ${n}`);
      return { outcome: r.outcome, replyTo: r.replyTo, text: r.reply.plain.replace(`page ${n} `, "page N ") };
    };
    const open = await answer(ZOE, 1);
    const missing = await answer(ZOE, 99);
    await h.command(SAM, "!resolve 1");
    await h.flush();
    const closed = await answer(ZOE, 1);
    // Even someone who was asked learns nothing more from a number once the page is over.
    const closedAsked = await answer(BOB, 1);
    expect(open).toEqual(missing);
    expect(closed).toEqual(missing);
    expect(closedAsked).toEqual(missing);
    expect(missing.text).toContain("There is no open page N that you can decline");
    expect(h.pages.get(1)!.state.status).toBe("resolved");
  });
});

describe("a page number that is not one", () => {
  it("is refused by name when it is a plain word, and never repeated when it could be a phone number", async () => {
    const word = await h.command(BOB, "!ack soon");
    expect(word.outcome).toBe("refused");
    expect(word.reply.plain).toContain("“soon” is not a page number.");
    expect(word.reply.render({ language: "es" }).plain).toContain("«soon» no es un número de aviso.");
    const digits = await h.command(BOB, "!ack 0900-555-1234");
    expect(digits.outcome).toBe("refused");
    expect(digits.reply.plain).toContain("That is not a page number.");
    expect(digits.reply.plain).not.toContain("555");
  });
});
