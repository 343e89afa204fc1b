import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createEventRouter } from "../../../src/app/appContext";
import { Dispatcher } from "../../../src/commands/dispatcher";
import { ANSWER_EVERY_MS, ENCRYPTION_SETTING, encryptionHealth } from "../../../src/matrix/encryptedRooms";
import type { StateEvent } from "../../../src/matrix/homeserver";
import { openDatabase } from "../../../src/store/database";
import { EncryptionStore } from "../../../src/matrix/store/encryption";
import { InboxStore } from "../../../src/store/inbox";
import { AMY, BOB, CRISIS, FullApp, roomOf, SAM } from "../app/fullApp";

const BOT = "@carenet:example.org";
const DM = "!dm-amy:example.org";
let f: FullApp;
let seq = 0;

beforeEach(() => {
  f = new FullApp();
  f.addMember(AMY);
  f.app.dmRooms.record(DM, AMY, f.now);
  staffJoined(true);
});

/** What the homeserver says is in the staff room: SAM joined, or nobody but the bot. */
function staffJoined(joined: boolean): void {
  (f.app.homeserver as unknown as { getRoomState: () => Promise<StateEvent[]> }).getRoomState = async () => [
    { type: "m.room.member", state_key: BOT, sender: BOT, content: { membership: "join" } },
    { type: "m.room.member", state_key: SAM, sender: BOT, content: { membership: joined ? "join" : "invite" } },
  ];
}

function joins(userId: string, roomKey: string): void {
  f.app.atomically(() => {
    for (const hook of f.app.membershipHooks) {
      hook({ roomId: roomOf(roomKey), place: { community: f.community, roomKey, roomId: roomOf(roomKey) }, userId, sender: userId, membership: "join", previous: "invite", eventId: `$j${++seq}` });
    }
  });
}
afterEach(() => f.close());

/** An m.room.encrypted event reaching carenet, as the event router hands it on. */
function encrypted(roomId: string, sender: string, relatesTo?: Record<string, unknown>): string {
  const eventId = `$enc${++seq}`;
  const place = f.app.rooms.byRoomId(roomId);
  f.app.atomically(() => {
    for (const hook of f.app.encryptedHooks ?? []) {
      hook({ roomId, sender, eventId, place: place && { community: f.community, roomKey: place.roomKey, roomId }, relatesTo });
    }
  });
  return eventId;
}

function react(roomId: string, sender: string, targetEventId: string, key = "🆘"): void {
  f.app.atomically(() => {
    for (const hook of f.app.reactionHooks) hook({ roomId, sender, targetEventId, key, eventId: `$r${++seq}`, place: undefined });
  });
}

const outbox = () =>
  (f.db.prepare("SELECT id, dedupe_key AS key, room_id AS roomId, to_user AS toUser, event_type AS type, content_json FROM outbox ORDER BY id").all() as Array<{
    id: number;
    key: string;
    roomId: string;
    toUser: string | null;
    type: string;
    content_json: string;
  }>).map((r) => ({ ...r, content: JSON.parse(r.content_json) as { body?: string; "m.relates_to"?: Record<string, any>; "m.mentions"?: unknown } }));
const answers = () => outbox().filter((m) => m.key.startsWith("encrypted:"));
const staffNotices = () => outbox().filter((m) => m.key.startsWith("encryption:staff:"));
const pages = () => (f.db.prepare("SELECT COUNT(*) AS n FROM pages").get() as { n: number }).n;

/** The outbox sends a queued message: it now has an event id on the homeserver. */
function sent(key: string): string {
  const row = outbox().find((m) => m.key === key)!;
  const eventId = `$sent-${row.id}`;
  f.app.outbox.markSent(row.id, eventId, f.now);
  return eventId;
}

