import { MatrixError } from "matrix-bot-sdk";
import { AMY, community, startHarness, type Harness } from "./harness";

/**
 * Page notes of any size reach the support room (split into messages that fit the
 * homeserver's 64 KiB event limit, in order), and a note the homeserver refuses for good
 * never blocks the notes after it: the room and the member are told instead.
 */

const MIN = 60_000;
let h: Harness;
afterEach(() => h?.close());

const LADDER = [{ notify: "on_call_peers" as const, wait: "10m" }];

describe("page notes that do not fit one event", () => {
  beforeEach(() => {
    h = startHarness({ community: community({ escalation: LADDER }) });
  });

  it("a 60 KB note reaches the support room in parts, in order, and a later short note follows it", async () => {
    const long = Array.from({ length: 6000 }, (_, i) => `w${String(i).padStart(5, "0")}<>`).join(" "); // ~60 KB, with HTML to escape
    expect((await h.command(AMY, `!page ${long}`)).outcome).toBe("ok");
    await h.flush();
    const room = h.pages.get(1)!.supportRoomId!;
    expect((await h.command(AMY, "!page short-note-after")).outcome).toBe("ok");
    await h.flush();
    const events = h.hs.events.filter((e) => e.roomId === room && e.type === "m.room.message");
    for (const e of events) expect(Buffer.byteLength(JSON.stringify(e.content))).toBeLessThan(65_536);
    const noteParts = events.filter((e) => /\(part \d+ of \d+\)/.test(String(e.content.body)));
    expect(noteParts.length).toBeGreaterThan(1);
    // Every word of the note is there once, in order.
    const words = noteParts.map((e) => String(e.content.body)).join(" ").match(/w\d{5}/g)!;
    expect(words).toEqual(Array.from({ length: 6000 }, (_, i) => `w${String(i).padStart(5, "0")}`));
    const shortAt = events.findIndex((e) => String(e.content.body).includes("short-note-after"));
    expect(shortAt).toBeGreaterThan(events.indexOf(noteParts[noteParts.length - 1]));
    expect(h.db.prepare("SELECT COUNT(*) AS n FROM page_notes").get()).toEqual({ n: 0 });
  });

  it("a note the homeserver refuses for good is dropped with a word to the room and the member; the next note is shown", async () => {
    const send = h.hs.sendEvent.bind(h.hs);
    h.hs.sendEvent = async (roomId, type, content, txnId) => {
      if (String((content as { body?: string }).body).includes("poison-note")) throw new MatrixError({ errcode: "M_BAD_JSON", error: "bad" }, 400);
      return send(roomId, type, content, txnId);
    };
    expect((await h.command(AMY, "!page poison-note")).outcome).toBe("ok");
    await h.flush();
    await h.at(h.clock.now() + MIN);
    expect((await h.command(AMY, "!page the-next-note")).outcome).toBe("ok");
    await h.flush();
    const posts = h.hs.postsIn(h.pages.get(1)!.supportRoomId!);
    expect(posts.some((b) => b.includes("the-next-note"))).toBe(true);
    expect(posts.some((b) => b.includes("cannot be shown"))).toBe(true);
    expect(h.hs.dmsTo(AMY).some((b) => b.includes("could not be shown in the support room"))).toBe(true);
  });
});
