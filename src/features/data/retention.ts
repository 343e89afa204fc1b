import type { CarenetConfig } from "../../config/types";
import { removeOldVersions } from "../../store/database";
import type { Job } from "../../store/jobs";
import type { DataApp, DataService } from "./service";
import { retentionOf } from "../../config/retention";

export const RETENTION_JOB = "data.retention";
export const RETENTION_KEY = "data.retention";
const DAY_MS = 24 * 60 * 60 * 1000;

/** What one run deleted, as counts only, by kind (each capability's section names its own kinds). */
export type RetentionCounts = Record<string, number>;

/**
 * The daily retention job ("data.retention"): deletes what is older than the deployment's
 * retention periods (config `retention`), in one transaction, and logs how many of each
 * kind went. It reports to nobody else and never touches the audit log. A removed member
 * past their period goes with everything kept about them in that community: membership,
 * consent answers about its text, rooms left, check-ins and rota entries.
 */
export class Retention {
  constructor(
    private readonly app: DataApp,
    private readonly data: DataService,
  ) {}

  run(now: number): RetentionCounts {
    const r = retentionOf(this.app.config());
    const counts = this.app.atomically((): RetentionCounts => {
      const sections = this.data.sections();
      const deleted = sections.map((s) => s.deleteExpired?.(now, r) ?? {});
      const removed = this.app.members.removedBefore(now - r.removed_members.ms);
      for (const m of removed) {
        for (const s of sections) s.forgetInCommunity?.(m.userId, m.communityId, now);
        this.app.consent.forget(m.userId, `${m.communityId}@`);
        this.app.members.forget(m.userId, m.communityId);
      }
      return Object.assign({}, ...deleted, { removedMembers: removed.length, lapsedForgetRequests: this.data.stores.requests.deleteLapsed(now) }) as RetentionCounts;
    });
    this.app.log.child({ component: "data" }).info({ ...counts }, "retention: deleted records older than their retention period");
    removeOldVersions(this.app.db); // what was deleted leaves the file's write-ahead log too
    return counts;
  }

  /** The job: one run, then the next one a day later. */
  readonly onJob = (_job: Job): void => {
    const now = this.app.clock.now();
    this.run(now);
    this.app.jobs.reschedule({ kind: RETENTION_JOB, key: RETENTION_KEY, dueAt: now + DAY_MS }, now);
  };

  /**
   * After start and every reload. At start, a run that fell due while carenet was down
   * (or that was never scheduled) happens once, now — not once per missed day — and the
   * next is a day later. A reload keeps the day's rhythm (the next run reads the new periods).
   */
  readonly afterReconcile = (_config: CarenetConfig, reason: "start" | "reload"): void => {
    const now = this.app.clock.now();
    const job = this.app.jobs.get(RETENTION_KEY);
    const pending = job?.state === "pending";
    if (reason === "start" && (!pending || job.dueAt <= now)) {
      this.run(now);
      this.app.jobs.reschedule({ kind: RETENTION_JOB, key: RETENTION_KEY, dueAt: now + DAY_MS }, now);
    } else if (!pending) {
      this.app.jobs.reschedule({ kind: RETENTION_JOB, key: RETENTION_KEY, dueAt: now + DAY_MS }, now);
    }
  };
}
