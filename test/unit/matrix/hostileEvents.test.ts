import { Dispatcher } from "../../../src/commands/dispatcher";
import { Message } from "../../../src/messaging/message";
import type { CommandSpec } from "../../../src/commands/types";
import { sentAtOf } from "../../../src/matrix/eventRouter";
import { openDatabase, type Db } from "../../../src/store/database";
import { DmRoomsStore } from "../../../src/matrix/store/dmRooms";
import { InboxStore } from "../../../src/store/inbox";
import { bareRouter } from "../../support/router";

const NOW = Date.parse("2026-01-12T22:00:00Z");
const AMY = "@amy:example.org";
const DM = "!dm:example.org";

let db: Db;
afterEach(() => db.close());

/** One m.room.message from Amy in her DM, handled once; what ran and what was answered. */
async function handle(content: Record<string, unknown>, origin_server_ts: unknown = NOW - 1000) {
  db = openDatabase(":memory:");
  const inbox = new InboxStore(db);
  const dmRooms = new DmRoomsStore(db);
  dmRooms.record(DM, AMY, NOW);
  const ran: string[] = [];
  const hours: CommandSpec = { name: "hours", usage: "!hours", summary: "hours", audience: "everyone", run: () => (ran.push("hours"), { outcome: "ok", reply: Message.of("hours ran") }) };
  const router = bareRouter(db, {
    inbox,
    dmRooms,
    dispatcher: new Dispatcher([hours], () => undefined, (fn) => db.transaction(fn)()),
    clock: { now: () => NOW },
  });
  inbox.recordTransaction("t1", [{ event_id: "$e", room_id: DM, sender: AMY, type: "m.room.message", origin_server_ts, content }], NOW);
  for (const row of inbox.pending()) await router.handle(row);
  const reply = db.prepare("SELECT content_json FROM outbox WHERE dedupe_key = 'reply:$e'").get() as { content_json: string } | undefined;
  const state = (db.prepare("SELECT state, attempts FROM inbox WHERE event_id = '$e'").get() as { state: string; attempts: number });
  return { ran, reply: reply && String(JSON.parse(reply.content_json).body), state };
}

describe("a command sent as a reply", () => {
  it("is recognised behind the quoted fallback of the message it answers", async () => {
    const { ran, reply } = await handle({
      msgtype: "m.text",
      body: "> <@carenet:example.org> I only understand commands that start with `!`\n> second line\n\n!hours",
      "m.relates_to": { "m.in_reply_to": { event_id: "$earlier" } },
    });
    expect(ran).toEqual(["hours"]);
    expect(reply).toBe("hours ran");
  });
});

describe("an event whose origin_server_ts is not a time", () => {
  it.each([[-8.7e15], [Number.NaN], ["yesterday"], [9e15], [1e300], [null]])("(%p) is handled once, as sent when it arrived", async (ts) => {
    const { ran, reply, state } = await handle({ msgtype: "m.text", body: "!hours" }, ts);
    expect(state).toEqual({ state: "done", attempts: 0 });
    expect(ran).toEqual(["hours"]);
    expect(reply).toBe("hours ran");
  });

  it("is taken as the moment it arrived, and a time after that as that moment", () => {
    expect(sentAtOf({ receivedAt: NOW }, { event_id: "$", type: "x", origin_server_ts: -8.7e15 })).toBe(NOW);
    expect(sentAtOf({ receivedAt: NOW }, { event_id: "$", type: "x", origin_server_ts: NOW + 10_000 })).toBe(NOW);
    expect(sentAtOf({ receivedAt: NOW }, { event_id: "$", type: "x", origin_server_ts: NOW - 10_000 })).toBe(NOW - 10_000);
  });
});
