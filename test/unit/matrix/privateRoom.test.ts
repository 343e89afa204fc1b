import { MatrixError } from "matrix-bot-sdk";
import { DirectRooms, PRIVACY_CHECK_KEPT_MS } from "../../../src/matrix/directRooms";
import type { StateEvent } from "../../../src/matrix/homeserver";
import { privacyProblem, privacyProblemWords } from "../../../src/matrix/privateRoom";
import { DEFAULT_CONTEXT, renderWords } from "../../../src/words";
import { openDatabase, type Db } from "../../../src/store/database";
import { DmRoomsStore } from "../../../src/matrix/store/dmRooms";
import { createLogger } from "../../../src/kernel/logger";
import { OutboxSender } from "../../../src/matrix/outboxSender";
import { OutboxStore } from "../../../src/store/outbox";

const BOT = "@carenet:example.org";
const AMY = "@amy:example.org";
const ZED = "@zed:example.org";

function state(o: { join?: string; history?: string; members?: Record<string, string> } = {}): StateEvent[] {
  return [
    ...(o.join === "" ? [] : [{ type: "m.room.join_rules", state_key: "", sender: AMY, content: { join_rule: o.join ?? "invite" } }]),
    ...(o.history ? [{ type: "m.room.history_visibility", state_key: "", sender: AMY, content: { history_visibility: o.history } }] : []),
    ...Object.entries(o.members ?? { [AMY]: "join", [BOT]: "join" }).map(([u, m]) => ({ type: "m.room.member", state_key: u, sender: u, content: { membership: m } })),
  ];
}

describe("privacyProblem", () => {
  it.each([
    ["an invite-only chat of the person and the bot", state({ history: "shared" }), undefined],
    ["history invited/joined", state({ history: "joined" }), undefined],
    ["the person only invited so far", state({ members: { [AMY]: "invite", [BOT]: "join" } }), undefined],
    ["a public room", state({ join: "public" }), /anyone can join/],
    ["a knock room", state({ join: "knock" }), /anyone can join/],
    ["no join rule at all", state({ join: "" }), /anyone can join/],
    ["world-readable history", state({ history: "world_readable" }), /read by anyone/],
    ["a third person joined", state({ members: { [AMY]: "join", [BOT]: "join", [ZED]: "join" } }), /someone else/],
    ["a third person who has left", state({ members: { [AMY]: "join", [BOT]: "join", [ZED]: "leave" } }), /someone else/],
    ["the person has left", state({ members: { [AMY]: "leave", [BOT]: "join" } }), /no longer in it/],
  ])("%s", (_name, s, expected) => {
    const problem = privacyProblem(s, AMY, BOT);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(renderWords(privacyProblemWords(problem!)).plain).toMatch(expected);
  });
});

