/**
 * Check-ins: when prompts are due, what each member's plan makes of them, what to do with a
 * prompt that could not be sent on time, who (if anyone) hears about a low or missed
 * check-in, and the words every answer is shown in.
 *
 * Pure domain code: no I/O, no clock. Instants are epoch milliseconds (UTC); local times go
 * through luxon in the community's time zone.
 *
 * DST: a prompt whose local time falls in a skipped hour (spring forward) goes at the end of
 * the gap (01:30 on 29 March 2026 in Europe/London → 02:00 BST); one in a repeated hour (fall
 * back) goes once, at the first occurrence.
 */
import { DateTime } from "luxon";
import { dateIn, localToMs, parseHHMM, plusDays, weekdayOf, WEEKDAYS, type Weekday } from "../../../kernel/localTime";

export { WEEKDAYS, localToMs };
export type { Weekday };

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const LOCALE = "en-GB";
/** A prompt sent more than this after its time says it is late and gives its original time. */
export const LATE_AFTER_MS = MINUTE;

// ---------------------------------------------------------------------------------------------
// Local time

/** The local calendar date of an instant, YYYY-MM-DD. */
export function localDate(zone: string, ms: number): string {
  return DateTime.fromMillis(ms, { zone }).toISODate() as string;
}

/** "Tuesday 3 March 2026". */
export function longDate(zone: string, ms: number): string {
  return DateTime.fromMillis(ms, { zone }).setLocale(LOCALE).toFormat("cccc d LLLL yyyy");
}

// ---------------------------------------------------------------------------------------------
// Schedules

export interface DailyTime {
  /** "HH:MM", local. */
  at: string;
  /** Default: every day. */
  days?: readonly Weekday[];
}

/** Occurrences of a daily prompt in [fromMs, toMs), oldest first. */
export function occurrencesBetween(zone: string, t: DailyTime, fromMs: number, toMs: number): number[] {
  const minute = parseHHMM(t.at);
  if (minute === null || !(toMs > fromMs)) return [];
  const out: number[] = [];
  const last = dateIn(zone, toMs);
  for (let d = plusDays(dateIn(zone, fromMs), -1); ; d = plusDays(d, 1)) {
    if (!t.days || t.days.includes(weekdayOf(d))) {
      const ms = localToMs(zone, d, minute);
      if (ms >= fromMs && ms < toMs) out.push(ms);
    }
    if (d.year === last.year && d.month === last.month && d.day === last.day) break;
  }
  return out;
}

/** The first occurrence strictly after `afterMs`; null if the days list is empty. */
export function nextOccurrence(zone: string, t: DailyTime, afterMs: number): number | null {
  if (t.days && t.days.length === 0) return null;
  const found = occurrencesBetween(zone, t, afterMs + 1, afterMs + 9 * DAY);
  return found.length ? found[0] : null;
}

export type AlumniRhythm = "weekly" | "fortnightly" | "monthly";
export const ALUMNI_RHYTHMS: readonly AlumniRhythm[] = ["weekly", "fortnightly", "monthly"];

/**
 * Alumni prompts run on a weekly grid (one weekday and time); each alumnus's rhythm picks
 * from it: every week, every other week (counted from a fixed Monday, so it never skips or
 * doubles at a year's end), or the first such weekday of each month.
 */
export function rhythmIncludes(rhythm: AlumniRhythm, zone: string, occurrenceMs: number): boolean {
  const dt = DateTime.fromMillis(occurrenceMs, { zone });
  switch (rhythm) {
    case "weekly":
      return true;
    case "monthly":
      return dt.day <= 7;
    case "fortnightly": {
      const days = Math.round(DateTime.utc(dt.year, dt.month, dt.day).diff(DateTime.utc(1970, 1, 5), "days").days);
      return Math.floor(days / 7) % 2 === 0;
    }
  }
}

