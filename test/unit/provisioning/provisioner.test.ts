import { LogCapture } from "../../support/logCapture";
import { createLogger } from "../../../src/kernel/logger";
import type { CommunityConfig } from "../../../src/config/types";
import { creatorsHavePower, desiredUsers, type Provisioner, type ReconcileReport } from "../../../src/matrix/provisioning";
import { KnownStates } from "../../../src/matrix/roomSnapshot";
import { CommunityRoomsStore } from "../../../src/features/communities/store/communityRooms";
import { openDatabase, type Db } from "../../../src/store/database";
import { OutboxStore } from "../../../src/store/outbox";
import { FakeHomeserver, matrixError } from "../../support/fakeHomeserver";
import { ANN, BOT, DOMAIN, EVE, SAM, TOM } from "../../support/fixtures";
import { queuedUnder } from "../../support/outboxRows";
import { testProvisioner } from "../../support/provisioning";

function community(id: string, over: Partial<CommunityConfig> = {}): CommunityConfig {
  return {
    id,
    name: `${id} community`,
    timezone: "Europe/London",
    staff: [SAM],
    admins: [ANN],
    rooms: {
      community: { name: `${id} chat`, topic: "Talk to each other" },
      staff: { name: `${id} staff` },
      alumni: { name: `${id} alumni` },
      extra: [{ id: "creative", name: `${id} creative corner` }],
    },
    checkins: [],
    ...over,
  };
}

let db: Db;
let hs: FakeHomeserver;
let rooms: CommunityRoomsStore;
let outbox: OutboxStore;
let logs: LogCapture;
let now: number;
let woken: number;

function provisioner(knownStates?: KnownStates): Provisioner {
  return testProvisioner({
    knownStates,
    homeserver: hs,
    rooms,
    outbox,
    db,
    clock: { now: () => now },
    log: createLogger("debug", logs),
    outboxChanged: () => woken++,
  });
}

const reconcile = (communities: CommunityConfig[]) => provisioner().reconcile({ communities });
const room = (report: ReconcileReport, communityId: string, roomKey: string) =>
  report.rooms.find((r) => r.communityId === communityId && r.roomKey === roomKey)!;
const orphanNotices = () => queuedUnder(db, "provisioning:orphaned:");

beforeEach(() => {
  db = openDatabase(":memory:");
  hs = new FakeHomeserver(BOT, DOMAIN);
  rooms = new CommunityRoomsStore(db);
  outbox = new OutboxStore(db);
  logs = new LogCapture();
  now = Date.parse("2025-03-01T10:00:00Z");
  woken = 0;
});
afterEach(() => db.close());

