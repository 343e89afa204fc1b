import { loadMigrations, schemaVersion, type Db } from "../../../src/store/database";
import { RotaStore, type NewCover } from "../../../src/features/rota/store/rota";
import { ALEX, BEA, HOUR, MIN, SAM, withMemoryDb } from "../../support/fixtures";

const T0 = Date.parse("2026-03-02T12:00:00Z");
const OAK = "oak";

let db: Db, rota: RotaStore;
withMemoryDb((d) => ([db, rota] = [d, new RotaStore(d)]));

const weekly = (over: Partial<Parameters<RotaStore["addWeekly"]>[0]> = {}) =>
  rota.addWeekly({ communityId: OAK, userId: ALEX, role: "peer", proposedBy: ALEX, agreed: true, day: "mon", from: "18:00", to: "22:00", ...over }, T0);

describe("the rota migration", () => {
  it("is applied with the others", () => {
    expect(schemaVersion(db)).toBe(loadMigrations().length);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'rota_entries'").get()).toBeDefined();
  });

  it("refuses an approved entry nobody agreed to, at the database level", () => {
    expect(() =>
      db
        .prepare(
          `INSERT INTO rota_entries (community_id, kind, user_id, role, day, from_time, to_time, status, proposed_by, proposed_at, approved_at)
           VALUES ('oak', 'weekly', ?, 'peer', 'mon', '18:00', '22:00', 'approved', ?, 1, 1)`,
        )
        .run(ALEX, SAM),
    ).toThrow(/CHECK constraint/);
  });

  it("refuses a one-off shift that ends before it starts", () => {
    expect(() => rota.addOnce({ communityId: OAK, userId: ALEX, role: "peer", proposedBy: ALEX, agreed: true, startMs: T0, endMs: T0 }, T0)).toThrow(
      /CHECK constraint/,
    );
  });
});

describe("agreement and approval", () => {
  it("a volunteered shift waits for staff approval, then is on the rota with who approved it", () => {
    const e = weekly();
    expect(e).toMatchObject({ status: "proposed", agreedAt: T0, approvedAt: null, approvedBy: null, proposedBy: ALEX, kind: "weekly", day: "mon" });
    const approved = rota.approve(e.id, SAM, T0 + MIN)!;
    expect(approved).toMatchObject({ status: "approved", approvedBy: SAM, approvedAt: T0 + MIN });
  });

  it("without required approval it is on the rota at once, approved by nobody", () => {
    const e = weekly({ approved: { by: null } });
    expect(e).toMatchObject({ status: "approved", approvedBy: null, approvedAt: T0 });
  });

  it("staff proposing for someone else leaves it waiting for that person's yes", () => {
    const e = weekly({ proposedBy: SAM, agreed: false, approved: { by: SAM } });
    expect(e.status).toBe("proposed");
    expect(rota.list(OAK, ["approved"])).toEqual([]);
    expect(rota.agree(e.id, T0 + MIN)).toMatchObject({ status: "approved", agreedAt: T0 + MIN, approvedBy: SAM });
  });

  it("agreeing or approving twice changes nothing", () => {
    const e = weekly({ proposedBy: SAM, agreed: false, approved: { by: SAM } });
    rota.agree(e.id, T0 + MIN);
    expect(rota.agree(e.id, T0 + 2 * MIN)?.agreedAt).toBe(T0 + MIN);
    expect(rota.approve(e.id, "@other:example.org", T0 + 2 * MIN)?.approvedBy).toBe(SAM);
  });

  it("ending an entry records who, when and why, once", () => {
    const e = weekly({ approved: { by: SAM } });
    expect(rota.end(e.id, ALEX, "cancelled", T0 + HOUR).map((x) => x.id)).toEqual([e.id]);
    expect(rota.get(e.id)).toMatchObject({ status: "cancelled", endedBy: ALEX, endedAt: T0 + HOUR, endReason: "cancelled" });
    expect(rota.end(e.id, SAM, "removed", T0 + 2 * HOUR)).toEqual([]);
    expect(rota.get(e.id)?.endedBy).toBe(ALEX);
    // A cancelled entry cannot be agreed back onto the rota.
    expect(rota.agree(e.id, T0 + 3 * HOUR)?.status).toBe("cancelled");
  });

  it("lists live entries by community and by person, and covers of a person", () => {
    const a = weekly({ approved: { by: SAM } });
    const b = weekly({ userId: BEA, proposedBy: BEA });
    const gone = weekly({ day: "tue" });
    rota.end(gone.id, ALEX, "cancelled", T0);
    const cover = rota.addCover({ communityId: OAK, userId: BEA, role: "peer", coveredUserId: ALEX, startMs: T0, endMs: T0 + 24 * HOUR, proposedBy: SAM, agreed: true, approved: { by: SAM } }, T0);
    expect(rota.list(OAK).map((e) => e.id)).toEqual([a.id, b.id, cover.id]);
    expect(rota.list(OAK, ["cancelled"]).map((e) => e.id)).toEqual([gone.id]);
    expect(rota.ofUser(ALEX).map((e) => e.id)).toEqual([a.id]);
    expect(rota.ofUser(BEA).map((e) => e.id)).toEqual([b.id, cover.id]);
    expect(rota.coveringFor(ALEX).map((e) => e.id)).toEqual([cover.id]);
    expect(rota.list("elm")).toEqual([]);
    expect(rota.communities()).toEqual([OAK]);
  });
});

