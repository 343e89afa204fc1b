import type { Clock } from "../../kernel/clock";
import type { Logger } from "../../kernel/logger";
import type { Effects } from "../../messaging/effects";
import { Message } from "../../messaging/message";
import { t } from "../../words";
import type { CarenetConfig } from "../../config/types";
import { communityById } from "../../config/communities";
import { isOpenAt, nextTransition } from "./domain/postingHours";
import type { RoomMessageHook } from "../../ports/hooks";
import type { RoomPosting } from "../../ports/matrix";
import type { CommunityRooms } from "../../ports/communities";
import type { JobsStore } from "../../store/jobs";
import type { JobOf } from "../../scheduler/registry";
import type { RoomHoursState, RoomHoursStore } from "./store/roomHours";
import { closingNotice, noLongerScheduledNotice, openingNotice, racingPostExplanation, racingPostReason } from "./notices";
import { periodStart, scheduledRooms, scheduleFor, type ScheduledRoom } from "./schedules";

export const TRANSITION_JOB = "hours.transition";
export const REDACT_JOB = "hours.redact";

declare module "../../scheduler/registry" {
  interface JobPayloads {
    "hours.transition": { communityId: string; roomKey: string };
    /** `communityId` says the reason in its language; jobs queued before it was kept have none. */
    "hours.redact": { roomId: string; eventId: string; communityId?: string };
  }
}

/** One job per scheduled room, due at its next transition. */
export const transitionJobKey = (communityId: string, roomKey: string) => `hours:${communityId}:${roomKey}`;

/**
 * A message sent this long after a boundary, before carenet applied it, still counts as
 * posted after the close. A boundary carenet applies later than this (it was down) counts
 * from when it applied it: members could post until then, and what they posted stays.
 */
const RACE_GRACE_MS = 5 * 60_000;
/** A schedule with no change in sight (~400 days) is looked at again after this long. */
const RECHECK_MS = 30 * 24 * 60 * 60_000;
/** After this many refusals (4xx) at a boundary, wait for the next one (staff were told). */
const GIVE_UP_AFTER_ATTEMPTS = 4;
/** Retrying a failed boundary stops this close to the next one, which then takes over. */
const BOUNDARY_TAKES_OVER_MS = 60_000;

export interface PostingHoursDeps {
  /** The config in force now (job handlers read it; reconcile is given the new one). */
  config: () => CarenetConfig;
  clock: Clock;
  log: Logger;
  rooms: Pick<CommunityRooms, "get">;
  hours: RoomHoursStore;
  jobs: Pick<JobsStore, "reschedule" | "cancel" | "pending">;
  effects: Effects;
  atomically: <T>(fn: () => T) => T;
  /** The room's posting state as Matrix power levels, and removing racing posts. */
  posting: RoomPosting;
  /** A homeserver failure in a few words (for the log and for staff). */
  describeError: (err: unknown) => string;
  /** Called after a job was (re)scheduled so the scheduler looks at it. */
  wakeScheduler: () => void;
  /**
   * A room's power levels as provisioning just read them, during a start or reload
   * (undefined: not read, so the keeper reads them itself).
   */
  knownPowerLevels?: (roomId: string) => Record<string, unknown> | undefined;
}

type Origin = "start" | "reload" | "job";

/**
 * Keeps every scheduled room in the state its posting hours say it should be in now.
 *
 * One path does it all, so it is idempotent: read the schedule and the clock, decide open or
 * closed, record that (with a notice if it changed) in one transaction, put the room's
 * power levels there, and schedule the next transition. The transition job, the catch-up
 * at start and the reschedule after a reload all run it; they never replay missed
 * boundaries one by one, so downtime gives at most one notice per room.
 */
export class PostingHoursKeeper {
  /** Per room, the work in progress: a job and a reload never interleave on one room. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly d: PostingHoursDeps) {}

  /** After provisioning (start) and after a reload: every room to its state now, schedules redone. */
  async reconcile(config: CarenetConfig, origin: "start" | "reload"): Promise<void> {
    const scheduled = scheduledRooms(config);
    const wanted = new Set(scheduled.map((r) => transitionJobKey(r.community.id, r.roomKey)));
    for (const room of scheduled) {
      await this.serially(room.community.id, room.roomKey, async () => {
        try {
          await this.bringInLine(room, config, origin);
        } catch (err) {
          this.failed(room, err);
          // The scheduler retries it (with backoff) from now on.
          this.schedule(room.community.id, room.roomKey, this.d.clock.now());
        }
      });
    }
    // Rooms whose posting hours were removed (or whose room or community was): open, forget.
    for (const state of this.d.hours.list()) {
      if (wanted.has(transitionJobKey(state.communityId, state.roomKey))) continue;
      await this.serially(state.communityId, state.roomKey, async () => {
        try {
          await this.release(state);
        } catch (err) {
          this.d.log.error(
            { communityId: state.communityId, roomKey: state.roomKey, roomId: state.roomId, err: this.d.describeError(err) },
            "could not open a room whose posting hours were removed; retrying",
          );
          // Its job opens it (the room has no schedule now) and is retried until it works:
          // a room must never stay closed because its hours were taken away.
          wanted.add(transitionJobKey(state.communityId, state.roomKey));
          this.schedule(state.communityId, state.roomKey, this.d.clock.now());
        }
      });
    }
    const now = this.d.clock.now();
    for (const job of this.d.jobs.pending(TRANSITION_JOB)) {
      if (!wanted.has(job.key)) this.d.jobs.cancel(job.key, now);
    }
  }

