import type { CarenetConfig } from "../../config/types";
import { removeOldVersions } from "../../store/database";
import type { Job } from "../../store/jobs";
import type { DataApp, DataStores } from "./service";
import { retentionOf } from "../../config/retention";

export const RETENTION_JOB = "data.retention";
export const RETENTION_KEY = "data.retention";
const DAY_MS = 24 * 60 * 60 * 1000;

/** What one run deleted, as counts only. */
export interface RetentionCounts {
  checkinPrompts: number;
  checkinAnswers: number;
  checkinAlerts: number;
  checkinPlanChanges: number;
  pages: number;
  crisisMeetings: number;
  rotaEntries: number;
  rotaBreaks: number;
  removedMembers: number;
  lapsedForgetRequests: number;
}

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
    private readonly stores: DataStores,
  ) {}

  run(now: number): RetentionCounts {
    const r = retentionOf(this.app.config());
    const counts = this.app.atomically((): RetentionCounts => {
      const checkins = this.stores.checkins.deleteOlderThan(now - r.checkins.ms);
      const pages = this.stores.pages.deleteClosedBefore(now - r.pages.ms);
      const rota = this.stores.rota.deleteEndedBefore(now - r.rota.ms);
      const removed = this.app.members.removedBefore(now - r.removed_members.ms);
      for (const m of removed) {
        this.stores.checkins.forget(m.userId, m.communityId);
        this.stores.rota.forget(m.userId, m.communityId);
        this.app.consent.forget(m.userId, `${m.communityId}@`);
        this.app.members.forget(m.userId, m.communityId);
        this.app.jobs.cancel(`checkins:review:${m.communityId}:${m.userId}`, now);
      }
      return {
        checkinPrompts: checkins.prompts,
        checkinAnswers: checkins.answers,
        checkinAlerts: checkins.alerts,
        checkinPlanChanges: checkins.changes,
        pages: pages.pages,
        crisisMeetings: pages.meetings,
        rotaEntries: rota.entries,
        rotaBreaks: rota.breaks,
        removedMembers: removed.length,
        lapsedForgetRequests: this.stores.requests.deleteLapsed(now),
      };
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
