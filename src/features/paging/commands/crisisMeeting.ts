import type { CommandSpec } from "../../../commands/types";
import * as t from "../texts";
import { t as words } from "../../../words";
import { communityForMember, dmIfInRoom, type PagingCommandDeps } from "./pagingCommon";

/** `!crisis-meeting`: any member calls the people on call (or the staff) into a room. */
export function crisisMeetingCommand(d: PagingCommandDeps): CommandSpec {
  return {
    name: "crisis-meeting",
    usage: "!crisis-meeting",
    summary: words("usage.crisisMeetingSummary"),
    details: words("usage.crisisMeetingDetails"),
    topic: "support",
    audience: "everyone",
    run(ctx) {
      // Whoever calls a crisis meeting from a shared room is answered privately, as `!page` is.
      const replyTo = dmIfInRoom(ctx);
      const c = communityForMember(d, ctx);
      if (!c) return { outcome: "refused", reply: t.notAMember(ctx.crisisResources), replyTo };
      return { outcome: "ok", reply: d.service.crisisMeeting(ctx.sender, c, ctx.now).reply, replyTo };
    },
  };
}