describe("DirectRooms checks the chat before anything private is sent", () => {
  let db: Db;
  let dmRooms: DmRoomsStore;
  let roomState: Map<string, StateEvent[]>;
  let created: Array<Record<string, unknown>>;
  let sent: Array<{ roomId: string; body: string }>;
  let rooms: DirectRooms;

  beforeEach(() => {
    db = openDatabase(":memory:");
    dmRooms = new DmRoomsStore(db);
    roomState = new Map();
    created = [];
    sent = [];
    const hs = {
      createRoom: async (body: Record<string, unknown>) => {
        created.push(body);
        const id = `!new${created.length}:example.org`;
        roomState.set(id, state({ history: "shared", members: { [BOT]: "join", [AMY]: "invite" } }));
        return id;
      },
      getRoomState: async (roomId: string) => {
        const s = roomState.get(roomId);
        if (!s) throw new MatrixError({ errcode: "M_FORBIDDEN", error: "not in room" }, 403);
        return s;
      },
      sendEvent: async (roomId: string, _t: string, content: { body: string }) => {
        sent.push({ roomId, body: content.body });
        return "$x";
      },
    };
    rooms = new DirectRooms(dmRooms, hs, { now: () => 1 }, BOT);
  });
  afterEach(() => db.close());

  it("a private DM is used as it is", async () => {
    dmRooms.record("!dm:example.org", AMY, 1);
    roomState.set("!dm:example.org", state({ history: "shared" }));
    expect(await rooms.roomFor(AMY)).toBe("!dm:example.org");
    expect(await rooms.privateRoomFor("!dm:example.org")).toBe("!dm:example.org");
    expect(created).toEqual([]);
  });

  it("a DM that became world-readable is dropped: a private room is made, invite only, and says why", async () => {
    dmRooms.record("!dm:example.org", AMY, 1);
    roomState.set("!dm:example.org", state({ join: "public", history: "world_readable" }));
    const next = await rooms.privateRoomFor("!dm:example.org");
    expect(next).toBe("!new1:example.org");
    expect(created[0]).toMatchObject({ preset: "trusted_private_chat", is_direct: true, invite: [AMY] });
    expect(dmRooms.userFor("!dm:example.org")).toBeUndefined();
    expect(dmRooms.roomFor(AMY)).toBe(next);
    expect(sent).toEqual([{ roomId: next, body: expect.stringContaining("is not private") }]);
    // The next message goes straight to the new room.
    expect(await rooms.roomFor(AMY)).toBe(next);
    expect(created).toHaveLength(1);
  });

  it("says why in the person's language", async () => {
    const hs = {
      createRoom: async () => "!new:example.org",
      getRoomState: async () => state({ members: { [AMY]: "join", [BOT]: "join", [ZED]: "join" } }),
      sendEvent: async (roomId: string, _t: string, content: { body: string }) => {
        sent.push({ roomId, body: content.body });
        return "$x";
      },
    };
    const spanish = new DirectRooms(dmRooms, hs, { now: () => 1 }, BOT, undefined, (u) => ({ ...DEFAULT_CONTEXT, language: u === AMY ? "es" : "en" }));
    dmRooms.record("!dm:example.org", AMY, 1);
    expect(await spanish.roomFor(AMY)).toBe("!new:example.org");
    expect(sent).toEqual([{ roomId: "!new:example.org", body: expect.stringContaining("no es privado (otra persona ha estado en él)") }]);
  });

  it("a room that is not anyone's DM is left alone (no state read)", async () => {
    expect(await rooms.privateRoomFor("!community:example.org")).toBe("!community:example.org");
  });

  it("a homeserver that cannot be reached fails the send (it is retried), rather than giving up the DM", async () => {
    dmRooms.record("!dm:example.org", AMY, 1);
    const failing = new DirectRooms(dmRooms, { createRoom: async () => "!x", sendEvent: async () => "$x", getRoomState: async () => Promise.reject(Object.assign(new Error("down"), { code: "ECONNREFUSED" })) }, { now: () => 1 }, BOT);
    await expect(failing.roomFor(AMY)).rejects.toThrow("down");
    expect(dmRooms.roomFor(AMY)).toBe("!dm:example.org");
  });

  it("a reply queued in a DM that someone else joins before it is sent goes to a new private chat, never to that room", async () => {
    dmRooms.record("!dm:example.org", AMY, 1);
    roomState.set("!dm:example.org", state({ history: "shared" }));
    const outbox = new OutboxStore(db);
    // As the event router queues a reply to a command in Amy's DM.
    outbox.enqueue(
      { dedupeKey: "reply:$cmd", roomId: "!dm:example.org", eventType: "m.room.message", content: { msgtype: "m.notice", body: "your data", "m.relates_to": { "m.in_reply_to": { event_id: "$cmd" } } } },
      1,
    );
    // Zed is brought in; the event router forgets the room as Amy's DM at once.
    roomState.set("!dm:example.org", state({ history: "shared", members: { [AMY]: "join", [BOT]: "join", [ZED]: "join" } }));
    dmRooms.forget("!dm:example.org", 1);
    const sends: Array<{ roomId: string; content: Record<string, unknown> }> = [];
    const hs = {
      sendEvent: async (roomId: string, _t: string, content: Record<string, unknown>) => {
        sends.push({ roomId, content });
        return "$sent";
      },
    };
    const sender = new OutboxSender(outbox, hs as never, { now: () => 2 }, createLogger("silent"), new Set(), (u) => rooms.roomFor(u), (r) => rooms.privateRoomFor(r));
    sender.start();
    for (let i = 0; i < 100 && !sends.some((x) => x.content.body === "your data"); i++) await new Promise((r) => setTimeout(r, 10));
    await sender.stop();
    const reply = sends.filter((x) => x.content.body === "your data");
    expect(reply).toHaveLength(1);
    expect(reply[0].roomId).toBe("!new1:example.org");
    expect(reply[0].content["m.relates_to"]).toBeUndefined(); // the command it answers is in the other room
    // The former chat is kept only as long as anything queued could still be waiting for it.
    expect(dmRooms.pruneFormer(3)).toBe(1);
    expect(dmRooms.formerUserFor("!dm:example.org")).toBeUndefined();
    expect(sends.some((x) => x.roomId === "!dm:example.org")).toBe(false);
  });
});

