import type { Failpoint } from "../../../src/kernel/failpoints";
import type { StandIns } from "../../../src/app/installers";
import { findFreePort, type LocalSynapse } from "../../../tools/localSynapse";
import { startCarenet, type RunningCarenet } from "./carenet";
import type { MatrixUser } from "./matrixUser";
import type { E2eEnv } from "./paths";
import { sleep, waitUntil } from "./child";
import { TransactionGate } from "./transactionGate";

/**
 * carenet behind a TransactionGate on the registration's port, so a test can open the
 * window in which Synapse holds events in memory only (see TransactionGate).
 */
export async function startGatedCarenet(
  env: E2eEnv,
  opts: { communities: unknown[]; failpoints?: Failpoint[]; dbPath?: string; standIns?: StandIns },
): Promise<{ running: RunningCarenet; gate: TransactionGate }> {
  const carenetPort = await findFreePort();
  const gate = await TransactionGate.listen(env.asPort, () => carenetPort);
  const running = await startCarenet({ ...env, asPort: carenetPort }, env.dir, {
    communities: opts.communities,
    failpoints: new Set(opts.failpoints ?? []),
    dbPath: opts.dbPath,
    standIns: opts.standIns,
  });
  return { running, gate };
}

export type HomeserverFall = "graceful" | "sigkill";

/**
 * Sends `commands` (each by its user, in its room) while Synapse has a transaction in
 * flight, so they are queued in Synapse's memory, then stops Synapse (SIGTERM, or SIGKILL)
 * well under a second after the last send. Returns how long after the last send the stop
 * signal went and how long Synapse took to exit. The first command is the one the gate
 * holds in flight.
 */
export async function sendThenTakeDown(
  synapse: LocalSynapse,
  gate: TransactionGate,
  commands: Array<{ user: MatrixUser; roomId: string; body: string }>,
  fall: HomeserverFall,
): Promise<{ eventIds: string[]; signalAfterLastSendMs: number; stopTookMs: number }> {
  gate.hold();
  const held = gate.heldCount;
  const eventIds: string[] = [];
  for (const [i, c] of commands.entries()) {
    eventIds.push(await c.user.sendText(c.roomId, c.body));
    // The first one opens the window: its transaction is now in flight, held by the gate.
    if (i === 0) await waitUntil("Synapse has a transaction in flight", () => gate.heldCount > held, 10_000);
  }
  const lastSent = Date.now();
  await sleep(200); // still well under a second: Synapse has queued them by now
  const signalAfterLastSendMs = Date.now() - lastSent;
  const stopping = Date.now();
  await (fall === "graceful" ? synapse.stop() : synapse.crash());
  const stopTookMs = Date.now() - stopping;
  // Only now, with the homeserver gone, may the held transaction fail: a failure seen by a
  // live Synapse would make it store the queued events, and the window would close.
  gate.dropHeld();
  return { eventIds, signalAfterLastSendMs, stopTookMs };
}
