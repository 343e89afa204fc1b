import { declare, readArgs, usageOf } from "../../../src/commands/params";
import { Dispatcher, type DispatchContext } from "../../../src/commands/dispatcher";
import { UsageError } from "../../../src/commands/types";
import { Message } from "../../../src/messaging/message";
import { renderWords } from "../../../src/words";

const PARAMS = [
  { name: "part", choices: ["kept", "all"], optional: true },
  { name: "community", optional: true },
] as const;
const misfit = () => "Too many words.";

describe("declared command parameters", () => {
  it("derive the usage line: choices as a|b, words by label or name, optional in [ ], required in < >", () => {
    expect(usageOf("rights", PARAMS)).toBe("!rights [kept|all] [community]");
    expect(usageOf("ack", [{ name: "page", label: "page number", optional: true }])).toBe("!ack [page number]");
    expect(usageOf("checkin", [{ name: "answer" }, { name: "note", optional: true }])).toBe("!checkin <answer> [note]");
    expect(usageOf("hours", [])).toBe("!hours");
  });

  it("read an optional choice case-insensitively, and leave a word that is not one of them to the next parameter", () => {
    expect(readArgs(PARAMS, ["KEPT", "MyHouse"], misfit)).toEqual({ part: "kept", community: "MyHouse" });
    expect(readArgs(PARAMS, ["myhouse"], misfit)).toEqual({ community: "myhouse" });
    expect(readArgs(PARAMS, [], misfit)).toEqual({});
  });

  it("refuse words beyond the declared ones and a missing required word, with the command's own reason", () => {
    expect(() => readArgs(PARAMS, ["kept", "a", "b"], misfit)).toThrow(UsageError);
    expect(() => readArgs(PARAMS, ["a", "b"], misfit)).toThrow("Too many words.");
    expect(() => readArgs([{ name: "answer" }], [], misfit)).toThrow(UsageError);
    expect(() => readArgs([{ name: "mode", choices: ["on", "off"] }], ["maybe"], misfit)).toThrow(UsageError);
  });

  it("reach run typed, and a misfit is answered by the dispatcher with the reason and the derived usage", async () => {
    const seen: unknown[] = [];
    const spec = declare({
      name: "rights",
      summary: "rights",
      audience: "everyone",
      params: PARAMS,
      misfit,
      run(_ctx, { part, community }) {
        seen.push({ part, community });
        return { outcome: "ok", reply: Message.of(`part ${part ?? "-"}`) };
      },
    });
    expect(spec.usage).toBe("!rights [kept|all] [community]");
    const dctx: DispatchContext = { sender: "@m:x", place: "dm", roomId: "!dm:x", eventId: "$e", isStaffHere: false, now: 0, crisisResources: "" };
    const dispatcher = new Dispatcher([spec], () => undefined);
    expect((await dispatcher.dispatch("!rights all", dctx)).outcome).toBe("ok");
    expect(seen).toEqual([{ part: "all", community: undefined }]);
    const refused = await dispatcher.dispatch("!rights all one two", dctx);
    expect(refused.outcome).toBe("refused");
    const text = refused.reply.plain;
    expect(text).toContain("Too many words.");
    expect(text).toContain("!rights [kept|all] [community]");
    expect(seen).toHaveLength(1);
  });

  it("have a default reason in every language when a command gives none", () => {
    const spec = declare({ name: "x", summary: "x", audience: "everyone", params: [], run: () => ({ outcome: "ok", reply: Message.of("x") }) });
    let thrown: unknown;
    try {
      spec.run({} as never, ["extra"]);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    const words = (thrown as UsageError).text;
    if (typeof words === "string") throw new Error("expected catalogue words");
    expect(renderWords(words, { language: "en" }).plain).toBe("Those words do not fit this command.");
    expect(renderWords(words, { language: "es" }).plain).toBe("Esas palabras no encajan en este comando.");
  });
});