describe("first start", () => {
  it("creates a Space and every room, each with its alias, recorded in the database", async () => {
    const report = await reconcile([community("oak")]);
    expect(report.ok).toBe(true);
    expect(report.counts).toMatchObject({ created: 5, updated: 0, unchanged: 0, orphaned: 0, failed: 0 });
    expect(report.rooms.map((r) => [r.roomKey, r.alias])).toEqual([
      ["space", "#carenet_oak:example.org"],
      ["community", "#carenet_oak_community:example.org"],
      ["staff", "#carenet_oak_staff:example.org"],
      ["alumni", "#carenet_oak_alumni:example.org"],
      ["creative", "#carenet_oak_creative:example.org"],
    ]);
    for (const r of report.rooms) {
      expect(hs.aliases.get(r.alias)).toBe(r.roomId);
      expect(rooms.get("oak", r.roomKey)).toMatchObject({ roomId: r.roomId, alias: r.alias, origin: "created", orphanedAt: null });
    }
    const space = room(report, "oak", "space").roomId!;
    expect(hs.state(space, "m.room.create")).toMatchObject({ type: "m.space" });
    expect(hs.state(space, "m.room.name")).toEqual({ name: "oak community" });
  });

  it("makes each room a child of the Space, invite-only, joined-history, no guests, with the config's name and topic", async () => {
    const report = await reconcile([community("oak")]);
    const space = room(report, "oak", "space").roomId!;
    for (const key of ["community", "staff", "alumni", "creative"]) {
      const id = room(report, "oak", key).roomId!;
      expect(hs.state(space, "m.space.child", id)).toEqual({ via: [DOMAIN] });
      expect(hs.state(id, "m.space.parent", space)).toEqual({ via: [DOMAIN], canonical: true });
      expect(hs.state(id, "m.room.join_rules")).toEqual({ join_rule: "invite" });
      expect(hs.state(id, "m.room.history_visibility")).toEqual({ history_visibility: "joined" });
      expect(hs.state(id, "m.room.guest_access")).toEqual({ guest_access: "forbidden" });
    }
    const chat = room(report, "oak", "community").roomId!;
    expect(hs.state(chat, "m.room.name")).toEqual({ name: "oak chat" });
    expect(hs.state(chat, "m.room.topic")).toEqual({ topic: "Talk to each other" });
    const body = hs.callsOf("createRoom")[1].args[0] as Record<string, any>;
    expect(body).toMatchObject({ preset: "private_chat", room_alias_name: "carenet_oak_community", room_version: "12" });
  });

  it("gives power by role: admins 100, staff 50, everyone else 0; staff invite, kick, ban and redact; admins alone change power and children", async () => {
    const report = await reconcile([community("oak")]);
    for (const r of report.rooms) {
      const pl = hs.state(r.roomId!, "m.room.power_levels")!;
      // Room version 12: the bot created the room and has unlimited power; it may not be listed.
      expect(pl.users).toEqual({ [ANN]: 100, [SAM]: 50 });
      expect(pl).toMatchObject({ users_default: 0, events_default: 0, state_default: 50, invite: 50, kick: 50, ban: 50, redact: 50 });
      expect(pl.events).toMatchObject({ "m.room.power_levels": 100, "m.space.child": 100 });
    }
  });

  it("lists the bot at 100 in room versions before 12", async () => {
    hs.roomVersion = "11";
    const report = await reconcile([community("oak")]);
    const pl = hs.state(room(report, "oak", "staff").roomId!, "m.room.power_levels")!;
    expect(pl.users).toEqual({ [BOT]: 100, [ANN]: 100, [SAM]: 50 });
    expect(pl.events["m.room.tombstone"]).toBe(100);
  });

  it("invites staff and admins to the Space and every room, and records it", async () => {
    const report = await reconcile([community("oak")]);
    for (const r of report.rooms) {
      expect(r.invited.sort()).toEqual([ANN, SAM]);
      expect(hs.state(r.roomId!, "m.room.member", SAM)).toEqual({ membership: "invite" });
      expect(rooms.wasInvited(r.roomId!, SAM)).toBe(true);
    }
    expect(report.counts.invited).toBe(10);
    // Space first, so clients show the rooms inside it.
    expect((hs.callsOf("invite")[0].args as string[])[0]).toBe(room(report, "oak", "space").roomId);
  });

  it("logs a one-line summary", async () => {
    await reconcile([community("oak"), community("elm")]);
    const summary = logs.records.filter((l) => String(l.msg).startsWith("provisioning:"));
    expect(summary).toHaveLength(1);
    expect(summary[0].msg).toBe(
      "provisioning: 2 communities, 10 rooms: 10 created, 0 updated, 0 unchanged, 0 no longer configured, 0 failed; 20 invitations",
    );
  });
});

