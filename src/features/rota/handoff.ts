/**
 * Handoff messages: at the start of every on-call stretch (and a configured reminder
 * before it) the person on it gets a DM saying until when they are on call and how to
 * hand over if they can't.
 *
 * Each message is a durable job (kind "rota.handoff") keyed by community, shift, start and
 * person, so planning it twice adds nothing and its outbox message is sent once. The rota
 * is planned eight days ahead: whenever it changes, after every reconcile, and daily by a
 * "rota.plan" job per community. A job checks the rota again when it runs: a message for a
 * stretch that no longer exists, or for someone now on a break, is dropped; a start message
 * missed while carenet was down is sent late only while the stretch is still running, and a
 * reminder only before the stretch starts — otherwise it is skipped and logged.
 */
import { supportNow } from "../../messaging/support";
import { Message } from "../../messaging/message";
import { momentWords } from "./words";
import { t, time, zone } from "../../words";
import { LONGEST_SHIFT_MS, rotaSettings, type RotaService, type Stretch } from "./service";
import type { Effects } from "../../messaging/effects";
import type { CarenetConfig, CommunityConfig } from "../../config/types";
import type { Job, JobsStore } from "../../store/jobs";
import type { JobOf } from "../../scheduler/registry";
import type { Clock } from "../../kernel/clock";
import type { Logger } from "../../kernel/logger";
import type { CrisisResources } from "../../config/types";

export const HANDOFF_JOB = "rota.handoff";
export const PLAN_JOB = "rota.plan";
const DAY_MS = 24 * 60 * 60 * 1000;
/** How far ahead handoff jobs exist; the daily plan job keeps extending it. */
export const PLAN_AHEAD_MS = 8 * DAY_MS;
/** A start message later than this says it is late. */
const LATE_AFTER_MS = 2 * 60 * 1000;

type Stage = "reminder" | "start";

interface HandoffPayload {
  communityId: string;
  userId: string;
  shiftId: string;
  startMs: number;
  endMs: number;
  backup: boolean;
  role: "peer" | "staff";
  stage: Stage;
}

declare module "../../scheduler/registry" {
  interface JobPayloads {
    "rota.handoff": HandoffPayload;
  }
}

export interface HandoffDeps {
  rota: RotaService;
  jobs: JobsStore;
  effects: Effects;
  clock: Clock;
  log: Logger;
  config: () => CarenetConfig;
  crisisResources: () => CrisisResources;
  /** Runs `fn` in one SQLite transaction. */
  atomically: <T>(fn: () => T) => T;
  /** Tells the scheduler jobs changed (called after the caller's transaction). */
  wake: () => void;
}

export const handoffPrefix = (communityId: string) => `${HANDOFF_JOB}:${communityId}:`;
export const planKey = (communityId: string) => `${PLAN_JOB}:${communityId}`;

export class Handoffs {
  constructor(private readonly d: HandoffDeps) {}

  /**
   * Brings one community's handoff jobs in line with its rota as it is now. Synchronous
   * (SQLite only), so commands call it inside their own transaction.
   */
  plan(communityId: string, now: number): void {
    const c = this.d.rota.community(communityId);
    const prefix = handoffPrefix(communityId);
    const keep = new Set<string>();
    if (c) {
      this.d.rota.tidy(communityId, now);
      const reminderMs = rotaSettings(c).handoffReminderMs;
      const stages: Stage[] = reminderMs > 0 ? ["reminder", "start"] : ["start"];
      for (const s of this.d.rota.stretchesStarting(c, now - LONGEST_SHIFT_MS, now + PLAN_AHEAD_MS, now)) {
        for (const stage of stages) {
          const key = `${prefix}${s.shiftId}@${s.startMs}:${s.userId}:${stage}`;
          const payload: HandoffPayload = {
            communityId,
            userId: s.userId,
            shiftId: s.shiftId,
            startMs: s.startMs,
            endMs: s.endMs,
            backup: s.backup,
            role: s.role,
            stage,
          };
          const spec = { kind: HANDOFF_JOB, key, dueAt: stage === "start" ? s.startMs : s.startMs - reminderMs, payload: { ...payload } };
          // Worth a new message only while it can still be useful.
          const useful = stage === "start" ? s.endMs > now : s.startMs > now;
          const existing = this.d.jobs.get(key);
          if (!existing) {
            if (useful) {
              this.d.jobs.schedule(spec, now);
              keep.add(key);
            }
          } else if (existing.state === "pending") {
            keep.add(key); // left to run, even if late: the job itself decides to send or skip
            if (existing.dueAt !== spec.dueAt || JSON.stringify(existing.payload) !== JSON.stringify(spec.payload)) {
              this.d.jobs.reschedule(spec, now);
            }
          } else if (existing.state === "cancelled" && useful) {
            this.d.jobs.reschedule(spec, now); // back on the rota (a cover removed, a break ended)
            keep.add(key);
          }
        }
      }
    }
    for (const job of this.d.jobs.pending(HANDOFF_JOB)) {
      if (!job.key.startsWith(prefix) || keep.has(job.key)) continue;
      this.d.jobs.cancel(job.key, now);
      if (job.dueAt < now) this.d.log.warn({ key: job.key }, "handoff skipped: its shift was over before carenet could send it");
    }
    setImmediate(this.d.wake);
  }

