import { supportNow } from "../../messaging/support";
import { Message } from "../../messaging/message";
import { refused } from "../../messaging/outcome";
import { intervalWords, planProblemWords, planLines } from "./words";
import { command, t, time } from "../../words";
import type { CommandResult } from "../../commands/types";
import type { CommunityConfig, CrisisResources } from "../../config/types";
import { addInterval, DEFAULT_PLAN } from "./domain/checkins";
import { editPlan } from "./domain/planEdit";
import type { Job } from "../../store/jobs";
import type { CheckinsStore } from "./store/checkins";
import type { InstallContext } from "../../ports/context";
import { checkinSettingsOf } from "./settings";
import { REVIEW_JOB } from "./jobKinds";
import { payloadOf } from "../../scheduler/registry";
import type { WhoAndWhere } from "./whoAndWhere";

/** The member's plan: shown, changed, started with their first prompt, and reviewed on a schedule. */
export class PlanKeeper {
  constructor(
    private readonly app: InstallContext,
    private readonly store: CheckinsStore,
    private readonly who: WhoAndWhere,
  ) {}

  describe(c: CommunityConfig, userId: string): Message {
    const stored = this.store.plan(c.id, userId);
    const plan = stored?.plan ?? DEFAULT_PLAN;
    const s = checkinSettingsOf(c);
    const m = new Message().heading(t("checkins.planHeading", { community: c.name })).list(planLines(c, plan));
    if (stored) {
      const next = addInterval(c.timezone, stored.reviewedAt, s.review_every);
      m.p(
        t("checkins.planReviewed", {
          reviewed: time(stored.reviewedAt, c.timezone, "date"),
          interval: intervalWords(s.review_every),
          hasNext: next ? "yes" : "no",
          next: next ? time(next, c.timezone, "date") : "",
        }),
      );
    }
    m.p(
      t("checkins.planHow", {
        prompts: command("!checkin plan prompts <id> on|off"),
        time: command("!checkin plan time <id> HH:MM"),
        wording: command("!checkin plan wording <id> <your words>|default"),
        alerts: command("!checkin plan alerts low|missed nobody|sponsor|on-call-staff"),
        share: command("!checkin plan share nothing|answers"),
        notes: command("!checkin plan notes private|shared"),
        pause: command("!checkin plan pause until YYYY-MM-DD|3d|2w"),
        resume: command("!checkin plan resume"),
        ok: command("!checkin plan ok"),
        history: command("!checkin plan history"),
      }),
    );
    return m;
  }

  history(c: CommunityConfig, userId: string): Message {
    const changes = this.store.changes(c.id, userId);
    if (changes.length === 0) return Message.of(t("checkins.historyNone", { community: c.name }));
    return new Message()
      .heading(t("checkins.historyHeading", { community: c.name }))
      .list(changes.map((ch) => t("checkins.historyLine", { at: time(ch.at, c.timezone, "datetime"), setting: ch.setting, change: `${ch.before ? `${ch.before} → ` : ""}${ch.after}` })));
  }

  editPlan(c: CommunityConfig, userId: string, args: string[], now: number, crisis: CrisisResources): CommandResult {
    if (!this.who.hasConsent(c.id, userId)) return this.who.consentPointer(c, userId, crisis);
    const plan = this.who.planOf(c.id, userId);
    const edit = editPlan(plan, args, { prompts: c.checkins, zone: c.timezone, now });
    if (!edit.ok) {
      return refused(new Message().p(planProblemWords(edit.problem)).p(t("checkins.editSeePlan", { command: command("!checkin plan") })).append(supportNow(crisis)));
    }
    if (edit.reviewedOnly) {
      this.store.markReviewed(c.id, userId, plan, now);
      this.ensureReviewJob(c, userId);
      return { outcome: "ok", reply: Message.of(t("checkins.reviewedOk")).append(this.describe(c, userId)) };
    }
    if (edit.before === edit.after) {
      return { outcome: "ok", reply: Message.of(t("checkins.editSame", { setting: edit.setting, value: edit.after })) };
    }
    this.store.changePlan(c.id, userId, edit.plan, { setting: edit.setting, before: edit.before, after: edit.after }, now);
    this.ensureReviewJob(c, userId);
    return { outcome: "ok", reply: Message.of(t("checkins.editChanged", { setting: edit.setting, change: `${edit.before} → ${edit.after}` })).append(this.describe(c, userId)) };
  }

  /** True when the member's plan holds a choice of their own about this prompt (and it is on). */
  choseToBePrompted(communityId: string, userId: string, checkinId: string): boolean {
    const choice = this.who.planOf(communityId, userId).prompts[checkinId];
    return choice !== undefined && choice.enabled !== false && (choice.enabled === true || choice.at !== undefined || choice.wording !== undefined);
  }

  startPlan(c: CommunityConfig, userId: string, now: number): void {
    if (this.store.startPlan(c.id, userId, DEFAULT_PLAN, now)) this.ensureReviewJob(c, userId);
  }

  /** When the member's plan next asks to be reviewed. */
  reviewDue(c: CommunityConfig, userId: string): number | null {
    const stored = this.store.plan(c.id, userId);
    if (!stored) return null;
    const from = Math.max(stored.reviewedAt, stored.reviewRemindedAt ?? 0);
    return addInterval(c.timezone, from, checkinSettingsOf(c).review_every);
  }

  ensureReviewJob(c: CommunityConfig, userId: string): void {
    const due = this.reviewDue(c, userId);
    if (due === null) return;
    const key = `checkins:review:${c.id}:${userId}`;
    const existing = this.app.jobs.get(key);
    if (existing?.state === "pending" && existing.dueAt === due) return;
    this.app.jobs.reschedule({ kind: REVIEW_JOB, key, dueAt: due, payload: { communityId: c.id, userId } }, this.app.clock.now());
    this.app.scheduler.wake();
  }

  runReview(job: Job): void {
    const { communityId, userId } = payloadOf(REVIEW_JOB, job);
    const c = this.who.community(communityId);
    if (!c) return;
    this.app.atomically(() => {
      const now = this.app.clock.now();
      const due = this.reviewDue(c, userId);
      if (due === null || this.app.members.get(c.id, userId)?.status !== "active" || !this.who.hasConsent(c.id, userId)) return;
      if (due > now) return this.ensureReviewJob(c, userId); // reviewed or changed since: wait for the new date
      const s = checkinSettingsOf(c);
      const m = new Message()
        .p(t("checkins.review", { interval: intervalWords(s.review_every), community: c.name, ok: command("!checkin plan ok") }))
        .append(this.describe(c, userId));
      this.app.effects.tell(userId, m, `checkins:review:${c.id}:${userId}:${due}`);
      this.store.markReviewReminded(c.id, userId, now);
      this.ensureReviewJob(c, userId);
    });
  }
}
