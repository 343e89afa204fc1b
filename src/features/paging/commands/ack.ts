import type { CommandContext, CommandResult, CommandSpec } from "../../../commands/types";
import { Message } from "../../../messaging/message";
import { refused } from "../../../messaging/outcome";
import * as t from "../texts";
import type { PageRecord } from "../store/pages";
import { t as words } from "../../../words";
import { onThePage, ownPage, type PagingCommandDeps } from "./pagingCommon";

/** `!ack`: someone asked says they are coming. */
export function ackCommand(d: PagingCommandDeps): CommandSpec {
  return {
    name: "ack",
    usage: "!ack [page number]",
    summary: words("usage.ackSummary"),
    details: words("usage.ackDetails"),
    topic: "page",
    audience: "everyone",
    // "I'm coming" is as true late as on time: a page held up by an outage still needs it.
    runWhenLate: true,
    run: (ctx, args) => onThePage(d, ctx, args, () => d.pages.activeAskedOf(ctx.sender), "ack", (page) => ackResult(d, ctx, page)),
  };
}

function ackResult(d: PagingCommandDeps, ctx: CommandContext, page: PageRecord): CommandResult {
  const out = d.service.ack(page, ctx.sender, "command", ctx.now);
  const p = out.page;
  switch (out.kind) {
    case "first":
    case "also":
      return { outcome: "ok", reply: t.ackReply(p.id, p.member, out.kind === "first") };
    case "confirmed":
      return { outcome: "ok", reply: t.confirmReply(p.id, p.member) };
    case "already":
      return { outcome: "ok", reply: Message.of(words("paging.alreadyComing", { pageId: p.id })) };
    case "resolved":
      return refused(words("paging.alreadyClosed", { pageId: p.id }));
    case "own_page":
      return refused(ownPage(p.id), { support: ctx.crisisResources });
    case "not_asked":
      return refused(words("paging.notAsked", { pageId: p.id }));
  }
}
