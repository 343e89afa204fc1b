import { Dispatcher } from "../../../src/commands/dispatcher";
import { Message } from "../../../src/messaging/message";
import type { CommandSpec } from "../../../src/commands/types";
import { openDatabase, type Db } from "../../../src/store/database";
import { DmRoomsStore } from "../../../src/matrix/store/dmRooms";
import { InboxStore } from "../../../src/store/inbox";
import { OutboxStore } from "../../../src/store/outbox";
import { bareRouter } from "../../support/router";

const NOW = Date.parse("2026-01-12T22:00:00Z");
const AMY = "@amy:example.org";
const DM = "!dm:example.org";
const MAX_AGE = 5 * 60_000;

let db: Db;
afterEach(() => db.close());

/** A command that arrives after events.max_age: refused ("send it again") unless it runs when late. */
async function handleLate(body: string): Promise<{ ran: string[]; reply: string }> {
  db = openDatabase(":memory:");
  const inbox = new InboxStore(db);
  const outbox = new OutboxStore(db);
  const dmRooms = new DmRoomsStore(db);
  dmRooms.record(DM, AMY, NOW);
  const ran: string[] = [];
  const spec = (name: string, runWhenLate: boolean): CommandSpec => ({
    name,
    usage: `!${name}`,
    summary: name,
    audience: "everyone",
    runWhenLate,
    run: () => {
      ran.push(name);
      return { outcome: "ok", reply: Message.of(`${name} ran`) };
    },
  });
  const router = bareRouter(db, {
    inbox,
    outbox,
    dmRooms,
    dispatcher: new Dispatcher([spec("page", true), spec("help", false)], () => undefined, (fn) => db.transaction(fn)()),
    clock: { now: () => NOW },
    maxEventAgeMs: MAX_AGE,
  });
  const sentAt = NOW - 20 * 60_000; // carenet was down for 20 minutes
  inbox.recordTransaction("t1", [{ event_id: "$late", room_id: DM, sender: AMY, type: "m.room.message", origin_server_ts: sentAt, content: { msgtype: "m.text", body } }], NOW);
  for (const row of inbox.pending()) await router.handle(row);
  const reply = db.prepare("SELECT content_json FROM outbox WHERE dedupe_key = 'reply:$late'").get() as { content_json: string };
  return { ran, reply: String(JSON.parse(reply.content_json).body) };
}

describe("commands that reach carenet late", () => {
  it("a late `!page` is still run: a request for help held up by an outage is not dropped", async () => {
    const { ran, reply } = await handleLate("!page are you there");
    expect(ran).toEqual(["page"]);
    expect(reply).toBe("page ran");
  });

  it("other late commands are answered 'send it again', with the crisis resources", async () => {
    const { ran, reply } = await handleLate("!help");
    expect(ran).toEqual([]);
    expect(reply).toContain("reached me late");
    expect(reply).toContain("Call 999.");
  });
});
