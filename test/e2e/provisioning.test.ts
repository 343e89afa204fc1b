import type { ReconcileReport } from "../../src/matrix/provisioning";
import { newUser, startCarenet, type RunningCarenet, e2eScene, tempDir } from "./harness/carenet";
import type { MatrixUser } from "./harness/matrixUser";

/**
 * Provisioning on a real Synapse: two communities get their Spaces and rooms with the
 * right shape and power levels; restarts find them again instead of creating them twice;
 * renames and topic changes are applied; a room dropped from the config is left intact and
 * reported in the staff room.
 */

const { env, bot, rand } = e2eScene();
const dir = tempDir("provisioning");
const OAK = `oak-${rand}`;
const ELM = `elm-${rand}`;
const ROOM_KEYS = ["community", "staff", "alumni"];

let running: RunningCarenet | undefined;
let samA: MatrixUser; // staff of oak
let annA: MatrixUser; // admin of oak
let samB: MatrixUser; // staff of elm
let annB: MatrixUser; // admin of elm
/** alias → room id, as resolved on the first start. */
const ids = new Map<string, string>();

const alias = (community: string, key?: string) => `#carenet_${community}${key ? `_${key}` : ""}:${env.serverName}`;
const oakAliases = () => [alias(OAK), ...[...ROOM_KEYS, "creative"].map((k) => alias(OAK, k))];
const elmAliases = () => [alias(ELM), ...ROOM_KEYS.map((k) => alias(ELM, k))];

function communities(opts: { chatName?: string; chatTopic?: string; withCreative?: boolean } = {}): unknown[] {
  return [
    {
      id: OAK,
      name: `Oakwood ${rand}`,
      timezone: "Europe/London",
      staff: [samA.userId],
      admins: [annA.userId],
      rooms: {
        community: { name: opts.chatName ?? "Oakwood community", topic: opts.chatTopic ?? "Talk to each other, kindly" },
        staff: { name: "Oakwood staff", topic: "Staff commands and alerts" },
        alumni: { name: "Oakwood alumni" },
        extra: opts.withCreative === false ? [] : [{ id: "creative", name: "Oakwood creative corner" }],
      },
    },
    {
      id: ELM,
      name: `Elmfield ${rand}`,
      timezone: "Europe/London",
      staff: [samB.userId],
      admins: [annB.userId],
      rooms: { community: { name: "Elmfield community" }, staff: { name: "Elmfield staff" }, alumni: { name: "Elmfield alumni" } },
    },
  ];
}

async function start(opts: Parameters<typeof communities>[0] = {}): Promise<ReconcileReport> {
  await running?.carenet.stop();
  running = await startCarenet(env, dir, { communities: communities(opts) });
  const report = running.carenet.provisioning;
  if (!report.ok) throw new Error(`provisioning failed:\n${JSON.stringify(report.rooms.filter((r) => r.outcome === "failed"), null, 2)}`);
  // Nothing went wrong quietly either (e.g. an invitation the homeserver refused).
  expect(report.rooms.flatMap((r) => r.problems)).toEqual([]);
  expect(running.logs.lines.filter((l) => l.includes('"component":"provisioning"') && /"level":(50|60)/.test(l))).toEqual([]);
  return report;
}

const roomsTable = () =>
  running!.carenet.db
    .prepare("SELECT community_id, room_key, room_id, alias, created_at FROM community_rooms ORDER BY community_id, room_key")
    .all();

async function resolve(user: MatrixUser, roomAlias: string): Promise<string> {
  return (await user.request<{ room_id: string }>("GET", `/_matrix/client/v3/directory/room/${encodeURIComponent(roomAlias)}`)).room_id;
}

async function fullState(user: MatrixUser, roomId: string): Promise<Array<{ type: string; state_key: string; sender: string; content: Record<string, any> }>> {
  return user.request("GET", `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state`);
}

/** Accepts every pending invite to `roomIds`. */
async function acceptInvites(user: MatrixUser, roomIds: string[]): Promise<void> {
  for (const roomId of roomIds) {
    await user.waitForInvite((inv) => inv.roomId === roomId);
    await user.joinRoom(roomId);
  }
}

