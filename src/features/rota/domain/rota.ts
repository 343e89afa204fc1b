/**
 * Rota resolution: who is on call at an instant, and which concrete shift
 * occurrences start in a window (for handoff reminders and load caps).
 *
 * Pure domain code: no I/O, no clock. Every instant is epoch milliseconds; local
 * wall-clock times are interpreted in the community's IANA time zone with luxon.
 *
 * Model (after GoAlert's schedule rules + user overrides):
 *
 * - A {@link RecurringShift} is a weekly wall-clock window: `day` + `from`..`to` in the
 *   community zone. `to <= from` means the shift crosses midnight and ends on the next
 *   day (so `from === to` is a 24-hour shift); `to` may be "24:00" (end of `day`).
 * - A {@link OneOffShift} is a fixed [startMs, endMs) interval.
 * - An {@link Override} with `coveredUserId` set *replaces*: within [startMs, endMs) every
 *   shift scheduled for `coveredUserId` is held by `coverUserId` instead (the cover takes
 *   the role of the shift it covers). With `coveredUserId: null` it *adds*: `coverUserId`
 *   is on call for [startMs, endMs) in `role` (default "peer") without replacing anyone.
 * - Replace overrides match the user the shift was **scheduled** for, never a cover, so
 *   they do not chain. That is what makes a swap two plain overrides, see swapOverrides in ./overrides.ts.
 * - If two replace overrides for the same user overlap (the command layer should refuse
 *   this, see overlappingOverrides in ./overrides.ts), the one that starts later wins where they
 *   overlap; equal starts are ordered by id, the greater id winning. Deterministic either way.
 * - A {@link Break} takes a user off call (any role) while it lasts: a user on break is
 *   never returned by {@link onCallAt} and gets no shift occurrences from
 *   {@link shiftsStartingBetween}. Breaks do not hand the shift to anyone else: the
 *   escalation ladder (backup peers, staff) is what covers a gap.
 *
 * DST, as everywhere in carenet (see ./localTime.ts): a wall-clock time that occurs twice
 * (autumn) means its **first** occurrence; a wall-clock time that does not exist (spring
 * gap) means the end of the gap (01:30 on 29 March 2026 in London is 02:00 BST), so a shift
 * and a posting window that both start at 01:30 start together. Shifts keep their
 * wall-clock times, so their length in real time changes on DST nights (an overnight
 * 22:00–06:00 lasts 7 hours in spring and 9 in autumn). An occurrence that lies wholly in
 * the gap (01:15–01:45 on that night) has no time and does not happen.
 *
 * Shifts whose `from`/`to` fail {@link validateShiftTimes}, and intervals with
 * `endMs <= startMs`, are ignored: input is validated before it reaches the rota.
 * An unknown time zone is a programming error (config validation refuses it) and throws.
 */
import { IANAZone } from "luxon";
import { dateIn, isValidZone, localToMs as wallClockToMs, parseHHMM, plusDays, weekdayOf, WEEKDAYS, type CalendarDate, type Weekday } from "../../../kernel/localTime";

export { WEEKDAYS };
export type { Weekday };
export type RotaRole = "peer" | "staff";


export interface RecurringShift {
  id: string;
  userId: string;
  role: RotaRole;
  day: Weekday;
  /** "HH:MM", 00:00–23:59, community local time. */
  from: string;
  /** "HH:MM", 00:00–24:00; `to <= from` ends on the next day. */
  to: string;
}

export interface OneOffShift {
  id: string;
  userId: string;
  role: RotaRole;
  startMs: number;
  endMs: number;
}

export interface Override {
  id: string;
  /** The user being covered ("replace"); null adds cover without replacing anyone ("add"). */
  coveredUserId: string | null;
  coverUserId: string;
  startMs: number;
  endMs: number;
  /** Only for add overrides: the role the cover is on call in. Defaults to "peer". */
  role?: RotaRole;
}

export interface Break {
  userId: string;
  /** null = until the user ends it. */
  untilMs: number | null;
}

export interface RotaInput {
  timezone: string;
  recurring: RecurringShift[];
  oneOff: OneOffShift[];
  overrides: Override[];
  breaks: Break[];
}

export interface OnCall {
  peers: string[];
  staff: string[];
}

/** A concrete stretch of on-call time, after overrides. */
export interface ShiftOccurrence {
  userId: string;
  role: RotaRole;
  startMs: number;
  endMs: number;
  /** The recurring/one-off shift this stretch comes from, or the add override's id. */
  shiftId: string;
  /** Set when the stretch is held because of an override (replace or add). */
  overrideId?: string;
  /** The user the shift was scheduled for, when an override gave it to someone else. */
  coveringFor?: string;
}