describe("an encrypted message is never met with silence", () => {
  it("in a member's direct chat: crisis resources first, what is wrong, how to page with a reaction — as a reply", () => {
    const ev = encrypted(DM, AMY);
    const [answer] = answers();
    expect(answer.roomId).toBe(DM);
    expect(answer.content["m.relates_to"]).toEqual({ "m.in_reply_to": { event_id: ev } });
    expect(answer.content.body!.startsWith("If you need support right now:")).toBe(true);
    expect(answer.content.body!.indexOf(CRISIS)).toBeLessThan(answer.content.body!.indexOf("cannot read"));
    expect(answer.content.body).toContain("carenet cannot read encrypted messages yet");
    expect(answer.content.body).toContain("react to this message with any emoji");
  });

  it("at most one answer per room in the window; later messages in a direct chat get a 🔒, and after the window a new answer", () => {
    encrypted(DM, AMY);
    f.now += 60_000;
    const second = encrypted(DM, AMY);
    expect(answers()).toHaveLength(1);
    expect(outbox().find((m) => m.key === `react:${second}`)?.content["m.relates_to"]).toEqual({ rel_type: "m.annotation", event_id: second, key: "🔒" });
    // Another room has its own window.
    encrypted(roomOf("community"), BOB);
    expect(answers()).toHaveLength(2);
    f.now += ANSWER_EVERY_MS;
    encrypted(DM, AMY);
    expect(answers()).toHaveLength(3);
  });

  it("in a community room: no reaction flood, and the staff room is told once that encryption was turned on there", () => {
    joins(SAM, "staff");
    encrypted(roomOf("community"), BOB);
    encrypted(roomOf("community"), AMY);
    expect(outbox().filter((m) => m.type === "m.reaction")).toHaveLength(0);
    expect(answers()[0].content.body).toContain("The community's staff have been told.");
    const told = outbox().filter((m) => m.roomId === roomOf("staff"));
    expect(told).toHaveLength(1);
    expect(told[0].content.body).toContain("encryption was turned on by someone in the room");
    expect(encryptionHealth(new EncryptionStore(f.db))).toMatchObject({ encryptedRooms: 1, homeserverEncryptsNewRooms: false });
  });

  it("in the staff room: staff commands cannot reach carenet, and the setting is named", () => {
    encrypted(roomOf("staff"), SAM);
    expect(answers()[0].content.body).toContain("staff commands sent here do not reach me");
    expect(answers()[0].content.body).toContain(ENCRYPTION_SETTING);
  });
});

it("the event router hands every m.room.encrypted event on, and marks it handled with its answer, exactly once", async () => {
  const inbox = new InboxStore(f.db);
  const router = createEventRouter(f.app, { inbox, dispatcher: new Dispatcher(f.app.commands, () => undefined, f.app.atomically), maxEventAgeMs: 300_000 });
  const event = {
    type: "m.room.encrypted",
    event_id: "$secret",
    room_id: DM,
    sender: AMY,
    origin_server_ts: f.now,
    content: { algorithm: "m.megolm.v1.aes-sha2", ciphertext: "AwgAEnAC", sender_key: "k", session_id: "s", device_id: "D" },
  };
  inbox.recordTransaction("t1", [event], f.now);
  inbox.recordTransaction("t2", [event], f.now); // delivered again
  for (const row of inbox.pending()) await router.handle(row);
  expect(inbox.pending()).toHaveLength(0);
  expect(answers().map((a) => a.key)).toEqual(["encrypted:$secret"]);
});

describe("one tap to page from an encrypted direct chat", () => {
  it("a reaction to the answer by the chat's member runs !page for them, answered in their chat", () => {
    encrypted(DM, AMY);
    const answer = sent(answers()[0].key);
    react(DM, AMY, answer);
    expect(pages()).toBe(1);
    const reply = outbox().find((m) => m.key.startsWith("tap-page:"))!;
    expect(reply.toUser).toBe(AMY);
    expect(reply.content.body).toMatch(/^I hear you\./);
  });

  it("so does a reaction the member's client encrypted (its relation stays readable)", () => {
    encrypted(DM, AMY);
    const answer = sent(answers()[0].key);
    encrypted(DM, AMY, { rel_type: "m.annotation", event_id: answer });
    expect(pages()).toBe(1);
  });

  it("nobody else's reaction, and no reaction to another message or in another chat, pages", () => {
    encrypted(DM, AMY);
    const answer = sent(answers()[0].key);
    react(DM, BOB, answer);
    react(DM, AMY, "$some-other-message");
    f.app.dmRooms.record("!dm-bob:example.org", BOB, f.now);
    react("!dm-bob:example.org", BOB, answer);
    expect(pages()).toBe(0);
  });

  it("a member's page reaction that reached carenet late still pages", () => {
    encrypted(DM, AMY);
    const answer = sent(answers()[0].key);
    f.app.atomically(() => {
      for (const hook of f.app.reactionHooks) if (hook.acceptsLate) hook({ roomId: DM, sender: AMY, targetEventId: answer, key: "🆘", eventId: "$late", place: undefined, late: true });
    });
    expect(pages()).toBe(1);
  });
});