  /** The transition job: the room to its state now, then the next transition scheduled. */
  readonly runTransition = async (job: JobOf<typeof TRANSITION_JOB>): Promise<void> => {
    const { communityId, roomKey } = job.payload;
    await this.serially(communityId, roomKey, async () => {
      const config = this.d.config(); // read after waiting: a reload may have come first
      const room = scheduledRooms(config).find((r) => r.community.id === communityId && r.roomKey === roomKey);
      if (!room) {
        const state = this.d.hours.get(communityId, roomKey);
        if (state) await this.release(state);
        return;
      }
      try {
        await this.bringInLine(room, config, "job");
      } catch (err) {
        this.failed(room, err);
        const now = this.d.clock.now();
        // An outage (5xx, no answer) is retried until the next boundary is near: the room
        // must not stay shut all evening because the homeserver restarted at opening time.
        // A refusal (4xx: carenet lost its power in the room) will not heal by retrying.
        const refused = typeof (err as { statusCode?: number }).statusCode === "number" && (err as { statusCode: number }).statusCode < 500;
        const next = nextTransition(room.schedule, now);
        const boundarySoon = next !== null && next.atMs - now <= BOUNDARY_TAKES_OVER_MS;
        if (!(refused && job.attempts + 1 >= GIVE_UP_AFTER_ATTEMPTS) && !boundarySoon) throw err;
        // Keep the schedule alive: the next boundary (or a reload) tries again.
        this.d.log.error({ communityId, roomKey, err: this.d.describeError(err) }, "gave up on a posting-hours transition; waiting for the next one");
        this.scheduleNext(room, now);
      }
    });
  };

  /** A racing post: a member's message that reached a room carenet has closed. */
  readonly onRoomMessage: RoomMessageHook = ({ place, sender, eventId, isStaff, sentAt }) => {
    if (isStaff || !Number.isFinite(sentAt)) return;
    const state = this.d.hours.get(place.community.id, place.roomKey);
    if (!state || state.open || state.roomId !== place.roomId || sentAt < state.since) return;
    const schedule = scheduleFor(place.community, place.roomKey);
    if (!schedule) return;
    const now = this.d.clock.now();
    const roomName = this.d.rooms.get(place.community.id, place.roomKey)?.name ?? place.roomKey;
    this.d.effects.schedule({ kind: REDACT_JOB, key: `hours-redact:${eventId}`, dueAt: now, payload: { roomId: place.roomId, eventId, communityId: place.community.id } });
    // One word per person per closing: a burst of posts racing the close is one explanation, not one each.
    this.d.effects.tell(
      sender,
      racingPostExplanation(roomName, schedule, state.since, now, this.d.config().crisis_resources),
      `hours-redacted:${place.community.id}:${place.roomKey}:${state.since}:${sender}`,
    );
    this.d.log.info({ communityId: place.community.id, roomKey: place.roomKey, roomId: place.roomId }, "a member posted in a closed room; removing it and telling them privately");
  };

  /** Removes a racing post; the same transaction id on every attempt, so it happens once. */
  readonly runRedaction = async (job: JobOf<typeof REDACT_JOB>): Promise<void> => {
    const { roomId, eventId, communityId } = job.payload;
    const community = communityId === undefined ? undefined : communityById(this.d.config().communities, communityId);
    try {
      await this.d.posting.redact(roomId, eventId, racingPostReason(community));
    } catch (err) {
      // Already gone (deleted by its sender, or the room is gone): nothing left to remove.
      if ((err as { statusCode?: number }).statusCode === 404) return;
      throw err;
    }
  };