describe("every later start", () => {
  it("finds every room again by its recorded id: nothing created, nothing sent", async () => {
    const first = await reconcile([community("oak")]);
    hs.calls.length = 0;
    const second = await reconcile([community("oak")]);
    expect(second.counts).toMatchObject({ created: 0, updated: 0, unchanged: 5, invited: 0 });
    expect(second.rooms.map((r) => r.roomId)).toEqual(first.rooms.map((r) => r.roomId));
    expect(second.rooms.every((r) => r.foundBy === "database")).toBe(true);
    expect(hs.calls.map((c) => c.method).filter((m) => m !== "getRoomState")).toEqual([]);
  });

  it("uses room states read at start instead of asking for them, and reads a room afresh before changing it", async () => {
    const first = await reconcile([community("oak")]);
    const known = new KnownStates();
    const states = async () => new Map(await Promise.all(first.rooms.map(async (r) => [r.roomId!, await hs.getRoomState(r.roomId!)] as const)));
    known.fill(await states());
    hs.calls.length = 0;
    const second = await provisioner(known).reconcile({ communities: [community("oak")] });
    expect(second.counts).toMatchObject({ created: 0, updated: 0, unchanged: 5, invited: 0 });
    expect(hs.calls).toEqual([]);

    // Read at start, then someone changes the alumni room's power levels; the config wants a new name.
    known.fill(await states());
    const alumni = room(first, "oak", "alumni").roomId!;
    const pl = hs.state(alumni, "m.room.power_levels")!;
    hs.setState(alumni, "m.room.power_levels", "", { ...pl, events_default: 50 });
    hs.calls.length = 0;
    const c = community("oak");
    c.rooms.alumni = { name: "oak alumni lounge" };
    const third = await provisioner(known).reconcile({ communities: [c] });
    expect(room(third, "oak", "alumni")).toMatchObject({ outcome: "updated", changes: ["name"] });
    expect(hs.calls.map((call) => call.method)).toEqual(["getRoomState", "sendState"]);
    expect(hs.state(alumni, "m.room.power_levels")!.events_default).toBe(50);
    // Each state is used once: a later reconcile reads the rooms again.
    hs.calls.length = 0;
    await provisioner(known).reconcile({ communities: [c] });
    expect(hs.callsOf("getRoomState")).toHaveLength(5);
  });

  it("finds rooms by alias when the database lost them, records them, and creates nothing", async () => {
    const first = await reconcile([community("oak")]);
    db.prepare("DELETE FROM community_rooms").run();
    hs.calls.length = 0;
    const second = await reconcile([community("oak")]);
    expect(hs.callsOf("createRoom")).toHaveLength(0);
    expect(second.rooms.map((r) => r.roomId)).toEqual(first.rooms.map((r) => r.roomId));
    expect(second.rooms.every((r) => r.foundBy === "alias" && r.outcome === "unchanged")).toBe(true);
    expect(rooms.get("oak", "staff")).toMatchObject({ roomId: room(first, "oak", "staff").roomId, origin: "found" });
  });

  it("updates a renamed room and a changed topic, sending only what differs", async () => {
    await reconcile([community("oak")]);
    hs.calls.length = 0;
    const c = community("oak");
    c.rooms.community = { name: "Oak kitchen table", topic: "A new topic" };
    c.rooms.staff = { name: "oak staff", topic: "Staff only" };
    const report = await reconcile([c]);
    expect(room(report, "oak", "community")).toMatchObject({ outcome: "updated", changes: ["name", "topic"] });
    expect(room(report, "oak", "staff")).toMatchObject({ outcome: "updated", changes: ["topic"] });
    expect(room(report, "oak", "alumni").outcome).toBe("unchanged");
    expect(hs.callsOf("sendState").map((call) => call.args[1])).toEqual(["m.room.name", "m.room.topic", "m.room.topic"]);
    const chat = room(report, "oak", "community").roomId!;
    expect(hs.state(chat, "m.room.name")).toEqual({ name: "Oak kitchen table" });
    expect(rooms.get("oak", "community")!.name).toBe("Oak kitchen table");
  });

  it("leaves a topic people set alone when the config gives none", async () => {
    const report = await reconcile([community("oak")]);
    const alumni = room(report, "oak", "alumni").roomId!;
    hs.setState(alumni, "m.room.topic", "", { topic: "set in Element" });
    expect(room(await reconcile([community("oak")]), "oak", "alumni").outcome).toBe("unchanged");
  });

  it("re-applies power levels when staff or admins change, keeping other levels (e.g. posting hours) as they are", async () => {
    const report = await reconcile([community("oak")]);
    const chat = room(report, "oak", "community").roomId!;
    const pl = hs.state(chat, "m.room.power_levels")!;
    hs.setState(chat, "m.room.power_levels", "", { ...pl, events_default: 50, users: { ...pl.users, "@muted:example.org": -1 } }, BOT);
    hs.calls.length = 0;
    const again = await reconcile([community("oak", { staff: [EVE], admins: [ANN] })]);
    expect(room(again, "oak", "community")).toMatchObject({ outcome: "updated", changes: ["power levels"] });
    const after = hs.state(chat, "m.room.power_levels")!;
    expect(after.users).toEqual({ [ANN]: 100, [EVE]: 50, "@muted:example.org": -1 });
    expect(after.events_default).toBe(50);
    expect(after.invite).toBe(50);
    // Sam is no longer staff: not invited again, and may be invited afresh if named again.
    expect(rooms.wasInvited(chat, SAM)).toBe(false);
    expect(room(again, "oak", "community").invited).toEqual([EVE]);
  });

  it("repairs join rules, history visibility, guest access and a missing Space link", async () => {
    const report = await reconcile([community("oak")]);
    const space = room(report, "oak", "space").roomId!;
    const chat = room(report, "oak", "community").roomId!;
    hs.setState(chat, "m.room.join_rules", "", { join_rule: "public" });
    hs.setState(chat, "m.room.history_visibility", "", { history_visibility: "world_readable" });
    hs.setState(space, "m.space.child", chat, {});
    const again = await reconcile([community("oak")]);
    expect(room(again, "oak", "community")).toMatchObject({ outcome: "updated", changes: ["join rules", "history visibility", "space child"] });
    expect(hs.state(chat, "m.room.join_rules")).toEqual({ join_rule: "invite" });
    expect(hs.state(space, "m.space.child", chat)).toEqual({ via: [DOMAIN] });
  });

  it("does not invite again someone who left or declined, nor someone banned; does not invite someone already joined", async () => {
    const report = await reconcile([community("oak", { staff: [SAM, TOM] })]);
    const chat = room(report, "oak", "community").roomId!;
    hs.setState(chat, "m.room.member", SAM, { membership: "leave" }, SAM);
    hs.setState(chat, "m.room.member", ANN, { membership: "join" }, ANN);
    hs.setState(chat, "m.room.member", TOM, { membership: "ban" }, ANN);
    hs.calls.length = 0;
    const again = await reconcile([community("oak", { staff: [SAM, TOM] })]);
    expect(hs.callsOf("invite")).toHaveLength(0);
    expect(again.counts.invited).toBe(0);
  });

  it("invites someone newly named staff to the Space and every room, and no one else", async () => {
    await reconcile([community("oak")]);
    const again = await reconcile([community("oak", { staff: [SAM, EVE] })]);
    expect(again.counts.invited).toBe(5);
    expect(again.rooms.every((r) => r.invited.length === 1 && r.invited[0] === EVE)).toBe(true);
  });
});

