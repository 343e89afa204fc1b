/**
 * Posting hours: when a room is open to members, in the community's local time.
 *
 * Pure domain code: no I/O, no clock. Instants at the boundary are epoch milliseconds (UTC);
 * everything local goes through luxon, never hand-made offset arithmetic.
 *
 * Semantics
 * - Weekly windows are wall-clock times in the schedule's IANA zone. A window starts on each
 *   listed day; if `to <= from` it crosses midnight and ends on the next day; "24:00" means the
 *   next midnight; 00:00–24:00 is the whole day.
 * - Open = (weekly windows − closure exceptions) ∪ opening exceptions. So a dated closure
 *   overrides the weekly windows for the times it covers, and an extra opening wins over both.
 * - No weekly windows means the weekly baseline is "always open"; closure exceptions still close
 *   (an opening exception would then do nothing, so validateSchedule reports it).
 * - Touching or overlapping open intervals merge: mon 17:00–24:00 + tue 00:00–09:00 is one
 *   period with no transition at midnight.
 *
 * DST rules
 * - A boundary in a skipped local hour (spring forward) takes effect at the first valid instant
 *   after the gap: 01:30 on 29 March 2026 in Europe/London is 02:00 BST (01:00Z). luxon on its
 *   own would shift it forward by the gap length (to 02:30 BST), so we correct that explicitly.
 * - A boundary in a repeated local hour (fall back) takes effect at its first occurrence:
 *   01:30 on 25 October 2026 in Europe/London is 01:30 BST (00:30Z). luxon on its own picks the
 *   later occurrence, so we pick the earliest of getPossibleOffsets() explicitly.
 * - Windows are wall-clock, so an overnight window across a DST change lasts one hour less
 *   (spring) or more (autumn) in real time; a window wholly inside a gap is empty.
 */
import { listOf, t, time, zone, type Value } from "../../../words";

type Words = ReturnType<typeof t>;
import { localToMs, parseHHMM, WEEKDAYS, type Weekday } from "../../../kernel/localTime";
import { parseDate, validateSchedule, type DatedException, type PostingSchedule, type WeeklyWindow } from "../../../config/postingSchedule";
import { DateTime } from "luxon";
import { mergeIntervals, type Interval } from "../../../kernel/intervals";

export type { Weekday };
// The schedule's shape and its validation sit with the config, which checks it on load.
export { validateSchedule };
export type { WeeklyWindow, DatedException, PostingSchedule } from "../../../config/postingSchedule";

export interface Transition {
  atMs: number;
  /** The state from atMs on. */
  open: boolean;
  /** The exception that decides the new state, if one does (e.g. a closure date). */
  exception?: DatedException;
}

const DAY_MINUTES = 24 * 60;
/** How far nextTransition looks; growing horizons keep the common case cheap. */
const HORIZONS_DAYS = [8, 35, 400];
const LOCALE = "en-GB";

type Span = Interval;

function assertValid(s: PostingSchedule): void {
  const problems = validateSchedule(s);
  if (problems.length > 0) throw new Error(`invalid posting schedule: ${problems.join("; ")}`);
}

// ---------------------------------------------------------------------------------------------
// Local wall-clock time → instants

/** The local calendar date of an instant, as a zone-free date used only for day arithmetic. */
function localDate(zone: string, atMs: number): DateTime {
  const local = DateTime.fromMillis(atMs, { zone });
  return DateTime.utc(local.year, local.month, local.day);
}

/** The instant of `minutes` after local midnight on `date` (minutes may reach 24:00 and beyond). */
function wallToMs(zone: string, date: DateTime, minutes: number): number {
  return localToMs(zone, { year: date.year, month: date.month, day: date.day }, minutes);
}

/** A local from–to on `date` as an instant span; to <= from runs into the next day. */
function spanOn(zone: string, date: DateTime, from: string, to: string): Span {
  const f = parseHHMM(from) as number;
  let t = parseHHMM(to, true) as number;
  if (t <= f) t += DAY_MINUTES;
  return { startMs: wallToMs(zone, date, f), endMs: wallToMs(zone, date, t) };
}

function exceptionSpan(zone: string, e: DatedException): Span {
  return spanOn(zone, parseDate(e.date) as DateTime, e.from ?? "00:00", e.to ?? "24:00");
}