/** "8w" / "30d" added to an instant in local days (so a review stays at the same local time). */
export function addInterval(zone: string, fromMs: number, interval: string): number | null {
  const m = /^([1-9]\d*)([dw])$/.exec(interval);
  if (!m) return null;
  const days = Number(m[1]) * (m[2] === "w" ? 7 : 1);
  return DateTime.fromMillis(fromMs, { zone }).plus({ days }).toMillis();
}

/** "8w" → 8 weeks, "30d" → 30 days; null when it is neither. */
export function parseInterval(interval: string): { n: number; unit: "d" | "w" } | null {
  const m = /^([1-9]\d*)([dw])$/.exec(interval);
  return m ? { n: Number(m[1]), unit: m[2] as "d" | "w" } : null;
}

// ---------------------------------------------------------------------------------------------
// Prompts missed while carenet was down

export interface CatchUpDecision {
  /** The one occurrence to send now (the latest, when it is within the grace window). */
  send?: number;
  /** True when `send` goes out after its time: the prompt says so and gives that time. */
  late: boolean;
  /** Occurrences not sent: reported to staff as a count, never sent as a burst. */
  skipped: number[];
}

/**
 * What to do with the occurrences of one prompt that came due while nothing could send them
 * (`due`: oldest first, all at or before now). Only the latest may still go out, and only
 * within the grace window; everything older is skipped.
 */
export function catchUp(due: readonly number[], nowMs: number, graceMs: number): CatchUpDecision {
  if (due.length === 0) return { late: false, skipped: [] };
  const latest = due[due.length - 1];
  const older = due.slice(0, -1);
  if (nowMs - latest <= graceMs) return { send: latest, late: nowMs - latest > LATE_AFTER_MS, skipped: older };
  return { late: false, skipped: [...due] };
}

// ---------------------------------------------------------------------------------------------
// The scale of worded answers

const KEYCAPS = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣", "🔟"];

/** The reaction that stands for answer `value` (1-based). */
export function optionKey(value: number): string {
  return KEYCAPS[value - 1] ?? String(value);
}

/**
 * The answer a reaction stands for, if any. Clients differ in whether they add the
 * variation selector to keycaps, so it is ignored; a plain digit works too.
 */
export function valueOfReaction(key: string, scaleSize: number): number | undefined {
  const bare = key.replace(/\uFE0F/g, "").trim();
  for (let v = 1; v <= scaleSize; v++) {
    if (bare === optionKey(v).replace(/\uFE0F/g, "") || bare === String(v)) return v;
  }
  return undefined;
}

/** "4 (fine)": the number and its words, always together. */
export function answerLabel(scale: readonly string[], value: number): string {
  return `${value} (${scale[value - 1] ?? "?"})`;
}

/** One line per answer for a prompt: "1️⃣ really struggling". */
export function scaleLines(scale: readonly string[]): string[] {
  return scale.map((words, i) => `${optionKey(i + 1)} ${words}`);
}

export function isLow(value: number, lowAtOrBelow: number): boolean {
  return value <= lowAtOrBelow;
}

/** Why an answer could not be read: nothing written, a number off the scale, or words that match no answer. */
export type AnswerProblem = { code: "empty" } | { code: "offScale"; value: number; max: number } | { code: "unmatched"; words: string };

export type ParsedAnswer = { ok: true; value: number; note: string } | { ok: false; problem: AnswerProblem };

/**
 * Reads "3", "3 a note", "okay", "really struggling, long day": a number on the scale or
 * the start of one of its wordings (the longest that fits), then an optional note.
 */
