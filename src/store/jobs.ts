import type { Db } from "./database";

export interface JobSpec {
  /** Which handler runs it, e.g. "matrix.invite" or "hours.transition". */
  kind: string;
  /** What the job is for; one pending job per key (e.g. "hours:oakwood:community"). */
  key: string;
  dueAt: number;
  payload?: Record<string, unknown>;
}

export interface Job extends Required<JobSpec> {
  id: number;
  attempts: number;
  createdAt: number;
}

export type KindFilter = { in: readonly string[] } | { notIn: readonly string[] };

function kindClause(kinds: KindFilter | undefined): { sql: string; params: string[] } {
  if (!kinds) return { sql: "", params: [] };
  const list = "in" in kinds ? kinds.in : kinds.notIn;
  if (list.length === 0) return "in" in kinds ? { sql: " AND 0", params: [] } : { sql: "", params: [] };
  return { sql: ` AND kind ${"in" in kinds ? "IN" : "NOT IN"} (${list.map(() => "?").join(", ")})`, params: [...list] };
}

export type JobState = "pending" | "done" | "failed" | "cancelled";

interface JobRow {
  id: number;
  kind: string;
  key: string;
  due_at: number;
  payload_json: string;
  attempts: number;
  created_at: number;
}

const toJob = (r: JobRow): Job => ({
  id: r.id,
  kind: r.kind,
  key: r.key,
  dueAt: r.due_at,
  payload: JSON.parse(r.payload_json) as Record<string, unknown>,
  attempts: r.attempts,
  createdAt: r.created_at,
});

/**
 * Scheduled and retried work, in SQLite so that nothing is forgotten across a restart.
 * Keys make scheduling idempotent: `schedule` on a key that already has a job leaves it,
 * `reschedule` moves (or revives) it.
 */
export class JobsStore {
  constructor(private readonly db: Db) {}

  /** Adds the job unless its key already has one (pending or finished). Returns true if added. */
  schedule(spec: JobSpec, now: number): boolean {
    const result = this.db
      .prepare("INSERT OR IGNORE INTO jobs (kind, key, due_at, payload_json, created_at) VALUES (?, ?, ?, ?, ?)")
      .run(spec.kind, spec.key, spec.dueAt, JSON.stringify(spec.payload ?? {}), now);
    return result.changes === 1;
  }

  /** Sets the job for this key to run at `dueAt` with this payload, whatever state it was in. */
  reschedule(spec: JobSpec, now: number): void {
    this.db
      .prepare(
        `INSERT INTO jobs (kind, key, due_at, payload_json, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, due_at = excluded.due_at,
           payload_json = excluded.payload_json, state = 'pending', attempts = 0, finished_at = NULL, last_error = NULL`,
      )
      .run(spec.kind, spec.key, spec.dueAt, JSON.stringify(spec.payload ?? {}), now);
  }

  /** Cancels the pending job for `key`; true if there was one. */
  cancel(key: string, now: number): boolean {
    return this.db.prepare("UPDATE jobs SET state = 'cancelled', finished_at = ? WHERE key = ? AND state = 'pending'").run(now, key).changes === 1;
  }

  /** Cancels every pending job whose key starts with `prefix`; returns how many. */
  cancelPrefix(prefix: string, now: number): number {
    return this.db
      .prepare("UPDATE jobs SET state = 'cancelled', finished_at = ? WHERE state = 'pending' AND substr(key, 1, ?) = ?")
      .run(now, prefix.length, prefix).changes;
  }

  /**
   * Cancels every pending job whose key starts with `prefix` and whose key `matches` (for
   * keys a plain prefix cannot tell apart, e.g. ones ending in a user id); returns how many.
   */
  cancelMatching(prefix: string, matches: (key: string) => boolean, now: number): number {
    const rows = this.db
      .prepare("SELECT id, key FROM jobs WHERE state = 'pending' AND substr(key, 1, ?) = ?")
      .all(prefix.length, prefix) as Array<{ id: number; key: string }>;
    const cancel = this.db.prepare("UPDATE jobs SET state = 'cancelled', finished_at = ? WHERE id = ? AND state = 'pending'");
    let n = 0;
    for (const r of rows) if (matches(r.key)) n += cancel.run(now, r.id).changes;
    return n;
  }

