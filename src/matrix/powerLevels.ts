import type { CommunityConfig } from "../config/types";

/** Power levels: who may do what in every provisioned room and Space. */
export const LEVEL = { admin: 100, staff: 50, member: 0 } as const;

/** The config's roles as power levels: the bot and admins 100, staff 50. */
export function roles(c: Pick<CommunityConfig, "staff" | "admins">, botUserId: string): Map<string, number> {
  const levels = new Map<string, number>([[botUserId, LEVEL.admin]]);
  for (const u of c.staff ?? []) if (!levels.has(u)) levels.set(u, LEVEL.staff);
  for (const u of c.admins ?? []) levels.set(u, LEVEL.admin);
  return levels;
}

/**
 * The users map a room should have. The config decides every level of staff rank (50 and
 * up): someone no longer staff or admin loses it. Lower levels set by others (e.g. a muted
 * member at -1) are kept. Room creators are left out in room versions where they hold
 * unlimited power (v12+), which forbid listing them.
 */
export function desiredUsers(current: Record<string, number>, people: Map<string, number>, creators: Set<string>): Record<string, number> {
  const users: Record<string, number> = {};
  for (const [u, level] of Object.entries(current)) {
    if (!people.has(u) && !creators.has(u) && typeof level === "number" && level < LEVEL.staff) users[u] = level;
  }
  for (const [u, level] of people) if (!creators.has(u)) users[u] = level;
  return users;
}

/**
 * Power levels for a new room or Space: everyone posts (0), staff invite, kick, ban and
 * redact (50), and only admins change power levels, Space children, join rules and the
 * like (100). Synapse merges this over its defaults key by key, so `events` is complete.
 */
export function powerLevels(users: Record<string, number>, creatorsHavePower: boolean): Record<string, unknown> {
  return {
    users,
    users_default: LEVEL.member,
    events_default: LEVEL.member,
    state_default: LEVEL.staff,
    invite: LEVEL.staff,
    kick: LEVEL.staff,
    ban: LEVEL.staff,
    redact: LEVEL.staff,
    notifications: { room: LEVEL.staff },
    events: {
      "m.room.power_levels": LEVEL.admin,
      "m.space.child": LEVEL.admin,
      "m.space.parent": LEVEL.admin,
      "m.room.join_rules": LEVEL.admin,
      "m.room.history_visibility": LEVEL.admin,
      "m.room.guest_access": LEVEL.admin,
      "m.room.encryption": LEVEL.admin,
      "m.room.server_acl": LEVEL.admin,
      // Upgrading a room would leave carenet's records behind: in v12+ only the creator (the bot) may.
      "m.room.tombstone": creatorsHavePower ? 150 : LEVEL.admin,
      "m.room.name": LEVEL.staff,
      "m.room.topic": LEVEL.staff,
      "m.room.avatar": LEVEL.staff,
      "m.room.canonical_alias": LEVEL.staff,
      "m.room.pinned_events": LEVEL.staff,
    },
  };
}

/**
 * Room versions where creators have unlimited power and may not appear in the power
 * levels' users map (MSC4289: room version 12 and later).
 */
export function creatorsHavePower(roomVersion: string): boolean {
  if (roomVersion === "org.matrix.hydra.11") return true;
  return /^\d+$/.test(roomVersion) && Number(roomVersion) >= 12;
}

/** Whether two users maps give everyone the same level. */
export function sameLevels(a: Record<string, number>, b: Record<string, number>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k]);
}
