import type { Db } from "../../../store/database";

/** Counts for the weekly report; never who. */
export interface WeekCounts {
  pagesOpened: number;
  /** Pages opened in the week that someone acknowledged. */
  pagesAcknowledged: number;
  /** …that ran out with nobody acknowledging, and were not acknowledged later. */
  pagesExhausted: number;
  /** …neither acknowledged nor exhausted yet (still escalating, or closed by the member). */
  pagesOther: number;
  /** Milliseconds from opening to acknowledgement, for each acknowledged page. */
  ackDelaysMs: number[];
  /** Requests to take a shift that the person declined (`!rota decline`). */
  shiftsDeclined: number;
  promptsSent: number;
  promptsAnswered: number;
  promptsMissed: number;
  /** Pages opened per day, for the chart: one entry per [start, end) given. */
  pagesPerDay: number[];
}

/** The week's numbers for one community, straight from SQLite. */
export function weekCounts(db: Db, communityId: string, fromMs: number, toMs: number, dayStarts: number[]): WeekCounts {
  const pages = db
    .prepare("SELECT opened_at, acknowledged_at, exhausted_at FROM pages WHERE community_id = ? AND opened_at >= ? AND opened_at < ?")
    .all(communityId, fromMs, toMs) as Array<{ opened_at: number; acknowledged_at: number | null; exhausted_at: number | null }>;
  const acked = pages.filter((p) => p.acknowledged_at !== null);
  const exhausted = pages.filter((p) => p.acknowledged_at === null && p.exhausted_at !== null);
  const n = (sql: string, ...args: unknown[]) => (db.prepare(sql).get(...args) as { n: number }).n;
  const bounds = [...dayStarts, toMs];
  return {
    pagesOpened: pages.length,
    pagesAcknowledged: acked.length,
    pagesExhausted: exhausted.length,
    pagesOther: pages.length - acked.length - exhausted.length,
    ackDelaysMs: acked.map((p) => p.acknowledged_at! - p.opened_at),
    shiftsDeclined: n(
      "SELECT COUNT(*) AS n FROM rota_entries WHERE community_id = ? AND end_reason = 'declined' AND ended_at >= ? AND ended_at < ?",
      communityId,
      fromMs,
      toMs,
    ),
    promptsSent: n("SELECT COUNT(*) AS n FROM checkin_prompts WHERE community_id = ? AND sent_at >= ? AND sent_at < ?", communityId, fromMs, toMs),
    promptsAnswered: n(
      `SELECT COUNT(DISTINCT p.id) AS n FROM checkin_prompts p JOIN checkin_answers a ON a.prompt_id = p.id
       WHERE p.community_id = ? AND p.sent_at >= ? AND p.sent_at < ?`,
      communityId,
      fromMs,
      toMs,
    ),
    promptsMissed: n(
      "SELECT COUNT(*) AS n FROM checkin_prompts WHERE community_id = ? AND sent_at >= ? AND sent_at < ? AND missed_at IS NOT NULL",
      communityId,
      fromMs,
      toMs,
    ),
    pagesPerDay: dayStarts.map((start, i) => pages.filter((p) => p.opened_at >= start && p.opened_at < bounds[i + 1]).length),
  };
}
