import type { CommandResult } from "../../../src/commands/types";
import type { RenderContext } from "../../../src/words";
import { AMY, CRISIS, FullApp, SAM, type Where } from "./fullApp";

/**
 * `!help` with every capability installed. A member (in a DM or the community room) gets one
 * short screen: `!page` first, the crisis resources, the five commands members use most and
 * where the rest are (`!help all`), within 80 words in every language. `!help all` and staff
 * in their staff room get every command they can use there, in plain groups; `!help
 * <command>` explains each of them.
 */

let f: FullApp;
beforeEach(() => {
  f = new FullApp();
  f.addMember(AMY);
});
afterEach(() => f.close());

const en: RenderContext = { language: "en" };
const es: RenderContext = { language: "es" };
const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

/** The command names the list shows, in order ("- !rota add|remove …: …" names rota). */
function listed(reply: CommandResult): string[] {
  return reply.reply.plain
    .split("\n")
    .filter((l) => l.startsWith("- !"))
    .map((l) => /^- !([a-z-]+)/.exec(l)![1]);
}

const STAFF_ONLY = ["member", "audit", "pages", "checkins"];
const asMember: Array<[string, Where]> = [
  ["a member in a DM", "dm"],
  ["a member in the community room", "community"],
];

describe.each(asMember)("!help as %s", (_who, where) => {
  it("shows !page first, then the crisis resources, the five commands members use most and where the rest are", async () => {
    const r = await f.send(AMY, "!help", where);
    expect(r.outcome).toBe("ok");
    expect(r.replyTo).toBeUndefined();
    const text = r.reply.plain;
    expect(text.startsWith("Need a person now? Send !page")).toBe(true);
    expect(text).toContain(`If you need support right now:\n\n${CRISIS}`);
    expect(listed(r)).toEqual(["checkin", "hours", "rights", "consent", "language"]);
    expect(text).toContain("!help all lists every command");
    for (const n of STAFF_ONLY) expect(text).not.toContain(`!${n}`);
    expect(text).not.toMatch(/!rota|!forgetme|!mydata/);
  });

  it.each([
    ["en", en],
    ["es", es],
  ] as const)("fits in 80 words in %s, with !page first and tappable commands", async (_l, ctx) => {
    const r = (await f.send(AMY, "!help", where)).reply.render(ctx);
    expect(words(r.plain)).toBeLessThanOrEqual(80);
    expect(r.plain.indexOf("!page")).toBeLessThan(r.plain.indexOf("!checkin"));
    expect(r.html).toContain("<code>!page</code>");
    expect(r.plain).not.toContain("`");
  });

  it("`!help all` lists, in plain groups, every command the member can use here and no staff ones", async () => {
    const r = await f.send(AMY, "!help all", where);
    const text = r.reply.plain;
    expect(text.startsWith("Need a person now? Send !page")).toBe(true);
    for (const heading of ["Getting support:", "When someone has paged:", "Your community and your choices:", "Check-ins:", "The rota, for peer supporters:"]) {
      expect(text).toContain(heading);
    }
    expect(text).not.toContain("For staff");
    const names = listed(r);
    for (const n of STAFF_ONLY) expect(names).not.toContain(n);
    expect(text).not.toMatch(/!rota (add|remove|cover|swap|show|approve)/);
    expect([...names].sort()).toEqual(f.app.commands.filter((c) => c.audience === "everyone").map((c) => c.name).sort());
    expect(text.indexOf("!page")).toBeLessThan(text.indexOf("Your community and your choices:"));
    for (const l of text.split("\n").filter((x) => x.startsWith("- "))) {
      expect(l).toMatch(/^- ![a-z-]+[^:]*: [a-z(!]/);
      expect(l.length).toBeLessThanOrEqual(170);
    }
  });

  it("`!help <command>` explains every command listed, and refuses staff ones with the crisis resources", async () => {
    for (const name of listed(await f.send(AMY, "!help all", where))) {
      const r = await f.send(AMY, `!help ${name}`, where);
      expect({ name, outcome: r.outcome }).toEqual({ name, outcome: "ok" });
      const spec = f.app.commands.find((c) => c.name === name)!;
      expect(r.reply.plain.startsWith(`${spec.usage}: `)).toBe(true);
      expect(r.reply.plain).not.toContain("For staff");
      expect(r.reply.blocks.length).toBeGreaterThanOrEqual(2);
    }
    for (const name of STAFF_ONLY) {
      const r = await f.send(AMY, `!help ${name}`, where);
      expect(r.outcome).toBe("refused");
      expect(r.reply.plain).toContain(CRISIS);
    }
  });
});

describe("!help as staff in the staff room", () => {
  it("adds the staff commands, the staff part of !rota among them, under their own heading", async () => {
    const r = await f.send(SAM, "!help", "staff");
    const text = r.reply.plain;
    expect(text.startsWith("Need a person now? Send !page")).toBe(true);
    expect(text).toContain(CRISIS);
    const staffPart = text.slice(text.indexOf("For staff, in this room:"));
    expect(staffPart).toContain("- !member add @user");
    expect(staffPart).toContain("- !rota add|remove|cover|swap|show|approve …: manage the rota");
    for (const n of STAFF_ONLY) expect(staffPart).toContain(`- !${n}`);
    for (const n of listed(r)) expect(f.app.commands.map((c) => c.name)).toContain(n);
  });

  it("`!help <command>` works for every command, and `!help rota` shows the staff part here only", async () => {
    for (const spec of f.app.commands) {
      const r = await f.send(SAM, `!help ${spec.name}`, "staff");
      expect({ name: spec.name, outcome: r.outcome }).toEqual({ name: spec.name, outcome: "ok" });
    }
    const rota = (await f.send(SAM, "!help rota", "staff")).reply.plain;
    expect(rota).toContain("!rota approve <number …|all>");
    expect((await f.send(AMY, "!help rota")).reply.plain).not.toContain("!rota approve");
  });

  it("staff in a DM see the member list: staff commands work only in the staff room", async () => {
    const names = listed(await f.send(SAM, "!help all"));
    for (const n of STAFF_ONLY) expect(names).not.toContain(n);
  });
});

it("every command a listed usage names is one the dispatcher knows", async () => {
  const text = (await f.send(SAM, "!help", "staff")).reply.plain;
  const named = [...text.matchAll(/(?:^|\s)!([a-z-]+)/gm)].map((m) => m[1]);
  expect(named.length).toBeGreaterThan(10);
  for (const n of new Set(named)) {
    const r = await f.send(SAM, `!${n}`, "staff");
    expect(r.reply.plain).not.toContain("I don't know the command");
  }
});
