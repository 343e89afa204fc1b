import type { CommunityConfig } from "../../../config/types";
import type { Member } from "../../../ports/communities";
import type { Message } from "../../../messaging/message";
import type { CommandContext, CommandResult, CommandSpec } from "../../../commands/types";
import type { CrisisResources } from "../../../config/types";
import { t } from "../../../words";

export type Where = { ok: true; community: CommunityConfig; member: Member } | { ok: false; result: CommandResult };

/** What the check-in commands need from the check-in service (kept here so commands depend on nothing above them). */
export interface CheckinPort {
  where(userId: string, opts: { here?: CommunityConfig; named?: string; preferLatestPrompt?: boolean; now: number; crisis: CrisisResources }): Where;
  answerText(input: { community: CommunityConfig; userId: string; text: string; via: "command"; now: number; crisis: CrisisResources }): CommandResult;
  overview(community: CommunityConfig, userId: string, now: number, crisis: CrisisResources): CommandResult;
  describe(community: CommunityConfig, userId: string): Message;
  history(community: CommunityConfig, userId: string): Message;
  editPlan(community: CommunityConfig, userId: string, args: string[], now: number, crisis: CrisisResources): CommandResult;
  alumni(community: CommunityConfig, member: Member, args: string[], now: number, crisis: CrisisResources): CommandResult;
  staffView(community: CommunityConfig, args: string[], now: number): CommandResult;
}

/** Nothing a member says about how they are is echoed in a shared room. */
function privately(ctx: CommandContext, result: CommandResult): CommandResult {
  return ctx.place === "room" ? { ...result, replyTo: "dm" } : result;
}

export function checkinCommand(port: CheckinPort): CommandSpec {
  return {
    name: "checkin",
    freeText: true,
    usage: "!checkin <answer> [note] | !checkin plan [setting value] | !checkin alumni [on|off|weekly|fortnightly|monthly]",
    summary: t("usage.checkinSummary"),
    details: t("usage.checkinDetails"),
    topic: "checkins",
    audience: "everyone",
    run(ctx, args) {
      const crisis = ctx.crisisResources;
      const sub = args[0]?.toLowerCase();
      if (sub === "plan" || sub === "alumni") {
        const rest = args.slice(1);
        // `!checkin plan oakwood …` names the community when the member is in more than one.
        const named = rest[0]?.toLowerCase();
        const where = port.where(ctx.sender, { here: ctx.community, named, now: ctx.now, crisis });
        if (!where.ok) return privately(ctx, where.result);
        if (named && where.community.id === named) rest.shift();
        const c = where.community;
        if (sub === "alumni") return privately(ctx, port.alumni(c, where.member, rest, ctx.now, crisis));
        if (rest.length === 0) return privately(ctx, { outcome: "ok", reply: port.describe(c, ctx.sender) });
        if (rest[0].toLowerCase() === "history") return privately(ctx, { outcome: "ok", reply: port.history(c, ctx.sender) });
        return privately(ctx, port.editPlan(c, ctx.sender, rest, ctx.now, crisis));
      }
      const where = port.where(ctx.sender, { here: ctx.community, preferLatestPrompt: true, now: ctx.now, crisis });
      if (!where.ok) return privately(ctx, where.result);
      if (args.length === 0) return privately(ctx, port.overview(where.community, ctx.sender, ctx.now, crisis));
      return privately(ctx, port.answerText({ community: where.community, userId: ctx.sender, text: args.join(" "), via: "command", now: ctx.now, crisis }));
    },
  };
}

export function checkinsCommand(port: CheckinPort): CommandSpec {
  return {
    name: "checkins",
    usage: "!checkins [today|week|@member]",
    summary: t("usage.checkinsSummary"),
    details: t("usage.checkinsDetails"),
    audience: "staff",
    run(ctx, args) {
      return port.staffView(ctx.community as CommunityConfig, args, ctx.now);
    },
  };
}
