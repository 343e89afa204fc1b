import { AUDIT_DETAIL_MAX, AUDIT_LATEST_MAX, AuditLog } from "../../../src/store/audit";
import type { Db } from "../../../src/store/database";
import { ALEX, SAM, withMemoryDb } from "../../support/fixtures";

const T0 = Date.parse("2025-03-01T10:00:00Z");
const OAK = "oakwood";
const ELM = "elmfield";

let db: Db, audit: AuditLog;
withMemoryDb((d) => ([db, audit] = [d, new AuditLog(d)]));

describe("append and latest", () => {
  it("stores every field and returns the new id", () => {
    const id = audit.append({ communityId: OAK, actor: SAM, action: "member.add", subject: ALEX, detail: "sponsor @sam" }, T0);
    expect(audit.latest(OAK, 10)).toEqual([
      { id, at: T0, communityId: OAK, actor: SAM, action: "member.add", subject: ALEX, detail: "sponsor @sam" },
    ]);
  });

  it("stores absent subject and detail as null", () => {
    audit.append({ communityId: null, actor: "carenet", action: "config.reload" }, T0);
    expect(audit.latest(null, 10)).toEqual([
      expect.objectContaining({ communityId: null, actor: "carenet", action: "config.reload", subject: null, detail: null }),
    ]);
  });

  it("gives the newest first, in the order appended even when times tie", () => {
    for (const action of ["a.first", "a.second", "a.third"]) audit.append({ communityId: OAK, actor: SAM, action }, T0);
    expect(audit.latest(OAK, 10).map((e) => e.action)).toEqual(["a.third", "a.second", "a.first"]);
    expect(audit.latest(OAK, 2).map((e) => e.action)).toEqual(["a.third", "a.second"]);
  });

  it("shows a community only its own entries, and global ones only under null", () => {
    audit.append({ communityId: OAK, actor: SAM, action: "member.add", subject: ALEX }, T0);
    audit.append({ communityId: ELM, actor: "@kim:example.org", action: "member.remove", subject: ALEX }, T0 + 1);
    audit.append({ communityId: null, actor: "carenet", action: "config.reload" }, T0 + 2);
    expect(audit.latest(OAK, 10).map((e) => e.action)).toEqual(["member.add"]);
    expect(audit.latest(ELM, 10).map((e) => e.action)).toEqual(["member.remove"]);
    expect(audit.latest(null, 10).map((e) => e.action)).toEqual(["config.reload"]);
    expect(audit.latest("nowhere", 10)).toEqual([]);
  });

  it(`caps n at ${AUDIT_LATEST_MAX} and treats nonsense as nothing`, () => {
    db.transaction(() => {
      for (let i = 0; i < AUDIT_LATEST_MAX + 20; i++) audit.append({ communityId: OAK, actor: SAM, action: `n.${i}` }, T0 + i);
    })();
    const latest = audit.latest(OAK, 1000);
    expect(latest).toHaveLength(AUDIT_LATEST_MAX);
    expect(latest[0].action).toBe(`n.${AUDIT_LATEST_MAX + 19}`);
    expect(audit.latest(OAK, Infinity)).toHaveLength(AUDIT_LATEST_MAX);
    expect(audit.latest(OAK, 2.7)).toHaveLength(2);
    expect(audit.latest(OAK, 0)).toEqual([]);
    expect(audit.latest(OAK, -5)).toEqual([]);
    expect(audit.latest(OAK, NaN)).toEqual([]);
  });

  it("cuts a long detail, without splitting a character", () => {
    const long = "😀".repeat(AUDIT_DETAIL_MAX + 10);
    audit.append({ communityId: OAK, actor: SAM, action: "x.long", detail: long }, T0);
    const shortOne = "y".repeat(AUDIT_DETAIL_MAX);
    audit.append({ communityId: OAK, actor: SAM, action: "x.short", detail: shortOne }, T0);
    const [kept, cut] = audit.latest(OAK, 2);
    expect(kept.detail).toBe(shortOne);
    const chars = Array.from(cut.detail ?? "");
    expect(chars).toHaveLength(AUDIT_DETAIL_MAX);
    expect(chars[chars.length - 1]).toBe("…");
    expect(chars.slice(0, -1).every((c) => c === "😀")).toBe(true);
  });
});

describe("count", () => {
  it("counts every entry, global and per community", () => {
    expect(audit.count()).toBe(0);
    audit.append({ communityId: OAK, actor: SAM, action: "member.add" }, T0);
    audit.append({ communityId: null, actor: "carenet", action: "config.reload" }, T0);
    audit.append({ communityId: ELM, actor: SAM, action: "command.refused" }, T0);
    expect(audit.count()).toBe(3);
  });
});

describe("append-only in SQLite", () => {
  beforeEach(() => {
    audit.append({ communityId: OAK, actor: SAM, action: "member.add", subject: ALEX }, T0);
    audit.append({ communityId: OAK, actor: SAM, action: "member.remove", subject: ALEX, detail: "reason given" }, T0 + 1);
  });

  it("refuses UPDATE", () => {
    expect(() => db.prepare("UPDATE audit_log SET actor = 'someone-else' WHERE action = 'member.add'").run()).toThrow(
      "audit_log is append-only",
    );
    expect(audit.latest(OAK, 10).map((e) => e.actor)).toEqual([SAM, SAM]);
  });

  it("refuses DELETE of one row and of the whole table", () => {
    expect(() => db.prepare("DELETE FROM audit_log WHERE action = 'member.remove'").run()).toThrow("audit_log is append-only");
    expect(() => db.exec("DELETE FROM audit_log")).toThrow("audit_log is append-only");
    expect(audit.count()).toBe(2);
  });

  it("refuses INSERT OR REPLACE over an existing entry", () => {
    const [newest] = audit.latest(OAK, 1);
    expect(() =>
      db
        .prepare("INSERT OR REPLACE INTO audit_log (id, at, community_id, actor, action) VALUES (?, ?, ?, ?, ?)")
        .run(newest.id, T0, OAK, "someone-else", "nothing.happened"),
    ).toThrow("audit_log is append-only");
    expect(audit.latest(OAK, 1)[0]).toEqual(newest);
    expect(audit.count()).toBe(2);
  });

  it("still accepts new rows through raw SQL", () => {
    db.prepare("INSERT INTO audit_log (at, community_id, actor, action) VALUES (?, ?, ?, ?)").run(T0 + 2, OAK, SAM, "raw.insert");
    expect(audit.count()).toBe(3);
  });

  it("refuses an empty actor or action", () => {
    expect(() => audit.append({ communityId: OAK, actor: "", action: "member.add" }, T0)).toThrow(/CHECK constraint/);
    expect(() => audit.append({ communityId: OAK, actor: SAM, action: "" }, T0)).toThrow(/CHECK constraint/);
    expect(audit.count()).toBe(2);
  });
});