  private async bringInLine(room: ScheduledRoom, config: CarenetConfig, origin: Origin): Promise<void> {
    const { community, roomKey, schedule } = room;
    const known = this.d.rooms.get(community.id, roomKey);
    if (!known) {
      // Provisioning has not made the room (yet): nothing to enforce; the next run tries again.
      this.d.log.warn({ communityId: community.id, roomKey }, "a room with posting hours is not provisioned; its hours wait for it");
      this.scheduleNext(room, this.d.clock.now());
      return;
    }
    const roomId = known.roomId;
    // At start and reload provisioning has just read the room: a restart with nothing to
    // change then reads nothing more. A change is made on a fresh reading (below).
    const alreadyRead = origin === "job" ? undefined : this.d.knownPowerLevels?.(roomId);
    let powerLevels = alreadyRead ?? (await this.d.posting.readPowerLevels(roomId));
    const now = this.d.clock.now();
    const open = isOpenAt(schedule, now);
    const boundary = periodStart(schedule, now);
    const recorded = this.d.hours.get(community.id, roomKey);
    const name = known.name ?? room.roomName;

    // First sight of a room: a closing is always announced (members need to know why they
    // cannot post); an opening only if carenet actually lets members post again.
    const announce = recorded ? recorded.open !== open : !open || !this.d.posting.postingIs(powerLevels, open);
    if (!recorded || recorded.open !== open || recorded.roomId !== roomId) {
      // Recorded before Matrix is changed: a message that races the change is then seen as
      // posted after the close. A crash before the change is mended by the next run.
      const since = boundary !== null && now - boundary <= RACE_GRACE_MS ? boundary : now;
      this.d.atomically(() => {
        this.d.hours.set({ communityId: community.id, roomKey, roomId, open, since }, now);
        if (announce) {
          const notice = open ? openingNotice(name, schedule, now) : closingNotice(name, schedule, now, config.crisis_resources);
          this.d.effects.post(roomId, notice, `hours:${community.id}:${roomKey}:${open ? "open" : "closed"}:${boundary ?? now}`);
        }
      });
      this.d.log.info({ communityId: community.id, roomKey, roomId, open, origin, announced: announce }, open ? "opened a room for posting" : "closed a room for posting");
    }
    // The levels sent are the room's own plus events_default: read them now, not as they were
    // when provisioning passed, so a change made since is not undone.
    if (alreadyRead && !this.d.posting.postingIs(powerLevels, open)) powerLevels = await this.d.posting.readPowerLevels(roomId);
    if ((await this.d.posting.setPosting(roomId, powerLevels, open)) && recorded?.open === open) {
      this.d.log.warn({ communityId: community.id, roomKey, roomId, open }, "a room's posting level was not as its hours say (changed by hand, or an earlier attempt failed); put back");
    }
    this.scheduleNext(room, now);
  }

  /** A room no longer scheduled: members may post again, and carenet forgets its hours. */
  private async release(state: RoomHoursState): Promise<void> {
    const now = this.d.clock.now();
    if (!state.open) {
      const powerLevels = await this.d.posting.readPowerLevels(state.roomId);
      await this.d.posting.setPosting(state.roomId, powerLevels, true);
      const name = this.d.rooms.get(state.communityId, state.roomKey)?.name ?? state.roomKey;
      this.d.effects.post(state.roomId, noLongerScheduledNotice(name), `hours:${state.communityId}:${state.roomKey}:unscheduled:${state.since}`);
    }
    this.d.atomically(() => {
      this.d.hours.forget(state.communityId, state.roomKey);
      this.d.jobs.cancel(transitionJobKey(state.communityId, state.roomKey), now);
    });
    this.d.log.info({ communityId: state.communityId, roomKey: state.roomKey, roomId: state.roomId, wasOpen: state.open }, "a room no longer has posting hours");
  }

  private scheduleNext(room: ScheduledRoom, now: number): void {
    const next = nextTransition(room.schedule, now);
    this.schedule(room.community.id, room.roomKey, next ? next.atMs : now + RECHECK_MS);
  }

  private schedule(communityId: string, roomKey: string, dueAt: number): void {
    this.d.jobs.reschedule({ kind: TRANSITION_JOB, key: transitionJobKey(communityId, roomKey), dueAt, payload: { communityId, roomKey } }, this.d.clock.now());
    this.d.wakeScheduler();
  }

  /** Logs a failure and tells the community's staff room once per boundary. */
  private failed(room: ScheduledRoom, err: unknown): void {
    const { community, roomKey, schedule } = room;
    const now = this.d.clock.now();
    this.d.log.error({ communityId: community.id, roomKey, err: this.d.describeError(err) }, "could not apply a room's posting hours");
    const staffRoom = this.d.rooms.get(community.id, "staff");
    const roomId = this.d.rooms.get(community.id, roomKey)?.roomId;
    if (!staffRoom || staffRoom.roomId === roomId) return;
    let open: boolean;
    try {
      open = isOpenAt(schedule, now);
    } catch {
      return;
    }
    const message = Message.of(t("hours.failed", { open: open ? "yes" : "no", room: room.roomName, error: this.d.describeError(err) }));
    this.d.effects.post(staffRoom.roomId, message, `hours-failed:${community.id}:${roomKey}:${periodStart(schedule, now) ?? "none"}`);
  }

  private serially(communityId: string, roomKey: string, fn: () => Promise<void>): Promise<void> {
    const key = transitionJobKey(communityId, roomKey);
    const run = (this.queues.get(key) ?? Promise.resolve()).then(fn);
    const settled = run.catch(() => undefined);
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return run;
  }
}
