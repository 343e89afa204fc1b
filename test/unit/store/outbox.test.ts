import type { Db } from "../../../src/store/database";
import { OutboxStore, URGENT, type OutgoingMessage } from "../../../src/store/outbox";
import { withMemoryDb } from "../../support/fixtures";
import { storedOutboxRow } from "../../support/outboxRows";

let db: Db, outbox: OutboxStore;
withMemoryDb((d) => ([db, outbox] = [d, new OutboxStore(d)]));

const T = 1_700_000_000_000;

function msg(key: string, text = `hello ${key}`, roomId = "!room:example.org"): OutgoingMessage {
  return { dedupeKey: key, roomId, eventType: "m.room.message", content: { msgtype: "m.notice", body: text } };
}

const raw = (key: string) => storedOutboxRow(db, key);

describe("enqueue", () => {
  it("stores a new message with a fresh transaction id, due now", () => {
    expect(outbox.enqueue(msg("a"), T)).toBe(true);
    const row = outbox.get("a")!;
    expect(row).toMatchObject({ state: "pending", attempts: 0, eventId: null });
    expect(row.txnId).toMatch(/^carenet\.[0-9a-f-]{36}$/);
    expect(raw("a").next_attempt_at).toBe(T);
  });

  it("gives every message its own transaction id", () => {
    outbox.enqueue(msg("a"), T);
    outbox.enqueue(msg("b"), T);
    expect(outbox.get("a")!.txnId).not.toBe(outbox.get("b")!.txnId);
  });

  it("dedupes by key: the second enqueue adds nothing and the first txn id and content stay", () => {
    outbox.enqueue(msg("a", "first"), T);
    const first = outbox.get("a")!.txnId;
    expect(outbox.enqueue(msg("a", "second"), T + 1000)).toBe(false);
    expect(outbox.get("a")!.txnId).toBe(first);
    expect(JSON.parse(raw("a").content_json).body).toBe("first");
    expect(raw("a").next_attempt_at).toBe(T);
    expect(db.prepare("SELECT COUNT(*) AS n FROM outbox").get()).toEqual({ n: 1 });
  });

  it("dedupes even after the message was sent", () => {
    outbox.enqueue(msg("a"), T);
    const [row] = outbox.due(T);
    outbox.markSent(row.id, "$sent", T + 1);
    expect(outbox.enqueue(msg("a"), T + 2)).toBe(false);
    expect(outbox.due(T + 10)).toEqual([]);
    expect(outbox.get("a")!.state).toBe("sent");
  });

  it("returns undefined from get for an unknown key", () => {
    expect(outbox.get("nope")).toBeUndefined();
  });
});

describe("due", () => {
  it("returns pending messages whose time has come, oldest first, with their content", () => {
    outbox.enqueue(msg("a"), T);
    outbox.enqueue(msg("b"), T + 100);
    outbox.enqueue(msg("c"), T + 50);
    expect(outbox.due(T - 1)).toEqual([]);
    expect(outbox.due(T).map((r) => r.dedupeKey)).toEqual(["a"]);
    expect(outbox.due(T + 60).map((r) => r.dedupeKey)).toEqual(["a", "c"]);
    const all = outbox.due(T + 100);
    expect(all.map((r) => r.dedupeKey)).toEqual(["a", "b", "c"]);
    expect(all[1]).toMatchObject({
      roomId: "!room:example.org",
      eventType: "m.room.message",
      content: { msgtype: "m.notice", body: "hello b" },
      attempts: 0,
      createdAt: T + 100,
      txnId: outbox.get("b")!.txnId,
    });
  });

  it("honours the limit", () => {
    for (const k of ["a", "b", "c"]) outbox.enqueue(msg(k), T);
    expect(outbox.due(T, 2).map((r) => r.dedupeKey)).toEqual(["a", "b"]);
  });

  it("respects next_attempt_at after a failure", () => {
    outbox.enqueue(msg("a"), T);
    const [row] = outbox.due(T);
    outbox.markFailed(row.id, "503", T + 5000, false);
    expect(outbox.due(T + 4999)).toEqual([]);
    const retried = outbox.due(T + 5000);
    expect(retried.map((r) => [r.dedupeKey, r.attempts, r.txnId])).toEqual([["a", 1, row.txnId]]);
  });
});

describe("markFailed and markSent", () => {
  it("counts attempts, keeps the error and reschedules", () => {
    outbox.enqueue(msg("a"), T);
    const { id } = outbox.due(T)[0];
    outbox.markFailed(id, "ECONNREFUSED", T + 1000, false);
    outbox.markFailed(id, "429 M_LIMIT_EXCEEDED", T + 3000, false);
    expect(raw("a")).toMatchObject({ state: "pending", attempts: 2, last_error: "429 M_LIMIT_EXCEEDED", next_attempt_at: T + 3000 });
  });

  it("parks a permanent failure as failed, never due again", () => {
    outbox.enqueue(msg("a"), T);
    const { id } = outbox.due(T)[0];
    outbox.markFailed(id, "403 M_FORBIDDEN", T + 1000, true);
    expect(outbox.get("a")).toMatchObject({ state: "failed", attempts: 1 });
    expect(outbox.due(Number.MAX_SAFE_INTEGER)).toEqual([]);
    expect(outbox.nextDueAt()).toBeNull();
  });

  it("markSent records the event id and time and clears the last error", () => {
    outbox.enqueue(msg("a"), T);
    const { id } = outbox.due(T)[0];
    outbox.markFailed(id, "boom", T, false);
    outbox.markSent(id, "$event", T + 42);
    expect(raw("a")).toMatchObject({ state: "sent", sent_at: T + 42, event_id: "$event", last_error: null, attempts: 1 });
    expect(outbox.get("a")!.eventId).toBe("$event");
    expect(outbox.due(T + 1_000_000)).toEqual([]);
  });
});

