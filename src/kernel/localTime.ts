/**
 * Wall-clock time in a community's time zone, the one way every capability reads it
 * (posting hours, rota shifts, check-in prompts), so that a room opening and a shift
 * starting at "01:30" mean the same instant even on the nights the clocks change.
 *
 * DST rules (luxon and the tz database supply the offsets):
 * - a local time that happens twice (autumn) means its **first** occurrence;
 * - a local time that does not exist (the spring gap) means **the end of the gap**, the
 *   first instant whose local time is at or after it: 01:30 on 29 March 2026 in London is
 *   02:00 BST. A span that lies wholly inside the gap is therefore empty.
 */
import { DateTime, IANAZone } from "luxon";

export type Weekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";

/** Index i is luxon's weekday i + 1 (Monday = 1). */
export const WEEKDAYS: readonly Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

export const DAY_NAMES: Record<Weekday, string> = {
  mon: "Monday",
  tue: "Tuesday",
  wed: "Wednesday",
  thu: "Thursday",
  fri: "Friday",
  sat: "Saturday",
  sun: "Sunday",
};

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

const DAY_MS = 24 * 60 * 60_000;
const DAY_MINUTES = 24 * 60;

// luxon builds an Intl.DateTimeFormat for every check; the rota asks for each shift.
const validZones = new Set<string>();

/** True when `zone` is an IANA time zone luxon knows (e.g. "Europe/London"). */
export function isValidZone(zone: unknown): zone is string {
  if (typeof zone !== "string") return false;
  if (validZones.has(zone)) return true;
  if (!IANAZone.isValidZone(zone)) return false;
  validZones.add(zone);
  return true;
}

/**
 * Minutes after midnight for "HH:MM" (two digits each, 00:00–23:59), or for "24:00" when
 * `allow24` (the end of a day: a window or shift that runs to midnight); else null.
 */
export function parseHHMM(s: unknown, allow24 = false): number | null {
  if (typeof s !== "string") return null;
  if (s === "24:00") return allow24 ? DAY_MINUTES : null;
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(s);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/**
 * Calendar arithmetic on plain dates (UTC has no DST, so a day is a day). With Date, not
 * luxon: the rota steps through days on every on-call question, and this is pure arithmetic.
 */
export function plusDays(d: CalendarDate, n: number): CalendarDate {
  const x = utcDate(d, n);
  return { year: x.getUTCFullYear(), month: x.getUTCMonth() + 1, day: x.getUTCDate() };
}

export function weekdayOf(d: CalendarDate): Weekday {
  // getUTCDay counts from Sunday; WEEKDAYS from Monday.
  return WEEKDAYS[(utcDate(d, 0).getUTCDay() + 6) % 7];
}

function utcDate(d: CalendarDate, plus: number): Date {
  const x = new Date(0);
  x.setUTCFullYear(d.year, d.month - 1, d.day + plus); // not Date.UTC: it reads years 0–99 as 1900s
  return x;
}

/** The local calendar date of an instant. */
export function dateIn(zone: string, ms: number): CalendarDate {
  const dt = DateTime.fromMillis(ms, { zone });
  return { year: dt.year, month: dt.month, day: dt.day };
}

/** Wall-clock time as comparable milliseconds (its "as if UTC" value). */
function wallMs(dt: DateTime): number {
  return dt.setZone("UTC", { keepLocalTime: true }).toMillis();
}

/**
 * The instant of `minuteOfDay` minutes after local midnight on `date` in `zone`, by the DST
 * rules above. `minuteOfDay` may reach 24:00 and beyond (the next days).
 */
export function localToMs(zone: string, date: CalendarDate, minuteOfDay: number): number {
  // Pure and asked the same instants again and again (each room's posting hours at every
  // start and boundary look days ahead and behind), and each answer costs luxon several
  // Intl look-ups: remembered, a few thousand at most.
  const key = `${zone} ${date.year}-${date.month}-${date.day} ${minuteOfDay}`;
  const known = instants.get(key);
  if (known !== undefined) return known;
  const ms = computeLocalToMs(zone, date, minuteOfDay);
  if (instants.size >= MAX_REMEMBERED_INSTANTS) instants.delete(instants.keys().next().value as string);
  instants.set(key, ms);
  return ms;
}

const MAX_REMEMBERED_INSTANTS = 4096;
const instants = new Map<string, number>();

function computeLocalToMs(zone: string, date: CalendarDate, minuteOfDay: number): number {
  const d = plusDays(date, Math.floor(minuteOfDay / DAY_MINUTES));
  const m = ((minuteOfDay % DAY_MINUTES) + DAY_MINUTES) % DAY_MINUTES;
  const want = { ...d, hour: Math.floor(m / 60), minute: m % 60 };
  const dt = DateTime.fromObject(want, { zone });
  const wantWall = DateTime.utc(want.year, want.month, want.day, want.hour, want.minute).toMillis();
  if (wallMs(dt) !== wantWall) {
    // Skipped: luxon moved it forward by the gap's length. Search for the gap's end instead.
    let lo = dt.toMillis() - DAY_MS; // before the gap: local time still earlier than wanted
    let hi = dt.toMillis(); // after the gap
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (wallMs(DateTime.fromMillis(mid, { zone })) >= wantWall) hi = mid;
      else lo = mid;
    }
    return hi;
  }
  // Repeated: both readings are valid; the first comes first.
  return Math.min(...dt.getPossibleOffsets().map((o) => o.toMillis()));
}
