import { MatrixError } from "matrix-bot-sdk";
import { createAppContext, createEventRouter } from "../../../src/app/appContext";
import type { AppContext } from "../../../src/app/context";
import { createLogger } from "../../../src/kernel/logger";
import { Dispatcher } from "../../../src/commands/dispatcher";
import type { CarenetConfig } from "../../../src/config/types";
import type { EventRouter } from "../../../src/matrix/eventRouter";
import type { Homeserver, StateEvent } from "../../../src/matrix/homeserver";
import { openDatabase, type Db } from "../../../src/store/database";
import { InboxStore, type IncomingEvent } from "../../../src/store/inbox";
import { AMY, BOT, ZED } from "../../support/fixtures";

const T = 1_800_000_000_000;

let db: Db;
let app: AppContext;
let router: EventRouter;
let inbox: InboxStore;
let t: number;
let joins: string[];
let failJoins: number;
let members: Map<string, string[]>;
let seq = 0;
/** State beyond the join rule (invite) and the members, per room; later events win. */
let roomState: Map<string, StateEvent[]>;

beforeEach(() => {
  db = openDatabase(":memory:");
  t = T;
  joins = [];
  failJoins = 0;
  members = new Map();
  roomState = new Map();
  const homeserver = {
    joinRoom: async (roomId: string) => {
      if (failJoins > 0) {
        failJoins--;
        throw new MatrixError({ errcode: "M_UNKNOWN", error: "restarting" }, 502);
      }
      joins.push(roomId);
    },
    getRoomState: async (roomId: string): Promise<StateEvent[]> => [
      { type: "m.room.join_rules", state_key: "", sender: AMY, content: { join_rule: "invite" } },
      ...(roomState.get(roomId) ?? []),
      ...[BOT, ...(members.get(roomId) ?? [])].map((u) => ({ type: "m.room.member", state_key: u, sender: u, content: { membership: "join" } })),
    ],
  } as unknown as Homeserver;
  const config = { crisis_resources: "Call 999.", communities: [] } as unknown as CarenetConfig;
  app = createAppContext({ db, config: () => config, clock: { now: () => t }, log: createLogger("silent"), botUserId: BOT, domain: "example.org", homeserver });
  inbox = new InboxStore(db);
  router = createEventRouter(app, { inbox, dispatcher: new Dispatcher(app.commands, () => undefined, app.atomically), maxEventAgeMs: 300_000 });
});
afterEach(async () => {
  await app.scheduler.stop();
  db.close();
});

async function deliver(ev: Partial<IncomingEvent> & { type: string; room_id: string; sender: string }): Promise<void> {
  const eventId = `$e${++seq}`;
  inbox.recordTransaction(`t${seq}`, [{ event_id: eventId, origin_server_ts: t, content: {}, ...ev } as IncomingEvent], t);
  await router.handle(inbox.pending().find((r) => r.eventId === eventId)!);
}

const invite = (roomId: string, direct = true) =>
  deliver({ type: "m.room.member", room_id: roomId, sender: AMY, state_key: BOT, content: { membership: "invite", is_direct: direct } });
const welcomes = () => (db.prepare("SELECT room_id, content_json FROM outbox WHERE dedupe_key LIKE 'welcome:%'").all() as Array<{ room_id: string; content_json: string }>).map((r) => ({ roomId: r.room_id, body: JSON.parse(r.content_json).body as string }));

describe("invitations", () => {
  it("an invitation to a direct chat becomes a durable join; once joined, the chat is the person's DM and they are welcomed", async () => {
    await invite("!dm:example.org");
    expect(joins).toEqual([]); // nothing done inside the event's handling
    members.set("!dm:example.org", [AMY]);
    await app.scheduler.runDue();
    expect(joins).toEqual(["!dm:example.org"]);
    expect(app.dmRooms.userFor("!dm:example.org")).toBe(AMY);
    expect(welcomes()).toEqual([{ roomId: "!dm:example.org", body: expect.stringContaining("Call 999.") }]);
  });

  it("a homeserver that is restarting does not lose the chat: the join is retried until it works", async () => {
    failJoins = 3;
    await invite("!dm:example.org");
    members.set("!dm:example.org", [AMY]);
    for (let i = 0; i < 4; i++) {
      await app.scheduler.runDue();
      t = app.jobs.nextDueAt() ?? t;
    }
    expect(joins).toEqual(["!dm:example.org"]);
    expect(app.dmRooms.userFor("!dm:example.org")).toBe(AMY);
  });

  it("a 'direct' chat with a third person in it is not used for private messages, and says so", async () => {
    await invite("!group:example.org");
    members.set("!group:example.org", [AMY, ZED]);
    await app.scheduler.runDue();
    expect(app.dmRooms.userFor("!group:example.org")).toBeUndefined();
    expect(welcomes()[0].body).toContain("I will send nothing private here");
  });

  it("a DM someone else is brought into stops being the person's DM", async () => {
    app.dmRooms.record("!dm:example.org", AMY, T);
    await deliver({ type: "m.room.member", room_id: "!dm:example.org", sender: AMY, state_key: ZED, content: { membership: "invite" } });
    expect(app.dmRooms.userFor("!dm:example.org")).toBeUndefined();
  });

  it("a 'direct' chat whose history anyone can read is not used for private messages, and says why", async () => {
    await invite("!public:example.org");
    members.set("!public:example.org", [AMY]);
    roomState.set("!public:example.org", [{ type: "m.room.history_visibility", state_key: "", sender: AMY, content: { history_visibility: "world_readable" } }]);
    await app.scheduler.runDue();
    expect(app.dmRooms.userFor("!public:example.org")).toBeUndefined();
    expect(welcomes()[0].body).toContain("its history can be read by anyone");
  });
});