describe("nextDueAt", () => {
  it("is null when nothing waits, else the earliest pending due time", () => {
    expect(outbox.nextDueAt()).toBeNull();
    outbox.enqueue(msg("a"), T + 500);
    outbox.enqueue(msg("b"), T + 200);
    expect(outbox.nextDueAt()).toBe(T + 200);
    const b = outbox.due(T + 200)[0];
    outbox.markSent(b.id, "$b", T + 201);
    expect(outbox.nextDueAt()).toBe(T + 500);
    const a = outbox.due(T + 500)[0];
    outbox.markFailed(a.id, "x", T + 9000, false);
    expect(outbox.nextDueAt()).toBe(T + 9000);
    outbox.markFailed(a.id, "x", T + 9000, true);
    expect(outbox.nextDueAt()).toBeNull();
  });
});

describe("countByState and prune", () => {
  it("counts by state and prunes only old sent messages", () => {
    for (const k of ["sent-old", "sent-new", "failed", "pending"]) outbox.enqueue(msg(k), T);
    const id = (k: string) => outbox.due(T).find((r) => r.dedupeKey === k)!.id;
    outbox.markSent(id("sent-old"), "$1", T + 10);
    outbox.markSent(id("sent-new"), "$2", T + 1000);
    outbox.markFailed(id("failed"), "403", T, true);
    expect(outbox.countByState()).toEqual({ sent: 2, failed: 1, pending: 1 });

    expect(outbox.prune(T + 500)).toBe(1);
    expect(outbox.get("sent-old")).toBeUndefined();
    expect(outbox.get("sent-new")).toBeDefined();
    expect(outbox.get("failed")).toBeDefined();
    expect(outbox.get("pending")).toBeDefined();
  });
});

describe("dueHeads, pendingRow and nextDueAfter", () => {
  const keyOf = (id: number) => (db.prepare("SELECT dedupe_key FROM outbox WHERE id = ?").get(id) as { dedupe_key: string }).dedupe_key;

  it("gives the oldest due message of each room (and apart, of its reactions), oldest first, and skips what is not due", () => {
    outbox.enqueue({ ...msg("ok-a"), eventType: "m.reaction", content: { "m.relates_to": { rel_type: "m.annotation", event_id: "$x", key: "✅" } } }, T);
    outbox.enqueue(msg("a1", "a1", "!a:x"), T);
    outbox.enqueue(msg("a2", "a2", "!a:x"), T);
    outbox.enqueue(msg("b1", "b1", "!b:x"), T + 50); // not due yet at T
    outbox.enqueue(msg("c1", "c1", "!c:x"), T);
    outbox.enqueue({ dedupeKey: "ann1", toUser: "@ann:x", eventType: "m.room.message", content: { body: "ann1" } }, T);
    outbox.enqueue({ dedupeKey: "ann2", toUser: "@ann:x", eventType: "m.room.message", content: { body: "ann2" } }, T);
    expect(outbox.dueHeads(T).map((h) => keyOf(h.id))).toEqual(["ok-a", "a1", "c1", "ann1"]);
    expect(outbox.dueHeads(T).find((h) => h.toUser === "@ann:x")).toMatchObject({ roomId: "", eventType: "m.room.message", priority: 0, createdAt: T });
    expect(outbox.nextDueAfter(T)).toBe(T + 50);
    expect(outbox.dueHeads(T + 50).map((h) => keyOf(h.id))).toEqual(["ok-a", "a1", "b1", "c1", "ann1"]);
    expect(outbox.nextDueAfter(T + 50)).toBeNull();
  });

  it("gives a room's oldest message the highest priority waiting behind it in that room, so priority never reorders a room", () => {
    outbox.enqueue(msg("a1", "a1", "!a:x"), T);
    outbox.enqueue(msg("b1", "b1", "!b:x"), T);
    outbox.enqueue({ ...msg("a2", "a2", "!a:x"), priority: URGENT }, T);
    const heads = outbox.dueHeads(T);
    expect(heads.map((h) => [keyOf(h.id), h.priority])).toEqual([
      ["a1", URGENT],
      ["b1", 0],
    ]);
    expect(outbox.pendingRow(heads[0].id)).toMatchObject({ dedupeKey: "a1", priority: 0, content: { body: "a1" } });
    expect(raw("a2")).toMatchObject({ state: "pending" });
    expect((db.prepare("SELECT priority FROM outbox WHERE dedupe_key = 'a2'").get() as { priority: number }).priority).toBe(URGENT);
  });

  it("pendingRow gives nothing for a message already sent", () => {
    outbox.enqueue(msg("a"), T);
    const { id } = outbox.due(T)[0];
    outbox.markSent(id, "$e", T);
    expect(outbox.pendingRow(id)).toBeUndefined();
  });
});