export function parseAnswer(text: string, scale: readonly string[]): ParsedAnswer {
  const t = text.trim();
  if (!t) return { ok: false, problem: { code: "empty" } };
  const lower = t.toLowerCase();
  const byLength = scale.map((w, i) => ({ w: w.toLowerCase(), value: i + 1 })).sort((a, b) => b.w.length - a.w.length);
  for (const { w, value } of byLength) {
    if (lower === w || (lower.startsWith(w) && /[\s,.;:!?—–-]/.test(lower.charAt(w.length)))) {
      return { ok: true, value, note: cleanNote(t.slice(w.length)) };
    }
  }
  const num = /^(\d+)(?:\s*\/\s*\d+)?(?=$|[\s,.;:!?—–-])/.exec(t);
  if (num) {
    const value = Number(num[1]);
    if (value >= 1 && value <= scale.length) return { ok: true, value, note: cleanNote(t.slice(num[0].length)) };
    return { ok: false, problem: { code: "offScale", value, max: scale.length } };
  }
  return { ok: false, problem: { code: "unmatched", words: t.split(/\s+/).slice(0, 3).join(" ") } };
}

function cleanNote(s: string): string {
  return s.replace(/^[\s,.;:!?—–-]+/, "").trim();
}

// ---------------------------------------------------------------------------------------------
// Plans

export type AlertTarget = "sponsor" | "on_call_staff";
export const ALERT_TARGETS: readonly AlertTarget[] = ["sponsor", "on_call_staff"];

export interface PromptChoice {
  /** Absent: on (the community's prompts are on until the member turns one off). */
  enabled?: boolean;
  /** One of the prompt's time options; absent or no longer offered: the prompt's `at`. */
  at?: string;
  /** The member's own wording; absent: the community's. */
  wording?: string;
}

export interface Plan {
  prompts: Record<string, PromptChoice>;
  /** Who hears about a low answer / a missed check-in: nobody unless the member names them. */
  alerts: { low: AlertTarget[]; missed: AlertTarget[] };
  /** What staff see in `!checkins`. */
  share: "nothing" | "answers";
  /** Whether notes go with what is shared (staff view, alerts). */
  notes: "private" | "shared";
  /** null: not paused; until null: paused until the member resumes. */
  paused: { until: number | null } | null;
}

export const DEFAULT_PLAN: Plan = Object.freeze({
  prompts: {},
  alerts: { low: [], missed: [] },
  share: "nothing",
  notes: "private",
  paused: null,
}) as Plan;

/** A plan read back from storage, with anything missing or unknown set to the default. */
export function normalisePlan(raw: unknown): Plan {
  const p = (raw && typeof raw === "object" ? raw : {}) as Partial<Plan>;
  const targets = (xs: unknown): AlertTarget[] =>
    Array.isArray(xs) ? ALERT_TARGETS.filter((t) => xs.includes(t)) : [];
  const prompts: Record<string, PromptChoice> = {};
  for (const [id, c] of Object.entries(p.prompts ?? {})) {
    if (!c || typeof c !== "object") continue;
    const choice: PromptChoice = {};
    if (typeof c.enabled === "boolean") choice.enabled = c.enabled;
    if (typeof c.at === "string") choice.at = c.at;
    if (typeof c.wording === "string") choice.wording = c.wording;
    prompts[id] = choice;
  }
  const paused = p.paused && typeof p.paused === "object" ? { until: typeof p.paused.until === "number" ? p.paused.until : null } : null;
  return {
    prompts,
    alerts: { low: targets(p.alerts?.low), missed: targets(p.alerts?.missed) },
    share: p.share === "answers" ? "answers" : "nothing",
    notes: p.notes === "shared" ? "shared" : "private",
    paused,
  };
}

/** A community's check-in prompt, as the plan sees it. */
export interface CommunityPrompt {
  id: string;
  at: string;
  days?: readonly Weekday[];
  prompt: string;
  times?: readonly string[];
  /** "dm" or a room key. */
  delivery?: string;
}

export interface ResolvedPrompt {
  id: string;
  enabled: boolean;
  /** The time this member gets it. */
  at: string;
  days?: readonly Weekday[];
  wording: string;
  ownWording: boolean;
  /** The times the member may choose from. */
  timeOptions: string[];
  delivery: string;
}

/** The times a prompt may be had at: a room prompt has one; a DM prompt `at` plus its `times`. */
export function timeOptions(p: CommunityPrompt): string[] {
  if ((p.delivery ?? "dm") !== "dm") return [p.at];
  return [...new Set([p.at, ...(p.times ?? [])])].sort();
}