  get(key: string): (Job & { state: JobState; lastError: string | null }) | undefined {
    const row = this.db.prepare("SELECT *, state, last_error FROM jobs WHERE key = ?").get(key) as
      | (JobRow & { state: JobState; last_error: string | null })
      | undefined;
    return row && { ...toJob(row), state: row.state, lastError: row.last_error };
  }

  /**
   * Pending jobs due by `now`, earliest first. `kinds` narrows it to those kinds
   * (`in`) or to every other kind (`notIn`).
   */
  due(now: number, limit = 20, kinds?: KindFilter): Job[] {
    const { sql, params } = kindClause(kinds);
    const rows = this.db
      .prepare(`SELECT * FROM jobs WHERE state = 'pending' AND due_at <= ?${sql} ORDER BY due_at, id LIMIT ?`)
      .all(now, ...params, limit) as JobRow[];
    return rows.map(toJob);
  }

  pending(kind?: string): Job[] {
    const rows = (
      kind === undefined
        ? this.db.prepare("SELECT * FROM jobs WHERE state = 'pending' ORDER BY due_at, id").all()
        : this.db.prepare("SELECT * FROM jobs WHERE state = 'pending' AND kind = ? ORDER BY due_at, id").all(kind)
    ) as JobRow[];
    return rows.map(toJob);
  }

  nextDueAt(kinds?: KindFilter): number | null {
    const { sql, params } = kindClause(kinds);
    return (this.db.prepare(`SELECT MIN(due_at) AS t FROM jobs WHERE state = 'pending'${sql}`).get(...params) as { t: number | null }).t;
  }

  /** Marks the job done, unless it was rescheduled or cancelled while it ran. */
  markDone(id: number, dueAt: number, now: number): void {
    this.db.prepare("UPDATE jobs SET state = 'done', finished_at = ?, last_error = NULL WHERE id = ? AND state = 'pending' AND due_at = ?").run(now, id, dueAt);
  }

  /** Marks the pending job for `key` done: its work was done another way (e.g. at once, by the job that queued it). */
  completeKey(key: string, now: number): boolean {
    return this.db.prepare("UPDATE jobs SET state = 'done', finished_at = ?, last_error = NULL WHERE key = ? AND state = 'pending'").run(now, key).changes === 1;
  }

  markFailed(id: number, error: string, nextAttemptAt: number, permanent: boolean, now: number): void {
    this.db
      .prepare(
        `UPDATE jobs SET attempts = attempts + 1, last_error = ?, due_at = ?, state = ?, finished_at = ?
         WHERE id = ? AND state = 'pending'`,
      )
      .run(error, nextAttemptAt, permanent ? "failed" : "pending", permanent ? now : null, id);
  }

  /** Pending jobs already due at `now`, and the earliest due time among them (for the job-lag metrics). */
  overdueStats(now: number): { overdue: number; oldestDueAt: number | null } {
    const row = this.db.prepare("SELECT COUNT(*) AS n, MIN(due_at) AS oldest FROM jobs WHERE state = 'pending' AND due_at <= ?").get(now) as { n: number; oldest: number | null };
    return { overdue: row.n, oldestDueAt: row.oldest };
  }

  countByState(): Record<string, number> {
    const rows = this.db.prepare("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state").all() as Array<{ state: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }

  /** Forgets finished jobs older than `beforeMs`. */
  prune(beforeMs: number): number {
    return this.db.prepare("DELETE FROM jobs WHERE state <> 'pending' AND finished_at < ?").run(beforeMs).changes;
  }
}
