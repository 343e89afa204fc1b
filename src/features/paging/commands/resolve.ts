import type { CommandContext, CommandResult, CommandSpec } from "../../../commands/types";
import { Message } from "../../../messaging/message";
import { refused } from "../../../messaging/outcome";
import * as t from "../texts";
import type { PageRecord } from "../store/pages";
import { command, t as words } from "../../../words";
import { onThePage, type PagingCommandDeps } from "./pagingCommon";

/** `!resolve`: the member, whoever came, or staff close a page. */
export function resolveCommand(d: PagingCommandDeps): CommandSpec {
  return {
    name: "resolve",
    usage: "!resolve [page number]",
    summary: words("usage.resolveSummary"),
    details: words("usage.resolveDetails"),
    topic: "page",
    audience: "everyone",
    run: (ctx, args) => onThePage(d, ctx, args, () => d.pages.activeInvolving(ctx.sender), "resolve", (page) => resolveResult(d, ctx, page)),
  };
}

function resolveResult(d: PagingCommandDeps, ctx: CommandContext, page: PageRecord): CommandResult {
  const out = d.service.resolve(page, ctx.sender, ctx.now);
  const p = out.page;
  switch (out.kind) {
    case "resolved":
      return {
        outcome: "ok",
        reply: ctx.sender === p.member ? t.closedByMember(p.id, ctx.crisisResources) : Message.of(words("paging.closedThanks", { pageId: p.id })),
      };
    case "already":
      return { outcome: "ok", reply: Message.of(words("paging.wasClosed", { pageId: p.id })) };
    case "not_allowed":
      return refused(words("paging.notAllowed", { pageId: p.id, command: command("!ack") }));
  }
}
