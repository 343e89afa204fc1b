import { Message } from "../../messaging/message";
import { listOf, t, time, zone } from "../../words";
import type { CarenetConfig, CommunityConfig } from "../../config/types";
import { catchUp, nextOccurrence, occurrencesBetween, timeOptions, type DailyTime } from "./domain/checkins";
import { describeDuration, parseDuration } from "../../kernel/durations";
import type { Job, JobSpec } from "../../store/jobs";
import type { CheckinsStore } from "./store/checkins";
import type { InstallContext } from "../../ports/context";
import { communityById } from "../../config/communities";
import { checkinSettingsOf } from "./settings";
import { PROMPT_JOB, ALUMNI_JOB, ALUMNI_CHECKIN } from "./jobKinds";
import { payloadOf } from "../../scheduler/registry";
import type { WhoAndWhere } from "./whoAndWhere";
import type { PlanKeeper } from "./plans";
import type { PromptSender } from "./promptSender";

const slotKey = (slot: string) => slot.replace(":", "");

/**
 * Prompts as durable jobs, one per prompt occurrence: run (catching up on any that came due
 * while carenet was down), and kept matching the config after provisioning and every reload.
 */
export class PromptSchedule {
  constructor(
    private readonly app: InstallContext,
    private readonly store: CheckinsStore,
    private readonly who: WhoAndWhere,
    private readonly sender: PromptSender,
    private readonly plans: PlanKeeper,
  ) {}

  /** Runs one prompt occurrence (and catches up on any that came due while carenet was down). */
  runPrompt(job: Job): void {
    const { communityId, checkinId, slot, occurrenceAt } = payloadOf(PROMPT_JOB, job);
    const c = this.who.community(communityId);
    const ck = c?.checkins.find((x) => x.id === checkinId);
    if (!c || !ck || !timeOptions(ck).includes(slot)) return; // no longer configured
    const time: DailyTime = { at: slot, days: ck.days };
    this.catchUpAndSend(c, { checkinId, slot, time, occurrenceAt, kind: PROMPT_JOB }, (occ, late, dryRun) => this.sender.fanOut(c, ck, slot, occ, late, dryRun));
  }

  /** Runs one alumni check-in occurrence. */
  runAlumni(job: Job): void {
    const { communityId, occurrenceAt } = payloadOf(ALUMNI_JOB, job);
    const c = this.who.community(communityId);
    if (!c) return;
    const s = checkinSettingsOf(c);
    if (!s.alumni.enabled) return;
    const time: DailyTime = { at: s.alumni.at, days: [s.alumni.day] };
    this.catchUpAndSend(c, { checkinId: ALUMNI_CHECKIN, slot: s.alumni.at, time, occurrenceAt, kind: ALUMNI_JOB }, (occ, late, dryRun) =>
      this.sender.fanOutAlumni(c, occ, late, dryRun),
    );
  }

  private catchUpAndSend(
    c: CommunityConfig,
    j: { checkinId: string; slot: string; time: DailyTime; occurrenceAt: number; kind: string },
    send: (occurrenceAt: number, late: boolean, dryRun: boolean) => number,
  ): void {
    const s = checkinSettingsOf(c);
    this.app.atomically(() => {
      const now = this.app.clock.now();
      const due = occurrencesBetween(c.timezone, j.time, j.occurrenceAt, now + 1);
      const decision = catchUp(due, now, parseDuration(s.grace) ?? 0);
      const skipped: Array<{ occ: number; prompts: number }> = [];
      for (const occ of decision.skipped) {
        const prompts = send(occ, true, true);
        if (this.store.recordSkip({ communityId: c.id, checkinId: j.checkinId, slot: j.slot, occurrenceAt: occ, prompts }, now) && prompts > 0) {
          skipped.push({ occ, prompts });
        }
      }
      if (decision.send !== undefined) send(decision.send, decision.late, false);
      if (skipped.length) this.reportSkipped(c, j.checkinId, skipped, `${j.kind}:${j.slot}:${j.occurrenceAt}`);
      const next = nextOccurrence(c.timezone, j.time, now);
      if (next !== null) this.ensureJob(this.slotJob(c.id, j.kind, j.checkinId, j.slot, next));
    });
  }

