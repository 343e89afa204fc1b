import type { Clock } from "../kernel/clock";
import type { Effects } from "../messaging/effects";
import type { Message } from "../messaging/message";
import type { JobSpec, JobsStore } from "../store/jobs";
import { ALERT, URGENT, type OutboxStore } from "../store/outbox";
import { noticeContent, type Reader } from "./content";
import { INVITE_JOB, KICK_JOB } from "./membershipJobs";

/**
 * Effects as rows: messages into the outbox, homeserver actions into the jobs table. The
 * caller's SQLite transaction decides whether they happen at all; the wake-ups after it
 * only make them happen sooner.
 */
export class QueuedEffects implements Effects {
  constructor(
    private readonly outbox: OutboxStore,
    private readonly jobs: JobsStore,
    private readonly clock: Clock,
    private readonly wake: { outbox: () => void; scheduler: () => void },
    /** Who reads what is sent to a person or a room (none: English, people by Matrix ID). */
    private readonly readers?: { forUser(userId: string): Reader; forRoom(roomId: string): Reader },
  ) {}

  tell(userId: string, message: Message, key: string): void {
    this.outbox.enqueue({ dedupeKey: key, toUser: userId, eventType: "m.room.message", content: noticeContent(message, undefined, this.readers?.forUser(userId)), priority: priorityOf(message) }, this.clock.now());
    this.wakeSoon("outbox");
  }

  post(roomId: string, message: Message, key: string): void {
    this.outbox.enqueue({ dedupeKey: key, roomId, eventType: "m.room.message", content: noticeContent(message, undefined, this.readers?.forRoom(roomId)), priority: priorityOf(message) }, this.clock.now());
    this.wakeSoon("outbox");
  }

  invite(roomId: string, userId: string, key: string, reason?: string): void {
    // Asked again under the same key (a peer who declined now says they are coming), the
    // invitation runs again: the job itself does nothing for someone already in the room.
    this.jobs.reschedule({ kind: INVITE_JOB, key, dueAt: this.clock.now(), payload: { roomId, userId, ...(reason ? { reason } : {}) } }, this.clock.now());
    this.wakeSoon("scheduler");
  }

  kick(roomId: string, userId: string, reason: string, key: string): void {
    this.schedule({ kind: KICK_JOB, key, dueAt: this.clock.now(), payload: { roomId, userId, reason } });
  }

  schedule(job: JobSpec): void {
    this.jobs.schedule(job, this.clock.now());
    this.wakeSoon("scheduler");
  }

  // After the caller's transaction commits: a loop woken inside it would find nothing yet.
  private wakeSoon(which: "outbox" | "scheduler"): void {
    setImmediate(which === "outbox" ? this.wake.outbox : this.wake.scheduler);
  }
}

/**
 * Messages that summon someone to a person (a page's request) go first, then urgent ones
 * (any that rings someone, or is marked urgent, or a reply a command marks urgent), then
 * ordinary ones (see OutboxSender).
 */
export function priorityOf(message: Message, urgent = false): number {
  if (message.summons) return ALERT;
  return urgent || message.isUrgent ? URGENT : 0;
}