// ---------------------------------------------------------------------------
// Times of day

const HHMM = /^(\d{2}):(\d{2})$/;


/**
 * What is wrong with a shift's `from`/`to`, as a code with its values (the command layer
 * says it in its reader's words): a time that is not "HH:MM", one out of range, or a
 * shift starting at 24:00.
 */
export type ShiftTimeProblem =
  | { code: "notATime"; which: "start" | "end"; value: string }
  | { code: "outOfRange"; which: "start" | "end"; value: string }
  | { code: "startsAt24" };

/**
 * Checks a shift's `from`/`to`. Returns what is wrong, or null when fine.
 * `from` is 00:00–23:59; `to` is 00:00–24:00; `to <= from` is an overnight shift.
 */
export function validateShiftTimes(from: string, to: string): ShiftTimeProblem | null {
  const f = badTime("start", from);
  if (f) return f;
  const t = badTime("end", to);
  if (t) return t;
  if (parseHHMM(from, true) === 24 * 60) return { code: "startsAt24" };
  return null;
}

function badTime(which: "start" | "end", s: string): ShiftTimeProblem | null {
  if (typeof s !== "string" || !HHMM.test(s)) return { code: "notATime", which, value: String(s) };
  if (parseHHMM(s, true) === null) return { code: "outOfRange", which, value: s };
  return null;
}

// ---------------------------------------------------------------------------
// Local time -> instant (luxon), with GoAlert's DST rules.

export function zoneOf(timezone: string): IANAZone {
  if (!isValidZone(timezone)) {
    throw new RangeError(`Unknown time zone "${timezone}"`);
  }
  return IANAZone.create(timezone);
}

function localToMs(zone: IANAZone, date: CalendarDate, minuteOfDay: number): number {
  return wallClockToMs(zone.name, date, minuteOfDay);
}

function localDateOf(zone: IANAZone, ms: number): CalendarDate {
  return dateIn(zone.name, ms);
}

// ---------------------------------------------------------------------------
// Occurrences and overrides

interface BaseOccurrence {
  userId: string;
  role: RotaRole;
  startMs: number;
  endMs: number;
  shiftId: string;
}

/** Recurring + one-off occurrences overlapping [fromMs, toMs), before overrides. */
function baseOccurrences(input: RotaInput, zone: IANAZone, fromMs: number, toMs: number): BaseOccurrence[] {
  const out: BaseOccurrence[] = [];
  // A shift lasts at most 24 wall-clock hours (25 real hours on an autumn night), so
  // one that overlaps the window starts on a local date from two days before it.
  const first = plusDays(localDateOf(zone, fromMs), -2);
  const last = localDateOf(zone, toMs);
  const valid = input.recurring.filter((s) => validateShiftTimes(s.from, s.to) === null);
  for (let d = first; compareDates(d, last) <= 0; d = plusDays(d, 1)) {
    const wd = weekdayOf(d);
    for (const s of valid) {
      if (s.day !== wd) continue;
      const from = parseHHMM(s.from, true)!;
      let to = parseHHMM(s.to, true)!;
      if (to <= from) to += 1440;
      const startMs = localToMs(zone, d, from);
      const endMs = localToMs(zone, d, to);
      if (endMs <= startMs) continue; // left with no time by a spring-forward gap
      if (endMs <= fromMs || startMs >= toMs) continue;
      out.push({ userId: s.userId, role: s.role, startMs, endMs, shiftId: s.id });
    }
  }
  for (const s of input.oneOff) {
    if (!(s.endMs > s.startMs)) continue;
    if (s.endMs <= fromMs || s.startMs >= toMs) continue;
    out.push({ userId: s.userId, role: s.role, startMs: s.startMs, endMs: s.endMs, shiftId: s.id });
  }
  return out;
}