// ---------------------------------------------------------------------------------------------
// Interval algebra on sorted, disjoint spans


function subtract(from: Span[], cut: Span[]): Span[] {
  let out = from;
  for (const c of cut) {
    const next: Span[] = [];
    for (const x of out) {
      if (c.endMs <= x.startMs || c.startMs >= x.endMs) next.push(x);
      else {
        if (x.startMs < c.startMs) next.push({ startMs: x.startMs, endMs: c.startMs });
        if (c.endMs < x.endMs) next.push({ startMs: c.endMs, endMs: x.endMs });
      }
    }
    out = next;
  }
  return out;
}

/**
 * Open spans, complete for instants from the start of `firstDate + 1` to the end of `lastDate`
 * (windows starting before firstDate or after lastDate are not generated).
 */
function openSpans(s: PostingSchedule, firstDate: DateTime, lastDate: DateTime): Span[] {
  const zone = s.timezone;
  let weekly: Span[] = [];
  if (s.windows.length === 0) {
    weekly = [{ startMs: -Infinity, endMs: Infinity }];
  } else {
    for (let d = firstDate; d.toMillis() <= lastDate.toMillis(); d = d.plus({ days: 1 })) {
      const wd = WEEKDAYS[d.weekday - 1];
      for (const w of s.windows) if (w.days.includes(wd)) weekly.push(spanOn(zone, d, w.from, w.to));
    }
  }
  const exceptions = s.exceptions ?? [];
  const closures = exceptions.filter((e) => !e.open).map((e) => exceptionSpan(zone, e));
  const openings = exceptions.filter((e) => e.open).map((e) => exceptionSpan(zone, e));
  return mergeIntervals([...subtract(mergeIntervals(weekly), closures), ...openings]);
}

function contains(spans: Span[], atMs: number): boolean {
  return spans.some((x) => x.startMs <= atMs && atMs < x.endMs);
}

function isAlwaysOpen(s: PostingSchedule): boolean {
  return s.windows.length === 0 && (s.exceptions ?? []).length === 0;
}

/** The exception that decides the state at atMs, if any (openings win over closures). */
export function exceptionInForce(s: PostingSchedule, atMs: number, open: boolean): DatedException | undefined {
  return (s.exceptions ?? []).find((e) => e.open === open && contains([exceptionSpan(s.timezone, e)], atMs));
}

// ---------------------------------------------------------------------------------------------
// Queries

export function isOpenAt(s: PostingSchedule, atMs: number): boolean {
  assertValid(s);
  if (isAlwaysOpen(s)) return true;
  const d = localDate(s.timezone, atMs);
  return contains(openSpans(s, d.minus({ days: 2 }), d.plus({ days: 1 })), atMs);
}