describe("reading back the provisioned rooms", () => {
  function homeserverEncrypting(rooms: Record<string, string>): void {
    (f.app.homeserver as unknown as { getStateEvent: (roomId: string) => Promise<StateEvent | null> }).getStateEvent = async (roomId) =>
      rooms[roomId] ? { type: "m.room.encryption", state_key: "", sender: rooms[roomId], content: { algorithm: "m.megolm.v1.aes-sha2" } } : null;
  }
  const reconcile = async () => {
    for (const after of f.app.afterReconcile) await after(f.config, "start");
  };

  it("rooms the homeserver encrypted for carenet: the staff room is told once what it means and how to fix it; /health says so", async () => {
    homeserverEncrypting({ [roomOf("space")]: BOT, [roomOf("community")]: BOT, [roomOf("staff")]: BOT, [roomOf("alumni")]: BOT });
    await reconcile();
    await reconcile();
    const told = staffNotices();
    expect(told).toHaveLength(1);
    expect(told[0].content.body).toContain(`${ENCRYPTION_SETTING}: off`);
    expect(told[0].content.body).toContain("Matrix cannot turn encryption off");
    const health = encryptionHealth(new EncryptionStore(f.db));
    expect(health).toMatchObject({ encryptedRooms: 4, homeserverEncryptsNewRooms: true });
    expect(health.problem).toContain(ENCRYPTION_SETTING);
  });

  it("staff rooms show history only from joining: the notice waits until someone besides carenet is in the staff room", async () => {
    staffJoined(false);
    homeserverEncrypting({ [roomOf("community")]: BOT });
    await reconcile();
    expect(staffNotices()).toHaveLength(0);
    joins(SAM, "staff");
    expect(staffNotices()).toHaveLength(1);
    joins(SAM, "staff");
    await reconcile();
    expect(staffNotices()).toHaveLength(1);
  });

  it("a room a person encrypted is told as such, without blaming the homeserver; unencrypted rooms change nothing", async () => {
    homeserverEncrypting({});
    await reconcile();
    expect(staffNotices()).toHaveLength(0);
    expect(encryptionHealth(new EncryptionStore(f.db))).toEqual({ encryptedRooms: 0, homeserverEncryptsNewRooms: false });
    homeserverEncrypting({ [roomOf("community")]: SAM });
    await reconcile();
    const [told] = staffNotices();
    expect(told.content.body).toContain("encryption was turned on by someone in the room");
    expect(told.content.body).not.toContain(`${ENCRYPTION_SETTING}: off`);
  });

  it("a room whose state cannot be read is looked at again next time", async () => {
    (f.app.homeserver as unknown as { getStateEvent: () => Promise<never> }).getStateEvent = async () => {
      throw new Error("connection refused");
    };
    await reconcile();
    homeserverEncrypting({ [roomOf("community")]: BOT });
    await reconcile();
    expect(encryptionHealth(new EncryptionStore(f.db)).encryptedRooms).toBe(1);
  });
});

it("the rate limit survives a restart", () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "carenet-enc-")), "carenet.db");
  const db = openDatabase(file);
  expect(new EncryptionStore(db).claimAnswer(DM, 1000, ANSWER_EVERY_MS)).toBe(true);
  db.close();
  const again = openDatabase(file);
  expect(new EncryptionStore(again).claimAnswer(DM, 2000, ANSWER_EVERY_MS)).toBe(false);
  expect(new EncryptionStore(again).claimAnswer(DM, 1000 + ANSWER_EVERY_MS, ANSWER_EVERY_MS)).toBe(true);
  again.close();
});
