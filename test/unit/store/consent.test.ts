import { ConsentStore } from "../../../src/features/communities/store/consent";
import type { Db } from "../../../src/store/database";
import { ALEX, BEA, MIN, withMemoryDb } from "../../support/fixtures";

const T0 = Date.parse("2025-03-01T10:00:00Z");

let db: Db, consent: ConsentStore;
withMemoryDb((d) => ([db, consent] = [d, new ConsentStore(d)]));

describe("record and current", () => {
  it("has no current consent before anything is recorded", () => {
    expect(consent.current(ALEX)).toBeUndefined();
    expect(consent.history(ALEX)).toEqual([]);
  });

  it("records a decision with its text version and choices, and returns what was stored", () => {
    const choices = { shareCheckins: "sponsor", alertOnMissed: false, nested: { a: [1, 2] } };
    const rec = consent.record(ALEX, "v1", "agreed", choices, T0);
    expect(rec).toEqual({ id: expect.any(Number), userId: ALEX, textVersion: "v1", decision: "agreed", choices, decidedAt: T0 });
    expect(consent.current(ALEX)).toEqual(rec);
  });

  it("makes the latest decision current, even if the clock stepped backwards", () => {
    consent.record(ALEX, "v1", "agreed", { a: 1 }, T0);
    consent.record(ALEX, "v1", "withdrawn", { a: 2 }, T0 - MIN);
    expect(consent.current(ALEX)).toMatchObject({ decision: "withdrawn", choices: { a: 2 }, decidedAt: T0 - MIN });
  });

  it("keeps users apart", () => {
    consent.record(ALEX, "v1", "agreed", {}, T0);
    consent.record(BEA, "v1", "declined", {}, T0 + MIN);
    expect(consent.current(ALEX)?.decision).toBe("agreed");
    expect(consent.current(BEA)?.decision).toBe("declined");
  });
});

describe("hasAgreedTo", () => {
  it("is false for someone who never decided", () => {
    expect(consent.hasAgreedTo(ALEX, "v1")).toBe(false);
  });

  it("is true for an agreement to exactly that version", () => {
    consent.record(ALEX, "v1", "agreed", {}, T0);
    expect(consent.hasAgreedTo(ALEX, "v1")).toBe(true);
    expect(consent.hasAgreedTo(BEA, "v1")).toBe(false);
  });

  it("asks again when the text changed", () => {
    consent.record(ALEX, "v1", "agreed", {}, T0);
    expect(consent.hasAgreedTo(ALEX, "v2")).toBe(false);
    consent.record(ALEX, "v2", "agreed", {}, T0 + MIN);
    expect(consent.hasAgreedTo(ALEX, "v2")).toBe(true);
    // An older text agreed to earlier does not count once a newer one is current.
    expect(consent.hasAgreedTo(ALEX, "v1")).toBe(false);
  });

  it("is false after a later decline or withdrawal of the same version", () => {
    consent.record(ALEX, "v1", "agreed", {}, T0);
    consent.record(ALEX, "v1", "withdrawn", {}, T0 + MIN);
    expect(consent.hasAgreedTo(ALEX, "v1")).toBe(false);
    consent.record(BEA, "v1", "agreed", {}, T0);
    consent.record(BEA, "v1", "declined", {}, T0 + MIN);
    expect(consent.hasAgreedTo(BEA, "v1")).toBe(false);
  });

  it("is true again after agreeing again", () => {
    consent.record(ALEX, "v1", "declined", {}, T0);
    expect(consent.hasAgreedTo(ALEX, "v1")).toBe(false);
    consent.record(ALEX, "v1", "agreed", {}, T0 + MIN);
    expect(consent.hasAgreedTo(ALEX, "v1")).toBe(true);
  });
});

describe("history", () => {
  it("lists only that user's decisions, oldest first", () => {
    consent.record(ALEX, "v1", "agreed", { share: true }, T0);
    consent.record(BEA, "v1", "agreed", {}, T0 + MIN);
    consent.record(ALEX, "v1", "withdrawn", { share: false }, T0 + 2 * MIN);
    consent.record(ALEX, "v2", "agreed", { share: false }, T0 + 3 * MIN);
    expect(consent.history(ALEX).map((r) => [r.textVersion, r.decision, r.choices, r.decidedAt])).toEqual([
      ["v1", "agreed", { share: true }, T0],
      ["v1", "withdrawn", { share: false }, T0 + 2 * MIN],
      ["v2", "agreed", { share: false }, T0 + 3 * MIN],
    ]);
    expect(consent.history(BEA)).toHaveLength(1);
  });
});

describe("schema", () => {
  it("refuses to rewrite a past decision", () => {
    consent.record(ALEX, "v1", "declined", {}, T0);
    expect(() => db.prepare("UPDATE consent SET decision = 'agreed'").run()).toThrow("consent is append-only");
    expect(consent.current(ALEX)?.decision).toBe("declined");
  });

  it("lets a user's decisions be deleted (erasure)", () => {
    consent.record(ALEX, "v1", "agreed", {}, T0);
    expect(db.prepare("DELETE FROM consent WHERE user_id = ?").run(ALEX).changes).toBe(1);
    expect(consent.current(ALEX)).toBeUndefined();
  });

  it("refuses unknown decisions and an empty text version", () => {
    const insert = (version: string, decision: string) => () =>
      db
        .prepare("INSERT INTO consent (user_id, text_version, decision, choices_json, decided_at) VALUES (?, ?, ?, '{}', ?)")
        .run(ALEX, version, decision, T0);
    expect(insert("v1", "maybe")).toThrow(/CHECK constraint/);
    expect(insert("", "agreed")).toThrow(/CHECK constraint/);
    expect(consent.history(ALEX)).toEqual([]);
  });
});