describe("DirectRooms remembers a chat found private, until anything could have changed it", () => {
  let db: Db;
  let dmRooms: DmRoomsStore;
  let roomState: StateEvent[];
  let reads: number;
  let now: number;
  let duringRead: (() => void) | undefined;
  let rooms: DirectRooms;

  beforeEach(() => {
    db = openDatabase(":memory:");
    dmRooms = new DmRoomsStore(db);
    dmRooms.record("!dm:example.org", AMY, 1);
    roomState = state({ history: "shared" });
    reads = 0;
    now = 1_000;
    duringRead = undefined;
    const hs = {
      createRoom: async () => "!new:example.org",
      getRoomState: async () => {
        reads++;
        duringRead?.();
        return roomState;
      },
      sendEvent: async () => "$x",
    };
    rooms = new DirectRooms(dmRooms, hs, { now: () => now }, BOT);
  });
  afterEach(() => db.close());

  it("reads the state once for messages sent close together, and again once PRIVACY_CHECK_KEPT_MS has passed", async () => {
    expect(await rooms.roomFor(AMY)).toBe("!dm:example.org");
    expect(await rooms.privateRoomFor("!dm:example.org")).toBe("!dm:example.org");
    now += PRIVACY_CHECK_KEPT_MS - 1;
    expect(await rooms.roomFor(AMY)).toBe("!dm:example.org");
    expect(reads).toBe(1);
    now += 1;
    expect(await rooms.roomFor(AMY)).toBe("!dm:example.org");
    expect(reads).toBe(2);
  });

  it("reads it again after a state event arrives for the room, and acts on what it finds", async () => {
    await rooms.roomFor(AMY);
    roomState = state({ history: "shared", members: { [AMY]: "join", [BOT]: "join", [ZED]: "join" } });
    rooms.stateChanged("!other:example.org");
    expect(await rooms.roomFor(AMY)).toBe("!dm:example.org"); // another room's event changes nothing here
    rooms.stateChanged("!dm:example.org");
    expect(await rooms.roomFor(AMY)).toBe("!new:example.org");
    expect(reads).toBe(2);
  });

  it("reads every room again after forgetChecks (events may have been held back)", async () => {
    await rooms.roomFor(AMY);
    rooms.forgetChecks();
    await rooms.roomFor(AMY);
    expect(reads).toBe(2);
  });

  it("does not remember a read that a state event arrived during: the state read may be older than it", async () => {
    duringRead = () => rooms.stateChanged("!dm:example.org");
    await rooms.roomFor(AMY);
    duringRead = undefined;
    await rooms.roomFor(AMY);
    await rooms.roomFor(AMY);
    expect(reads).toBe(2);
  });

  it("never remembers a chat that is not private", async () => {
    roomState = state({ join: "public" });
    expect(await rooms.privateRoomFor("!dm:example.org")).toBe("!new:example.org");
    expect(reads).toBe(1);
    expect(dmRooms.userFor("!dm:example.org")).toBeUndefined();
  });
});