  /** Plans every community in the config and forgets the handoffs of ones no longer in it. */
  planAll(config: CarenetConfig, now: number): void {
    this.d.atomically(() => {
      const ids = new Set(config.communities.map((c) => c.id));
      for (const id of ids) {
        this.plan(id, now);
        this.d.jobs.reschedule({ kind: PLAN_JOB, key: planKey(id), dueAt: now + DAY_MS, payload: { communityId: id } }, now);
      }
      for (const id of this.d.rota.store.communities()) {
        if (ids.has(id)) continue;
        this.d.jobs.cancelPrefix(handoffPrefix(id), now);
        this.d.jobs.cancel(planKey(id), now);
      }
    });
  }

  /** The daily "rota.plan" job: plan the next days, then come back tomorrow. */
  readonly onPlanJob = (job: Job): void => {
    const communityId = String(job.payload.communityId);
    const now = this.d.clock.now();
    this.d.atomically(() => {
      this.plan(communityId, now);
      if (this.d.rota.community(communityId)) {
        this.d.jobs.reschedule({ kind: PLAN_JOB, key: job.key, dueAt: now + DAY_MS, payload: { communityId } }, now);
      }
    });
  };

  /** The "rota.handoff" job: one message, if it is still true and still useful. */
  readonly onHandoffJob = (job: JobOf<typeof HANDOFF_JOB>): void => {
    const p = job.payload;
    const now = this.d.clock.now();
    this.d.atomically(() => {
      const c = this.d.rota.community(p.communityId);
      const current = c && this.current(c, p, now);
      if (!c || !current) {
        this.d.log.info({ key: job.key }, "handoff dropped: the stretch is no longer on the rota");
        return;
      }
      if (this.d.rota.store.currentBreak(p.userId, now)) {
        this.d.log.info({ key: job.key }, "handoff dropped: the person is on a break");
        return;
      }
      if (p.stage === "start" && now >= current.endMs) {
        this.d.log.warn({ key: job.key, lateByMs: now - current.startMs }, "handoff skipped: the shift was over before carenet could send it");
        return;
      }
      if (p.stage === "reminder" && now >= current.startMs) {
        this.d.log.info({ key: job.key }, "reminder skipped: the shift has started (the start message says it all)");
        return;
      }
      const message = this.message(c, current, p.stage, now, job.createdAt);
      // "You are on call now" rings: from now a page may come. The reminder ahead of it stays quiet.
      this.d.effects.tell(p.userId, p.stage === "start" ? message.alert(p.userId) : message, job.key);
    });
  };

  /** The stretch as the rota has it now (it may have been shortened by a cover since planning). */
  private current(c: CommunityConfig, p: HandoffPayload, now: number): Stretch | undefined {
    return this.d.rota
      .stretchesStarting(c, p.startMs, p.startMs + 1, now)
      .find((s) => s.userId === p.userId && s.shiftId === p.shiftId && s.backup === p.backup);
  }

  /** `plannedAt`: when the job was made — a shift put on the rota after it started is not "late". */
  private message(c: CommunityConfig, s: Stretch, stage: Stage, now: number, plannedAt: number): Message {
    const tz = c.timezone;
    const what = t("rota.handoffWhat", { as: s.role === "staff" ? "staff" : s.backup ? "backup" : "peer", community: c.name });
    const msg = new Message();
    if (stage === "reminder") {
      msg.p(
        t("rota.handoffReminder", {
          what,
          from: momentWords(s.startMs, tz, now),
          until: momentWords(s.endMs, tz, now),
          soon: time(Math.max(now, s.startMs), tz, "relative", now),
          zone: zone(tz),
        }),
      );
    } else {
      msg.p(t("rota.handoffStart", { what, until: momentWords(s.endMs, tz, now), zone: zone(tz) }));
      if (now - Math.max(s.startMs, plannedAt) > LATE_AFTER_MS) msg.p(t("rota.handoffLate"));
    }
    if (s.backup) msg.p(t("rota.handoffBackup"));
    msg.p(t("rota.handoffPages"));
    msg.p(t("rota.handoffCantDo", { community: c.name }));
    return msg.append(supportNow(this.d.crisisResources()).p(t("rota.handoffForYouToo")));
  }
}
