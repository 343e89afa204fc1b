import type { Job } from "../store/jobs";

/**
 * The typed job registry: each job kind and the payload its handler reads. A capability
 * declares its kinds next to their handler, by declaration merging:
 *
 *   declare module "../scheduler/registry" {
 *     interface JobPayloads {
 *       "hours.transition": { communityId: string; roomKey: string };
 *     }
 *   }
 *
 * `Scheduler.on(kind, handler)` then gives the handler a `JobOf<kind>`, whose payload has
 * that type. The payload is what was scheduled under that kind, read back from SQLite: the
 * kind is the promise of its shape. A kind not declared here keeps an untyped payload.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface JobPayloads {}

export type JobKind = keyof JobPayloads;

export type PayloadOf<K extends string> = K extends JobKind ? JobPayloads[K] : Record<string, unknown>;

/** A job of kind K, with its declared payload. */
export type JobOf<K extends string> = Omit<Job, "kind" | "payload"> & { kind: K; payload: PayloadOf<K> };

/**
 * The payload of a job read where only a plain `Job` is at hand (a job listed with
 * `jobs.pending(kind)`, a handler reached through a façade), typed by its declared kind.
 * A job of another kind is a programming error, so it throws rather than guess.
 */
export function payloadOf<K extends JobKind>(kind: K, job: Pick<Job, "kind" | "payload">): JobPayloads[K] {
  if (job.kind !== kind) throw new Error(`internal: a ${job.kind} job read as ${kind}`);
  return job.payload as JobPayloads[K];
}
