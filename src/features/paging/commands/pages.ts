import { DateTime } from "luxon";
import { parseDuration } from "../../../kernel/durations";
import { meetingLine, pageLine, summarise } from "../digest";
import { Message } from "../../../messaging/message";
import { UsageError, type CommandSpec } from "../../../commands/types";
import { t as words, time, zone } from "../../../words";
import { echoed, type PagingCommandDeps } from "./pagingCommon";

const DAY = 24 * 60 * 60 * 1000;
/** `!pages` lists at most this many, newest last. */
const PAGES_LIST_MAX = 50;

/** `!pages`: staff see the community's recent pages and crisis meetings. */
export function pagesCommand(d: PagingCommandDeps): CommandSpec {
  return {
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
