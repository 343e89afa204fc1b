import pino from "pino";
import { createAppContext } from "../../../src/app/appContext";
import type { AppContext } from "../../../src/app/context";
import { installNames, NAMES_JOB } from "../../../src/features/communities/installNames";
import type { CarenetConfig } from "../../../src/config/types";
import type { Homeserver } from "../../../src/matrix/homeserver";
import { openDatabase, type Db } from "../../../src/store/database";
import { DisplayNamesStore } from "../../../src/features/communities/store/displayNames";
import { AMY, ANN, BOT, SAM } from "../../support/fixtures";

const T0 = Date.parse("2026-01-12T19:00:00Z");
const GONE = "@gone:example.org";

let db: Db;
let app: AppContext;
let now: number;
let asked: string[];
let profiles: Record<string, string | null | Error>;

const config = {
  communities: [{ id: "oak", name: "Oakwood", timezone: "Europe/London", staff: [SAM, GONE], admins: [ANN], rooms: {}, checkins: [] }],
  crisis_resources: "Call 999.",
} as unknown as CarenetConfig;

beforeEach(() => {
  db = openDatabase(":memory:");
  now = T0;
  asked = [];
  profiles = { [SAM]: "Sam", [ANN]: null, [AMY]: "Amy", [GONE]: Object.assign(new Error("not found"), { statusCode: 404 }) };
  const homeserver = {
    displayName: async (u: string) => {
      asked.push(u);
      const p = profiles[u];
      if (p instanceof Error) throw p;
      return p ?? null;
    },
  } as unknown as Homeserver;
  app = createAppContext({ db, config: () => config, clock: { now: () => now }, log: pino({ level: "silent" }), botUserId: BOT, domain: "example.org", homeserver });
  installNames(app);
  app.members.add({ communityId: "oak", userId: AMY, sponsor: SAM, addedBy: SAM }, T0);
});
afterEach(() => db.close());

const names = () => new DisplayNamesStore(db);
const join = (userId: string, displayName: unknown, membership = "join") =>
  app.atomically(() => {
    for (const hook of app.membershipHooks) hook({ roomId: "!r:example.org", place: undefined, userId, sender: userId, membership, previous: undefined, eventId: "$e", displayName });
  });

it("a join records the name it carries, cleaned; a join without one forgets it; a leave changes nothing", () => {
  join(AMY, "Amy\u202E <b>");
  expect(names().get(AMY)).toBe("Amy <b>");
  join(AMY, undefined, "leave");
  expect(names().get(AMY)).toBe("Amy <b>");
  join(AMY, "   ");
  expect(names().get(AMY)).toBeUndefined();
  join(BOT, "Care Network");
  expect(names().get(BOT)).toBeUndefined();
});

it("after a reconcile, the staff, admins and members without a known name are looked up, outside any transaction, once; then daily", async () => {
  join(SAM, "Sam from the join");
  for (const step of app.afterReconcile) await step(config, "start");
  await app.scheduler.runDue();
  expect(asked.sort()).toEqual([AMY, ANN, GONE].sort());
  expect(names().get(AMY)).toBe("Amy");
  expect(names().get(SAM)).toBe("Sam from the join"); // the join's name is not overwritten
  expect(names().get(ANN)).toBeUndefined(); // no name: the Matrix ID will be used
  expect(app.jobs.get(NAMES_JOB)).toMatchObject({ state: "pending", dueAt: T0 + 24 * 60 * 60 * 1000 });
});

it("the homeserver being unavailable leaves the job to be retried", async () => {
  profiles[AMY] = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
  for (const step of app.afterReconcile) await step(config, "start");
  await app.scheduler.runDue();
  expect(names().get(AMY)).toBeUndefined();
  expect(app.jobs.get(NAMES_JOB)?.state).toBe("pending");
  expect(app.jobs.get(NAMES_JOB)!.dueAt).toBeLessThan(T0 + 24 * 60 * 60 * 1000);
});