beforeAll(async () => {
  [samA, annA, samB, annB] = await Promise.all([newUser(env, "sam"), newUser(env, "ann"), newUser(env, "sam"), newUser(env, "ann")]);
});

afterAll(async () => {
  for (const u of [samA, annA, samB, annB]) await u?.stop();
  await running?.carenet.stop();
});

test("first start: both Spaces and all their rooms exist, with their aliases, and are recorded", async () => {
  const report = await start();
  expect(report.counts).toMatchObject({ created: 9, updated: 0, unchanged: 0, orphaned: 0, failed: 0 });
  for (const a of [...oakAliases(), ...elmAliases()]) {
    const roomId = await resolve(samA, a);
    ids.set(a, roomId);
    expect(report.rooms.find((r) => r.alias === a)?.roomId).toBe(roomId);
  }
  expect(new Set(ids.values()).size).toBe(9);
  expect(roomsTable()).toHaveLength(9);
  expect(running!.logs.text).toContain("provisioning: 2 communities, 9 rooms: 9 created");
});

test("staff and admins are invited to their own community's Space and rooms only", async () => {
  await acceptInvites(samA, oakAliases().map((a) => ids.get(a)!));
  await acceptInvites(samB, elmAliases().map((a) => ids.get(a)!));
  for (const a of oakAliases()) {
    expect(await samA.getJoinedMembers(ids.get(a)!)).toEqual([bot, samA.userId].sort());
    // The admin is invited too (and has not answered yet).
    expect((await samA.getState(ids.get(a)!, "m.room.member", annA.userId)).membership).toBe("invite");
  }
  // Sam of oak never appears in elm's rooms: elm's staff can see that in each room's state.
  for (const a of elmAliases()) {
    await expect(samB.getState(ids.get(a)!, "m.room.member", samA.userId)).rejects.toMatchObject({ errcode: "M_NOT_FOUND" });
  }
  await expect(samA.joinRoom(ids.get(alias(ELM, "staff"))!)).rejects.toMatchObject({ status: 403 });
});

test("rooms have power by role, invite-only joins, history for joined members, no guests, and sit in the Space", async () => {
  const space = ids.get(alias(OAK))!;
  for (const a of oakAliases()) {
    const roomId = ids.get(a)!;
    const state = await fullState(samA, roomId);
    const get = (type: string, key = "") => state.find((e) => e.type === type && e.state_key === key);
    const pl = get("m.room.power_levels")!.content;
    const create = get("m.room.create")!;
    // The bot made every room. From room version 12 on, a creator has unlimited power and
    // may not be listed; in older versions it is listed at 100.
    expect(create.sender).toBe(bot);
    if (Number(create.content.room_version) >= 12) expect(pl.users[bot]).toBeUndefined();
    else expect(pl.users[bot]).toBe(100);
    expect(pl.users[annA.userId]).toBe(100);
    expect(pl.users[samA.userId]).toBe(50);
    expect(pl).toMatchObject({ users_default: 0, events_default: 0, state_default: 50, invite: 50, kick: 50, ban: 50, redact: 50 });
    expect(pl.events).toMatchObject({ "m.room.power_levels": 100, "m.space.child": 100 });
    expect(get("m.room.join_rules")!.content.join_rule).toBe("invite");
    expect(get("m.room.history_visibility")!.content.history_visibility).toBe("joined");
    expect(get("m.room.guest_access")!.content.guest_access).toBe("forbidden");
    expect(get("m.room.canonical_alias")!.content.alias).toBe(a);
    if (roomId === space) {
      expect(create.content.type).toBe("m.space");
      expect(get("m.room.name")!.content.name).toBe(`Oakwood ${rand}`);
    } else {
      expect(get("m.space.parent", space)!.content).toEqual({ via: [env.serverName], canonical: true });
    }
  }
  const chat = ids.get(alias(OAK, "community"))!;
  expect((await samA.getState(chat, "m.room.name")).name).toBe("Oakwood community");
  expect((await samA.getState(chat, "m.room.topic")).topic).toBe("Talk to each other, kindly");

  const children = (await fullState(samA, space)).filter((e) => e.type === "m.space.child");
  expect(children.map((e) => e.state_key).sort()).toEqual(oakAliases().slice(1).map((a) => ids.get(a)!).sort());
  for (const child of children) expect(child.content.via).toEqual([env.serverName]);
  const hierarchy = await samA.request<{ rooms: Array<{ room_id: string }> }>(
    "GET",
    `/_matrix/client/v1/rooms/${encodeURIComponent(space)}/hierarchy`,
  );
  expect(hierarchy.rooms.map((r) => r.room_id).sort()).toEqual(oakAliases().map((a) => ids.get(a)!).sort());
});

