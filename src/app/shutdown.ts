import { settlesWithin } from "../kernel/concurrency";
import type { Parts } from "./parts";

/** How long stop() waits for work in progress before closing the database regardless. */
const STOP_GRACE_MS = 4000;

/** stop(): closes the listeners, lets each loop finish its step, then closes the device and the database. Once only. */
export function stopper(p: Parts): () => Promise<void> {
  const { core, intake, reconciling, door, running } = p;
  let stopping: Promise<void> | undefined;
  return () =>
    (stopping ??= (async () => {
      clearInterval(running.pruneTimer);
      door.health.stop();
      reconciling.reloader.stop();
      door.server.close();
      door.server.closeAllConnections();
      // Each loop finishes the step it is in, unless that step waits on the homeserver for
      // longer than the grace: every step's effects are in SQLite, so one cut short now is
      // done again at the next start.
      const loops = Promise.all([
        running.metricsServer?.close(),
        intake.catchUp.stop(),
        core.app.scheduler.stop(),
        reconciling.provisioner.stop(),
        intake.worker.stop(),
        core.sender.stop(),
      ]);
      if (!(await settlesWithin(loops, STOP_GRACE_MS))) {
        core.log.warn({ graceMs: STOP_GRACE_MS }, "stopping without waiting for the homeserver; unfinished work stays queued for the next start");
      }
      if (core.e2e) await settlesWithin(core.e2e.close(), STOP_GRACE_MS);
      if (core.db.open) core.db.close();
      core.log.info("carenet stopped");
    })());
}
