import type { Logger } from "../kernel/logger";
import type { Scheduler } from "../scheduler/scheduler";
import type { Homeserver } from "./homeserver";
import { MatrixError } from "matrix-bot-sdk";

export const INVITE_JOB = "matrix.invite";
export const KICK_JOB = "matrix.kick";

declare module "../scheduler/registry" {
  interface JobPayloads {
    "matrix.invite": { roomId: string; userId: string; reason?: string };
    "matrix.kick": { roomId: string; userId: string; reason: string };
  }
}

/**
 * Invitations and removals, run by the scheduler so they survive restarts and are retried
 * through homeserver outages. Both are idempotent: inviting someone already in the room
 * and removing someone already gone count as done.
 */
export function registerMembershipJobs(scheduler: Scheduler, homeserver: Pick<Homeserver, "invite" | "kick" | "membershipOf">, log: Logger): void {
  scheduler.on(INVITE_JOB, async (job) => {
    const { roomId, userId, reason } = job.payload;
    const now = await homeserver.membershipOf(roomId, userId);
    if (now === "join" || now === "invite") return;
    try {
      await homeserver.invite(roomId, userId, reason);
    } catch (err) {
      if (err instanceof MatrixError && err.statusCode === 403 && /already in the room|is already joined/i.test(err.error ?? "")) return;
      throw err;
    }
    log.info({ roomId, userId }, "invited");
  }, { usesHomeserver: true });
  scheduler.on(KICK_JOB, async (job) => {
    const { roomId, userId, reason } = job.payload;
    const now = await homeserver.membershipOf(roomId, userId);
    if (now !== "join" && now !== "invite" && now !== "knock") return;
    await homeserver.kick(roomId, userId, reason);
    log.info({ roomId, userId }, "removed from a room");
  }, { usesHomeserver: true });
}