/** The first instant strictly after afterMs where the state changes; null if none within ~400 days. */
export function nextTransition(s: PostingSchedule, afterMs: number): Transition | null {
  assertValid(s);
  if (isAlwaysOpen(s)) return null;
  const d = localDate(s.timezone, afterMs);
  for (const days of HORIZONS_DAYS) {
    const last = d.plus({ days });
    // Beyond this instant, windows of later days are missing, so a boundary there may be an artefact.
    const horizonMs = wallToMs(s.timezone, last, DAY_MINUTES);
    let best: Transition | null = null;
    for (const x of openSpans(s, d.minus({ days: 2 }), last)) {
      for (const [atMs, open] of [[x.startMs, true], [x.endMs, false]] as const) {
        if (atMs > afterMs && atMs < horizonMs && (best === null || atMs < best.atMs)) best = { atMs, open };
      }
    }
    if (best) {
      const exception = exceptionInForce(s, best.atMs, best.open);
      return exception ? { ...best, exception } : best;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Words for members

function isWholeDay(from: string, to: string): boolean {
  return from === "00:00" && to === "24:00";
}

/** Ends text with a full stop unless it already ends a sentence. */
function asSentence(text: string): string {
  const t = text.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/**
 * The schedule in its reader's words, e.g. "Open Monday to Friday 17:00–09:00 (overnight) and all
 * day Saturday and Sunday (times are UK time)." followed by one sentence per dated exception.
 */
export function describeSchedule(s: PostingSchedule): Words {
  // Group windows with the same days, keeping the configured order.
  const groups = new Map<string, { days: Weekday[]; windows: WeeklyWindow[] }>();
  for (const w of s.windows) {
    const key = [...new Set(w.days)].sort((a, b) => WEEKDAYS.indexOf(a) - WEEKDAYS.indexOf(b)).join(",");
    const g = groups.get(key) ?? { days: w.days, windows: [] };
    g.windows.push(w);
    groups.set(key, g);
  }
  const parts = [...groups.values()].map(({ days, windows }) =>
    windows.some((w) => isWholeDay(w.from, w.to))
      ? t("hours.allDay", { days: daysWords(days) })
      : t("hours.daysTimes", { days: daysWords(days), times: listOf(windows.map((w) => timesWords(w.from, w.to))) }),
  );
  let sentences = parts.length > 0 ? t("hours.openSchedule", { parts: listOf(parts), zone: zone(s.timezone) }) : t("hours.openAlways");

  const exceptions = [...(s.exceptions ?? [])].sort((a, b) => a.date.localeCompare(b.date));
  for (const e of exceptions) {
    // Noon of the local date: the date is the same whatever the zone's offset that day.
    const date = time((parseDate(e.date) as DateTime).setZone(s.timezone, { keepLocalTime: true }).set({ hour: 12 }).toMillis(), s.timezone, "date");
    const when =
      e.from === undefined || e.to === undefined || isWholeDay(e.from, e.to)
        ? t("hours.allDay", { days: date })
        : t("hours.daysTimes", { days: date, times: timesWords(e.from, e.to) });
    const open = e.open ? "yes" : "no";
    const sentence = e.message?.trim() ? t("hours.exceptionNote", { open, when, message: asSentence(e.message.trim()) }) : t("hours.exception", { open, when });
    sentences = t("hours.sentences", { first: sentences, next: sentence });
  }
  return sentences;
}

function daysWords(days: Weekday[]): Value {
  const idx = [...new Set(days.map((d) => WEEKDAYS.indexOf(d)))].sort((a, b) => a - b);
  if (idx.length === 7) return t("hours.everyDay");
  const items: Words[] = [];
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1] === idx[j] + 1) j++;
    const name = (k: number) => t("rota.weekday", { day: WEEKDAYS[idx[k]] });
    if (j - i >= 2) items.push(t("hours.dayRange", { first: name(i), last: name(j) }));
    else for (let k = i; k <= j; k++) items.push(name(k));
    i = j + 1;
  }
  return items.length === 1 ? items[0] : listOf(items);
}

function timesWords(from: string, to: string): Words {
  const overnight = (parseHHMM(to, true) as number) <= (parseHHMM(from) as number);
  return t("hours.times", { from, to, overnight: overnight ? "yes" : "no" });
}

/** "today at 17:00", "tomorrow at 09:00", "Saturday at 00:00", "Friday 25 December at 00:00". */
function describeWhen(zone: string, atMs: number, nowMs: number): string {
  const at = DateTime.fromMillis(atMs, { zone }).setLocale(LOCALE);
  const days = localDate(zone, atMs).diff(localDate(zone, nowMs), "days").days;
  const time = at.toFormat("HH:mm");
  if (days === 0) return `today at ${time}`;
  if (days === 1) return `tomorrow at ${time}`;
  if (days < 7) return `${at.toFormat("cccc")} at ${time}`;
  const sameYear = at.year === DateTime.fromMillis(nowMs, { zone }).year;
  return `${at.toFormat(sameYear ? "cccc d LLLL" : "cccc d LLLL yyyy")} at ${time}`;
}

/** The state now in plain words, e.g. "Open now, closes tomorrow at 09:00." (local times). */
export function describeState(s: PostingSchedule, atMs: number): string {
  if (isAlwaysOpen(s)) {
    assertValid(s);
    return "Open now, at all times.";
  }
  const open = isOpenAt(s, atMs);
  const next = nextTransition(s, atMs);
  const head = open ? "Open now" : "Closed now";
  const tail = next
    ? `${open ? "closes" : "opens"} ${describeWhen(s.timezone, next.atMs, atMs)}`
    : `no ${open ? "closing" : "opening"} is scheduled`;
  const sentence = `${head}, ${tail}.`;
  const message = exceptionInForce(s, atMs, open)?.message?.trim();
  return message ? `${sentence} ${asSentence(message)}` : sentence;
}
