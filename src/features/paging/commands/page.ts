import { DateTime } from "luxon";
import type { CarenetConfig, CommunityConfig } from "../../../config/types";
import { parseDuration } from "../../../kernel/durations";
import { meetingLine, pageLine, summarise } from "../digest";
import type { PagingService } from "../service";
import * as t from "../texts";
import type { Members } from "../../../ports/communities";
import type { PageRecord, PagesStore } from "../store/pages";
import { echoableWord } from "../../../commands/echo";
import { Message } from "../../../messaging/message";
import { refused } from "../../../messaging/outcome";
import { UsageError, type CommandContext, type CommandResult, type CommandSpec } from "../../../commands/types";
import { command, listOf, t as words, time, zone, type Words } from "../../../words";
import { communityById } from "../../../config/communities";

export interface PagingCommandDeps {
  service: PagingService;
  pages: PagesStore;
  members: Members;
  config: () => CarenetConfig;
}

const DAY = 24 * 60 * 60 * 1000;
/** `!pages` lists at most this many, newest last. */
const PAGES_LIST_MAX = 50;

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
function echoed(arg: string): { known: "yes" | "no"; arg: string } {
  const word = echoableWord(arg);
  return word === undefined ? { known: "no", arg: "" } : { known: "yes", arg: word };
}

/** A page number argument: "12" or "#12". */
function pageNumber(arg: string | undefined): number | undefined {
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

function notYours(pageId: number, command: "ack" | "resolve" | "decline"): Words {
  if (command === "decline") return words("paging.notYoursDecline", { pageId });
  return command === "ack" ? words("paging.notYoursAck", { pageId }) : words("paging.notYoursResolve", { pageId });
}

const cmd = command;

function ownPage(pageId: number): Words {
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

export function pagingCommands(d: PagingCommandDeps): CommandSpec[] {
  const page: CommandSpec = {
    name: "page",
    usage: "!page [what is happening]",
    summary: words("usage.pageSummary"),
    details: words("usage.pageDetails"),
    topic: "support",
    audience: "everyone",
    runWhenLate: true,
    freeText: true,
    run(ctx, args) {
      const replyTo = ctx.place === "room" ? ("dm" as const) : undefined;
      const c = communityForMember(d, ctx);
      // The member's answer is urgent (they are told what is happening, with the crisis numbers).
      if (!c) return { outcome: "refused", reply: t.notAMember(ctx.crisisResources), replyTo, urgent: true };
      const out = d.service.page({ member: ctx.sender, community: c, note: args.join(" "), eventId: ctx.eventId, now: ctx.now });
      return { outcome: "ok", reply: out.reply, replyTo, urgent: true };
    },
  };

  const ack: CommandSpec = {
    name: "ack",
    usage: "!ack [page number]",
    summary: words("usage.ackSummary"),
    details: words("usage.ackDetails"),
    topic: "page",
    audience: "everyone",
    // "I'm coming" is as true late as on time: a page held up by an outage still needs it.
    runWhenLate: true,
    run(ctx, args) {
      const found = findPage(d, ctx, args, () => d.pages.activeAskedOf(ctx.sender), "ack");
      if ("result" in found) return privatelyOutside(ctx, undefined, found.result);
      return privatelyOutside(ctx, found.page, ackResult(d, ctx, found.page));
    },
  };

  const resolve: CommandSpec = {
    name: "resolve",
    usage: "!resolve [page number]",
    summary: words("usage.resolveSummary"),
    details: words("usage.resolveDetails"),
    topic: "page",
    audience: "everyone",
    run(ctx, args) {
      const found = findPage(d, ctx, args, () => d.pages.activeInvolving(ctx.sender), "resolve");
      if ("result" in found) return privatelyOutside(ctx, undefined, found.result);
      return privatelyOutside(ctx, found.page, resolveResult(d, ctx, found.page));
    },
  };

  const crisisMeeting: CommandSpec = {
    name: "crisis-meeting",
    usage: "!crisis-meeting",
    summary: words("usage.crisisMeetingSummary"),
    details: words("usage.crisisMeetingDetails"),
    topic: "support",
    audience: "everyone",
    run(ctx) {
      // Whoever calls a crisis meeting from a shared room is answered privately, as `!page` is.
      const replyTo = ctx.place === "room" ? ("dm" as const) : undefined;
      const c = communityForMember(d, ctx);
      if (!c) return { outcome: "refused", reply: t.notAMember(ctx.crisisResources), replyTo };
      return { outcome: "ok", reply: d.service.crisisMeeting(ctx.sender, c, ctx.now).reply, replyTo };
    },
  };

  const decline: CommandSpec = {
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
      const replyTo = ctx.place === "room" ? ("dm" as const) : undefined;
      // One answer whether page N does not exist, is closed or was never asked of this person:
      // a number must not tell a stranger that page N exists, or that it is over.
      const notYoursToDecline = (id: number) => ({ ...refused(notYours(id, "decline")), replyTo });
      let page: PageRecord | undefined;
      if (n !== undefined) {
        page = d.pages.get(n);
        if (!page) return notYoursToDecline(n);
      } else {
        const open = d.pages.activeAskedOf(ctx.sender).filter((p) => p.state.status === "open");
        if (open.length === 0) return { ...refused(words("paging.noneAsked")), replyTo: ctx.place === "room" ? ("dm" as const) : undefined };
        if (open.length > 1) {
          return {
            ...refused(words("paging.whichDecline", { choices: listOf(open.map((p) => cmd(`!decline ${p.id}`)), "disjunction") })),
            replyTo: ctx.place === "room" ? ("dm" as const) : undefined,
          };
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

  const pages: CommandSpec = {
    name: "pages",
    usage: "!pages [since]",
    summary: words("usage.pagesSummary"),
    details: words("usage.pagesDetails"),
    audience: "staff",
    run(ctx, args) {
      const c = ctx.community!;
      const since = sinceOf(args[0], c.timezone, ctx.now);
      const list = d.pages.openedSince(c.id, since);
      const meetings = d.pages.meetingsSince(c.id, since);
      const shown = list.slice(-PAGES_LIST_MAX);
      const reply = new Message().heading(words("paging.pagesHeading", { community: c.name, since: time(since, c.timezone, "datetime"), zone: zone(c.timezone) }));
      if (list.length === 0) reply.p(words("paging.pagesNone"));
      if (list.length > shown.length) reply.p(words("paging.pagesShowing", { shown: shown.length, total: list.length }));
      reply.list(shown.map((p) => pageLine(summarise(d.pages, p), c.timezone)));
      if (meetings.length > 0) reply.heading(words("paging.meetingsHeading")).list(meetings.map((m) => meetingLine(m, c.timezone)));
      return { outcome: "ok", reply };
    },
  };

  return [page, ack, decline, resolve, crisisMeeting, pages];
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
      return refused(words("paging.notAllowed", { pageId: p.id, command: cmd("!ack") }));
  }
}

function sinceOf(arg: string | undefined, timezone: string, now: number): number {
  if (arg === undefined) return now - 7 * DAY;
  if (/^\d{4}-\d{2}-\d{2}$/.test(arg)) {
    const day = DateTime.fromISO(arg, { zone: timezone });
    if (!day.isValid) throw new UsageError(words("paging.notDate", echoed(arg)));
    return day.toMillis();
  }
  const ms = parseDuration(arg);
  if (ms === null || ms === 0) throw new UsageError(words("paging.notSince", echoed(arg)));
  return now - ms;
}
