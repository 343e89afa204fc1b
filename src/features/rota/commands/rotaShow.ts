import type { CommunityConfig } from "../../../config/types";
import { isOnBreak } from "../domain/rota";
import { Message } from "../../../messaging/message";
import { UsageError, type CommandContext } from "../../../commands/types";
import type { RotaCommandDeps } from "./common";
import { ok } from "../../../messaging/outcome";
import { dayBounds, readDate, readWeek } from "./when";
import { listOf, person, t, time, zone } from "../../../words";
import { dayWords, momentWords, staffLineWords } from "../words";
import type { StaffResult } from "./rotaStaff";

/** `!rota show`: a week of the rota, with waiting shifts and who is on a break. */
export function show(deps: RotaCommandDeps, ctx: CommandContext, c: CommunityConfig, args: string[]): StaffResult {
  if (args.length > 1) throw new UsageError(t("rota.showWeeks"));
  const week = readWeek(args[0], c.timezone, ctx.now);
  const tz = c.timezone;
  const breaks = deps.rota.store.breaksFrom(ctx.now);
  const stretches = deps.rota.stretchesStarting(c, week.startMs, week.endMs, ctx.now, false);
  const msg = new Message().heading(t("rota.showHeading", { community: c.name, date: dayWords(week.startMs, tz), zone: zone(tz) }));
  const covers = new Map(deps.rota.store.list(c.id, ["approved"]).map((e) => [String(e.id), e]));
  for (let day = week.startMs; day < week.endMs; ) {
    const { endMs: dayEnd } = dayBoundsAt(tz, day);
    const today = stretches.filter((s) => s.startMs >= day && s.startMs < dayEnd);
    msg.p(t("rota.weekdayDate", { date: dayWords(day, tz) }));
    msg.list(
      today.length === 0
        ? [t("rota.nobody")]
        : today.map((s) => {
            const notes = [];
            if (s.backup) notes.push(t("rota.noteBackup"));
            if (s.role === "staff") notes.push(t("rota.noteStaff"));
            if (s.coveringFor) notes.push(t(covers.get(s.overrideId ?? "")?.swapWith ? "rota.noteSwapped" : "rota.noteCovering", { person: person(s.coveringFor) }));
            if (isOnBreak(breaks, s.userId, Math.max(s.startMs, ctx.now))) notes.push(t("rota.noteBreak"));
            if (!deps.rota.consents(c, s.userId)) notes.push(t("rota.noteNoConsent"));
            const span = spanWords(s.startMs, s.endMs, tz);
            return notes.length ? t("rota.showLineNotes", { span, holder: person(s.userId), notes: listOf(notes) }) : t("rota.showLine", { span, holder: person(s.userId) });
          }),
    );
    day = dayEnd;
  }
  // Waiting shifts with whose they are: staff answer them by name, not by number alone.
  const waiting = deps.rota.store.list(c.id, ["proposed"]);
  if (waiting.length) msg.heading(t("rota.waitingHeading")).list(waiting.map((e) => staffLineWords(e, c)));
  const resting = [...new Set(breaks.map((b) => b.userId))].filter((u) => deps.rota.standing(c, u) !== null && deps.rota.store.ofUser(u).some((e) => e.communityId === c.id));
  if (resting.length) {
    msg.heading(t("rota.breakHeading")).list(
      resting.map((u) => {
        const b = deps.rota.store.currentBreak(u, ctx.now);
        return b?.untilMs ? t("rota.breakLineUntil", { holder: person(u), until: momentWords(b.untilMs, tz, ctx.now) }) : t("rota.breakLineOpen", { holder: person(u) });
      }),
    );
  }
  return { result: ok(msg) };
}

/** "18:00–22:00", "18:00–24:00", "22:00–06:00 the next day", or with the end's day named. */
function spanWords(startMs: number, endMs: number, timezone: string) {
  const from = time(startMs, timezone, "time");
  const startDay = dayBoundsAt(timezone, startMs);
  if (endMs <= startDay.endMs) return t("rota.span", { kind: "sameDay", from, to: endMs === startDay.endMs ? "24:00" : time(endMs, timezone, "time"), day: "" });
  const kind = endMs < dayBoundsAt(timezone, startDay.endMs).endMs ? "nextDay" : "other";
  return t("rota.span", { kind, from, to: time(endMs, timezone, "time"), day: dayWords(endMs, timezone) });
}

function dayBoundsAt(timezone: string, ms: number): { startMs: number; endMs: number } {
  const date = readDate("today", timezone, ms)!;
  return dayBounds(timezone, date);
}
