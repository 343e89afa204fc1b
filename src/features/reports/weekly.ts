import { DateTime } from "luxon";
import { LONGEST_SHIFT_MS } from "../../config/rotaSettings";
import { Message } from "../../messaging/message";
import { communityReader, inCommunityLanguage, t, time, zone } from "../../words";
import type { CommunityConfig, Weekday } from "../../config/types";
import { coveredIntervals, totalMs } from "../../kernel/intervals";
import type { RotaStretches } from "../../ports/rota";
import type { Db } from "../../store/database";
import { weekCounts } from "./store/weeklyFigures";
import { ladderCoverage } from "./ladderCoverage";
import type { ChartTexts, WeekChartData } from "./chart";

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

function duration(ms: number) {
  const min = Math.round(ms / 60_000);
  if (min < 1) return t("reports.underMinute");
  if (min < 90) return t("reports.minutes", { min });
  return t("reports.hoursMinutes", { h: Math.floor(min / 60), min: min % 60 });
}

const hours = (ms: number) => Math.round(ms / HOUR);
const pct = (part: number, whole: number) => (whole > 0 ? `${Math.round((100 * part) / whole)}%` : "—");

export interface WeeklyReport {
  /** The chart image's words, in the community's language. */
  chartTexts: ChartTexts;
  /** The chart image's plain body (what clients without images show), in the community's language. */
  chartBody: string;
  message: Message;
  chart: WeekChartData;
}

/**
 * The week up to `atMs` for one community, in counts only: rota coverage per ladder step
 * (and the gaps of the week ahead), pages by outcome, the median time to acknowledge,
 * declines, check-in participation. No member is named and no note or answer is shown.
 */
export function weeklyReport(d: { db: Db; rota: RotaStretches }, c: CommunityConfig, atMs: number, now: number): WeeklyReport {
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
  // The chart is an image: its words are rendered once, as the community reads (docs/words.md).
  const language = communityReader(c).language;
  const chartTexts: ChartTexts = {
    title: inCommunityLanguage(c, t("reports.chartTitle", { community: c.name, end: end.setLocale(language).toFormat("ccc d LLL yyyy") })),
    pages: inCommunityLanguage(c, t("reports.chartPages")),
    coverage: inCommunityLanguage(c, t("reports.chartCoverage")),
  };
  const med = median(counts.ackDelaysMs);

  const m = new Message().heading(t("reports.heading", { community: c.name, end: time(atMs, c.timezone, "date") }));
  m.p(t("reports.span", { start: time(fromMs, c.timezone, "datetime"), end: time(atMs, c.timezone, "datetime"), zone: zone(c.timezone) }));
  m.heading(t("reports.coverage"));
  m.list(
    past.map((s) =>
      t("reports.step", {
        step: s.step,
        target: s.target.replace(/_/g, " "),
        covered: hours(s.coveredMs),
        total: hours(s.coveredMs + s.uncoveredMs),
        percent: pct(s.coveredMs, s.coveredMs + s.uncoveredMs),
      }),
    ),
  );
  const firstAhead = ahead[0];
  if (firstAhead) m.p(t("reports.ahead", { hours: hours(firstAhead.uncoveredMs), target: firstAhead.target.replace(/_/g, " ") }));
  m.heading(t("reports.pages"));
  m.list([
    t("reports.opened", { n: counts.pagesOpened }),
    t("reports.acknowledged", { n: counts.pagesAcknowledged }),
    t("reports.exhausted", { n: counts.pagesExhausted }),
    t("reports.other", { n: counts.pagesOther }),
    med === null ? t("reports.medianNone") : t("reports.median", { duration: duration(med), n: counts.ackDelaysMs.length }),
  ]);
  m.heading(t("reports.declines"));
  m.list([t("reports.declined", { n: counts.shiftsDeclined })]);
  m.heading(t("reports.checkins"));
  m.list([
    t("reports.promptsSent", { n: counts.promptsSent }),
    t("reports.answered", { n: counts.promptsAnswered, percent: pct(counts.promptsAnswered, counts.promptsSent) }),
    t("reports.missed", { n: counts.promptsMissed }),
  ]);
  return {
    chartTexts,
    chartBody: inCommunityLanguage(c, t("reports.chartBody")),
    message: m,
    chart: { days: dayStarts.map((s) => DateTime.fromMillis(s, { zone: c.timezone }).setLocale(language).toFormat("ccc d")), pagesPerDay: counts.pagesPerDay, coveragePerDay },
  };
}