describe("rooms and communities no longer in the config", () => {
  it("leaves a removed room intact and tells the staff room once per removal", async () => {
    const first = await reconcile([community("oak")]);
    const creative = room(first, "oak", "creative").roomId!;
    const staffRoom = room(first, "oak", "staff").roomId!;
    const without = community("oak");
    without.rooms.extra = [];

    const removed = await reconcile([without]);
    expect(room(removed, "oak", "creative")).toMatchObject({ outcome: "orphaned", roomId: creative });
    expect(hs.rooms.has(creative)).toBe(true);
    expect(rooms.get("oak", "creative")).toMatchObject({ roomId: creative, orphanedAt: now });
    expect(orphanNotices()).toEqual([{ roomId: staffRoom, body: expect.stringContaining("“oak creative corner” (#carenet_oak_creative:example.org)") }]);
    expect(orphanNotices()[0].body).toContain("never deletes rooms or messages");
    expect(woken).toBeGreaterThan(0);
    expect(logs.records.some((l) => l.msg === "rooms are no longer in the config: they are left intact")).toBe(true);

    now += 60_000;
    await reconcile([without]);
    expect(orphanNotices()).toHaveLength(1); // not once per start

    // Back in the config, then removed again: a second removal, a second notice.
    now += 60_000;
    const back = await reconcile([community("oak")]);
    expect(room(back, "oak", "creative")).toMatchObject({ outcome: "unchanged", roomId: creative });
    expect(rooms.get("oak", "creative")!.orphanedAt).toBeNull();
    now += 60_000;
    await reconcile([without]);
    expect(orphanNotices()).toHaveLength(2);
    expect(hs.callsOf("createRoom")).toHaveLength(5);
  });

  it("leaves a removed community intact and tells its staff room once", async () => {
    const first = await reconcile([community("oak"), community("elm")]);
    const report = await reconcile([community("elm")]);
    const oak = report.communities.find((c) => c.communityId === "oak")!;
    expect(oak.configured).toBe(false);
    expect(oak.rooms.map((r) => r.outcome)).toEqual(["orphaned", "orphaned", "orphaned", "orphaned", "orphaned"]);
    expect(report.counts).toMatchObject({ unchanged: 5, orphaned: 5 });
    const notices = orphanNotices();
    expect(notices).toHaveLength(1);
    expect(notices[0].roomId).toBe(room(first, "oak", "staff").roomId);
    expect(notices[0].body).toContain("The community oak is no longer in carenet's configuration");
    expect(notices[0].body).toContain("#carenet_oak_alumni:example.org");
    await reconcile([community("elm")]);
    expect(orphanNotices()).toHaveLength(1);
  });
});

