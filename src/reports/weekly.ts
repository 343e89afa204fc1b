import { DateTime } from "luxon";
import { LONGEST_SHIFT_MS, type RotaService } from "../commands/rota/service";
import { Message } from "../commands/message";
import type { CommunityConfig, Weekday } from "../config/types";
import { coveredIntervals, totalMs } from "../domain/coverage";
import type { Db } from "../store/database";
import { weekCounts } from "../store/weeklyFigures";
import { ladderCoverage } from "../app/metricsSources";
import type { WeekChartData } from "./chart";

export const WEEKLY_JOB = "report.weekly";
const HOUR = 3600_000;
const WEEKDAY_NUMBER: Record<Weekday, number> = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 };

export const weeklyKey = (communityId: string, atMs: number) => `report.weekly:${communityId}:${atMs}`;

/** The next `day` at `hhmm` in `timezone` strictly after `afterMs`. */
export function nextWeeklyAt(timezone: string, day: Weekday, hhmm: string, afterMs: number): number {
  const [h, m] = hhmm.split(":").map(Number);
  let d = DateTime.fromMillis(afterMs, { zone: timezone }).startOf("day");
  for (let i = 0; i < 9; i++) {
    if (d.weekday === WEEKDAY_NUMBER[day]) {
      const at = d.set({ hour: h, minute: m, second: 0, millisecond: 0 }).toMillis();
      if (at > afterMs) return at;
    }
    d = d.plus({ days: 1 });
  }
  throw new Error(`no ${day} ${hhmm} in ${timezone} within nine days of ${afterMs}`);
}

export function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function duration(ms: number): string {
  const min = Math.round(ms / 60_000);
  if (min < 1) return "under a minute";
  if (min < 90) return `${min} min`;
  return `${Math.floor(min / 60)} h ${min % 60} min`;
}

const hours = (ms: number) => `${Math.round(ms / HOUR)} h`;
const pct = (part: number, whole: number) => (whole > 0 ? `${Math.round((100 * part) / whole)}%` : "—");

export interface WeeklyReport {
  title: string;
  message: Message;
  chart: WeekChartData;
}

/**
 * The week up to `atMs` for one community, in counts only: rota coverage per ladder step
 * (and the gaps of the week ahead), pages by outcome, the median time to acknowledge,
 * declines, check-in participation. No member is named and no note or answer is shown.
 */
export function weeklyReport(d: { db: Db; rota: RotaService }, c: CommunityConfig, atMs: number, now: number): WeeklyReport {
  const end = DateTime.fromMillis(atMs, { zone: c.timezone });
  const start = end.minus({ days: 7 });
  const fromMs = start.toMillis();
  const dayStarts = Array.from({ length: 7 }, (_, i) => start.plus({ days: i }).toMillis());
  const counts = weekCounts(d.db, c.id, fromMs, atMs, dayStarts);
  const past = ladderCoverage(d.rota, c, fromMs, atMs, now);
  const ahead = ladderCoverage(d.rota, c, atMs, end.plus({ days: 7 }).toMillis(), now);
  const peerStretches = d.rota.stretchesStarting(c, fromMs - LONGEST_SHIFT_MS, atMs, now).filter((s) => s.role === "peer");
  const coveragePerDay = dayStarts.map((s, i) => {
    const e = i + 1 < dayStarts.length ? dayStarts[i + 1] : atMs;
    return (100 * totalMs(coveredIntervals(peerStretches, s, e))) / (e - s);
  });
  const title = `${c.name}: week to ${end.toFormat("ccc d LLL yyyy")}`;
  const med = median(counts.ackDelaysMs);

  const m = new Message().heading(`Weekly picture: ${title}`);
  m.p(`${start.toFormat("ccc d LLL HH:mm")} to ${end.toFormat("ccc d LLL HH:mm")} (${c.timezone} time). Counts only: no names, no notes.`);
  m.heading("Rota coverage");
  m.list(
    past.map((s) => `Step ${s.step} (${s.target.replace(/_/g, " ")}): covered ${hours(s.coveredMs)} of ${hours(s.coveredMs + s.uncoveredMs)} (${pct(s.coveredMs, s.coveredMs + s.uncoveredMs)})`),
  );
  const firstAhead = ahead[0];
  if (firstAhead) m.p(`The week ahead: ${hours(firstAhead.uncoveredMs)} without anyone for step 1 (${firstAhead.target.replace(/_/g, " ")}).`);
  m.heading("Pages");
  m.list([
    `Opened: ${counts.pagesOpened}`,
    `Acknowledged: ${counts.pagesAcknowledged}`,
    `Nobody acknowledged (crisis resources sent, staff alerted): ${counts.pagesExhausted}`,
    `Other (still open, or closed before anyone acknowledged): ${counts.pagesOther}`,
    `Median time to acknowledge: ${med === null ? "no acknowledged pages" : `${duration(med)} (over ${counts.ackDelaysMs.length})`}`,
  ]);
  m.heading("Declines");
  m.list([`Shift requests declined: ${counts.shiftsDeclined}`]);
  m.heading("Check-ins");
  m.list([
    `Prompts sent: ${counts.promptsSent}`,
    `Answered: ${counts.promptsAnswered} (${pct(counts.promptsAnswered, counts.promptsSent)})`,
    `Missed: ${counts.promptsMissed}`,
  ]);
  return {
    title,
    message: m,
    chart: { days: dayStarts.map((s) => DateTime.fromMillis(s, { zone: c.timezone }).toFormat("ccc d")), pagesPerDay: counts.pagesPerDay, coveragePerDay },
  };
}
