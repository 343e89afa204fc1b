import { MatrixError } from "matrix-bot-sdk";
import type { Failpoint } from "../../../src/kernel/failpoints";
import { createLogger } from "../../../src/kernel/logger";
import { type Homeserver, retryAdvice } from "../../../src/matrix/homeserver";
import { ALERT_HEAD_START_MS, OutboxSender, REACTION_SLOTS_WHILE_MESSAGES_WAIT, REACTION_WAIT_MS, URGENT_SLOTS } from "../../../src/matrix/outboxSender";
import { openDatabase, type Db } from "../../../src/store/database";
import { ALERT, OutboxStore, URGENT } from "../../../src/store/outbox";
import { connectionRefused, FakeHomeserver, type SendCall } from "../../support/fakeHomeserver";
import { BOT, DOMAIN } from "../../support/fixtures";
import { storedOutboxRow } from "../../support/outboxRows";

const T0 = 1_800_000_000_000;

let db: Db;
let outbox: OutboxStore;
let hs: FakeHomeserver;
let t: number;
let sender: OutboxSender | undefined;
const clock = { now: () => t };

beforeEach(() => {
  db = openDatabase(":memory:");
  outbox = new OutboxStore(db);
  // Every room id is a room here, and no room can be read: a retry sends again (reading
  // the room for an earlier attempt is tested below, with its own homeserver).
  hs = new FakeHomeserver(BOT, DOMAIN, true);
  hs.failWith = (method) => (method === "roomMessages" ? connectionRefused() : undefined);
  t = T0;
  sender = undefined;
});
afterEach(async () => {
  await sender?.stop();
  db.close();
});

function startSender(failpoints: Failpoint[] = []): OutboxSender {
  sender = new OutboxSender(outbox, hs as unknown as Homeserver, clock, createLogger("silent"), new Set(failpoints), async (u) => `!dm-${u}`);
  sender.start();
  return sender;
}

