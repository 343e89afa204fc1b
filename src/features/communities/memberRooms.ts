import type { CommunityConfig } from "../../config/types";
import { inCommunityLanguage, t } from "../../words";
import { roomName, SPACE_KEY } from "../../config/roomNames";
export { roomName };
import type { MemberStatus } from "./store/members";
import type { CommunitiesApp } from "./deps";

/** One of a community's rooms (or its Space) as members meet it. */
export interface PlaceRoom {
  key: string;
  name: string;
  /** Undefined while the room is not provisioned (e.g. the homeserver refused to create it). */
  roomId: string | undefined;
}

/**
 * Which rooms a member belongs in: an active member in the Space, the community chat and
 * every extra room; alumni in the Space and the alumni room. The staff room never.
 */
export function roomKeysFor(c: CommunityConfig, status: Exclude<MemberStatus, "removed">): string[] {
  return status === "active" ? [SPACE_KEY, "community", ...c.rooms.extra.map((r) => r.id)] : [SPACE_KEY, "alumni"];
}

/** Every room a member could be in, for removal: all but the staff room. */
export function allMemberRoomKeys(c: CommunityConfig): string[] {
  return [SPACE_KEY, "community", "alumni", ...c.rooms.extra.map((r) => r.id)];
}

export function placeRooms(app: Pick<CommunitiesApp, "rooms">, c: CommunityConfig, keys: string[]): PlaceRoom[] {
  return keys.map((key) => ({ key, name: roomName(c, key), roomId: app.rooms.get(c.id, key)?.roomId }));
}

export interface InviteOutcome {
  invited: PlaceRoom[];
  /** Rooms the person left on their own: carenet does not invite them back. */
  leftOnTheirOwn: PlaceRoom[];
  /** Rooms not provisioned yet; the next reconcile invites them. */
  notReady: PlaceRoom[];
}

/** Queues invitations to `keys`, except rooms the person chose to leave. Call in a transaction. */
export function inviteTo(
  app: Pick<CommunitiesApp, "rooms" | "members" | "effects">,
  c: CommunityConfig,
  userId: string,
  keys: string[],
  keyPrefix: string,
  reason: string,
): InviteOutcome {
  const out: InviteOutcome = { invited: [], leftOnTheirOwn: [], notReady: [] };
  for (const room of placeRooms(app, c, keys)) {
    if (app.members.hasLeft(c.id, userId, room.key)) out.leftOnTheirOwn.push(room);
    else if (!room.roomId) out.notReady.push(room);
    else {
      app.effects.invite(room.roomId, userId, `${keyPrefix}:${room.key}`, reason);
      out.invited.push(room);
    }
  }
  return out;
}

/** Queues removals from `keys` with the reason the person will see. Call in a transaction. */
export function kickFrom(
  app: Pick<CommunitiesApp, "rooms" | "effects">,
  c: CommunityConfig,
  userId: string,
  keys: string[],
  keyPrefix: string,
  reason: string,
): PlaceRoom[] {
  const rooms = placeRooms(app, c, keys).filter((r) => r.roomId);
  for (const room of rooms) app.effects.kick(room.roomId!, userId, reason, `${keyPrefix}:${room.key}`);
  return rooms;
}

/**
 * After start and each reload: invites members and alumni to the rooms they belong in but
 * have never been in — a room added to the config, or an invitation that never went out.
 * Anyone with any membership of a room (joined, invited, left, kicked, banned) is left as
 * they are: carenet never overrides a person's or a staff member's own decision.
 */
export async function inviteMembersToNewRooms(app: CommunitiesApp, communities: CommunityConfig[]): Promise<number> {
  let queued = 0;
  for (const c of communities) {
    const people = [...app.members.list(c.id, { status: "active" }), ...app.members.list(c.id, { status: "discharged" })];
    if (!people.length) continue;
    const keys = [...new Set(people.flatMap((m) => roomKeysFor(c, m.status as "active" | "discharged")))];
    for (const room of placeRooms(app, c, keys)) {
      if (!room.roomId) continue;
      let everIn: Set<string>;
      try {
        // Provisioning has just read the room at a start or reload: no need to read it again.
        const known = app.roomSnapshots?.get(room.roomId);
        everIn = known
          ? new Set(known.memberships.keys())
          : new Set((await app.homeserver.getRoomState(room.roomId)).filter((e) => e.type === "m.room.member").map((e) => e.state_key));
      } catch (err) {
        app.log.warn({ communityId: c.id, roomKey: room.key, err: (err as Error).message }, "could not read a room's members; its invitations wait for the next reconcile");
        continue;
      }
      app.atomically(() => {
        for (const m of people) {
          if (!roomKeysFor(c, m.status as "active" | "discharged").includes(room.key)) continue;
          if (everIn.has(m.userId) || app.members.hasLeft(c.id, m.userId, room.key)) continue;
          const reason = inCommunityLanguage(c, m.status === "active" ? t("member.inviteReasonMember", { community: c.name }) : t("member.inviteReasonAlumni", { community: c.name }));
          app.effects.invite(room.roomId!, m.userId, `member-rooms:${c.id}:${room.key}:${m.userId}:${m.status}:${m.updatedAt}`, reason);
          queued++;
        }
      });
    }
  }
  if (queued) app.log.info({ queued }, "invited members to rooms they had never been in");
  return queued;
}
