/**
 * Reading and saying rota times in plain words, in a community's time zone. Parsing throws
 * UsageError with a sentence that says what was wrong, so the reply can teach the format.
 */
import { DateTime } from "luxon";
import { parseDuration } from "../../../kernel/durations";
import { closest } from "../../../kernel/words";
import { DAY_NAMES, parseHHMM } from "../../../kernel/localTime";
import { shiftsStartingBetween, validateShiftTimes, WEEKDAYS, type Weekday } from "../domain/rota";
import { weekBounds } from "../domain/load";
import { UsageError } from "../../../commands/types";
import { shiftTimeProblemWords } from "../words";
import { command, t } from "../../../words";

export { DAY_NAMES };

const DAY_SPELLINGS: Record<string, Weekday> = {
  ...Object.fromEntries(WEEKDAYS.map((d) => [d, d])),
  ...Object.fromEntries(WEEKDAYS.map((d) => [DAY_NAMES[d].toLowerCase(), d])),
  ...Object.fromEntries(WEEKDAYS.map((d) => [`${DAY_NAMES[d].toLowerCase()}s`, d])),
  tues: "tue",
  weds: "wed",
  thur: "thu",
  thurs: "thu",
};

export type DayOrDate = { kind: "day"; day: Weekday } | { kind: "date"; date: string };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A weekday (mon, Monday, mondays…), `today`, `tomorrow` or a YYYY-MM-DD date; null if none. */
export function readDayOrDate(token: string, timezone: string, now: number): DayOrDate | null {
  const t = token.toLowerCase();
  const day = DAY_SPELLINGS[t];
  if (day) return { kind: "day", day };
  const date = readDate(t, timezone, now);
  return date ? { kind: "date", date } : null;
}

/** `today`, `tomorrow` or a real YYYY-MM-DD date, as YYYY-MM-DD; null otherwise. */
export function readDate(token: string, timezone: string, now: number): string | null {
  const low = token.toLowerCase();
  const today = DateTime.fromMillis(now, { zone: timezone });
  if (low === "today") return today.toISODate();
  if (low === "tomorrow") return today.plus({ days: 1 }).toISODate();
  if (!ISO_DATE.test(low)) return null;
  const d = DateTime.fromISO(low, { zone: timezone });
  return d.isValid ? low : null;
}

/** Like {@link readDayOrDate}, but explains what it expected when the token is neither. */
export function dayOrDate(token: string | undefined, timezone: string, now: number): DayOrDate {
  if (token === undefined) throw new UsageError(t("rota.whichDay"));
  const found = readDayOrDate(token, timezone, now);
  if (found) return found;
  if (ISO_DATE.test(token)) throw new UsageError(t("rota.notRealDate"));
  const hint = closest(token.toLowerCase(), Object.keys(DAY_SPELLINGS));
  throw new UsageError(hint ? t("rota.notDayOrDateHint", { hint: command(hint) }) : t("rota.notDayOrDate"));
}

/** "9" → "09:00", "9:30" → "09:30"; anything else is returned as it is (and validated later). */
function normaliseTime(s: string): string {
  if (/^\d{1,2}$/.test(s)) return `${s.padStart(2, "0")}:00`;
  if (/^\d{1,2}:\d{2}$/.test(s)) return s.padStart(5, "0");
  return s;
}

/**
 * A shift's times from the arguments at `i`: "18:00-22:00", "18:00 - 22:00" or
 * "18:00 to 22:00". Returns the times and how many arguments they took.
 */
export function timeRange(args: string[], i: number): { from: string; to: string; used: number } {
  const first = args[i];
  if (first === undefined) throw new UsageError(t("rota.sayTimes"));
  let from: string;
  let to: string | undefined;
  let used: number;
  const joined = /^([^-–—]+)[-–—]([^-–—]+)$/.exec(first);
  if (joined) {
    [from, to, used] = [joined[1], joined[2], 1];
  } else if (args[i + 1] !== undefined && ["-", "–", "—", "to"].includes(args[i + 1].toLowerCase())) {
    [from, to, used] = [first, args[i + 2], 3];
  } else {
    throw new UsageError(t("rota.notTimes"));
  }
  if (to === undefined) throw new UsageError(t("rota.sayEnd"));
  from = normaliseTime(from);
  to = normaliseTime(to);
  const problem = validateShiftTimes(from, to);
  if (problem) throw new UsageError(shiftTimeProblemWords(problem));
  if (parseHHMM(from, true) === parseHHMM(to, true)) {
    throw new UsageError(t("rota.sameStartEnd", { from }));
  }
  return { from, to, used };
}