function enqueue(key: string, text = key, roomId = "!room:example.org"): void {
  outbox.enqueue({ dedupeKey: key, roomId, eventType: "m.room.message", content: { msgtype: "m.notice", body: text } }, t);
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const row = (key: string) => storedOutboxRow(db, key);

/** Moves the fake clock and pokes the sender, then waits until `cond` holds. */
async function advanceTo(ms: number, what: string, cond: () => boolean): Promise<void> {
  t = ms;
  sender!.wake();
  await waitFor(what, cond);
}

describe("sending", () => {
  it("sends queued messages in each room's order, each with its stored transaction id, and marks them sent", async () => {
    enqueue("a", "first");
    enqueue("b", "second");
    enqueue("c", "third", "!other:example.org");
    const txn = { a: row("a").txn_id, b: row("b").txn_id, c: row("c").txn_id };
    startSender();
    await waitFor("three sends", () => outbox.countByState().sent === 3);

    const inRoom = (roomId: string) => hs.sends.filter((c) => c.roomId === roomId).map((c) => [c.content.body, c.txnId, c.eventType]);
    expect(inRoom("!room:example.org")).toEqual([
      ["first", txn.a, "m.room.message"],
      ["second", txn.b, "m.room.message"],
    ]);
    expect(inRoom("!other:example.org")).toEqual([["third", txn.c, "m.room.message"]]);
    expect(row("a")).toMatchObject({ state: "sent", event_id: `$event-for-${txn.a}`, attempts: 0 });
    expect(outbox.nextDueAt()).toBeNull();
  });

  it("sends what is queued after start when woken, and never sends a message twice", async () => {
    startSender();
    await sleep(20);
    expect(hs.sends).toEqual([]);
    enqueue("later");
    sender!.wake();
    await waitFor("the send", () => row("later").state === "sent");
    sender!.wake();
    await sleep(30);
    expect(hs.sends).toHaveLength(1);
  });

  it("does not send a message that is not due yet", async () => {
    t = T0 + 10_000;
    enqueue("future");
    t = T0;
    startSender();
    await sleep(30);
    expect(hs.sends).toEqual([]);
    await advanceTo(T0 + 10_000, "the send", () => row("future").state === "sent");
  });

  it("keeps sending the others when one fails", async () => {
    enqueue("a");
    enqueue("b");
    hs.failNext(new MatrixError({ errcode: "M_UNKNOWN", error: "oops" }, 500));
    startSender();
    await waitFor("b sent", () => row("b").state === "sent");
    expect(row("a")).toMatchObject({ state: "pending", attempts: 1 });
  });

  it("sends nothing with the hold-outbox failpoint", async () => {
    enqueue("a");
    startSender(["hold-outbox"]);
    sender!.wake();
    await sleep(30);
    expect(hs.sends).toEqual([]);
    expect(row("a").state).toBe("pending");
  });
});

describe("retrying", () => {
  it("waits exactly retry_after_ms after a 429 and reuses the same transaction id", async () => {
    enqueue("a");
    const txnId = row("a").txn_id;
    hs.failNext(new MatrixError({ errcode: "M_LIMIT_EXCEEDED", error: "slow down", retry_after_ms: 1234 }, 429));
    startSender();
    await waitFor("the failed attempt", () => row("a").attempts === 1);
    expect(row("a")).toMatchObject({ state: "pending", next_attempt_at: T0 + 1234, last_error: "429 M_LIMIT_EXCEEDED" });
    expect(outbox.nextDueAt()).toBe(T0 + 1234);

    t = T0 + 1233;
    sender!.wake();
    await sleep(30);
    expect(hs.sends).toHaveLength(1);

    await advanceTo(T0 + 1234, "the retry", () => row("a").state === "sent");
    expect(hs.sends.map((c) => c.txnId)).toEqual([txnId, txnId]);
    expect(row("a").event_id).toBe(`$event-for-${txnId}`);
  });

  it("retries a network error with growing backoff, same txn id each time", async () => {
    enqueue("a");
    const txnId = row("a").txn_id;
    const refused = () => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8008"), { code: "ECONNREFUSED" });
    hs.failNext(refused(), refused(), refused());
    startSender();

    await waitFor("attempt 1", () => row("a").attempts === 1);
    expect(row("a")).toMatchObject({ state: "pending", next_attempt_at: T0 + 1000, last_error: "ECONNREFUSED" });

    await advanceTo(T0 + 1000, "attempt 2", () => row("a").attempts === 2);
    expect(row("a").next_attempt_at).toBe(T0 + 1000 + 2000);

    await advanceTo(T0 + 3000, "attempt 3", () => row("a").attempts === 3);
    expect(row("a").next_attempt_at).toBe(T0 + 3000 + 4000);

    await advanceTo(T0 + 7000, "success", () => row("a").state === "sent");
    expect(hs.sends).toHaveLength(4);
    expect(new Set(hs.sends.map((c) => c.txnId))).toEqual(new Set([txnId]));
  });

  it("keeps retrying server errors rather than giving up", async () => {
    enqueue("a");
    const errors = Array.from({ length: 8 }, () => new MatrixError({ errcode: "M_UNKNOWN", error: "bad gateway" }, 502));
    hs.failNext(...errors);
    startSender();
    for (let i = 1; i <= 8; i++) {
      await waitFor(`attempt ${i}`, () => row("a").attempts === i);
      expect(row("a").state).toBe("pending");
      await advanceTo(row("a").next_attempt_at, `attempt ${i + 1}`, () => hs.sends.length === i + 1);
    }
    await waitFor("success", () => row("a").state === "sent");
  });

  it("parks a 403 M_FORBIDDEN as failed after a few attempts", async () => {
    enqueue("a");
    const txnId = row("a").txn_id;
    hs.failNext(...Array.from({ length: 20 }, () => new MatrixError({ errcode: "M_FORBIDDEN", error: "not in room" }, 403)));
    startSender();

    let attempts = 0;
    for (;;) {
      await waitFor(`attempt ${attempts + 1}`, () => row("a").attempts === attempts + 1);
      attempts++;
      if (row("a").state !== "pending") break;
      expect(attempts).toBeLessThan(10);
      t = row("a").next_attempt_at;
      sender!.wake();
    }
    expect(row("a")).toMatchObject({ state: "failed", last_error: "403 M_FORBIDDEN" });
    // More than one try (a transient permission glitch heals), but not forever.
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(attempts).toBeLessThanOrEqual(8);
    expect(hs.sends.map((c) => c.txnId)).toEqual(Array(attempts).fill(txnId));
    expect(outbox.nextDueAt()).toBeNull();

    // Parked for good: no more sends however late it gets.
    t += 24 * 60 * 60 * 1000;
    sender!.wake();
    await sleep(30);
    expect(hs.sends).toHaveLength(attempts);
    expect(row("a").state).toBe("failed");
  });

  /** Queues "a" and starts a sender whose first send is taken but its answer lost; returns the row's txn id. */
  async function firstAnswerLost(): Promise<string> {
    enqueue("a");
    const txnId = row("a").txn_id;
    startSender(["fail-after-send"]);
    await waitFor("the first send", () => row("a").attempts === 1);
    return txnId;
  }

  it("with fail-after-send, leaves the row pending with the same txn id and sends it again with that id", async () => {
    const txnId = await firstAnswerLost();
    expect(hs.sends).toHaveLength(1);
    expect(row("a")).toMatchObject({ state: "pending", txn_id: txnId, event_id: null });
    expect(row("a").last_error).toMatch(/fail-after-send/);

    await advanceTo(row("a").next_attempt_at, "the resend", () => row("a").attempts === 2);
    expect(hs.sends.map((c) => c.txnId)).toEqual([txnId, txnId]);
    expect(row("a").state).toBe("pending");
  });

  it("after a restart, resends a pending message with its original txn id", async () => {
    const txnId = await firstAnswerLost();
    await sender!.stop();

    t = row("a").next_attempt_at;
    startSender();
    await waitFor("sent", () => row("a").state === "sent");
    expect(hs.sends.map((c) => c.txnId)).toEqual([txnId, txnId]);
  });
});

/** The homeserver after a restart: it keeps the bot's events but no longer knows their transaction ids. */
function forgetfulHomeserver(): FakeHomeserver {
  const forgetful = new FakeHomeserver(BOT, DOMAIN, true);
  forgetful.rememberTxnIds = false;
  forgetful.now = () => t;
  return forgetful;
}

describe("a send the homeserver took but whose answer was lost", () => {
  it("is not sent again: the retry finds the bot's event with the same content and records it", async () => {
    const forgetful = forgetfulHomeserver();
    forgetful.loseAnswers = 1;
    sender = new OutboxSender(outbox, forgetful as unknown as Homeserver, clock, createLogger("silent"), new Set(), async (u) => `!dm-${u}`);
    sender.start();
    enqueue("same", "I hear you");
    await waitFor("the first attempt", () => row("same").attempts === 1);
    expect(row("same").state).toBe("pending");

    await advanceTo(row("same").next_attempt_at, "recorded as sent", () => row("same").state === "sent");
    expect(forgetful.sends).toHaveLength(1);
    expect(forgetful.rooms.get("!room:example.org")!.timeline).toHaveLength(1);
    expect(row("same").event_id).toBe(forgetful.rooms.get("!room:example.org")!.timeline[0]!.event_id);
  });

  it("is sent again when the earlier event with that content is another message's, or the room cannot be read", async () => {
    const forgetful = forgetfulHomeserver();
    sender = new OutboxSender(outbox, forgetful as unknown as Homeserver, clock, createLogger("silent"), new Set(), async (u) => `!dm-${u}`);
    sender.start();
    enqueue("first", "Same words");
    await waitFor("the first message", () => row("first").state === "sent");

    // A second message with the same words whose first attempt never reached the homeserver.
    const refused = () => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8008"), { code: "ECONNREFUSED" });
    (forgetful as unknown as { sendEvent: unknown }).sendEvent = ((orig) => {
      let failed = false;
      return async (...a: [string, string, object, string]) => {
        if (!failed) {
          failed = true;
          throw refused();
        }
        return orig(...a);
      };
    })(forgetful.sendEvent);
    enqueue("second", "Same words");
    sender.wake();
    await waitFor("its first attempt", () => row("second").attempts === 1);
    await advanceTo(row("second").next_attempt_at, "sent", () => row("second").state === "sent");
    expect(forgetful.rooms.get("!room:example.org")!.timeline).toHaveLength(2);
    expect(row("second").event_id).not.toBe(row("first").event_id);

    // Unreadable room: at least once, never lost.
    forgetful.failWith = (method) => (method === "roomMessages" ? connectionRefused() : undefined);
    forgetful.loseAnswers = 1;
    enqueue("third", "Other words");
    sender.wake();
    await waitFor("its first attempt", () => row("third").attempts === 1);
    await advanceTo(row("third").next_attempt_at, "sent", () => row("third").state === "sent");
    expect(forgetful.rooms.get("!room:example.org")!.timeline.filter((e) => (e.content as { body: string }).body === "Other words")).toHaveLength(2);
  });
});

describe("stop", () => {
  it("waits for a send in progress and then sends nothing more", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const original = hs.sendEvent;
    let started = 0;
    hs.sendEvent = async (...args) => {
      started++;
      await gate;
      return original(...args);
    };
    enqueue("a");
    enqueue("b");
    startSender();
    await waitFor("the first send to start", () => started === 1);
    const stopped = sender!.stop();
    let done = false;
    void stopped.then(() => (done = true));
    await sleep(20);
    expect(done).toBe(false);
    release();
    await stopped;
    // The run in progress finishes what it had (a then b); nothing starts after stop().
    expect(row("a").state).toBe("sent");
    const sent = hs.sends.length;
    sender!.wake();
    await sleep(30);
    expect(hs.sends.length).toBe(sent);
  });
});