function compareDates(a: CalendarDate, b: CalendarDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** Replace overrides in the order they are painted: later start last, then greater id last. */
function replaceOrder(a: Override, b: Override): number {
  return a.startMs - b.startMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** A stretch plus the scheduled occurrence it comes from (for counting shifts). */
export interface Stretch extends ShiftOccurrence {
  key: string;
}

/** Splits one scheduled occurrence into the stretches held by the scheduled user or covers. */
function applyReplaceOverrides(occ: BaseOccurrence, overrides: Override[]): Stretch[] {
  const key = `${occ.shiftId}@${occ.startMs}`;
  let pieces: Stretch[] = [{ ...occ, key }];
  const relevant = overrides
    .filter(
      (o) =>
        o.coveredUserId === occ.userId &&
        o.endMs > o.startMs &&
        o.startMs < occ.endMs &&
        o.endMs > occ.startMs,
    )
    .sort(replaceOrder);
  for (const o of relevant) {
    const next: Stretch[] = [];
    for (const p of pieces) {
      const a = Math.max(p.startMs, o.startMs);
      const b = Math.min(p.endMs, o.endMs);
      if (a >= b) {
        next.push(p);
        continue;
      }
      if (p.startMs < a) next.push({ ...p, endMs: a });
      next.push({
        userId: o.coverUserId,
        role: occ.role,
        startMs: a,
        endMs: b,
        shiftId: occ.shiftId,
        overrideId: o.id,
        coveringFor: occ.userId,
        key,
      });
      if (b < p.endMs) next.push({ ...p, startMs: b });
    }
    pieces = next;
  }
  // A user "covering" their own shift is simply the scheduled user.
  return pieces.map((p) =>
    p.coveringFor !== undefined && p.userId === p.coveringFor
      ? { userId: p.userId, role: p.role, startMs: p.startMs, endMs: p.endMs, shiftId: p.shiftId, key }
      : p,
  );
}

/** All on-call stretches overlapping [fromMs, toMs), after overrides, before breaks. */
function resolvedOccurrences(input: RotaInput, fromMs: number, toMs: number): Stretch[] {
  const zone = zoneOf(input.timezone);
  const out: Stretch[] = [];
  for (const occ of baseOccurrences(input, zone, fromMs, toMs)) {
    for (const p of applyReplaceOverrides(occ, input.overrides)) {
      if (p.endMs > fromMs && p.startMs < toMs) out.push(p);
    }
  }
  for (const o of input.overrides) {
    if (o.coveredUserId !== null || !(o.endMs > o.startMs)) continue;
    if (o.endMs <= fromMs || o.startMs >= toMs) continue;
    out.push({
      userId: o.coverUserId,
      role: o.role ?? "peer",
      startMs: o.startMs,
      endMs: o.endMs,
      shiftId: o.id,
      overrideId: o.id,
      key: `${o.id}@${o.startMs}`,
    });
  }
  return out;
}

/** True when `userId` has a break in effect at `atMs`. */
export function isOnBreak(breaks: Break[], userId: string, atMs: number): boolean {
  return breaks.some((b) => b.userId === userId && (b.untilMs === null || atMs < b.untilMs));
}

function sortedUnique(ids: Iterable<string>): string[] {
  return [...new Set(ids)].sort();
}

function byStartThenUser(a: ShiftOccurrence, b: ShiftOccurrence): number {
  return (
    a.startMs - b.startMs ||
    (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0) ||
    (a.shiftId < b.shiftId ? -1 : a.shiftId > b.shiftId ? 1 : 0)
  );
}

// ---------------------------------------------------------------------------
// Public queries

/** Who is on call at `atMs`: sorted user ids, no duplicates within a role. */
export function onCallAt(input: RotaInput, atMs: number): OnCall {
  const peers: string[] = [];
  const staff: string[] = [];
  for (const o of resolvedOccurrences(input, atMs, atMs + 1)) {
    if (!(o.startMs <= atMs && atMs < o.endMs)) continue;
    if (isOnBreak(input.breaks, o.userId, atMs)) continue;
    (o.role === "peer" ? peers : staff).push(o.userId);
  }
  return { peers: sortedUnique(peers), staff: sortedUnique(staff) };
}

/**
 * Concrete on-call stretches starting in [fromMs, toMs), after overrides, ordered by start
 * then user. A stretch handed over by an override mid-shift starts where the override
 * starts (the cover's handoff), and the scheduled user's stretch resumes where it ends.
 * Stretches whose holder is on break at their start are left out.
 */
export function shiftsStartingBetween(input: RotaInput, fromMs: number, toMs: number): ShiftOccurrence[] {
  return stretchesStartingBetween(input, fromMs, toMs).map(({ key, ...occurrence }) => {
    void key;
    return occurrence;
  });
}

/** {@link shiftsStartingBetween} with the scheduled occurrence each stretch comes from (for load counts). */
export function stretchesStartingBetween(input: RotaInput, fromMs: number, toMs: number): Stretch[] {
  if (!(toMs > fromMs)) return [];
  return resolvedOccurrences(input, fromMs, toMs)
    .filter((o) => o.startMs >= fromMs && o.startMs < toMs)
    .filter((o) => !isOnBreak(input.breaks, o.userId, o.startMs))
    .sort(byStartThenUser);
}
