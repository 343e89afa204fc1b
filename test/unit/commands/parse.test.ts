import { looksLikeCommand, parseCommand, parseProblemWords, type ParseResult } from "../../../src/commands/parse";
import { renderWords } from "../../../src/words";

function ok(r: ParseResult): { name: string; args: string[] } {
  if (!r.ok) throw new Error(`expected a command, got problem: ${r.problem.code}`);
  return r.command;
}

function problem(r: ParseResult): string {
  if (r.ok) throw new Error(`expected a problem, got ${JSON.stringify(r.command)}`);
  return renderWords(parseProblemWords(r.problem)).plain;
}

describe("looksLikeCommand", () => {
  it("is true for text starting with ! after optional whitespace", () => {
    expect(looksLikeCommand("!help")).toBe(true);
    expect(looksLikeCommand("   !help")).toBe(true);
    expect(looksLikeCommand("\n!page")).toBe(true);
    expect(looksLikeCommand("help")).toBe(false);
    expect(looksLikeCommand("hi !help")).toBe(false);
    expect(looksLikeCommand("")).toBe(false);
  });
});

describe("parseCommand", () => {
  it("splits a name and its words", () => {
    expect(ok(parseCommand("!rota add @peer:example.org mon 18:00"))).toEqual({
      name: "rota",
      args: ["add", "@peer:example.org", "mon", "18:00"],
    });
  });

  it("lower-cases the name but keeps the arguments as written", () => {
    expect(ok(parseCommand("!HeLP Page"))).toEqual({ name: "help", args: ["Page"] });
  });

  it("collapses runs of whitespace and trims the ends", () => {
    expect(ok(parseCommand("  !checkin \t  good \n  today  "))).toEqual({ name: "checkin", args: ["good", "today"] });
  });

  it("groups quoted words with straight and curly double quotes", () => {
    expect(ok(parseCommand('!page "I feel low" now'))).toEqual({ name: "page", args: ["I feel low", "now"] });
    expect(ok(parseCommand("!page “smart quotes here”"))).toEqual({ name: "page", args: ["smart quotes here"] });
  });

  it("keeps an empty quoted argument", () => {
    expect(ok(parseCommand('!x "" y'))).toEqual({ name: "x", args: ["", "y"] });
  });

  it("joins a quoted part with the letters around it", () => {
    expect(ok(parseCommand('!x ab"c d"e f'))).toEqual({ name: "x", args: ["abc de", "f"] });
  });

  it("reads a single quote as an apostrophe, so a page saying I'm not ok is never refused", () => {
    expect(ok(parseCommand("!page I'm not ok"))).toEqual({ name: "page", args: ["I'm", "not", "ok"] });
    expect(ok(parseCommand(`!x "it's fine" don't`))).toEqual({ name: "x", args: ["it's fine", "don't"] });
  });

  it("reports an unclosed quote instead of guessing", () => {
    expect(problem(parseCommand('!page "I feel low'))).toMatch(/quote \(".*not closed/);
    expect(problem(parseCommand("!page “open"))).toMatch(/not closed/);
  });

  it("reports a bare ! (or ! followed by spaces) as having no command name", () => {
    expect(problem(parseCommand("!"))).toMatch(/no command name/);
    expect(problem(parseCommand("!   "))).toMatch(/no command name/);
  });

  it("reports text that is not a command", () => {
    expect(problem(parseCommand("hello"))).toMatch(/starts with !/);
    expect(problem(parseCommand(""))).toMatch(/starts with !/);
  });

  it("never throws on odd input", () => {
    for (const body of ["!\u0000", "!" + "x".repeat(10000), '!"', "!''", "!\u200b", "!😀 🙂"]) {
      expect(() => parseCommand(body)).not.toThrow();
    }
    expect(ok(parseCommand("!😀 🙂"))).toEqual({ name: "😀", args: ["🙂"] });
  });
});