describe("retryAdvice", () => {
  const limited = (ms?: number) =>
    new MatrixError({ errcode: "M_LIMIT_EXCEEDED", error: "x", ...(ms === undefined ? {} : { retry_after_ms: ms }) }, 429);

  it("follows retry_after_ms for rate limits, with a floor, and never parks them", () => {
    expect(retryAdvice(limited(1234), 0)).toEqual({ delayMs: 1234, permanent: false, reason: "429 M_LIMIT_EXCEEDED" });
    expect(retryAdvice(limited(1234), 50).permanent).toBe(false);
    expect(retryAdvice(limited(0), 0).delayMs).toBe(100);
    expect(retryAdvice(limited(), 2).delayMs).toBe(4000);
  });

  it("backs off exponentially up to a minute", () => {
    const err = new Error("socket hang up");
    expect([0, 1, 2, 3, 4, 5, 6, 7, 20].map((a) => retryAdvice(err, a).delayMs)).toEqual([
      1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000,
    ]);
    expect(retryAdvice(err, 100).permanent).toBe(false);
    expect(retryAdvice(err, 0).reason).toBe("socket hang up");
  });

  it("parks client errors only after several attempts, but not 408 or 5xx", () => {
    const forbidden = new MatrixError({ errcode: "M_FORBIDDEN", error: "no" }, 403);
    expect(retryAdvice(forbidden, 0).permanent).toBe(false);
    expect(retryAdvice(forbidden, 3).permanent).toBe(false);
    expect(retryAdvice(forbidden, 4).permanent).toBe(true);
    expect(retryAdvice(new MatrixError({ errcode: "M_UNKNOWN", error: "t" }, 408), 10).permanent).toBe(false);
    expect(retryAdvice(new MatrixError({ errcode: "M_UNKNOWN", error: "t" }, 503), 10).permanent).toBe(false);
  });
});

