import type { CommandSpec } from "../../../commands/types";
import { Message } from "../../../messaging/message";
import { refused } from "../../../messaging/outcome";
import * as t from "../texts";
import type { PageRecord } from "../store/pages";
import { command, listOf, t as words } from "../../../words";
import { dmIfInRoom, notYours, ownPage, pageNumber, type PagingCommandDeps } from "./pagingCommon";

/** `!decline`: someone asked says they cannot come. */
export function declineCommand(d: PagingCommandDeps): CommandSpec {
  return {
    name: "decline",
    usage: "!decline [page number]",
    summary: words("usage.declineSummary"),
    details: words("usage.declineDetails"),
    topic: "page",
    audience: "everyone",
    runWhenLate: true,
    run(ctx, args) {
      const n = pageNumber(args[0]);
      // Always answered privately: a decline is nobody else's business.
      const replyTo = dmIfInRoom(ctx);
      // One answer whether page N does not exist, is closed or was never asked of this person:
      // a number must not tell a stranger that page N exists, or that it is over.
      const notYoursToDecline = (id: number) => ({ ...refused(notYours(id, "decline")), replyTo });
      let page: PageRecord | undefined;
      if (n !== undefined) {
        page = d.pages.get(n);
        if (!page) return notYoursToDecline(n);
      } else {
        const open = d.pages.activeAskedOf(ctx.sender).filter((p) => p.state.status === "open");
        if (open.length === 0) return { ...refused(words("paging.noneAsked")), replyTo };
        if (open.length > 1) {
          return { ...refused(words("paging.whichDecline", { choices: listOf(open.map((p) => command(`!decline ${p.id}`)), "disjunction") })), replyTo };
        }
        page = open[0];
      }
      const out = d.service.decline(page, ctx.sender, "command", ctx.now);
      switch (out.kind) {
        case "declined":
          return { outcome: "ok", reply: t.declineReply(page.id, out.movedOn), replyTo };
        case "already":
          return { outcome: "ok", reply: Message.of(words("paging.alreadyDeclined", { pageId: page.id })), replyTo };
        case "taken":
          return { outcome: "ok", reply: Message.of(words("paging.alreadyTaken", { pageId: page.id })), replyTo };
        case "resolved":
        case "not_asked":
          return notYoursToDecline(page.id);
        case "own_page":
          return { ...refused(ownPage(page.id), { support: ctx.crisisResources }), replyTo };
      }
    },
  };
}