describe("swaps", () => {
  const half = (covered: string, holder: string, startMs: number, agreed: boolean): NewCover => ({
    communityId: OAK,
    userId: holder,
    role: "peer",
    coveredUserId: covered,
    startMs,
    endMs: startMs + 4 * HOUR,
    proposedBy: SAM,
    agreed,
    approved: { by: SAM },
  });

  it("counts only once both people agreed, and then both halves at once", () => {
    const [a, b] = rota.addSwap(half(ALEX, BEA, T0, false), half(BEA, ALEX, T0 + 24 * HOUR, false), T0);
    expect(a.swapWith).toBe(b.id);
    expect(b.swapWith).toBe(a.id);
    expect(rota.agree(a.id, T0 + MIN)?.status).toBe("proposed");
    expect(rota.get(b.id)?.status).toBe("proposed");
    expect(rota.agree(b.id, T0 + 2 * MIN)?.status).toBe("approved");
    expect(rota.get(a.id)?.status).toBe("approved");
  });

  it("a swap staff arrange for themselves and someone who already agreed is live at once", () => {
    const [a, b] = rota.addSwap(half(ALEX, BEA, T0, true), half(BEA, ALEX, T0 + 24 * HOUR, true), T0);
    expect([a.status, b.status]).toEqual(["approved", "approved"]);
  });

  it("ending one half (a decline) ends the other", () => {
    const [a, b] = rota.addSwap(half(ALEX, BEA, T0, true), half(BEA, ALEX, T0 + 24 * HOUR, false), T0);
    const ended = rota.end(b.id, ALEX, "declined", T0 + MIN);
    expect(ended.map((e) => e.id).sort()).toEqual([a.id, b.id].sort());
    expect(rota.get(a.id)).toMatchObject({ status: "cancelled", endReason: "declined", endedBy: ALEX });
  });
});

describe("breaks", () => {
  it("an open-ended break lasts until ended", () => {
    rota.startBreak(ALEX, null, T0);
    expect(rota.currentBreak(ALEX, T0 + 100 * HOUR)).toMatchObject({ userId: ALEX, untilMs: null, startedAt: T0 });
    expect(rota.breaksFrom(T0)).toEqual([{ userId: ALEX, untilMs: null }]);
    expect(rota.endBreak(ALEX, T0 + HOUR)).toBe(true);
    expect(rota.currentBreak(ALEX, T0 + 2 * HOUR)).toBeUndefined();
    expect(rota.breaksFrom(T0 + 2 * HOUR)).toEqual([]);
    expect(rota.endBreak(ALEX, T0 + 3 * HOUR)).toBe(false);
  });

  it("a dated break ends by itself, and a new break replaces the one in force", () => {
    rota.startBreak(ALEX, T0 + 2 * HOUR, T0);
    expect(rota.currentBreak(ALEX, T0 + HOUR)?.untilMs).toBe(T0 + 2 * HOUR);
    expect(rota.currentBreak(ALEX, T0 + 2 * HOUR)).toBeUndefined();
    rota.startBreak(ALEX, T0 + 5 * HOUR, T0 + HOUR);
    rota.startBreak(ALEX, T0 + 9 * HOUR, T0 + 90 * MIN);
    expect(rota.breaksFrom(T0 + 90 * MIN)).toEqual([{ userId: ALEX, untilMs: T0 + 9 * HOUR }]);
    expect(rota.currentBreak(BEA, T0 + HOUR)).toBeUndefined();
  });
});
