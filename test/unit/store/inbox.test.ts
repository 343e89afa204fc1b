import type { Db } from "../../../src/store/database";
import { InboxStore, type IncomingEvent } from "../../../src/store/inbox";
import { withMemoryDb } from "../../support/fixtures";

let db: Db, inbox: InboxStore;
withMemoryDb((d) => ([db, inbox] = [d, new InboxStore(d)]));

const T = 1_700_000_000_000;

function ev(id: string, extra: Partial<IncomingEvent> = {}): IncomingEvent {
  return {
    event_id: id,
    room_id: "!room:example.org",
    sender: "@member:example.org",
    type: "m.room.message",
    content: { msgtype: "m.text", body: `body of ${id}` },
    ...extra,
  };
}

interface RawRow {
  event_id: string;
  txn_id: string;
  room_id: string | null;
  sender: string | null;
  type: string;
  received_at: number;
  event_json: string | null;
  state: string;
  attempts: number;
  handled_at: number | null;
  error: string | null;
}

const rows = (): RawRow[] => db.prepare("SELECT * FROM inbox ORDER BY seq").all() as RawRow[];
const txns = () => db.prepare("SELECT txn_id, completed_at FROM appservice_transactions ORDER BY txn_id").all();

describe("recordTransaction", () => {
  it("stores every event and marks the transaction completed", () => {
    expect(inbox.isTransactionRecorded("t1")).toBe(false);
    expect(inbox.recordTransaction("t1", [ev("$a"), ev("$b")], T)).toBe(true);
    expect(inbox.isTransactionRecorded("t1")).toBe(true);
    expect(txns()).toEqual([{ txn_id: "t1", completed_at: T }]);
    const stored = rows();
    expect(stored.map((r) => [r.event_id, r.txn_id, r.state, r.received_at, r.attempts])).toEqual([
      ["$a", "t1", "pending", T, 0],
      ["$b", "t1", "pending", T, 0],
    ]);
    expect(stored[0].room_id).toBe("!room:example.org");
    expect(stored[0].sender).toBe("@member:example.org");
    expect(JSON.parse(stored[0].event_json!)).toEqual(ev("$a"));
  });

  it("records an empty transaction too, so its replay is recognised", () => {
    expect(inbox.recordTransaction("empty", [], T)).toBe(true);
    expect(inbox.recordTransaction("empty", [], T + 1)).toBe(false);
    expect(rows()).toEqual([]);
  });

  it("returns false for a replayed transaction and adds nothing", () => {
    inbox.recordTransaction("t1", [ev("$a")], T);
    expect(inbox.recordTransaction("t1", [ev("$a")], T + 1000)).toBe(false);
    expect(rows().map((r) => r.event_id)).toEqual(["$a"]);
    expect(txns()).toEqual([{ txn_id: "t1", completed_at: T }]);
  });

  it("records new events under a reused transaction id (Synapse on SQLite reuses ids after a restart)", () => {
    inbox.recordTransaction("t1", [ev("$a")], T);
    expect(inbox.recordTransaction("t1", [ev("$a"), ev("$new")], T + 1000)).toBe(true);
    expect(rows().map((r) => r.event_id)).toEqual(["$a", "$new"]);
    expect(txns()).toEqual([{ txn_id: "t1", completed_at: T }]);
  });

  it("does not store an event twice when it arrives in another transaction", () => {
    inbox.recordTransaction("t1", [ev("$a")], T);
    expect(inbox.recordTransaction("t2", [ev("$a"), ev("$b")], T + 1)).toBe(true);
    const stored = rows();
    expect(stored.map((r) => [r.event_id, r.txn_id])).toEqual([
      ["$a", "t1"],
      ["$b", "t2"],
    ]);
    expect(inbox.isTransactionRecorded("t2")).toBe(true);
  });

  it("does not re-open an event that was already handled when it arrives again", () => {
    inbox.recordTransaction("t1", [ev("$a")], T);
    inbox.markDone(inbox.pending()[0].seq, T + 5);
    inbox.recordTransaction("t2", [ev("$a")], T + 10);
    expect(inbox.pending()).toEqual([]);
    expect(rows()[0].state).toBe("done");
  });

  it("stores ignored events as 'ignored' without their content", () => {
    const ignore = (e: IncomingEvent) => e.sender === "@carenet:example.org";
    inbox.recordTransaction("t1", [ev("$mine", { sender: "@carenet:example.org" }), ev("$theirs")], T, ignore);
    const stored = rows();
    expect(stored.map((r) => [r.event_id, r.state])).toEqual([
      ["$mine", "ignored"],
      ["$theirs", "pending"],
    ]);
    expect(stored[0].event_json).toBeNull();
    expect(stored[0].sender).toBe("@carenet:example.org");
    expect(inbox.pending().map((r) => r.eventId)).toEqual(["$theirs"]);
  });

  it("skips malformed events but still records the rest", () => {
    const junk = [{ type: "m.room.message" }, { event_id: 42, type: "x" }, null, { event_id: "$no-type" }] as unknown as IncomingEvent[];
    expect(inbox.recordTransaction("t1", [...junk, ev("$ok")], T)).toBe(true);
    expect(rows().map((r) => r.event_id)).toEqual(["$ok"]);
  });

  it("stores null room and sender when they are not strings", () => {
    inbox.recordTransaction("t1", [{ event_id: "$e", type: "m.presence", sender: 5 as unknown as string }], T);
    expect(rows()[0]).toMatchObject({ room_id: null, sender: null, type: "m.presence" });
  });

  it("records nothing when the ignore function throws (all or nothing)", () => {
    const ignore = (e: IncomingEvent) => {
      if (e.event_id === "$boom") throw new Error("boom");
      return false;
    };
    expect(() => inbox.recordTransaction("t1", [ev("$a"), ev("$boom")], T, ignore)).toThrow("boom");
    expect(rows()).toEqual([]);
    expect(inbox.isTransactionRecorded("t1")).toBe(false);
    // The homeserver's retry then records it.
    expect(inbox.recordTransaction("t1", [ev("$a"), ev("$boom")], T)).toBe(true);
    expect(rows()).toHaveLength(2);
  });

  it("records a transaction's events together or not at all when the database refuses one of them", () => {
    // As a full disk would, in the middle of the transaction.
    db.exec("CREATE TEMP TRIGGER refuse BEFORE INSERT ON inbox WHEN NEW.event_id = '$c' BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
    const events = [ev("$a"), ev("$b"), ev("$c"), ev("$d")];
    expect(() => inbox.recordTransaction("t1", events, T)).toThrow("database or disk is full");
    expect(rows()).toEqual([]);
    expect(inbox.isTransactionRecorded("t1")).toBe(false);
    expect(db.inTransaction).toBe(false);

    db.exec("DROP TRIGGER refuse");
    expect(inbox.recordTransaction("t1", events, T)).toBe(true);
    expect(rows().map((r) => r.event_id)).toEqual(["$a", "$b", "$c", "$d"]);
  });
});

describe("pending", () => {
  it("returns pending events in arrival order, across transactions, with their parsed event", () => {
    inbox.recordTransaction("t1", [ev("$1"), ev("$2")], T);
    inbox.recordTransaction("t2", [ev("$3")], T + 1);
    inbox.recordTransaction("t3", [ev("$4"), ev("$5")], T + 2);
    const pending = inbox.pending();
    expect(pending.map((r) => r.eventId)).toEqual(["$1", "$2", "$3", "$4", "$5"]);
    expect(pending.map((r) => r.txnId)).toEqual(["t1", "t1", "t2", "t3", "t3"]);
    const seqs = pending.map((r) => r.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(pending[2]).toMatchObject({ receivedAt: T + 1, attempts: 0, event: ev("$3") });
  });

  it("honours the limit and skips handled events", () => {
    inbox.recordTransaction("t1", [ev("$1"), ev("$2"), ev("$3")], T);
    expect(inbox.pending(2).map((r) => r.eventId)).toEqual(["$1", "$2"]);
    inbox.markDone(inbox.pending(1)[0].seq, T);
    expect(inbox.pending().map((r) => r.eventId)).toEqual(["$2", "$3"]);
  });
});

describe("markDone", () => {
  it("marks the event done, stamps it and forgets its content", () => {
    inbox.recordTransaction("t1", [ev("$a")], T);
    const [row] = inbox.pending();
    inbox.markDone(row.seq, T + 500);
    const [raw] = rows();
    expect(raw.state).toBe("done");
    expect(raw.handled_at).toBe(T + 500);
    expect(raw.event_json).toBeNull();
    expect(inbox.countByState()).toEqual({ done: 1 });
  });

  it("does not touch a row that is no longer pending", () => {
    inbox.recordTransaction("t1", [ev("$a")], T);
    const [row] = inbox.pending();
    inbox.markAttemptFailed(row.seq, "e", T + 1, 1);
    inbox.markDone(row.seq, T + 2);
    expect(rows()[0]).toMatchObject({ state: "failed", handled_at: T + 1 });
  });
});

describe("markAttemptFailed", () => {
  it("retries until maxAttempts, then parks the event as failed without content", () => {
    inbox.recordTransaction("t1", [ev("$a")], T);
    const { seq } = inbox.pending()[0];

    expect(inbox.markAttemptFailed(seq, "first", T + 1, 3)).toBe("retry");
    expect(rows()[0]).toMatchObject({ state: "pending", attempts: 1, error: "first", handled_at: null });
    expect(rows()[0].event_json).not.toBeNull();
    expect(inbox.pending()[0].attempts).toBe(1);

    expect(inbox.markAttemptFailed(seq, "second", T + 2, 3)).toBe("retry");
    expect(rows()[0]).toMatchObject({ state: "pending", attempts: 2, error: "second" });

    expect(inbox.markAttemptFailed(seq, "third", T + 3, 3)).toBe("failed");
    expect(rows()[0]).toMatchObject({ state: "failed", attempts: 3, error: "third", handled_at: T + 3, event_json: null });
    expect(inbox.pending()).toEqual([]);
    expect(inbox.countByState()).toEqual({ failed: 1 });
  });

  it("only affects the row it is given", () => {
    inbox.recordTransaction("t1", [ev("$a"), ev("$b")], T);
    const [a] = inbox.pending();
    inbox.markAttemptFailed(a.seq, "e", T, 1);
    expect(inbox.pending().map((r) => [r.eventId, r.attempts])).toEqual([["$b", 0]]);
  });
});

describe("countByState", () => {
  it("counts each state", () => {
    inbox.recordTransaction("t1", [ev("$1"), ev("$2"), ev("$3"), ev("$4", { sender: "@bot:x" })], T, (e) => e.sender === "@bot:x");
    const [one, two] = inbox.pending();
    inbox.markDone(one.seq, T);
    inbox.markAttemptFailed(two.seq, "x", T, 1);
    expect(inbox.countByState()).toEqual({ done: 1, failed: 1, pending: 1, ignored: 1 });
  });
});

describe("prune", () => {
  it("drops old transaction ids and old handled rows, but never pending ones", () => {
    inbox.recordTransaction("old", [ev("$old-done"), ev("$old-pending"), ev("$old-ignored", { sender: "@bot:x" })], T, (e) => e.sender === "@bot:x");
    inbox.recordTransaction("new", [ev("$new-done")], T + 10_000);
    const seqOf = (id: string) => inbox.pending().find((r) => r.eventId === id)!.seq;
    inbox.markDone(seqOf("$old-done"), T + 1);
    inbox.markDone(seqOf("$new-done"), T + 10_001);

    expect(inbox.prune(T + 5_000)).toEqual({ transactions: 1, events: 2 });
    expect(inbox.isTransactionRecorded("old")).toBe(false);
    expect(inbox.isTransactionRecorded("new")).toBe(true);
    expect(rows().map((r) => r.event_id)).toEqual(["$old-pending", "$new-done"]);
    expect(inbox.pending().map((r) => r.eventId)).toEqual(["$old-pending"]);
  });

  it("keeps everything newer than the cutoff", () => {
    inbox.recordTransaction("t", [ev("$a")], T);
    inbox.markDone(inbox.pending()[0].seq, T);
    expect(inbox.prune(T)).toEqual({ transactions: 0, events: 0 });
    expect(inbox.isTransactionRecorded("t")).toBe(true);
  });
});
