import { DEFAULT_PLAN } from "../../../src/features/checkins/domain/checkins";
import { CheckinsStore, type NewAnswer } from "../../../src/features/checkins/store/checkins";
import type { Db } from "../../../src/store/database";
import { OutboxStore } from "../../../src/store/outbox";
import { ALICE, BOB, withMemoryDb } from "../../support/fixtures";

const T = 1_800_000_000_000;

let db: Db, store: CheckinsStore;
withMemoryDb((d) => ([db, store] = [d, new CheckinsStore(d)]));

const prompt = (userId = ALICE, occurrenceAt = T, outboxKey = `k:${userId}:${occurrenceAt}`) =>
  store.recordPrompt({ communityId: "oak", userId, checkinId: "evening", occurrenceAt, localDate: "2027-01-15", late: false, outboxKey }, T);

const answer = (over: Partial<NewAnswer> = {}): NewAnswer => ({
  communityId: "oak",
  userId: ALICE,
  promptId: null,
  localDate: "2027-01-15",
  value: 3,
  note: null,
  shared: false,
  noteShared: false,
  via: "command",
  today: "2027-01-15",
  ...over,
});

describe("CheckinsStore", () => {
  it("records a prompt once per member and occurrence", () => {
    const a = prompt();
    const again = prompt();
    expect(again.id).toBe(a.id);
    expect(prompt(BOB).id).not.toBe(a.id);
    expect(store.promptsOfOccurrence("oak", "evening", T).map((p) => p.userId)).toEqual([ALICE, BOB]);
  });

  it("finds the prompt a reaction or reply names, through the outbox, and keeps the event id", () => {
    const outbox = new OutboxStore(db);
    const p = prompt();
    outbox.enqueue({ dedupeKey: p.outboxKey, toUser: ALICE, eventType: "m.room.message", content: {} }, T);
    expect(store.promptForEvent("$sent", ALICE)).toBeUndefined(); // not sent yet
    const row = outbox.due(T + 1)[0];
    outbox.markSent(row.id, "$sent", T + 1);
    expect(store.promptForEvent("$sent", BOB)).toBeUndefined(); // someone else's prompt is not theirs to answer
    expect(store.promptForEvent("$sent", ALICE)?.id).toBe(p.id);
    db.prepare("DELETE FROM outbox").run(); // the outbox forgets sent messages after a while
    expect(store.promptForEvent("$sent", ALICE)?.id).toBe(p.id);
  });

  it("a room prompt is one event for everyone it asked", () => {
    const outbox = new OutboxStore(db);
    prompt(ALICE, T, "room-key");
    prompt(BOB, T, "room-key");
    outbox.enqueue({ dedupeKey: "room-key", roomId: "!room:x", eventType: "m.room.message", content: {} }, T);
    outbox.markSent(outbox.due(T + 1)[0].id, "$room", T + 1);
    expect(store.fillEventIds()).toBe(2);
    expect(store.promptForEvent("$room", ALICE)?.userId).toBe(ALICE);
    expect(store.promptForEvent("$room", BOB)?.userId).toBe(BOB);
  });

  it("records an answer, changes it the same day, and refuses a change on a later day", () => {
    const p = prompt();
    expect(store.saveAnswer(answer({ promptId: p.id, note: "long day" }), T)).toMatchObject({ outcome: "recorded", answer: { value: 3, note: "long day" } });
    expect(store.saveAnswer(answer({ promptId: p.id }), T + 1)).toMatchObject({ outcome: "unchanged" });
    const changed = store.saveAnswer(answer({ promptId: p.id, value: 1, via: "reaction" }), T + 2);
    expect(changed).toMatchObject({ outcome: "changed", previous: { value: 3 }, answer: { value: 1, note: "long day", via: "reaction", changedAt: T + 2 } });
    expect(store.saveAnswer(answer({ promptId: p.id, value: 5, today: "2027-01-16" }), T + 86_400_000)).toMatchObject({
      outcome: "too_late",
      answer: { value: 1 },
    });
  });

  it("keeps one unprompted answer per member per day", () => {
    store.saveAnswer(answer({ value: 2 }), T);
    expect(store.saveAnswer(answer({ value: 4 }), T + 1)).toMatchObject({ outcome: "changed" });
    store.saveAnswer(answer({ localDate: "2027-01-16", today: "2027-01-16", value: 5 }), T + 86_400_000);
    expect(store.answersOf("oak", ALICE, "2027-01-15", "2027-01-16").map((a) => [a.localDate, a.value])).toEqual([
      ["2027-01-15", 4],
      ["2027-01-16", 5],
    ]);
  });

  it("keeps plans with a history of every change, which cannot be rewritten", () => {
    expect(store.plan("oak", ALICE)).toBeUndefined();
    expect(store.startPlan("oak", ALICE, DEFAULT_PLAN, T)).toBe(true);
    expect(store.startPlan("oak", ALICE, DEFAULT_PLAN, T + 1)).toBe(false);
    const changed = { ...DEFAULT_PLAN, alerts: { low: ["sponsor" as const], missed: [] } };
    store.changePlan("oak", ALICE, changed, { setting: "alerts low", before: "low: nobody", after: "low: your sponsor" }, T + 10);
    expect(store.plan("oak", ALICE)).toMatchObject({ plan: changed, createdAt: T, reviewedAt: T + 10 });
    store.markReviewReminded("oak", ALICE, T + 20);
    store.markReviewed("oak", ALICE, changed, T + 30);
    expect(store.plan("oak", ALICE)).toMatchObject({ reviewedAt: T + 30, reviewRemindedAt: null });
    expect(store.changes("oak", ALICE).map((c) => [c.setting, c.after])).toEqual([
      ["alerts low", "low: your sponsor"],
      ["review", "kept as it is"],
    ]);
    expect(() => db.prepare("UPDATE checkin_plan_changes SET after = 'x'").run()).toThrow(/append-only/);
  });

  it("records who was told about a missed prompt", () => {
    const p = prompt();
    expect(store.markMissed(p.id, T)).toBe(true);
    expect(store.markMissed(p.id, T + 1)).toBe(false);
    store.recordAlert({ communityId: "oak", userId: ALICE, kind: "missed", promptId: p.id, answerId: null, recipients: [BOB] }, T);
    expect(store.missedAlertRecipients(p.id)).toEqual([BOB]);
  });

  it("keeps alumni choices and skipped occurrences (once)", () => {
    expect(store.alumni("oak", ALICE)).toBeUndefined();
    store.setAlumni("oak", ALICE, { enabled: false, rhythm: "weekly" }, T);
    expect(store.alumni("oak", ALICE)).toEqual({ enabled: false, rhythm: "weekly", updatedAt: T });
    const skip = { communityId: "oak", checkinId: "evening", slot: "20:00", occurrenceAt: T, prompts: 3 };
    expect(store.recordSkip(skip, T)).toBe(true);
    expect(store.recordSkip(skip, T + 1)).toBe(false);
    expect(store.skipsOf("oak")).toEqual([{ checkinId: "evening", occurrenceAt: T, prompts: 3 }]);
  });
});