describe("messages addressed to a person", () => {
  it("opens (or finds) their conversation once, records it on the row, and sends there with the stored transaction id", async () => {
    const opened: string[] = [];
    outbox.enqueue({ dedupeKey: "p1", toUser: "@ann:example.org", eventType: "m.room.message", content: { body: "one" } }, t);
    const txn = row("p1").txn_id;
    sender = new OutboxSender(outbox, hs as unknown as Homeserver, clock, createLogger("silent"), new Set(), async (u) => {
      opened.push(u);
      return "!dm-ann:example.org";
    });
    sender.start();
    await waitFor("the send", () => outbox.countByState().sent === 1);
    expect(opened).toEqual(["@ann:example.org"]);
    expect(hs.sends).toEqual([expect.objectContaining({ roomId: "!dm-ann:example.org", txnId: txn })]);
    expect((db.prepare("SELECT room_id FROM outbox WHERE dedupe_key = 'p1'").get() as { room_id: string }).room_id).toBe("!dm-ann:example.org");
  });

  it("retries a message whose conversation could not be opened yet, and keeps its transaction id", async () => {
    let fail = true;
    outbox.enqueue({ dedupeKey: "p2", toUser: "@bob:example.org", eventType: "m.room.message", content: { body: "two" } }, t);
    const txn = row("p2").txn_id;
    sender = new OutboxSender(outbox, hs as unknown as Homeserver, clock, createLogger("silent"), new Set(), async () => {
      if (fail) throw new MatrixError({ errcode: "M_UNKNOWN", error: "down" }, 502);
      return "!dm-bob:example.org";
    });
    sender.start();
    await waitFor("a failed attempt", () => row("p2").attempts === 1);
    expect(row("p2").state).toBe("pending");
    fail = false;
    await advanceTo(row("p2").next_attempt_at, "the send", () => row("p2").state === "sent");
    expect(hs.sends.map((c) => c.txnId)).toEqual([txn]);
  });
});

describe("a message for a person whose chat changed between attempts", () => {
  it("is sent to the chat that is theirs now, not the one the first attempt chose", async () => {
    let current = "!first-dm:example.org";
    outbox.enqueue({ dedupeKey: "p3", toUser: "@cy:example.org", eventType: "m.room.message", content: { body: "private" } }, t);
    hs.failNext(new MatrixError({ errcode: "M_UNKNOWN", error: "busy" }, 502));
    sender = new OutboxSender(outbox, hs as unknown as Homeserver, clock, createLogger("silent"), new Set(), async () => current);
    sender.start();
    await waitFor("a failed attempt", () => row("p3").attempts === 1);
    current = "!new-dm:example.org"; // someone else joined the first chat, so it is no longer theirs
    await advanceTo(row("p3").next_attempt_at, "the send", () => row("p3").state === "sent");
    expect(hs.sends.map((c) => c.roomId)).toEqual(["!first-dm:example.org", "!new-dm:example.org"]);
  });
});

describe("messages too large for one event", () => {
  it("are sent as several events, in order, each with its own fixed transaction id, and none is refused", async () => {
    const send = hs.sendEvent;
    hs.sendEvent = async (roomId, eventType, content, txnId) => {
      if (Buffer.byteLength(JSON.stringify(content)) > 65_536) throw new MatrixError({ errcode: "M_TOO_LARGE", error: "too large" }, 413);
      return send(roomId, eventType, content, txnId);
    };
    const body = "<".repeat(14_000);
    outbox.enqueue({ dedupeKey: "big", roomId: "!room:example.org", eventType: "m.room.message", content: { msgtype: "m.notice", body, format: "org.matrix.custom.html", formatted_body: "&lt;".repeat(14_000) } }, t);
    enqueue("after");
    const txn = row("big").txn_id;
    startSender();
    await waitFor("both sent", () => row("big").state === "sent" && row("after").state === "sent");
    const parts = hs.sends.filter((c) => c.txnId.startsWith(txn));
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.map((c) => c.txnId)).toEqual(parts.map((_, i) => (i === 0 ? txn : `${txn}.${i}`)));
    expect(parts.map((c) => String(c.content.body)).join("").split("<").length - 1).toBe(14_000);
    expect(hs.sends[hs.sends.length - 1].content.body).toBe("after");
  });
});

describe("a reply queued for a person's direct chat", () => {
  it("goes to their private chat instead when that chat is no longer private, without the reply relation", async () => {
    outbox.enqueue({ dedupeKey: "r1", roomId: "!public-dm:example.org", eventType: "m.room.message", content: { msgtype: "m.notice", body: "your data", "m.relates_to": { "m.in_reply_to": { event_id: "$cmd" } } } }, t);
    sender = new OutboxSender(outbox, hs as unknown as Homeserver, clock, createLogger("silent"), new Set(), async (u) => `!dm-${u}`, async (roomId) => (roomId === "!public-dm:example.org" ? "!private:example.org" : roomId));
    sender.start();
    await waitFor("the send", () => row("r1").state === "sent");
    expect(hs.sends).toHaveLength(1);
    expect(hs.sends[0].roomId).toBe("!private:example.org");
    expect(hs.sends[0].content["m.relates_to"]).toBeUndefined();
    expect(db.prepare("SELECT room_id FROM outbox WHERE dedupe_key = ?").get("r1")).toEqual({ room_id: "!private:example.org" });
  });
});

