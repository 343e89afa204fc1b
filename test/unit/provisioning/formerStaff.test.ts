import type { CommunityConfig } from "../../../src/config/types";
import type { Provisioner, ReconcileReport } from "../../../src/matrix/provisioning";
import { CommunityRoomsStore } from "../../../src/features/communities/store/communityRooms";
import type { Db } from "../../../src/store/database";
import { OutboxStore } from "../../../src/store/outbox";
import { FakeHomeserver } from "../../support/fakeHomeserver";
import { ANN, BOT, DOMAIN, EVE, memoryDb, SAM } from "../../support/fixtures";
import { queuedUnder } from "../../support/outboxRows";
import { testProvisioner } from "../../support/provisioning";

/** Someone no longer staff or admin of a community is removed from its staff room. */

function community(staff: string[], admins: string[]): CommunityConfig {
  return {
    id: "oak",
    name: "Oakwood",
    timezone: "Europe/London",
    staff,
    admins,
    rooms: { community: { name: "chat" }, staff: { name: "staff" }, alumni: { name: "alumni" }, extra: [] },
    checkins: [],
  };
}

let db: Db;
let hs: FakeHomeserver;
let rooms: CommunityRoomsStore;
let outbox: OutboxStore;
let kicks: Array<{ roomId: string; userId: string; reason: string; key: string }>;
let now: number;

function provisioner(withEffects = true): Provisioner {
  return testProvisioner({
    homeserver: hs,
    rooms,
    outbox,
    db,
    clock: { now: () => now },
    ...(withEffects ? { effects: { kick: (roomId, userId, reason, key) => kicks.push({ roomId, userId, reason, key }) } } : {}),
  });
}

const reconcile = (c: CommunityConfig, withEffects = true): Promise<ReconcileReport> => provisioner(withEffects).reconcile({ communities: [c] });
const staffRoom = () => rooms.get("oak", "staff")!.roomId;
const notices = () => queuedUnder(db, "provisioning:former-staff:");

beforeEach(() => {
  db = memoryDb();
  hs = new FakeHomeserver(BOT, DOMAIN);
  rooms = new CommunityRoomsStore(db);
  outbox = new OutboxStore(db);
  kicks = [];
  now = Date.parse("2025-03-01T10:00:00Z");
});
afterEach(() => db.close());

it("removes someone no longer staff from the staff room only, with a reason, and tells the staff room", async () => {
  await reconcile(community([SAM, EVE], [ANN]));
  hs.setState(staffRoom(), "m.room.member", EVE, { membership: "join" }, EVE);
  now += 60_000;
  const report = await reconcile(community([SAM], [ANN]));
  expect(report.ok).toBe(true);
  expect(kicks).toEqual([
    {
      roomId: staffRoom(),
      userId: EVE,
      reason: "You are no longer staff or an admin of Oakwood in carenet's configuration.",
      key: expect.stringMatching(new RegExp(`^provisioning:former-staff:${staffRoom()}:${EVE}:\\d+$`)),
    },
  ]);
  // Their power level is gone everywhere (provisioning's own rule); nobody else is touched.
  for (const r of rooms.list("oak")) expect(hs.state(r.roomId, "m.room.power_levels")!.users[EVE]).toBeUndefined();
  expect(notices()).toEqual([
    {
      roomId: staffRoom(),
      body:
        "@eve:example.org is no longer staff or an admin of Oakwood in carenet's configuration: carenet has lowered their power level " +
        "in the community's rooms and removed them from this room.",
    },
  ]);
});

it("removes an admin who is no longer one, but not one who became staff", async () => {
  await reconcile(community([SAM], [ANN, EVE]));
  await reconcile(community([SAM, EVE], []));
  expect(kicks.map((k) => k.userId)).toEqual([ANN]);
});

it("does it once: the next reconcile finds nothing to do", async () => {
  await reconcile(community([SAM, EVE], []));
  await reconcile(community([SAM], []));
  await reconcile(community([SAM], []));
  expect(kicks).toHaveLength(1);
  expect(notices()).toHaveLength(1);
});

it("removes them again after they were named staff again and then dropped again", async () => {
  await reconcile(community([SAM, EVE], []));
  now += 1000;
  await reconcile(community([SAM], []));
  now += 1000;
  hs.setState(staffRoom(), "m.room.member", EVE, { membership: "leave" }, BOT);
  await reconcile(community([SAM, EVE], []));
  expect(hs.state(staffRoom(), "m.room.member", EVE)).toEqual({ membership: "invite" });
  now += 1000;
  await reconcile(community([SAM], []));
  expect(kicks).toHaveLength(2);
  expect(new Set(kicks.map((k) => k.key)).size).toBe(2);
});

it("without a way to remove people (no effects given), only lowers their power level, as before", async () => {
  await reconcile(community([SAM, EVE], []));
  await reconcile(community([SAM], []), false);
  expect(kicks).toEqual([]);
  expect(notices()).toEqual([]);
  expect(hs.state(staffRoom(), "m.room.power_levels")!.users[EVE]).toBeUndefined();
});
