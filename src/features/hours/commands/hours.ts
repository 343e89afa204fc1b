import type { CrisisResources } from "../../../config/types";
import type { CarenetConfig, CommunityConfig } from "../../../config/types";
import { isOpenAt } from "../domain/postingHours";
import { hoursOf, supportWhileClosed } from "../notices";
import { roomConfig, scheduleFor } from "../schedules";
import type { Member, Members } from "../../../ports/communities";
import { supportNow } from "../../../messaging/support";
import { Message } from "../../../messaging/message";
import type { CommandSpec } from "../../../commands/types";
import type { PostingSchedule } from "../domain/postingHours";
import { t } from "../../../words";

export interface HoursCommandDeps {
  members: Pick<Members, "communitiesOf">;
  config: () => CarenetConfig;
}

/**
 * `!hours`: when a room is open for posting, in plain words and the community's time zone.
 * In a community room it is that room's hours; elsewhere (a direct conversation with the
 * bot) the hours of the rooms of the person's own communities.
 */
export function hoursCommand(deps: HoursCommandDeps): CommandSpec {
  return {
    name: "hours",
    usage: "!hours",
    summary: t("usage.hoursSummary"),
    details: t("usage.hoursDetails"),
    topic: "community",
    audience: "everyone",
    run(ctx) {
      if (ctx.community && ctx.roomKey) {
        const room = roomConfig(ctx.community, ctx.roomKey);
        const schedule = scheduleFor(ctx.community, ctx.roomKey);
        if (room) return { outcome: "ok", reply: withSupportIfClosed(hoursOf(room.name, schedule, ctx.now), schedule ? [schedule] : [], ctx.now, ctx.crisisResources) };
      }
      const mine = roomsOf(ctx.sender, deps);
      if (mine.length === 0) {
        return {
          outcome: "refused",
          reply: new Message()
            .p(t("hours.notInCommunity"))
            .append(supportNow(ctx.crisisResources)),
        };
      }
      const reply = new Message();
      const shown: PostingSchedule[] = [];
      for (const { community, roomKeys } of mine) {
        const withHours = roomKeys.filter((k) => scheduleFor(community, k));
        reply.heading(community.name);
        if (withHours.length === 0) {
          reply.p(t("hours.roomsAlwaysOpen"));
          continue;
        }
        for (const key of withHours) {
          const schedule = scheduleFor(community, key) as PostingSchedule;
          shown.push(schedule);
          reply.append(hoursOf(roomConfig(community, key)!.name, schedule, ctx.now));
        }
        if (withHours.length < roomKeys.length) reply.p(t("hours.otherRoomsAlwaysOpen"));
      }
      return { outcome: "ok", reply: withSupportIfClosed(reply, shown, ctx.now, ctx.crisisResources) };
    },
  };
}

/** A room being closed never closes the way to a person: once per answer, how to get support now. */
function withSupportIfClosed(reply: Message, schedules: PostingSchedule[], now: number, crisisResources: CrisisResources): Message {
  return schedules.some((s) => !isOpenAt(s, now)) ? reply.append(supportWhileClosed(crisisResources)) : reply;
}

/** The communities someone belongs to, each with the rooms their role gives them. */
function roomsOf(userId: string, deps: HoursCommandDeps): Array<{ community: CommunityConfig; roomKeys: string[] }> {
  const byId = new Map(deps.config().communities.map((c) => [c.id, c]));
  const memberships = new Map<string, Member>(deps.members.communitiesOf(userId, { includeDischarged: true }).map((m) => [m.communityId, m]));
  const out: Array<{ community: CommunityConfig; roomKeys: string[] }> = [];
  for (const community of byId.values()) {
    const extras = (community.rooms.extra ?? []).map((r) => r.id);
    const isStaff = community.staff.includes(userId) || community.admins.includes(userId);
    const member = memberships.get(community.id);
    if (isStaff) out.push({ community, roomKeys: ["community", "staff", "alumni", ...extras] });
    else if (member?.status === "discharged") out.push({ community, roomKeys: ["alumni"] });
    else if (member) out.push({ community, roomKeys: ["community", ...extras] });
  }
  return out;
}
