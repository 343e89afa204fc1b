import { BOOKKEEPING_DAYS } from "../config/retention";
import type { Core } from "./core";

const DAY = 24 * 60 * 60 * 1000;
/** Completed transaction ids and handled inbox rows are kept this long, then pruned. */
const BOOKKEEPING_RETENTION_MS = BOOKKEEPING_DAYS * DAY;
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/** Prunes old bookkeeping now and every hour after; the timer does not keep the process alive. */
export function startPruning(core: Core): NodeJS.Timeout {
  const { app, inbox, log } = core;
  const prune = () => {
    const cutoff = core.clock.now() - BOOKKEEPING_RETENTION_MS;
    const pruned = { ...inbox.prune(cutoff), outbox: app.outbox.prune(cutoff), jobs: app.jobs.prune(cutoff), formerDirectChats: app.dmRooms.pruneFormer(cutoff) };
    log.debug(pruned, "pruned old bookkeeping");
  };
  prune();
  const timer = setInterval(prune, PRUNE_EVERY_MS);
  timer.unref();
  return timer;
}
