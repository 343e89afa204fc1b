import type { CommunityConfig } from "../config/types";
import type { CommunityRoom } from "../features/communities/store/communityRooms";
import { SPACE_KEY } from "../features/communities/store/communityRooms";
import { Message } from "../messaging/message";
import { command, inCommunityLanguage, listOf, person, t } from "../words";
import { noticeContent } from "./content";
import type { ProvisionerDeps } from "./provisioningDeps";
import type { RoomReport } from "./provisioningReport";

/** What provisioning tells the staff room, and how. */
type NoticeDeps = Pick<ProvisionerDeps, "rooms" | "outbox" | "db" | "clock" | "log" | "effects" | "readers" | "outboxChanged">;

/**
 * People carenet invited to the staff room as staff or admins who no longer are: removed
 * from it with a reason (the job does nothing if they already left), and staff told.
 */
export function removeFormerStaff(d: NoticeDeps, c: CommunityConfig, keep: string[]): void {
  const staffRoom = d.rooms.get(c.id, "staff");
  if (!staffRoom || !d.effects) return;
  const former = d.rooms.invitesTo(staffRoom.roomId).filter((i) => !keep.includes(i.userId));
  if (!former.length) return;
  const now = d.clock.now();
  for (const { userId, invitedAt } of former) {
    const key = `provisioning:former-staff:${staffRoom.roomId}:${userId}:${invitedAt}`;
    d.effects.kick(staffRoom.roomId, userId, inCommunityLanguage(c, t("rooms.formerStaffReason", { community: c.name })), key);
  }
  const who = former.map((f) => f.userId);
  d.outbox.enqueue(
    {
      dedupeKey: `provisioning:former-staff:${staffRoom.roomId}:${former.map((f) => `${f.userId}@${f.invitedAt}`).join(",")}`,
      roomId: staffRoom.roomId,
      eventType: "m.room.message",
      content: noticeContent(
        Message.of(t("rooms.formerStaff", { count: who.length, people: listOf(who.map(person)), community: c.name })),
        undefined,
        d.readers?.forRoom(staffRoom.roomId),
      ),
    },
    now,
  );
  d.outboxChanged();
  d.log.info({ communityId: c.id, removed: who.length }, "removing people who are no longer staff from the staff room");
}

/**
 * Reports rooms no longer in the config. The first time a room is seen missing it is
 * marked, and the staff room told, in one transaction: once per removal, not per start.
 */
export function reportOrphans(d: NoticeDeps, communityId: string, rooms: CommunityRoom[], wholeCommunity: boolean): RoomReport[] {
  const now = d.clock.now();
  const fresh = rooms.filter((r) => r.orphanedAt === null);
  if (fresh.length) {
    const staffRoom = d.rooms.get(communityId, "staff");
    const describe = (r: CommunityRoom) => t("rooms.room", { space: r.roomKey === SPACE_KEY ? "yes" : "no", name: r.name ?? r.roomKey, alias: r.alias });
    const message = wholeCommunity
      ? new Message()
          .p(t("rooms.communityGone", { id: command(communityId) }))
          .p(t("rooms.communityRoomsLeft"))
          .list(fresh.map(describe))
      : new Message()
          .p(t("rooms.roomsGone", { count: fresh.length }))
          .list(fresh.map(describe))
          .p(t("rooms.roomsLeft", { count: fresh.length }));
    let queued = false;
    d.db.transaction(() => {
      for (const r of fresh) d.rooms.markOrphaned(communityId, r.roomKey, now);
      if (staffRoom) {
        queued = d.outbox.enqueue(
          {
            dedupeKey: `provisioning:orphaned:${communityId}:${now}:${fresh.map((r) => r.roomId).join(",")}`,
            roomId: staffRoom.roomId,
            eventType: "m.room.message",
            content: noticeContent(message, undefined, d.readers?.forRoom(staffRoom.roomId)),
          },
          now,
        );
      }
    })();
    if (queued) d.outboxChanged();
    d.log.warn(
      { communityId, rooms: fresh.map((r) => ({ roomKey: r.roomKey, roomId: r.roomId, alias: r.alias })), toldStaff: queued },
      wholeCommunity
        ? "a community is no longer in the config: its Space and rooms are left intact"
        : "rooms are no longer in the config: they are left intact",
    );
  }
  return rooms.map((r) => ({
    communityId,
    roomKey: r.roomKey,
    alias: r.alias,
    roomId: r.roomId,
    outcome: "orphaned" as const,
    changes: [],
    invited: [],
    problems: [],
  }));
}