test("a restart on the same database creates nothing and does not re-invite staff who left", async () => {
  const before = roomsTable();
  const alumni = ids.get(alias(OAK, "alumni"))!;
  await samA.leaveRoom(alumni);

  const report = await start();
  expect(report.counts).toMatchObject({ created: 0, updated: 0, unchanged: 9, orphaned: 0, failed: 0, invited: 0 });
  expect(report.rooms.every((r) => r.foundBy === "database")).toBe(true);
  expect(roomsTable()).toEqual(before);
  for (const [a, roomId] of ids) expect(await resolve(samA, a)).toBe(roomId);

  // Sam's choice to leave stands: the admin sees Sam as left, not invited again.
  await annA.waitForInvite((inv) => inv.roomId === alumni);
  await annA.joinRoom(alumni);
  expect((await annA.getState(alumni, "m.room.member", samA.userId)).membership).toBe("leave");
});

test("a renamed room and a changed topic are applied to the same room", async () => {
  const chat = ids.get(alias(OAK, "community"))!;
  const report = await start({ chatName: "Oakwood kitchen table", chatTopic: "New topic: be kind" });
  expect(report.rooms.find((r) => r.roomId === chat)).toMatchObject({ outcome: "updated", changes: ["name", "topic"] });
  expect(report.counts).toMatchObject({ created: 0, updated: 1, unchanged: 8 });
  expect((await samA.getState(chat, "m.room.name")).name).toBe("Oakwood kitchen table");
  expect((await samA.getState(chat, "m.room.topic")).topic).toBe("New topic: be kind");
  expect(await resolve(samA, alias(OAK, "community"))).toBe(chat);
  expect(roomsTable().map((r) => (r as { room_id: string }).room_id).sort()).toEqual([...ids.values()].sort());
});

test("a room removed from the config is left intact and named in a notice in the staff room, once", async () => {
  const creative = ids.get(alias(OAK, "creative"))!;
  const staffRoom = ids.get(alias(OAK, "staff"))!;
  const opts = { chatName: "Oakwood kitchen table", chatTopic: "New topic: be kind", withCreative: false };
  const report = await start(opts);
  expect(report.rooms.find((r) => r.roomId === creative)).toMatchObject({ outcome: "orphaned", roomKey: "creative" });
  expect(report.counts).toMatchObject({ created: 0, unchanged: 8, orphaned: 1 });

  const isNotice = (ev: { sender: string; type: string; content: Record<string, any> }) =>
    ev.sender === bot && ev.type === "m.room.message" && String(ev.content.body).includes(alias(OAK, "creative"));
  const notice = await samA.waitForEvent(staffRoom, isNotice);
  expect(notice.content.msgtype).toBe("m.notice");
  expect(String(notice.content.body)).toContain("“Oakwood creative corner”");
  expect(String(notice.content.body)).toContain("never deletes rooms or messages");
  expect(running!.logs.text).toContain("rooms are no longer in the config: they are left intact");

  // Still there, still the same room, still readable by its members.
  expect(await resolve(samA, alias(OAK, "creative"))).toBe(creative);
  expect((await samA.getState(creative, "m.room.name")).name).toBe("Oakwood creative corner");
  expect(await samA.getJoinedMembers(creative)).toContain(samA.userId);

  // Another start reports it again in the summary, but does not tell the staff room again.
  const again = await start(opts);
  expect(again.counts).toMatchObject({ orphaned: 1, created: 0 });
  const queued = running!.carenet.db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE dedupe_key LIKE 'provisioning:orphaned:%'").get() as {
    n: number;
  };
  expect(queued.n).toBe(1);
  expect(samA.eventsSoFar(staffRoom).filter(isNotice)).toHaveLength(1);
});
