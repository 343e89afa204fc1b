import { forgetmeCommand, mydataCommand } from "./commands/data";
import { Retention, RETENTION_JOB } from "./retention";
import { DataService, LEAVE_DM_JOB } from "./service";
import { ForgetRequestsStore } from "./store/forgetRequests";
import type { Job } from "../../store/jobs";
import type { InstallContext } from "../../ports/context";
import { isLanguage, renderWords, SOURCE_LANGUAGE, t } from "../../words";

/** How long a conversation waits to be left while messages for it are still on their way. */
const LEAVE_RETRY_MS = 5_000;

/**
 * Rights and data: `!mydata` (everything carenet keeps about the sender, by DM only),
 * `!forgetme` (erasure, after confirmation), the daily retention job, and leaving the
 * conversations of people who asked to be forgotten. What the other capabilities keep
 * about a person comes from the sections their installers add to `app.personalData`
 * (ports/personalData.ts), read when asked, so the install order does not matter to it.
 */
export function installData(app: InstallContext): DataService {
  const service = new DataService(app, { requests: new ForgetRequestsStore(app.db) });
  const retention = new Retention(app, service);
  const deps = { service, effects: app.effects, config: app.config };
  app.commands.push(mydataCommand(deps), forgetmeCommand(deps));
  app.scheduler.on(RETENTION_JOB, retention.onJob);
  app.scheduler.on(LEAVE_DM_JOB, (job) => leaveConversation(app, job), { usesHomeserver: true });
  app.afterReconcile.push(retention.afterReconcile);
  return service;
}

/**
 * The bot leaves a forgotten person's conversation, once nothing more is waiting to be
 * sent there (the answer to `!forgetme confirm` itself, often). A conversation the person
 * has since opened again with the bot in that same room is kept.
 */
async function leaveConversation(app: InstallContext, job: Job): Promise<void> {
  const roomId = String(job.payload.roomId);
  const now = app.clock.now();
  if (app.outbox.pendingIn(roomId) > 0) {
    app.jobs.reschedule({ kind: job.kind, key: job.key, dueAt: now + LEAVE_RETRY_MS, payload: job.payload }, now);
    return;
  }
  if (app.dmRooms.userFor(roomId)) return;
  try {
    const language = isLanguage(job.payload.language) ? job.payload.language : SOURCE_LANGUAGE;
    await app.homeserver.leaveRoom(roomId, renderWords(t("data.leaveReason"), { language }).plain);
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 403 || status === 404) return; // already gone
    throw err;
  }
  app.log.info({ roomId }, "left the conversation of someone who asked to be forgotten");
}