/** Which of the community's prompts this member gets, when and in what words. */
export function resolvePlan(prompts: readonly CommunityPrompt[], plan: Plan): ResolvedPrompt[] {
  return prompts.map((p) => {
    const choice = plan.prompts[p.id] ?? {};
    const options = timeOptions(p);
    const delivery = p.delivery ?? "dm";
    // Own wording only makes sense for a prompt the member gets on their own.
    const ownWording = delivery === "dm" && !!choice.wording;
    return {
      id: p.id,
      enabled: choice.enabled !== false,
      at: choice.at && options.includes(choice.at) ? choice.at : p.at,
      days: p.days,
      wording: ownWording ? (choice.wording as string) : p.prompt,
      ownWording,
      timeOptions: options,
      delivery,
    };
  });
}

/** True while the plan is paused at `atMs`. */
export function isPaused(plan: Plan, atMs: number): boolean {
  return plan.paused !== null && (plan.paused.until === null || atMs < plan.paused.until);
}

/**
 * Whether this member gets the prompt `promptId` at the slot time `slotAt` (one of its time
 * options), given their plan: it must be on, at that time, and the plan not paused then.
 */
export function getsPrompt(prompts: readonly CommunityPrompt[], plan: Plan, promptId: string, slotAt: string, atMs: number): ResolvedPrompt | undefined {
  if (isPaused(plan, atMs)) return undefined;
  const r = resolvePlan(prompts, plan).find((x) => x.id === promptId);
  return r && r.enabled && r.at === slotAt ? r : undefined;
}

// ---------------------------------------------------------------------------------------------
// Alerts

export interface AlertPeople {
  member: string;
  sponsor: string | null;
  onCallStaff: readonly string[];
}

export interface AlertRouting {
  /** Exactly the people the member named, who can be reached now. */
  recipients: string[];
  /** Targets the member named that have nobody behind them right now (no sponsor, nobody on call). */
  unreachable: AlertTarget[];
}

/**
 * Who hears about a low answer or a missed check-in: the people the member named in their
 * plan, and nobody else. Nobody is the default.
 */
export function alertRecipients(plan: Plan, kind: "low" | "missed", people: AlertPeople): AlertRouting {
  const recipients: string[] = [];
  const unreachable: AlertTarget[] = [];
  for (const target of plan.alerts[kind]) {
    const who = target === "sponsor" ? (people.sponsor ? [people.sponsor] : []) : [...people.onCallStaff];
    const others = who.filter((u) => u !== people.member);
    if (others.length === 0) unreachable.push(target);
    for (const u of others) if (!recipients.includes(u)) recipients.push(u);
  }
  return { recipients, unreachable };
}

// ---------------------------------------------------------------------------------------------
// Week at a glance

export interface DayAnswer {
  /** YYYY-MM-DD the answer counts for. */
  localDate: string;
  value: number;
}

/** One local day of a member's week at a glance: when it starts, and its answers in order. */
export interface GlanceDay {
  /** YYYY-MM-DD. */
  localDate: string;
  /** The day's local midnight, in ms (for its weekday name, said in the reader's language). */
  startMs: number;
  values: number[];
}

/** The `days` local days ending with today, each with its answers in order ("Mon 4 · Tue 2/3 · Wed –" once said). */
export function weekAtAGlance(zone: string, nowMs: number, answers: readonly DayAnswer[], days = 7): GlanceDay[] {
  const today = DateTime.fromMillis(nowMs, { zone }).startOf("day");
  const out: GlanceDay[] = [];
  for (let i = days - 1; i >= 0; i--) {
    const d = today.minus({ days: i });
    const iso = d.toISODate() as string;
    out.push({ localDate: iso, startMs: d.toMillis(), values: answers.filter((a) => a.localDate === iso).map((a) => a.value) });
  }
  return out;
}
