import type { CommandSpec } from "../../../commands/types";
import * as t from "../texts";
import { t as words } from "../../../words";
import { communityForMember, dmIfInRoom, type PagingCommandDeps } from "./pagingCommon";
import { ackCommand } from "./ack";
import { declineCommand } from "./decline";
import { resolveCommand } from "./resolve";
import { crisisMeetingCommand } from "./crisisMeeting";
import { pagesCommand } from "./pages";

export { communityForMember, type PagingCommandDeps } from "./pagingCommon";

/** `!page`: a member asks for support now. */
export function pageCommand(d: PagingCommandDeps): CommandSpec {
  return {
    name: "page",
    usage: "!page [what is happening]",
    summary: words("usage.pageSummary"),
    details: words("usage.pageDetails"),
    topic: "support",
    audience: "everyone",
    runWhenLate: true,
    freeText: true,
    run(ctx, args) {
      const replyTo = dmIfInRoom(ctx);
      const c = communityForMember(d, ctx);
      // The member's answer is urgent (they are told what is happening, with the crisis numbers).
      if (!c) return { outcome: "refused", reply: t.notAMember(ctx.crisisResources), replyTo, urgent: true };
      const out = d.service.page({ member: ctx.sender, community: c, note: args.join(" "), eventId: ctx.eventId, now: ctx.now });
      return { outcome: "ok", reply: out.reply, replyTo, urgent: true };
    },
  };
}

/** Paging's commands, in the order `!help` lists them. */
export function pagingCommands(d: PagingCommandDeps): CommandSpec[] {
  return [pageCommand(d), ackCommand(d), declineCommand(d), resolveCommand(d), crisisMeetingCommand(d), pagesCommand(d)];
}