describe("a message the homeserver refuses as too large", () => {
  it("is given up, and the room is told that a message could not be shown; the next message is not held up", async () => {
    const send = hs.sendEvent;
    hs.sendEvent = async (roomId, eventType, content, txnId) => {
      if (Buffer.byteLength(JSON.stringify(content)) > 65_536) throw new MatrixError({ errcode: "M_TOO_LARGE", error: "too large" }, 413);
      return send(roomId, eventType, content, txnId);
    };
    // Nothing fitContent can split (no plain body): only the homeserver's refusal tells.
    outbox.enqueue({ dedupeKey: "odd", roomId: "!room:example.org", eventType: "m.room.message", content: { msgtype: "m.notice", formatted_body: "x".repeat(70_000) } }, t);
    enqueue("next");
    startSender();
    await waitFor("the next message", () => row("next").state === "sent");
    for (let i = 0; i < 6 && row("odd").state !== "failed"; i++) await advanceTo(row("odd").next_attempt_at, "another attempt", () => row("odd").attempts > i);
    expect(row("odd").state).toBe("failed");
    await waitFor("the word about it", () => row("odd:not-shown")?.state === "sent");
    expect(String(hs.sends[hs.sends.length - 1].content.body)).toContain("could not be shown");
  });
});

/**
 * A homeserver whose sends wait until the test lets them finish, so what is in flight at
 * once can be seen (and no assertion depends on timing).
 */
class GatedHomeserver {
  readonly started: SendCall[] = [];
  readonly finished: SendCall[] = [];
  private readonly waiting: Array<{ call: SendCall; settle: (err?: unknown) => void }> = [];
  inFlight = 0;
  maxInFlight = 0;

  sendEvent = (roomId: string, eventType: string, content: object, txnId: string): Promise<string> => {
    const call = { roomId, eventType, content: content as Record<string, unknown>, txnId };
    this.started.push(call);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise((resolve, reject) => {
      this.waiting.push({
        call,
        settle: (err) => {
          this.inFlight--;
          if (err) return reject(err);
          this.finished.push(call);
          resolve(`$event-for-${txnId}`);
        },
      });
    });
  };

  /** The sends waiting now. */
  pending(): SendCall[] {
    return this.waiting.map((w) => w.call);
  }

  /** Lets the send of this body finish (or fail with `err`). */
  release(body: string, err?: unknown): void {
    const i = this.waiting.findIndex((w) => w.call.content.body === body);
    if (i < 0) throw new Error(`no send of ${body} is waiting`);
    const [w] = this.waiting.splice(i, 1);
    w.settle(err);
  }

  asHomeserver(): Homeserver {
    return this as unknown as Homeserver;
  }
}

