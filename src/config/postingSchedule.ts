/**
 * A room's posting schedule as the config gives it, and its validation. The schedule's
 * meaning (when a room is open) is the hours feature's (features/hours/domain/postingHours);
 * the shape and its checks live here because loading the config checks them.
 */
import { DateTime } from "luxon";
import { isValidZone, parseHHMM, WEEKDAYS, type Weekday } from "../kernel/localTime";

const DAY_MINUTES = 24 * 60;

export interface WeeklyWindow {
  days: Weekday[];
  /** "HH:MM", local. */
  from: string;
  /** "HH:MM" or "24:00", local; `to <= from` ends on the next day. */
  to: string;
}

export interface DatedException {
  /** YYYY-MM-DD, local. */
  date: string;
  /** false closes the room (whole day, or from–to); true is an extra opening. */
  open: boolean;
  from?: string;
  to?: string;
  message?: string;
}

export interface PostingSchedule {
  /** IANA zone, e.g. Europe/London. */
  timezone: string;
  windows: WeeklyWindow[];
  exceptions?: DatedException[];
}

// ---------------------------------------------------------------------------------------------
// Validation

/** A calendar date (no zone) for "YYYY-MM-DD", else null. */
export function parseDate(s: unknown): DateTime | null {
  if (typeof s !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return null;
  const d = DateTime.fromISO(s, { zone: "UTC" });
  return d.isValid ? d : null;
}

function checkInterval(where: string, from: unknown, to: unknown, problems: string[]): void {
  const f = parseHHMM(from);
  const t = parseHHMM(to, true);
  if (f === null) problems.push(`${where}.from: ${JSON.stringify(from)} is not a time (use HH:MM, 00:00–23:59)`);
  if (t === null) problems.push(`${where}.to: ${JSON.stringify(to)} is not a time (use HH:MM, 00:00–24:00)`);
  if (f !== null && t !== null && f % DAY_MINUTES === t % DAY_MINUTES && !(f === 0 && t === DAY_MINUTES)) {
    problems.push(`${where}: from and to are both ${String(from)}, which is empty (use 00:00–24:00 for the whole day)`);
  }
}

/** Human-readable problems with a schedule; empty if it is fine. Each starts with where it is. */
export function validateSchedule(s: PostingSchedule): string[] {
  const problems: string[] = [];
  if (!isValidZone(s.timezone)) {
    problems.push(`timezone: ${JSON.stringify(s.timezone)} is not a known IANA time zone (e.g. Europe/London)`);
  }
  (s.windows ?? []).forEach((w, i) => {
    const where = `windows[${i}]`;
    if (!Array.isArray(w.days) || w.days.length === 0) {
      problems.push(`${where}.days: list at least one day (${WEEKDAYS.join(", ")})`);
    } else {
      for (const d of w.days) {
        if (!WEEKDAYS.includes(d)) problems.push(`${where}.days: ${JSON.stringify(d)} is not a day (use ${WEEKDAYS.join(", ")})`);
      }
    }
    checkInterval(where, w.from, w.to, problems);
  });
  (s.exceptions ?? []).forEach((e, i) => {
    const where = `exceptions[${i}]`;
    if (parseDate(e.date) === null) problems.push(`${where}.date: ${JSON.stringify(e.date)} is not a date (use YYYY-MM-DD)`);
    if (typeof e.open !== "boolean") problems.push(`${where}.open: must be true (extra opening) or false (closure)`);
    if ((e.from === undefined) !== (e.to === undefined)) {
      problems.push(`${where}: give both from and to, or neither for the whole day`);
    } else if (e.from !== undefined) {
      checkInterval(where, e.from, e.to, problems);
    }
    if (e.open === true && (s.windows ?? []).length === 0) {
      problems.push(`${where}: an extra opening has no effect because with no weekly windows the room is always open`);
    }
  });
  return problems;
}
