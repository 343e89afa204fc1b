import type { CommandResult } from "../../../src/commands/types";
import { AMY, CRISIS, FullApp, SAM, type Where } from "./fullApp";

/**
 * `!help` with every capability installed, as a member in a DM, as a member in the
 * community room and as staff in the staff room: it starts with the crisis resources,
 * lists only commands that exist and that the person can use there (staff ones only in the
 * staff room), in plain groups, and `!help <command>` explains each of them.
 */

let f: FullApp;
beforeEach(() => {
  f = new FullApp();
  f.addMember(AMY);
});
afterEach(() => f.close());

/** The command names the list shows, in order ("`!rota add|remove …` — …" names rota). */
function listed(reply: CommandResult): string[] {
  return reply.reply.plain
    .split("\n")
    .filter((l) => l.startsWith("- `!"))
    .map((l) => /^- `!([a-z-]+)/.exec(l)![1]);
}

const STAFF_ONLY = ["member", "audit", "pages", "checkins"];
const asMember: Array<[string, Where]> = [
  ["a member in a DM", "dm"],
  ["a member in the community room", "community"],
];

describe.each(asMember)("!help as %s", (_who, where) => {
  it("starts with how to get support now and lists, in plain groups, only commands that exist — no staff ones", async () => {
    const r = await f.send(AMY, "!help", where);
    expect(r.outcome).toBe("ok");
    expect(r.replyTo).toBeUndefined();
    const text = r.reply.plain;
    expect(text.startsWith(`If you need support right now:\n\n${CRISIS}`)).toBe(true);
    for (const heading of ["Getting support:", "When someone has paged:", "Your community and your choices:", "Check-ins:", "The rota, for peer supporters:"]) {
      expect(text).toContain(heading);
    }
    expect(text).not.toContain("For staff");
    const names = listed(r);
    const known = f.app.commands.map((c) => c.name);
    for (const n of names) expect(known).toContain(n);
    for (const n of STAFF_ONLY) expect(names).not.toContain(n);
    expect(text).not.toMatch(/!rota (add|remove|cover|swap|show|approve)/);
    // Every command a member can use is listed once.
    expect([...names].sort()).toEqual(f.app.commands.filter((c) => c.audience === "everyone").map((c) => c.name).sort());
    // The page command comes early, in the first group.
    expect(text.indexOf("`!page")).toBeLessThan(text.indexOf("Your community and your choices:"));
  });

  it("every line is a usage and a summary in words, short enough to read", async () => {
    const lines = (await f.send(AMY, "!help", where)).reply.plain.split("\n").filter((l) => l.startsWith("- "));
    for (const l of lines) {
      expect(l).toMatch(/^- `![a-z-]+[^`]*` — [a-z(`]/);
      expect(l.length).toBeLessThanOrEqual(170);
    }
  });

  it("`!help <command>` explains every command listed, and refuses staff ones with the crisis resources", async () => {
    for (const name of listed(await f.send(AMY, "!help", where))) {
      const r = await f.send(AMY, `!help ${name}`, where);
      expect({ name, outcome: r.outcome }).toEqual({ name, outcome: "ok" });
      const spec = f.app.commands.find((c) => c.name === name)!;
      expect(r.reply.plain.startsWith(`\`${spec.usage}\` — ${spec.summary}.`)).toBe(true);
      expect(r.reply.plain).not.toContain("For staff");
      // Something more than the list line: every command has details.
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
    expect(text.startsWith(`If you need support right now:\n\n${CRISIS}`)).toBe(true);
    const staffPart = text.slice(text.indexOf("For staff, in this room:"));
    expect(staffPart).toContain("`!member add @user");
    expect(staffPart).toContain("`!rota add|remove|cover|swap|show|approve …` — manage the rota");
    for (const n of STAFF_ONLY) expect(staffPart).toContain(`\`!${n}`);
    for (const n of listed(r)) expect(f.app.commands.map((c) => c.name)).toContain(n);
  });

  it("`!help <command>` works for every command, and `!help rota` shows the staff part here only", async () => {
    for (const spec of f.app.commands) {
      const r = await f.send(SAM, `!help ${spec.name}`, "staff");
      expect({ name: spec.name, outcome: r.outcome }).toEqual({ name: spec.name, outcome: "ok" });
    }
    const rota = (await f.send(SAM, "!help rota", "staff")).reply.plain;
    expect(rota).toContain("`!rota approve <number …|all>`");
    expect((await f.send(AMY, "!help rota")).reply.plain).not.toContain("!rota approve");
  });

  it("staff in a DM see the member list: staff commands work only in the staff room", async () => {
    const names = listed(await f.send(SAM, "!help"));
    for (const n of STAFF_ONLY) expect(names).not.toContain(n);
  });
});

it("every command a listed usage names is one the dispatcher knows", async () => {
  const text = (await f.send(SAM, "!help", "staff")).reply.plain;
  const named = [...text.matchAll(/`!([a-z-]+)/g)].map((m) => m[1]);
  for (const n of new Set(named)) {
    const r = await f.send(SAM, `!${n}`, "staff");
    expect(r.reply.plain).not.toContain("I don't know the command");
  }
});
