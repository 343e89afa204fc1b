import type { JobSpec } from "../store/jobs";
import type { Message } from "./message";

/**
 * What a command (or a job) can cause outside SQLite. Nothing happens at once: each call
 * queues a message in the outbox or a job for the scheduler, in the caller's transaction,
 * and the matrix layer carries it out (with retries) after the transaction commits.
 * `key` identifies the effect: queueing the same key twice does it once.
 */
export interface Effects {
  /** A notice to a person, in their direct conversation with the bot (opened if need be). */
  tell(userId: string, message: Message, key: string): void;
  /** A notice in a room. */
  post(roomId: string, message: Message, key: string): void;
  /**
   * Invites someone to a room (nothing if they are already in it). Unlike the others, an
   * invitation asked for again under the same key is carried out again: someone who
   * declined or left may be wanted back (a repeat page, a late acknowledgement).
   */
  invite(roomId: string, userId: string, key: string, reason?: string): void;
  /** Removes someone from a room, with the reason they will see (nothing if they are not in it). */
  kick(roomId: string, userId: string, reason: string, key: string): void;
  /** Any other durable job (see Scheduler). */
  schedule(job: JobSpec): void;
}