describe("sending to several rooms at once", () => {
  let gated: GatedHomeserver;
  const rooms = ["!a:example.org", "!b:example.org", "!c:example.org"];

  function startGated(concurrency: number, personOf?: (roomId: string) => string | undefined): void {
    sender = new OutboxSender(outbox, gated.asHomeserver(), clock, createLogger("silent"), new Set(), async (u) => `!dm-${u}`, undefined, undefined, {
      concurrency: () => concurrency,
      personOf,
    });
    sender.start();
  }

  const send = (key: string, roomId: string, eventType = "m.room.message") =>
    outbox.enqueue({ dedupeKey: key, roomId, eventType, content: eventType === "m.reaction" ? { body: key, "m.relates_to": { rel_type: "m.annotation", event_id: "$x", key: "✅" } } : { msgtype: "m.notice", body: key } }, t);

  beforeEach(() => {
    gated = new GatedHomeserver();
  });

  it("sends to different rooms at once, one message at a time per room, in each room's order", async () => {
    for (let i = 0; i < 4; i++) for (const r of rooms) send(`${r}#${i}`, r);
    startGated(8);
    // Release whichever send is waiting, in an order that mixes the rooms, until all are sent.
    for (let step = 0; step < 12; step++) {
      await waitFor("sends waiting", () => gated.pending().length > 0);
      const waiting = gated.pending();
      // Never two sends at once to one room.
      expect(new Set(waiting.map((c) => c.roomId)).size).toBe(waiting.length);
      gated.release(String(waiting[waiting.length - 1].content.body));
    }
    await waitFor("all sent", () => outbox.countByState().sent === 12);
    expect(gated.maxInFlight).toBe(3);
    for (const r of rooms) expect(gated.finished.filter((c) => c.roomId === r).map((c) => c.content.body)).toEqual([0, 1, 2, 3].map((i) => `${r}#${i}`));
  });

  it("sends to no more rooms at once than configured", async () => {
    for (const r of rooms) send(`${r}#0`, r);
    startGated(2);
    await waitFor("two sends", () => gated.pending().length === 2);
    await sleep(20);
    expect(gated.pending().map((c) => c.roomId)).toEqual(["!a:example.org", "!b:example.org"]);
    gated.release("!a:example.org#0");
    await waitFor("the third room's turn", () => gated.pending().some((c) => c.roomId === "!c:example.org"));
    expect(gated.inFlight).toBe(2);
    gated.release("!b:example.org#0");
    gated.release("!c:example.org#0");
    await waitFor("all sent", () => outbox.countByState().sent === 3);
    expect(gated.maxInFlight).toBe(2);
  });

  it("never lets reactions take a reply's place: they wait while replies wait, at most REACTION_WAIT_MS", async () => {
    // Reactions queued first, for every room: the replies still go first.
    for (const r of rooms) send(`${r}:ok`, r, "m.reaction");
    for (const r of rooms) send(`${r}:reply`, r);
    startGated(1);
    await waitFor("the first reply", () => gated.pending().length === 1);
    expect(gated.pending()[0].content.body).toBe("!a:example.org:reply");
    gated.release("!a:example.org:reply");
    await waitFor("the next reply", () => gated.pending().some((c) => c.content.body === "!b:example.org:reply"));
    await sleep(20);
    expect(gated.pending().map((c) => c.eventType)).toEqual(["m.room.message"]);
    // A reaction that has waited REACTION_WAIT_MS goes anyway, on its own place: it never takes a reply's.
    t = T0 + REACTION_WAIT_MS;
    sender!.wake();
    await waitFor("a reaction beside the reply", () => gated.pending().some((c) => c.eventType === "m.reaction"));
    expect(gated.pending().filter((c) => c.eventType === "m.room.message").map((c) => c.content.body)).toEqual(["!b:example.org:reply"]);
    expect(gated.pending().find((c) => c.eventType === "m.reaction")!.content.body).toBe("!a:example.org:ok");
    gated.release("!b:example.org:reply");
    await waitFor("the last reply", () => gated.pending().some((c) => c.content.body === "!c:example.org:reply"));
    gated.release("!c:example.org:reply");
    for (const r of rooms) {
      await waitFor("a reaction", () => gated.pending().some((c) => c.content.body === `${r}:ok`));
      gated.release(`${r}:ok`);
    }
    await waitFor("all sent", () => outbox.countByState().sent === 6);
  });

  it("past REACTION_WAIT_MS, sends reactions one at a time while messages still wait, then the rest at once", async () => {
    for (const r of rooms) send(`${r}:ok`, r, "m.reaction");
    const replies = ["!d", "!e", "!f", "!g"].map((r) => `${r}:example.org`);
    for (const r of replies) send(`${r}:reply`, r);
    startGated(2);
    await waitFor("two replies", () => gated.pending().length === 2);
    t = T0 + REACTION_WAIT_MS;
    sender!.wake();
    await waitFor("a reaction", () => gated.pending().some((c) => c.eventType === "m.reaction"));
    await sleep(20);
    const reactionsNow = () => gated.pending().filter((c) => c.eventType === "m.reaction");
    expect(reactionsNow()).toHaveLength(REACTION_SLOTS_WHILE_MESSAGES_WAIT);
    gated.release(String(reactionsNow()[0].content.body));
    await waitFor("the next reaction", () => reactionsNow().length === 1);
    await sleep(20);
    expect(reactionsNow()).toHaveLength(REACTION_SLOTS_WHILE_MESSAGES_WAIT);
    // Once no message waits, the reactions left go together.
    for (const r of replies) {
      await waitFor(`${r}'s reply`, () => gated.pending().some((c) => c.content.body === `${r}:reply`));
      gated.release(`${r}:reply`);
    }
    await waitFor("the last two reactions together", () => reactionsNow().length === 2);
    for (const c of reactionsNow()) gated.release(String(c.content.body));
    await waitFor("all sent", () => outbox.countByState().sent === 7);
    expect(gated.finished.filter((c) => c.eventType === "m.reaction")).toHaveLength(3);
  });

  it("sends reactions at once when no message is waiting", async () => {
    for (const r of rooms) send(`${r}:ok`, r, "m.reaction");
    startGated(8);
    await waitFor("the reactions", () => gated.pending().length === 3);
    for (const r of rooms) gated.release(`${r}:ok`);
    await waitFor("all sent", () => outbox.countByState().sent === 3);
  });

  it("sends an urgent message before a backlog of ordinary ones, on a place of its own when every place is taken", async () => {
    for (let i = 0; i < 5; i++) send(`backlog-${i}`, `!backlog-${i}:example.org`);
    startGated(2);
    await waitFor("two ordinary sends", () => gated.pending().length === 2);
    outbox.enqueue({ dedupeKey: "page", toUser: "@peer:example.org", eventType: "m.room.message", content: { msgtype: "m.text", body: "page" }, priority: URGENT }, t);
    outbox.enqueue({ dedupeKey: "answer", roomId: "!member:example.org", eventType: "m.room.message", content: { msgtype: "m.notice", body: "answer" }, priority: URGENT }, t);
    outbox.enqueue({ dedupeKey: "third", roomId: "!x:example.org", eventType: "m.room.message", content: { msgtype: "m.notice", body: "third" }, priority: URGENT }, t);
    sender!.wake();
    await waitFor("the urgent sends", () => gated.pending().length === 2 + URGENT_SLOTS);
    await sleep(20);
    expect(gated.pending().map((c) => c.content.body)).toEqual(["backlog-0", "backlog-1", "page", "answer"]);
    // A freed place goes to the urgent message still waiting, not to the backlog.
    gated.release("backlog-0");
    await waitFor("the third urgent send", () => gated.pending().some((c) => c.content.body === "third"));
    expect(gated.started.map((c) => c.content.body)).toEqual(["backlog-0", "backlog-1", "page", "answer", "third"]);
    for (const b of ["backlog-1", "page", "answer", "third"]) gated.release(b);
    for (let i = 2; i < 5; i++) {
      await waitFor(`backlog-${i}`, () => gated.pending().some((c) => c.content.body === `backlog-${i}`));
      gated.release(`backlog-${i}`);
    }
    await waitFor("all sent", () => outbox.countByState().sent === 8);
  });

  const alert = (body: string) =>
    outbox.enqueue({ dedupeKey: body, toUser: "@peer:example.org", eventType: "m.room.message", content: { msgtype: "m.text", body }, priority: ALERT }, t);

  it("gives a message that must wake someone the homeserver to itself while it is on its way: the member's answer and the rest start after it", async () => {
    send("ordinary", "!o:example.org");
    outbox.enqueue({ dedupeKey: "answer", roomId: "!member:example.org", eventType: "m.room.message", content: { msgtype: "m.notice", body: "answer" }, priority: URGENT }, t);
    alert("page");
    startGated(8);
    await waitFor("the alert", () => gated.pending().length > 0);
    await sleep(30);
    expect(gated.pending().map((c) => c.content.body)).toEqual(["page"]);
    gated.release("page");
    await waitFor("the rest", () => gated.pending().length === 2);
    expect(gated.started.map((c) => c.content.body)).toEqual(["page", "answer", "ordinary"]);
    gated.release("answer");
    gated.release("ordinary");
    await waitFor("all sent", () => outbox.countByState().sent === 3);
  });

  it("holds the rest up for ALERT_HEAD_START_MS at most when an alert is slow", async () => {
    alert("page");
    send("ordinary", "!o:example.org");
    const started = performance.now();
    startGated(8);
    await waitFor("the alert", () => gated.pending().length > 0);
    await waitFor("the ordinary message", () => gated.pending().some((c) => c.content.body === "ordinary"), 3000);
    expect(performance.now() - started).toBeGreaterThanOrEqual(ALERT_HEAD_START_MS - 5);
    expect(gated.pending().map((c) => c.content.body)).toEqual(["page", "ordinary"]);
    gated.release("page");
    gated.release("ordinary");
    await waitFor("all sent", () => outbox.countByState().sent === 2);
  });

  it("tells work beside a page (alertsSent) when the alerts are sent", async () => {
    alert("page");
    startGated(8);
    await waitFor("the alert", () => gated.pending().length > 0);
    let done = false;
    const waiting = sender!.alertsSent().then(() => (done = true));
    await sleep(30);
    expect(done).toBe(false);
    gated.release("page");
    await waiting;
    expect(outbox.countByState().sent).toBe(1);
  });

  it("holds the rest while other summoning work (a peer's invitation) is on its way, and lets it go when that is done", async () => {
    outbox.enqueue({ dedupeKey: "answer", roomId: "!member:example.org", eventType: "m.room.message", content: { msgtype: "m.notice", body: "answer" }, priority: URGENT }, t);
    let finish!: () => void;
    const invitation = new Promise<void>((resolve) => (finish = resolve));
    startGated(8);
    const summons = sender!.summoning(() => invitation.then(() => "invited"));
    sender!.wake();
    await sleep(30);
    expect(gated.started).toEqual([]); // the member's answer waits for the invitation
    finish();
    expect(await summons).toBe("invited");
    await waitFor("the answer", () => gated.pending().some((c) => c.content.body === "answer"));
    gated.release("answer");
    await waitFor("sent", () => outbox.countByState().sent === 1);
  });

  it("lets summoning work hold the rest up for ALERT_HEAD_START_MS at most, and passes on its failure", async () => {
    send("ordinary", "!o:example.org");
    startGated(8);
    const started = performance.now();
    const slow = sender!.summoning(() => sleep(3 * ALERT_HEAD_START_MS).then(() => Promise.reject(new Error("refused"))));
    sender!.wake();
    await waitFor("the ordinary message", () => gated.pending().some((c) => c.content.body === "ordinary"), 3000);
    expect(performance.now() - started).toBeGreaterThanOrEqual(ALERT_HEAD_START_MS - 5);
    await expect(slow).rejects.toThrow("refused");
    gated.release("ordinary");
    await waitFor("sent", () => outbox.countByState().sent === 1);
  });

  it("lets nothing wait on alertsSent when there is no alert, or the sender is not running", async () => {
    startGated(8);
    const started = performance.now();
    await sender!.alertsSent();
    await sender!.stop();
    alert("page"); // queued, but nothing will send it
    await sender!.alertsSent();
    expect(performance.now() - started).toBeLessThan(ALERT_HEAD_START_MS);
  });

  it("never sends an urgent message before earlier ones to its room: they go first, at its priority", async () => {
    for (let i = 0; i < 3; i++) send(`other-${i}`, `!other-${i}:example.org`);
    send("a-first", "!a:example.org");
    send("a-second", "!a:example.org");
    outbox.enqueue({ dedupeKey: "a-urgent", roomId: "!a:example.org", eventType: "m.room.message", content: { msgtype: "m.notice", body: "a-urgent" }, priority: URGENT }, t);
    startGated(1);
    await waitFor("the first send", () => gated.pending().length >= 1);
    await sleep(20);
    // Room a comes first (its queue holds something urgent), oldest message first; the place
    // kept for urgent messages is not used for a second send to the same room.
    expect(gated.pending().map((c) => c.content.body)).toEqual(["a-first"]);
    for (const body of ["a-first", "a-second", "a-urgent"]) {
      await waitFor(`${body} to start`, () => gated.pending().some((c) => c.content.body === body));
      expect(gated.pending().filter((c) => c.roomId === "!a:example.org")).toHaveLength(1);
      gated.release(body);
    }
    for (let i = 0; i < 3; i++) {
      await waitFor(`other-${i}`, () => gated.pending().some((c) => c.content.body === `other-${i}`));
      gated.release(`other-${i}`);
    }
    await waitFor("all sent", () => outbox.countByState().sent === 6);
    expect(gated.finished.filter((c) => c.roomId === "!a:example.org").map((c) => c.content.body)).toEqual(["a-first", "a-second", "a-urgent"]);
    expect(gated.started.slice(0, 3).map((c) => c.content.body)).toEqual(["a-first", "a-second", "a-urgent"]);
  });

  it("never sends an urgent message to a person before an earlier reply in their chat", async () => {
    const dm = "!dm-@ann:example.org";
    send("reply", dm);
    outbox.enqueue({ dedupeKey: "page", toUser: "@ann:example.org", eventType: "m.room.message", content: { msgtype: "m.text", body: "page" }, priority: URGENT }, t);
    startGated(8, (roomId) => (roomId === dm ? "@ann:example.org" : undefined));
    for (const body of ["reply", "page"]) {
      await waitFor(`${body} to start`, () => gated.pending().some((c) => c.content.body === body));
      expect(gated.pending()).toHaveLength(1);
      gated.release(body);
    }
    await waitFor("both sent", () => outbox.countByState().sent === 2);
    expect(gated.finished.map((c) => c.content.body)).toEqual(["reply", "page"]);
  });

  it("sends everything for one person one at a time, in order: messages to them and replies in their chat", async () => {
    const dm = "!dm-@ann:example.org";
    outbox.enqueue({ dedupeKey: "tell-1", toUser: "@ann:example.org", eventType: "m.room.message", content: { msgtype: "m.notice", body: "tell-1" } }, t);
    send("reply", dm);
    outbox.enqueue({ dedupeKey: "tell-2", toUser: "@ann:example.org", eventType: "m.room.message", content: { msgtype: "m.notice", body: "tell-2" } }, t);
    send("elsewhere", "!a:example.org");
    startGated(8, (roomId) => (roomId === dm ? "@ann:example.org" : undefined));
    for (const body of ["tell-1", "reply", "tell-2"]) {
      await waitFor(`${body} to start`, () => gated.pending().some((c) => c.content.body === body));
      expect(gated.pending().filter((c) => c.roomId === dm)).toHaveLength(1);
      gated.release(body);
    }
    gated.release("elsewhere");
    await waitFor("all sent", () => outbox.countByState().sent === 4);
    expect(gated.finished.filter((c) => c.roomId === dm).map((c) => c.content.body)).toEqual(["tell-1", "reply", "tell-2"]);
  });

  it("after a 429 in one room, starts nothing in any room until retry_after_ms has passed, then resends with the same transaction id", async () => {
    send("first", "!a:example.org");
    send("second", "!b:example.org");
    const txn = row("first").txn_id;
    startGated(1);
    await waitFor("the first send", () => gated.pending().length === 1);
    gated.release("first", new MatrixError({ errcode: "M_LIMIT_EXCEEDED", error: "slow down", retry_after_ms: 1500 }, 429));
    await waitFor("the failed attempt", () => row("first").attempts === 1);
    expect(row("first")).toMatchObject({ state: "pending", next_attempt_at: T0 + 1500, last_error: "429 M_LIMIT_EXCEEDED" });

    // The other room's message is due, and a place is free, but the homeserver asked to wait.
    t = T0 + 1499;
    sender!.wake();
    await sleep(30);
    expect(gated.started.map((c) => c.content.body)).toEqual(["first"]);
    expect(row("second").state).toBe("pending");

    t = T0 + 1500;
    sender!.wake();
    // Oldest first once the wait is over: the message that was refused, with its transaction id.
    await waitFor("the resend", () => gated.pending().length === 1);
    expect(gated.pending()[0]).toMatchObject({ content: { msgtype: "m.notice", body: "first" }, txnId: txn });
    gated.release("first");
    await waitFor("the other room's turn", () => gated.pending().some((c) => c.content.body === "second"));
    gated.release("second");
    await waitFor("both sent", () => outbox.countByState().sent === 2);
    expect(gated.started.filter((c) => c.content.body === "first").map((c) => c.txnId)).toEqual([txn, txn]);
  });
});
