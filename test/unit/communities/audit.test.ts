import { renderWords } from "../../../src/words";
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
    // Each command once: the add and the discharge are their own entries, with no "ran !member" beside them.
    expect(a.text).toContain("The latest 5 entries of Oak Community's audit log, newest first (times in United Kingdom Time):");
    expect(lines[0]).toBe("- Mon, Jan 6, 12:03: @sam:example.org discharged @bob:example.org to the alumni (now alumni)");
    expect(lines[1]).toMatch(/^- Mon, Jan 6, 12:02: @bob:example.org agreed to the rights text \(version oak@[0-9a-f]{12}\)$/);
    expect(lines[2]).toBe("- Mon, Jan 6, 12:01: @tom:example.org: !member add refused: !member is for the staff of Oak Community, and you are not staff of Oak Community.");
    expect(lines[3]).toMatch(/^- Mon, Jan 6, 12:00: carenet sent the rights text to @bob:example.org, to agree to or not \(version oak@/);
    expect(lines[4]).toBe(
      "- Mon, Jan 6, 12:00: @sam:example.org added @bob:example.org as a member (sponsor @sam:example.org; invited to space, community, creative)",
    );
    expect(lines).toHaveLength(5);
  });

  it("names the subcommand of a look-up, and a look-up that finds nobody is not a refusal", async () => {
    await h.send(SAM, OAK_STAFF, "!member list");
    await h.send(SAM, OAK_STAFF, "!member show @carol:example.org");
    const lines = (await h.send(SAM, OAK_STAFF, "!audit")).text.split("\n").filter((l) => l.startsWith("- "));
    expect(lines).toEqual(["- Mon, Jan 6, 12:00: @sam:example.org ran !member show", "- Mon, Jan 6, 12:00: @sam:example.org ran !member list"]);
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
      expect(r.text).toContain("Usage: !audit [number]");
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
    const en = { language: "en" as const };
    const entry = (e: { actor: string; action: string; subject?: string; detail?: string }, zone = "UTC", ctx: { language: "en" | "es" } = en) =>
      renderWords(describeEntry({ id: 1, at, communityId: "oak", subject: null, detail: null, ...e }, zone), ctx).plain;
    expect(entry({ actor: SAM, action: "command.rota", subject: BOB, detail: "!rota approve ok" })).toBe(`Mon, Jan 6, 12:00: ${SAM} ran !rota approve (about ${BOB})`);
    expect(entry({ actor: SAM, action: "command.member", detail: "!member add ok" })).toBe(`Mon, Jan 6, 12:00: ${SAM} ran !member add`);
    expect(entry({ actor: SAM, action: "command.member", detail: "!member ok" })).toBe(`Mon, Jan 6, 12:00: ${SAM} ran !member`);
    expect(entry({ actor: BOB, action: "page.resolve", subject: BOB, detail: "page 3" })).toBe(`Mon, Jan 6, 12:00: ${BOB} closed their own page (page 3)`);
    expect(entry({ actor: SAM, action: "page.resolve", subject: BOB, detail: "page 3" })).toBe(`Mon, Jan 6, 12:00: ${SAM} closed the page of ${BOB} (page 3)`);
    expect(entry({ actor: BOB, action: "page.open", subject: BOB, detail: "page 3" })).toBe(`Mon, Jan 6, 12:00: ${BOB} paged for support (page 3)`);
    expect(entry({ actor: TOM, action: "page.ack", subject: BOB, detail: "page 3 (reaction)" })).toBe(`Mon, Jan 6, 12:00: ${TOM} said they are coming to ${BOB} (page 3 (reaction))`);
    // In the community's zone, not UTC; and in the reader's language.
    expect(entry({ actor: BOB, action: "page.open", subject: BOB }, "Asia/Kathmandu")).toBe(`Mon, Jan 6, 17:45: ${BOB} paged for support`);
    expect(entry({ actor: BOB, action: "page.open", subject: BOB }, "UTC", { language: "es" })).toBe(`lun, 6 ene, 12:00: ${BOB} pidió apoyo`);
  });
});
