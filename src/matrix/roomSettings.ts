import { withRateLimitRetry } from "./homeserver";
import { creatorsHavePower, desiredUsers, sameLevels } from "./powerLevels";
import type { ProvisionerDeps, RoomSpec } from "./provisioningDeps";
import { roomReport, type RoomReport } from "./provisioningReport";
import { contentOf, noteSent, stateKey, type StateMap } from "./stateMap";

/** What the settings of a room are compared with: the room, its config, the roles, its Space. */
export interface RoomTarget {
  roomId: string;
  spec: RoomSpec;
  people: Map<string, number>;
  space: { roomId: string } | undefined;
}

type SettingsDeps = Pick<ProvisionerDeps, "homeserver" | "rooms" | "botUserId" | "domain">;

/** Thrown by applySettings' dry run at the first thing it would send. */
const WOULD_CHANGE = Symbol("would change");

/** Whether applySettings would send anything to this room given `state` (nothing is sent). */
export async function wouldChange(d: SettingsDeps, target: RoomTarget, state: StateMap): Promise<boolean> {
  try {
    await applySettings(d, target, new Map(state), roomReport("", target.spec.key, ""), true);
    return false;
  } catch (err) {
    if (err === WOULD_CHANGE) return true;
    throw err;
  }
}

/**
 * Sends what differs between the room's state and the config: name, topic, join rules,
 * history visibility, guest access, the roles in the power levels, the Space parent.
 */
export async function applySettings(d: SettingsDeps, target: RoomTarget, state: StateMap, report: RoomReport, dryRun = false): Promise<void> {
  const { roomId, spec, space } = target;
  const send = async (type: string, key: string, content: Record<string, unknown>, change: string) => {
    if (dryRun) throw WOULD_CHANGE;
    await withRateLimitRetry(() => d.homeserver.sendState(roomId, type, key, content));
    noteSent(state, d.botUserId, type, key, content);
    report.changes.push(change);
  };
  const content = (type: string, key = "") => contentOf(state, type, key);

  if (content("m.room.name").name !== spec.name) {
    await send("m.room.name", "", { name: spec.name }, "name");
    d.rooms.setName(report.communityId, spec.key, spec.name);
  }
  // A room with no topic in the config keeps whatever topic people gave it.
  if (spec.topic !== undefined && (content("m.room.topic").topic ?? "") !== spec.topic) {
    await send("m.room.topic", "", { topic: spec.topic }, "topic");
  }
  if (content("m.room.join_rules").join_rule !== "invite") {
    await send("m.room.join_rules", "", { join_rule: "invite" }, "join rules");
  }
  if (content("m.room.history_visibility").history_visibility !== "joined") {
    await send("m.room.history_visibility", "", { history_visibility: "joined" }, "history visibility");
  }
  if (content("m.room.guest_access").guest_access !== "forbidden") {
    await send("m.room.guest_access", "", { guest_access: "forbidden" }, "guest access");
  }

  const pl = content("m.room.power_levels");
  const currentUsers = (pl.users ?? {}) as Record<string, number>;
  const users = desiredUsers(currentUsers, target.people, creatorsOf(state));
  if (!sameLevels(currentUsers, users)) {
    // Only the users map: other levels (e.g. events_default, raised by posting hours) stay as they are.
    await send("m.room.power_levels", "", { ...pl, users }, "power levels");
  }

  if (space) {
    const parent = content("m.space.parent", space.roomId);
    if (parent.canonical !== true || !nonEmptyArray(parent.via)) {
      await send("m.space.parent", space.roomId, { via: [d.domain], canonical: true }, "space parent");
    }
  }
}

/** The room's creators, in room versions where they hold unlimited power (none before v12). */
function creatorsOf(state: StateMap): Set<string> {
  const create = state.get(stateKey("m.room.create", ""));
  const version = String(create?.content.room_version ?? "1");
  const creators = new Set<string>();
  if (creatorsHavePower(version) && create) {
    creators.add(create.sender);
    for (const u of (create.content.additional_creators as unknown[] | undefined) ?? []) if (typeof u === "string") creators.add(u);
  }
  return creators;
}

/** Makes the room a child of the Space (m.space.child in the Space). */
export async function linkChild(d: SettingsDeps, space: { roomId: string; state: StateMap }, roomId: string, report: RoomReport): Promise<void> {
  if (nonEmptyArray(contentOf(space.state, "m.space.child", roomId).via)) return;
  const content = { via: [d.domain] };
  await withRateLimitRetry(() => d.homeserver.sendState(space.roomId, "m.space.child", roomId, content));
  noteSent(space.state, d.botUserId, "m.space.child", roomId, content);
  if (report.outcome !== "created") {
    report.changes.push("space child");
    report.outcome = "updated";
  }
}

function nonEmptyArray(v: unknown): boolean {
  return Array.isArray(v) && v.length > 0;
}
