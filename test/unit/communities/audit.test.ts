import { BOB, Harness, roomOf, SAM, TOM } from "./harness";

const OAK_STAFF = roomOf("oak", "staff");
const ELM_STAFF = roomOf("elm", "staff");

let h: Harness;
beforeEach(() => {
  h = new Harness();
});

describe("!audit", () => {
  it("lists the community's latest entries newest first, in plain words with UTC times", async () => {
    await h.send(SAM, OAK_STAFF, "!member add @bob:example.org");
    h.now += 60_000;
    await h.send(TOM, OAK_STAFF, "!member add @carol:example.org");
    h.now += 60_000;
    await h.send(BOB, h.dm(BOB), "!consent agree");
    h.now += 60_000;
    await h.send(SAM, OAK_STAFF, "!member discharge @bob:example.org");
    h.now += 60_000;
    const a = await h.send(SAM, OAK_STAFF, "!audit");
    expect(a.outcome).toBe("ok");
    const lines = a.text.split("\n").filter((l) => l.startsWith("- "));
    expect(a.text).toContain("The latest 7 entries of Oak Community's audit log, newest first (times in UTC):");
    expect(lines[0]).toBe("- 2025-01-06 12:03 UTC — @sam:example.org ran `!member`");
    expect(lines[1]).toBe("- 2025-01-06 12:03 UTC — @sam:example.org discharged @bob:example.org to the alumni (now alumni)");
    expect(lines[2]).toMatch(/^- 2025-01-06 12:02 UTC — @bob:example.org agreed to the rights text \(version oak@[0-9a-f]{12}\)$/);
    expect(lines[3]).toBe("- 2025-01-06 12:01 UTC — @tom:example.org: !member refused: `!member` is a staff command: it works only in Oak Community's staff room, for its staff.");
    expect(lines[5]).toMatch(/^- 2025-01-06 12:00 UTC — carenet sent the rights text to @bob:example.org, to agree to or not \(version oak@/);
    expect(lines[6]).toBe(
      "- 2025-01-06 12:00 UTC — @sam:example.org added @bob:example.org as a member (sponsor @sam:example.org; invited to space, community, creative)",
    );
  });

  it("shows n entries, at most 100, and explains a bad n", async () => {
    for (let i = 0; i < 3; i++) await h.send(SAM, OAK_STAFF, "!member list");
    expect((await h.send(SAM, OAK_STAFF, "!audit 2")).text.split("\n").filter((l) => l.startsWith("- "))).toHaveLength(2);
    for (let i = 0; i < 110; i++) h.app.audit.append({ communityId: "oak", actor: SAM, action: "command.member" }, h.now);
    const many = await h.send(SAM, OAK_STAFF, "!audit 500");
    expect(many.text.split("\n").filter((l) => l.startsWith("- "))).toHaveLength(100);
    expect(many.text).toContain("(100 is the most I show at once.)");
    expect((await h.send(SAM, OAK_STAFF, "!audit")).text.split("\n").filter((l) => l.startsWith("- "))).toHaveLength(20);
    for (const bad of ["!audit lots", "!audit 0", "!audit -3", "!audit 2 3"]) {
      const r = await h.send(SAM, OAK_STAFF, bad);
      expect(r.outcome).toBe("refused");
      expect(r.text).toContain("Usage: `!audit [number]`");
    }
  });

  it("shows only this community's entries, and config changes without their details", async () => {
    await h.send(TOM, ELM_STAFF, "!member add @bob:example.org");
    h.app.audit.append({ communityId: null, actor: "carenet", action: "config.reload", detail: "communities added: secret-place" }, h.now);
    h.app.audit.append({ communityId: null, actor: SAM, action: "command.refused", detail: "!member refused in a DM" }, h.now);
    const a = await h.send(SAM, OAK_STAFF, "!audit");
    expect(a.text).toContain("The latest entry of Oak Community's audit log");
    expect(a.text).toContain("carenet reloaded the configuration");
    expect(a.text).not.toContain("secret-place");
    expect(a.text).not.toContain("@bob:example.org");
    expect(a.text).not.toContain("refused in a DM");
  });

  it("says when the log is empty, and is a staff command", async () => {
    expect((await h.send(SAM, OAK_STAFF, "!audit")).text).toBe("The audit log of Oak Community is empty.");
    expect((await h.send(BOB, h.dm(BOB), "!audit")).outcome).toBe("refused");
  });
});

describe("audit lines for the other capabilities", () => {
  it("name the staff subcommand run and the person it was about, and the page steps in words", async () => {
    const { describeEntry } = await import("../../../src/commands/audit");
    const at = Date.UTC(2025, 0, 6, 12, 0);
    const entry = (e: { actor: string; action: string; subject?: string; detail?: string }) =>
      describeEntry({ id: 1, at, communityId: "oak", subject: null, detail: null, ...e }, "UTC");
    expect(entry({ actor: SAM, action: "command.rota", subject: BOB, detail: "!rota approve ok" })).toBe(
      `2025-01-06 12:00 UTC — ${SAM} ran \`!rota approve\` (about ${BOB})`,
    );
    expect(entry({ actor: SAM, action: "command.member", detail: "!member ok" })).toBe(`2025-01-06 12:00 UTC — ${SAM} ran \`!member\``);
    expect(entry({ actor: BOB, action: "page.resolve", subject: BOB, detail: "page 3" })).toBe(`2025-01-06 12:00 UTC — ${BOB} closed their own page (page 3)`);
    expect(entry({ actor: SAM, action: "page.resolve", subject: BOB, detail: "page 3" })).toBe(`2025-01-06 12:00 UTC — ${SAM} closed the page of ${BOB} (page 3)`);
    expect(entry({ actor: BOB, action: "page.open", subject: BOB, detail: "page 3" })).toBe(`2025-01-06 12:00 UTC — ${BOB} paged for support (page 3)`);
    expect(entry({ actor: TOM, action: "page.ack", subject: BOB, detail: "page 3 (reaction)" })).toBe(
      `2025-01-06 12:00 UTC — ${TOM} said they are coming to ${BOB} (page 3 (reaction))`,
    );
  });
});