describe("failures", () => {
  it("a homeserver error on one community is reported and logged; the other communities are provisioned", async () => {
    hs.failWith = (method, args) =>
      method === "createRoom" && String((args[0] as { room_alias_name?: string }).room_alias_name).startsWith("carenet_oak")
        ? matrixError(500, "M_UNKNOWN", "Internal server error")
        : undefined;
    const report = await reconcile([community("oak"), community("elm")]);
    expect(report.ok).toBe(false);
    const oak = report.communities.find((c) => c.communityId === "oak")!;
    expect(oak.error).toContain("500 M_UNKNOWN");
    expect(oak.rooms.every((r) => r.outcome === "failed")).toBe(true);
    expect(report.communities.find((c) => c.communityId === "elm")!.rooms.every((r) => r.outcome === "created")).toBe(true);
    expect(logs.records.some((l) => l.level === 50 && l.communityId === "oak")).toBe(true);

    // Next start, the homeserver is fine again: oak is created, elm untouched.
    hs.failWith = () => undefined;
    const again = await reconcile([community("oak"), community("elm")]);
    expect(again.ok).toBe(true);
    expect(again.counts).toMatchObject({ created: 5, unchanged: 5 });
  });

  it("one failing room does not stop the others of its community", async () => {
    hs.failWith = (method, args) =>
      method === "createRoom" && (args[0] as { room_alias_name?: string }).room_alias_name === "carenet_oak_staff"
        ? matrixError(403, "M_FORBIDDEN", "nope")
        : undefined;
    const report = await reconcile([community("oak")]);
    expect(report.rooms.map((r) => r.outcome)).toEqual(["created", "created", "failed", "created", "created"]);
    expect(room(report, "oak", "staff").error).toBe("403 M_FORBIDDEN: nope");
  });

  it("waits and retries when rate-limited", async () => {
    let limited = 2;
    hs.failWith = (method) =>
      method === "createRoom" && limited-- > 0 ? matrixError(429, "M_LIMIT_EXCEEDED", "slow down", { retry_after_ms: 10 }) : undefined;
    const report = await reconcile([community("oak")]);
    expect(report.ok).toBe(true);
    expect(hs.callsOf("createRoom")).toHaveLength(7);
  });

  it("never creates a replacement for a recorded room the bot can no longer reach", async () => {
    const first = await reconcile([community("oak")]);
    const alumni = room(first, "oak", "alumni").roomId!;
    hs.setState(alumni, "m.room.member", BOT, { membership: "leave" }, "@someone:example.org");
    const report = await reconcile([community("oak")]);
    expect(room(report, "oak", "alumni")).toMatchObject({ outcome: "failed", roomId: alumni });
    expect(room(report, "oak", "alumni").error).toContain("cannot join it");
    expect(hs.callsOf("createRoom")).toHaveLength(5);
    expect(room(report, "oak", "community").outcome).toBe("unchanged");
  });

  it("rejoins a recorded room it was invited back to", async () => {
    const first = await reconcile([community("oak")]);
    const alumni = room(first, "oak", "alumni").roomId!;
    hs.setState(alumni, "m.room.member", BOT, { membership: "invite" }, ANN);
    const report = await reconcile([community("oak")]);
    expect(room(report, "oak", "alumni").outcome).toBe("unchanged");
    expect(hs.state(alumni, "m.room.member", BOT)).toEqual({ membership: "join" });
  });

  it("uses the room someone else made with the alias in the meantime", async () => {
    hs.failWith = (method, args) => {
      if (method === "createRoom" && (args[0] as { room_alias_name?: string }).room_alias_name === "carenet_oak_alumni") {
        hs.aliases.set("#carenet_oak_alumni:example.org", "!other:example.org");
        hs.addRoom("!other:example.org");
        return matrixError(400, "M_ROOM_IN_USE", "Room alias already taken");
      }
      return undefined;
    };
    const report = await reconcile([community("oak")]);
    expect(room(report, "oak", "alumni")).toMatchObject({ roomId: "!other:example.org", foundBy: "alias", outcome: "updated" });
    expect(rooms.get("oak", "alumni")).toMatchObject({ roomId: "!other:example.org", origin: "found" });
  });

  it("refuses an extra room with the reserved id `space`, provisioning the rest", async () => {
    const c = community("oak");
    c.rooms.extra = [{ id: "space", name: "Outer space" }];
    const report = await reconcile([c]);
    const bad = report.rooms.filter((r) => r.outcome === "failed");
    expect(bad).toHaveLength(1);
    expect(bad[0].error).toContain("reserved");
    expect(report.counts.created).toBe(4);
  });

  it("runs one reconcile at a time", async () => {
    const p = provisioner();
    const [a, b] = await Promise.all([p.reconcile({ communities: [community("oak")] }), p.reconcile({ communities: [community("oak")] })]);
    expect(a.counts.created).toBe(5);
    expect(b.counts).toMatchObject({ created: 0, unchanged: 5 });
  });
});

describe("power-level helpers", () => {
  it("knows which room versions give creators unlimited power", () => {
    expect(["1", "10", "11"].map(creatorsHavePower)).toEqual([false, false, false]);
    expect(["12", "13", "org.matrix.hydra.11"].map(creatorsHavePower)).toEqual([true, true, true]);
  });

  it("the config decides staff rank; lower levels set by others stay; creators are never listed", () => {
    const people = new Map([
      [BOT, 100],
      [ANN, 100],
      [SAM, 50],
    ]);
    const current = { [EVE]: 50, "@muted:example.org": -1, [TOM]: 10, [SAM]: 100 };
    expect(desiredUsers(current, people, new Set([BOT]))).toEqual({ "@muted:example.org": -1, [TOM]: 10, [ANN]: 100, [SAM]: 50 });
  });
});
