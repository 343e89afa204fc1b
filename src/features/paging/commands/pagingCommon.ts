import type { CarenetConfig, CommunityConfig } from "../../../config/types";
import type { PagingService } from "../service";
import * as t from "../texts";
import type { Members } from "../../../ports/communities";
import type { PageRecord, PagesStore } from "../store/pages";
import { echoableWord } from "../../../commands/echo";
import { refused } from "../../../messaging/outcome";
import { UsageError, type CommandContext, type CommandResult } from "../../../commands/types";
import { command, listOf, t as words, type Words } from "../../../words";
import { communityById } from "../../../config/communities";

export interface PagingCommandDeps {
  service: PagingService;
  pages: PagesStore;
  members: Members;
  config: () => CarenetConfig;
}

/**
 * Which community a member's `!page` or `!crisis-meeting` is for: the community whose room
 * it was sent in; from a direct message, the one where they already have an open page
 * (so a repeat joins it), else the community they are an active member of (the most
 * recently joined if several), else the one they are alumni of. Undefined: not a member.
 */
export function communityForMember(d: PagingCommandDeps, ctx: Pick<CommandContext, "sender" | "community">): CommunityConfig | undefined {
  const configured = (id: string) => communityById(d.config().communities, id);
  const memberships = d.members.communitiesOf(ctx.sender, { includeDischarged: true }).filter((m) => configured(m.communityId));
  if (ctx.community && memberships.some((m) => m.communityId === ctx.community!.id)) return configured(ctx.community.id);
  const withPage = memberships.find((m) => d.pages.active(m.communityId, ctx.sender));
  if (withPage) return configured(withPage.communityId);
  const byRecency = [...memberships].sort((a, b) => b.addedAt - a.addedAt);
  const chosen = byRecency.find((m) => m.status === "active") ?? byRecency[0];
  return chosen && configured(chosen.communityId);
}

/** What was written, repeated only if it is a plain word (see echo.ts): else "that". */
export function echoed(arg: string): { known: "yes" | "no"; arg: string } {
  const word = echoableWord(arg);
  return word === undefined ? { known: "no", arg: "" } : { known: "yes", arg: word };
}

/** A page number argument: "12" or "#12". */
export function pageNumber(arg: string | undefined): number | undefined {
  if (arg === undefined) return undefined;
  const m = /^#?(\d{1,12})$/.exec(arg);
  if (!m) throw new UsageError(words("paging.notPageNumber", echoed(arg)));
  return Number(m[1]);
}

type Found = { page: PageRecord } | { result: CommandResult };

/** The page a `!ack` / `!resolve` means: the number given, the support room it was sent in, or the one open page that fits. */
function findPage(
  d: PagingCommandDeps,
  ctx: CommandContext,
  args: string[],
  candidates: () => PageRecord[],
  command: "ack" | "resolve",
): Found {
  const n = pageNumber(args[0]);
  if (n !== undefined) {
    const page = d.pages.get(n);
    // One answer whether the page does not exist, is closed or is someone else's: a number
    // must not tell a stranger that page N exists, or that it is over.
    return page && involved(d, page, ctx.sender) ? { page } : { result: refused(notYours(n, command)) };
  }
  const inRoom = d.pages.bySupportRoom(ctx.roomId);
  if (inRoom) return { page: inRoom };
  const open = candidates();
  if (open.length === 1) return { page: open[0] };
  if (open.length === 0) {
    return {
      result: refused(
        command === "ack"
          ? words("paging.noneToAck", { example: cmd("!ack 12") })
          : words("paging.noneToResolve", { example: cmd("!resolve 12") }),
      ),
    };
  }
  return {
    result: refused(
      words("paging.whichPage", { choices: listOf(open.map((p) => words("paging.choice", { command: cmd(`!${command} ${p.id}`), member: t.who(p.member) })), "disjunction") }),
    ),
  };
}

/** The member who paged, anyone asked to come or who came, and the community's staff. */
function involved(d: PagingCommandDeps, page: PageRecord, userId: string): boolean {
  return d.service.mayResolve(page, userId) || d.pages.isContact(page.id, userId);
}

export function notYours(pageId: number, command: "ack" | "resolve" | "decline"): Words {
  if (command === "decline") return words("paging.notYoursDecline", { pageId });
  return command === "ack" ? words("paging.notYoursAck", { pageId }) : words("paging.notYoursResolve", { pageId });
}

const cmd = command;

export function ownPage(pageId: number): Words {
  return words("paging.ownPage", { pageId, command: cmd("!resolve") });
}

/**
 * Answers about a page name the member who paged: sent anywhere but the page's own support
 * room (a community room, the staff room), they go to the sender privately; the room sees
 * only the ✅/⛔ reaction.
 */
function privatelyOutside(ctx: CommandContext, page: PageRecord | undefined, result: CommandResult): CommandResult {
  const inOwnRoom = page !== undefined && page.supportRoomId === ctx.roomId;
  return ctx.place === "room" && !inOwnRoom ? { ...result, replyTo: "dm" } : result;
}

/**
 * Runs `answer` on the page a `!ack` / `!resolve` means (see findPage), and sends the
 * answer privately when it is given outside that page's support room.
 */
export function onThePage(
  d: PagingCommandDeps,
  ctx: CommandContext,
  args: string[],
  candidates: () => PageRecord[],
  kind: "ack" | "resolve",
  answer: (page: PageRecord) => CommandResult,
): CommandResult {
  const found = findPage(d, ctx, args, candidates, kind);
  if ("result" in found) return privatelyOutside(ctx, undefined, found.result);
  return privatelyOutside(ctx, found.page, answer(found.page));
}

/** Where a member's answer goes: privately when the command was sent in a shared room. */
export function dmIfInRoom(ctx: Pick<CommandContext, "place">): "dm" | undefined {
  return ctx.place === "room" ? "dm" : undefined;
}