  private reportSkipped(c: CommunityConfig, checkinId: string, skipped: Array<{ occ: number; prompts: number }>, key: string): void {
    const staffRoom = this.app.rooms.get(c.id, "staff")?.roomId;
    const total = skipped.reduce((n, x) => n + x.prompts, 0);
    const grace = describeDuration(parseDuration(checkinSettingsOf(c).grace) ?? 0);
    const when = listOf(skipped.map((x) => time(x.occ, c.timezone, "day")));
    const name = checkinId === ALUMNI_CHECKIN ? "alumni" : checkinId;
    this.app.log.warn({ communityId: c.id, checkinId, prompts: total }, "check-in prompts skipped after downtime");
    if (!staffRoom) return;
    this.app.effects.post(
      staffRoom,
      Message.of(t("checkins.skipped", { total, checkin: name, when, zone: zone(c.timezone), grace })),
      `checkins:skipped:${c.id}:${key}`,
    );
  }

  private slotJob(communityId: string, kind: string, checkinId: string, slot: string, occurrenceAt: number): JobSpec {
    return kind === ALUMNI_JOB
      ? { kind, key: `checkins:alumni:${communityId}:${occurrenceAt}`, dueAt: occurrenceAt, payload: { communityId, occurrenceAt } }
      : {
          kind,
          key: `checkins:prompt:${communityId}:${checkinId}:${slotKey(slot)}:${occurrenceAt}`,
          dueAt: occurrenceAt,
          payload: { communityId, checkinId, slot, occurrenceAt },
        };
  }

  /** Adds a job unless its key has one (reviving one a reload cancelled). */
  private ensureJob(spec: JobSpec): void {
    const existing = this.app.jobs.get(spec.key);
    const now = this.app.clock.now();
    if (!existing) this.app.jobs.schedule(spec, now);
    else if (existing.state === "cancelled") this.app.jobs.reschedule(spec, now);
    else return;
    this.app.scheduler.wake();
  }

  /**
   * One pending job per prompt slot (community × prompt × time option) and per community's
   * alumni check-in. A job that is overdue is left alone: it runs next and catches up
   * (sends late within the grace window, or skips and reports). A future job that no
   * longer matches the config is moved; one for a slot that is gone is cancelled.
   */
  reconcile(config: CarenetConfig): void {
    this.app.atomically(() => {
      const now = this.app.clock.now();
      const wanted = new Map<string, { communityId: string; kind: string; checkinId: string; slot: string; time: DailyTime; zone: string }>();
      for (const c of config.communities) {
        for (const ck of c.checkins) {
          for (const slot of timeOptions(ck)) {
            wanted.set(`${PROMPT_JOB}|${c.id}|${ck.id}|${slot}`, { communityId: c.id, kind: PROMPT_JOB, checkinId: ck.id, slot, time: { at: slot, days: ck.days }, zone: c.timezone });
          }
        }
        const s = checkinSettingsOf(c);
        if (s.alumni.enabled) {
          wanted.set(`${ALUMNI_JOB}|${c.id}|${ALUMNI_CHECKIN}|${s.alumni.at}`, {
            communityId: c.id,
            kind: ALUMNI_JOB,
            checkinId: ALUMNI_CHECKIN,
            slot: s.alumni.at,
            time: { at: s.alumni.at, days: [s.alumni.day] },
            zone: c.timezone,
          });
        }
      }
      const covered = new Set<string>();
      for (const job of [...this.app.jobs.pending(PROMPT_JOB), ...this.app.jobs.pending(ALUMNI_JOB)]) {
        const p = job.kind === ALUMNI_JOB ? payloadOf(ALUMNI_JOB, job) : payloadOf(PROMPT_JOB, job);
        const community = communityById(config.communities, p.communityId);
        const slot = "slot" in p ? p.slot : community && checkinSettingsOf(community).alumni.at;
        const id = `${job.kind}|${p.communityId}|${"checkinId" in p ? p.checkinId : ALUMNI_CHECKIN}|${slot}`;
        const w = wanted.get(id);
        const keep = w && !covered.has(id) && (job.dueAt <= now || nextOccurrence(w.zone, w.time, now) === job.dueAt);
        if (keep) covered.add(id);
        else this.app.jobs.cancel(job.key, now);
      }
      for (const [id, w] of wanted) {
        if (covered.has(id)) continue;
        const next = nextOccurrence(w.zone, w.time, now);
        if (next !== null) this.ensureJob(this.slotJob(w.communityId, w.kind, w.checkinId, w.slot, next));
      }
      for (const c of config.communities) {
        for (const u of this.store.planHolders(c.id)) if (this.app.members.get(c.id, u)?.status === "active") this.plans.ensureReviewJob(c, u);
      }
    });
  }
}