/** Local midnight at the start of `date` and of the day after it. */
export function dayBounds(timezone: string, date: string): { startMs: number; endMs: number } {
  const start = DateTime.fromISO(date, { zone: timezone }).startOf("day");
  return { startMs: start.toMillis(), endMs: start.plus({ days: 1 }).startOf("day").toMillis() };
}

export function weekdayOfDate(timezone: string, date: string): Weekday {
  return WEEKDAYS[DateTime.fromISO(date, { zone: timezone }).weekday - 1]!;
}

/**
 * The instants of a one-off shift on `date` from `from` to `to` (overnight when `to` is
 * not after `from`), with the domain's DST rules. Null when a DST change leaves it no time.
 */
export function oneOffOn(timezone: string, date: string, from: string, to: string): { startMs: number; endMs: number } | null {
  const { startMs, endMs } = dayBounds(timezone, date);
  const [occurrence] = shiftsStartingBetween(
    {
      timezone,
      recurring: [{ id: "new", userId: "", role: "peer", day: weekdayOfDate(timezone, date), from, to }],
      oneOff: [],
      overrides: [],
      breaks: [],
    },
    startMs,
    endMs,
  );
  return occurrence ? { startMs: occurrence.startMs, endMs: occurrence.endMs } : null;
}

/** `!rota show [week]`: this (default), next, last, or any date in the week. Returns the week's bounds. */
export function readWeek(token: string | undefined, timezone: string, now: number): { startMs: number; endMs: number } {
  const low = token?.toLowerCase();
  const week = 7 * 24 * 60 * 60 * 1000;
  if (low === undefined || low === "this") return weekBounds(timezone, now);
  // Half a week either side of this week's middle lands safely in the neighbour week, DST or not.
  const middle = (b: { startMs: number; endMs: number }) => (b.startMs + b.endMs) / 2;
  if (low === "next") return weekBounds(timezone, middle(weekBounds(timezone, now)) + week);
  if (low === "last" || low === "previous") return weekBounds(timezone, middle(weekBounds(timezone, now)) - week);
  const date = readDate(low, timezone, now);
  if (date) return weekBounds(timezone, dayBounds(timezone, date).startMs);
  throw new UsageError(t("rota.notWeek"));
}

/**
 * When a break ends: nothing (until the person ends it), `until` optional, then a date
 * (its start), a weekday (the next one), a time (its next occurrence), a date and a time,
 * or a duration (3d, 12h). Null means open-ended.
 */
export function breakUntil(args: string[], timezone: string, now: number): number | null {
  const rest = args[0]?.toLowerCase() === "until" ? args.slice(1) : args;
  if (rest.length === 0) {
    if (args.length > 0) throw new UsageError(t("rota.breakUntilWhen", { example: command("!break until 2026-03-10"), plain: command("!break") }));
    return null;
  }
  if (rest.length > 2) throw new UsageError(t("rota.breakOneGo", { until: command("!break until friday"), days: command("!break 3d") }));
  const local = DateTime.fromMillis(now, { zone: timezone });
  const [first, second] = rest;
  let until: number | null = null;
  const duration = rest.length === 1 ? parseDuration(first) : null;
  if (duration !== null && duration > 0) {
    until = now + duration;
  } else {
    const time = second ?? (/^\d{1,2}:\d{2}$/.test(first) ? first : undefined);
    const dayToken = second !== undefined || time === undefined ? first : undefined;
    let date: string | null = null;
    if (dayToken !== undefined) {
      const found = readDayOrDate(dayToken, timezone, now);
      if (!found) throw new UsageError(t("rota.breakNotWhen"));
      if (found.kind === "date") date = found.date;
      else {
        const ahead = (WEEKDAYS.indexOf(found.day) - (local.weekday - 1) + 7) % 7 || 7;
        date = local.plus({ days: ahead }).toISODate();
      }
    }
    let minutes = 0;
    if (time !== undefined) {
      const hhmm = normaliseTime(time);
      const m = parseHHMM(hhmm, true);
      if (m === null || m === 24 * 60) throw new UsageError(t("rota.notTimeOfDay"));
      minutes = m;
    }
    if (date === null) {
      // A time alone: its next occurrence.
      const today = local.startOf("day").plus({ minutes }).toMillis();
      until = today > now ? today : local.startOf("day").plus({ days: 1, minutes }).toMillis();
    } else {
      until = DateTime.fromISO(date, { zone: timezone }).startOf("day").plus({ minutes }).toMillis();
    }
  }
  if (until <= now) throw new UsageError(t("rota.breakPast", { plain: command("!break") }));
  return until;
}

