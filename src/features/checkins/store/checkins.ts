import { normalisePlan, type AlumniRhythm, type Plan } from "../domain/checkins";
import type { Db } from "../../../store/database";
import { toAnswer, toPrompt, type CheckinPrompt, type NewPrompt, type CheckinAnswer, type NewAnswer, type StoredPlan, type PlanChange, type AlumniChoice, type PersonCheckins, type SaveAnswerResult, type PromptRow, type AnswerRow } from "./checkinRecords";

// The records are named here too, so callers keep one import for the store and what it keeps.
export type { CheckinPrompt, NewPrompt, AnswerVia, CheckinAnswer, NewAnswer, StoredPlan, PlanChange, AlumniChoice, PersonCheckins, SaveAnswerResult } from "./checkinRecords";

/**
 * Check-in prompts, answers, plans (with their history) and alumni choices. Knows nothing
 * of Matrix: an event id is just the key a reaction or reply names.
 */
export class CheckinsStore {
  constructor(private readonly db: Db) {}

  // ----- prompts

  /** Records a prompt; a second call for the same member and occurrence returns the first. */
  recordPrompt(p: NewPrompt, now: number): CheckinPrompt {
    this.db
      .prepare(
        `INSERT OR IGNORE INTO checkin_prompts (community_id, user_id, checkin_id, occurrence_at, local_date, sent_at, late, outbox_key)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(p.communityId, p.userId, p.checkinId, p.occurrenceAt, p.localDate, now, p.late ? 1 : 0, p.outboxKey);
    return this.promptAt(p.communityId, p.userId, p.checkinId, p.occurrenceAt) as CheckinPrompt;
  }

  promptAt(communityId: string, userId: string, checkinId: string, occurrenceAt: number): CheckinPrompt | undefined {
    const row = this.db
      .prepare("SELECT * FROM checkin_prompts WHERE community_id = ? AND user_id = ? AND checkin_id = ? AND occurrence_at = ?")
      .get(communityId, userId, checkinId, occurrenceAt) as PromptRow | undefined;
    return row && toPrompt(row);
  }

  prompt(id: number): CheckinPrompt | undefined {
    const row = this.db.prepare("SELECT * FROM checkin_prompts WHERE id = ?").get(id) as PromptRow | undefined;
    return row && toPrompt(row);
  }

  /** Copies the event ids of sent prompts from the outbox (which forgets them after a while). */
  fillEventIds(): number {
    return this.db
      .prepare(
        `UPDATE checkin_prompts SET event_id = (SELECT o.event_id FROM outbox o WHERE o.dedupe_key = checkin_prompts.outbox_key)
         WHERE event_id IS NULL AND outbox_key IN (SELECT dedupe_key FROM outbox WHERE event_id IS NOT NULL)`,
      )
      .run().changes;
  }

  /** The prompt to `userId` that became event `eventId` (a room prompt is one event for many). */
  promptForEvent(eventId: string, userId: string): CheckinPrompt | undefined {
    const find = () =>
      this.db.prepare("SELECT * FROM checkin_prompts WHERE event_id = ? AND user_id = ? ORDER BY id DESC LIMIT 1").get(eventId, userId) as
        | PromptRow
        | undefined;
    let row = find();
    if (!row) {
      const sent = this.db.prepare("SELECT dedupe_key FROM outbox WHERE event_id = ?").get(eventId) as { dedupe_key: string } | undefined;
      if (!sent) return undefined;
      this.db.prepare("UPDATE checkin_prompts SET event_id = ? WHERE outbox_key = ? AND event_id IS NULL").run(eventId, sent.dedupe_key);
      row = find();
    }
    return row && toPrompt(row);
  }

  /** The member's most recent prompt in a community sent by `now`. */
  latestPrompt(communityId: string, userId: string, now: number): CheckinPrompt | undefined {
    const row = this.db
      .prepare(
        `SELECT * FROM checkin_prompts WHERE community_id = ? AND user_id = ? AND sent_at <= ?
         ORDER BY occurrence_at DESC, id DESC LIMIT 1`,
      )
      .get(communityId, userId, now) as PromptRow | undefined;
    return row && toPrompt(row);
  }

  /** Everyone's prompt for one occurrence of one prompt. */
  promptsOfOccurrence(communityId: string, checkinId: string, occurrenceAt: number): CheckinPrompt[] {
    const rows = this.db
      .prepare("SELECT * FROM checkin_prompts WHERE community_id = ? AND checkin_id = ? AND occurrence_at = ? ORDER BY user_id")
      .all(communityId, checkinId, occurrenceAt) as PromptRow[];
    return rows.map(toPrompt);
  }

  /** Marks a prompt missed; true the first time. */
  markMissed(promptId: number, now: number): boolean {
    return this.db.prepare("UPDATE checkin_prompts SET missed_at = ? WHERE id = ? AND missed_at IS NULL").run(now, promptId).changes === 1;
  }

  // ----- answers

  answerToPrompt(promptId: number): CheckinAnswer | undefined {
    const row = this.db.prepare("SELECT * FROM checkin_answers WHERE prompt_id = ?").get(promptId) as AnswerRow | undefined;
    return row && toAnswer(row);
  }

  unpromptedAnswer(communityId: string, userId: string, localDate: string): CheckinAnswer | undefined {
    const row = this.db
      .prepare("SELECT * FROM checkin_answers WHERE community_id = ? AND user_id = ? AND local_date = ? AND prompt_id IS NULL")
      .get(communityId, userId, localDate) as AnswerRow | undefined;
    return row && toAnswer(row);
  }

  /**
   * Records an answer to a prompt (or an unprompted one for its day), or changes the one
   * already there if it was given today; an answer from an earlier day stays as it was.
   */
  saveAnswer(a: NewAnswer, now: number): SaveAnswerResult {
    return this.db.transaction((): SaveAnswerResult => {
      const existing = a.promptId !== null ? this.answerToPrompt(a.promptId) : this.unpromptedAnswer(a.communityId, a.userId, a.localDate);
      if (existing) {
        if (existing.answeredDate !== a.today) return { outcome: "too_late", answer: existing };
        const note = a.note ?? existing.note;
        if (existing.value === a.value && note === existing.note) return { outcome: "unchanged", answer: existing };
        this.db
          .prepare("UPDATE checkin_answers SET value = ?, note = ?, shared = ?, note_shared = ?, via = ?, changed_at = ? WHERE id = ?")
          .run(a.value, note, a.shared ? 1 : 0, a.noteShared ? 1 : 0, a.via, now, existing.id);
        return { outcome: "changed", answer: this.answer(existing.id) as CheckinAnswer, previous: existing };
      }
      const result = this.db
        .prepare(
          `INSERT INTO checkin_answers (community_id, user_id, prompt_id, local_date, value, note, shared, note_shared, via, answered_at, answered_date)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(a.communityId, a.userId, a.promptId, a.localDate, a.value, a.note, a.shared ? 1 : 0, a.noteShared ? 1 : 0, a.via, now, a.today);
      return { outcome: "recorded", answer: this.answer(Number(result.lastInsertRowid)) as CheckinAnswer };
    })();
  }

  answer(id: number): CheckinAnswer | undefined {
    const row = this.db.prepare("SELECT * FROM checkin_answers WHERE id = ?").get(id) as AnswerRow | undefined;
    return row && toAnswer(row);
  }

  /** A member's answers for days fromDate..toDate (YYYY-MM-DD, inclusive), in order. */
  answersOf(communityId: string, userId: string, fromDate: string, toDate: string): CheckinAnswer[] {
    const rows = this.db
      .prepare(
        `SELECT a.* FROM checkin_answers a LEFT JOIN checkin_prompts p ON p.id = a.prompt_id
         WHERE a.community_id = ? AND a.user_id = ? AND a.local_date BETWEEN ? AND ?
         ORDER BY a.local_date, COALESCE(p.occurrence_at, a.answered_at), a.id`,
      )
      .all(communityId, userId, fromDate, toDate) as AnswerRow[];
    return rows.map(toAnswer);
  }

  /** Who has answered anything in a community in the days fromDate..toDate. */
  answeringMembers(communityId: string, fromDate: string, toDate: string): string[] {
    const rows = this.db
      .prepare("SELECT DISTINCT user_id FROM checkin_answers WHERE community_id = ? AND local_date BETWEEN ? AND ? ORDER BY user_id")
      .all(communityId, fromDate, toDate) as Array<{ user_id: string }>;
    return rows.map((r) => r.user_id);
  }

  // ----- alerts

  recordAlert(
    a: { communityId: string; userId: string; kind: "low" | "missed"; promptId: number | null; answerId: number | null; recipients: string[] },
    now: number,
  ): void {
    this.db
      .prepare(
        "INSERT INTO checkin_alerts (community_id, user_id, kind, prompt_id, answer_id, recipients_json, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      )
      .run(a.communityId, a.userId, a.kind, a.promptId, a.answerId, JSON.stringify(a.recipients), now);
  }

  /** The people told that this prompt was missed (empty if nobody was). */
  missedAlertRecipients(promptId: number): string[] {
    const rows = this.db.prepare("SELECT recipients_json FROM checkin_alerts WHERE prompt_id = ? AND kind = 'missed'").all(promptId) as Array<{
      recipients_json: string;
    }>;
    return [...new Set(rows.flatMap((r) => JSON.parse(r.recipients_json) as string[]))];
  }

  // ----- plans

  plan(communityId: string, userId: string): StoredPlan | undefined {
    const row = this.db.prepare("SELECT * FROM checkin_plans WHERE community_id = ? AND user_id = ?").get(communityId, userId) as
      | { plan_json: string; created_at: number; updated_at: number; reviewed_at: number; review_reminded_at: number | null }
      | undefined;
    return (
      row && {
        plan: normalisePlan(JSON.parse(row.plan_json)),
        createdAt: row.created_at,
        updatedAt: row.updated_at,
        reviewedAt: row.reviewed_at,
        reviewRemindedAt: row.review_reminded_at,
      }
    );
  }

  /** Starts a member's plan (the default) if they have none; true if it was started now. */
  startPlan(communityId: string, userId: string, plan: Plan, now: number): boolean {
    return (
      this.db
        .prepare(
          `INSERT OR IGNORE INTO checkin_plans (community_id, user_id, plan_json, created_at, updated_at, reviewed_at)
           VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .run(communityId, userId, JSON.stringify(plan), now, now, now).changes === 1
    );
  }

  /**
   * Saves a changed plan and records the change in words. A member who changes their plan
   * has looked at it, so it counts as reviewed too.
   */
  changePlan(communityId: string, userId: string, plan: Plan, change: { setting: string; before: string; after: string }, now: number): void {
    this.db.transaction(() => {
      this.startPlan(communityId, userId, plan, now);
      this.db
        .prepare(
          "UPDATE checkin_plans SET plan_json = ?, updated_at = ?, reviewed_at = ?, review_reminded_at = NULL WHERE community_id = ? AND user_id = ?",
        )
        .run(JSON.stringify(plan), now, now, communityId, userId);
      this.recordChange(communityId, userId, change, now);
    })();
  }

  /** The member looked at their plan and kept it. */
  markReviewed(communityId: string, userId: string, plan: Plan, now: number): void {
    this.db.transaction(() => {
      this.startPlan(communityId, userId, plan, now);
      this.db
        .prepare("UPDATE checkin_plans SET reviewed_at = ?, review_reminded_at = NULL WHERE community_id = ? AND user_id = ?")
        .run(now, communityId, userId);
      this.recordChange(communityId, userId, { setting: "review", before: "", after: "kept as it is" }, now);
    })();
  }

  markReviewReminded(communityId: string, userId: string, now: number): void {
    this.db.prepare("UPDATE checkin_plans SET review_reminded_at = ? WHERE community_id = ? AND user_id = ?").run(now, communityId, userId);
  }

  /** Members of a community with a plan on record. */
  planHolders(communityId: string): string[] {
    const rows = this.db.prepare("SELECT user_id FROM checkin_plans WHERE community_id = ? ORDER BY user_id").all(communityId) as Array<{
      user_id: string;
    }>;
    return rows.map((r) => r.user_id);
  }

  recordChange(communityId: string, userId: string, change: { setting: string; before: string; after: string }, now: number): void {
    this.db
      .prepare("INSERT INTO checkin_plan_changes (community_id, user_id, at, setting, before, after) VALUES (?, ?, ?, ?, ?, ?)")
      .run(communityId, userId, now, change.setting, change.before, change.after);
  }

  /** Every recorded change to a member's plan and alumni choice, oldest first. */
  changes(communityId: string, userId: string): PlanChange[] {
    return this.db
      .prepare("SELECT id, at, setting, before, after FROM checkin_plan_changes WHERE community_id = ? AND user_id = ? ORDER BY id")
      .all(communityId, userId) as PlanChange[];
  }

  // ----- alumni

  alumni(communityId: string, userId: string): AlumniChoice | undefined {
    const row = this.db.prepare("SELECT enabled, rhythm, updated_at FROM checkin_alumni WHERE community_id = ? AND user_id = ?").get(communityId, userId) as
      | { enabled: number; rhythm: AlumniRhythm | null; updated_at: number }
      | undefined;
    return row && { enabled: row.enabled === 1, rhythm: row.rhythm, updatedAt: row.updated_at };
  }

  setAlumni(communityId: string, userId: string, choice: { enabled: boolean; rhythm: AlumniRhythm | null }, now: number): void {
    this.db
      .prepare(
        `INSERT INTO checkin_alumni (community_id, user_id, enabled, rhythm, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (community_id, user_id) DO UPDATE SET enabled = excluded.enabled, rhythm = excluded.rhythm, updated_at = excluded.updated_at`,
      )
      .run(communityId, userId, choice.enabled ? 1 : 0, choice.rhythm, now);
  }

  // ----- a person's own data (`!mydata`, `!forgetme`, retention)

  /**
   * Everything check-ins hold about a person, per community: how many prompts they were
   * sent (and how many counted as missed), their answers with their notes, who was told
   * about one, their plan and its history, their alumni choice. Alerts where they were only
   * a recipient belong to the member who named them and are not included.
   */
  aboutPerson(userId: string): PersonCheckins[] {
    const communities = (
      this.db
        .prepare(
          `SELECT community_id FROM checkin_prompts WHERE user_id = ? UNION SELECT community_id FROM checkin_answers WHERE user_id = ?
           UNION SELECT community_id FROM checkin_plans WHERE user_id = ? UNION SELECT community_id FROM checkin_plan_changes WHERE user_id = ?
           UNION SELECT community_id FROM checkin_alumni WHERE user_id = ? UNION SELECT community_id FROM checkin_alerts WHERE user_id = ? ORDER BY 1`,
        )
        .all(userId, userId, userId, userId, userId, userId) as Array<{ community_id: string }>
    ).map((r) => r.community_id);
    return communities.map((communityId) => {
      const prompts = this.db
        .prepare(
          `SELECT COUNT(*) AS n, MIN(sent_at) AS first, MAX(sent_at) AS last, COUNT(missed_at) AS missed
           FROM checkin_prompts WHERE community_id = ? AND user_id = ?`,
        )
        .get(communityId, userId) as { n: number; first: number | null; last: number | null; missed: number };
      const answers = (
        this.db
          .prepare(
            `SELECT a.*, p.checkin_id AS checkin_id FROM checkin_answers a LEFT JOIN checkin_prompts p ON p.id = a.prompt_id
             WHERE a.community_id = ? AND a.user_id = ? ORDER BY a.local_date, a.answered_at, a.id`,
          )
          .all(communityId, userId) as Array<AnswerRow & { checkin_id: string | null }>
      ).map((r) => ({ ...toAnswer(r), checkinId: r.checkin_id }));
      const alerts = (
        this.db
          .prepare("SELECT kind, recipients_json, at FROM checkin_alerts WHERE community_id = ? AND user_id = ? ORDER BY at, id")
          .all(communityId, userId) as Array<{ kind: "low" | "missed"; recipients_json: string; at: number }>
      ).map((r) => ({ kind: r.kind, recipients: JSON.parse(r.recipients_json) as string[], at: r.at }));
      return {
        communityId,
        prompts: { sent: prompts.n, missed: prompts.missed, firstAt: prompts.first, lastAt: prompts.last },
        answers,
        alerts,
        plan: this.plan(communityId, userId),
        changes: this.changes(communityId, userId),
        alumni: this.alumni(communityId, userId),
      };
    });
  }

  /** Deletes everything check-ins hold about the person, in one community or all. Returns how many rows went. */
  forget(userId: string, communityId?: string): number {
    return this.db.transaction(() => {
      const where = communityId === undefined ? "user_id = ?" : "user_id = ? AND community_id = ?";
      const args = communityId === undefined ? [userId] : [userId, communityId];
      let n = 0;
      // Alerts and answers first: both may point at the prompts.
      for (const table of ["checkin_alerts", "checkin_answers", "checkin_prompts", "checkin_plans", "checkin_plan_changes", "checkin_alumni"]) {
        n += this.db.prepare(`DELETE FROM ${table} WHERE ${where}`).run(...args).changes;
      }
      return n;
    })();
  }

  /**
   * Deletes prompts sent, answers given, alerts raised and plan changes made before
   * `beforeMs` (with answers and alerts that belong to an older prompt), and skip records
   * as old. Current plans and alumni choices stay.
   */
  deleteOlderThan(beforeMs: number): { prompts: number; answers: number; alerts: number; changes: number } {
    return this.db.transaction(() => {
      const run = (sql: string) => this.db.prepare(sql).run({ before: beforeMs }).changes;
      const alerts = run(
        `DELETE FROM checkin_alerts WHERE at < @before OR prompt_id IN (SELECT id FROM checkin_prompts WHERE sent_at < @before)
         OR answer_id IN (SELECT id FROM checkin_answers WHERE answered_at < @before)`,
      );
      const answers = run("DELETE FROM checkin_answers WHERE answered_at < @before OR prompt_id IN (SELECT id FROM checkin_prompts WHERE sent_at < @before)");
      const prompts = run("DELETE FROM checkin_prompts WHERE sent_at < @before");
      const changes = run("DELETE FROM checkin_plan_changes WHERE at < @before");
      run("DELETE FROM checkin_skips WHERE recorded_at < @before");
      return { prompts, answers, alerts, changes };
    })();
  }

  // ----- prompts skipped after downtime

  /** Records that an occurrence was skipped; true the first time (so staff hear once). */
  recordSkip(s: { communityId: string; checkinId: string; slot: string; occurrenceAt: number; prompts: number }, now: number): boolean {
    return (
      this.db
        .prepare(
          "INSERT OR IGNORE INTO checkin_skips (community_id, checkin_id, slot, occurrence_at, prompts, recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .run(s.communityId, s.checkinId, s.slot, s.occurrenceAt, s.prompts, now).changes === 1
    );
  }

  skipsOf(communityId: string): Array<{ checkinId: string; occurrenceAt: number; prompts: number }> {
    return this.db
      .prepare("SELECT checkin_id AS checkinId, occurrence_at AS occurrenceAt, prompts FROM checkin_skips WHERE community_id = ? ORDER BY occurrence_at")
      .all(communityId) as Array<{ checkinId: string; occurrenceAt: number; prompts: number }>;
  }
}
