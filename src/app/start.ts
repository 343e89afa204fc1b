import type { AddressInfo } from "node:net";
import type { CarenetConfig } from "../config/types";
import { settlesWithin } from "../kernel/concurrency";
import { EndToEnd } from "../matrix/crypto/endToEnd";
import { budgetForEncryption } from "../matrix/fitContent";
import { greetHomeserver, waitForHomeserver } from "../matrix/meetHomeserver";
import type { ReconcileReport } from "../matrix/provisioning";
import { StatesAtStart } from "../matrix/statesAtStart";
import { startMetricsListener } from "../metrics/server";
import { startPruning } from "./bookkeeping";
import { assembleCore, type Core } from "./core";
import { createHttpDoor } from "./httpDoor";
import { createIntake, type Intake } from "./intake";
import type { Parts } from "./parts";
import { createReconciling } from "./reconciling";
import { stopper } from "./shutdown";
import type { Carenet, StartOptions } from "./startOptions";

export type { Carenet, StartOptions } from "./startOptions";

/** How long the start's provisioning waits for the room states of catch-up's GET /initialSync. */
const STATES_WAIT_MS = 60_000;

/**
 * Starts carenet: opens the database, listens for the homeserver, registers the bot and
 * starts working through anything left from before. The CLI and the tests both call this.
 */
export async function start(config: CarenetConfig, opts: StartOptions = {}): Promise<Carenet> {
  const core = assembleCore(config, opts);
  const states = new StatesAtStart();
  const intake = createIntake(core, states);
  // Rooms created now were never read: a catch-up records where their timelines stand,
  // so the next start finds them settled by its one GET /initialSync.
  const reconciling = createReconciling(core, states, () => intake.catchUp.request("rooms were created"), opts);
  const door = createHttpDoor(core, intake);
  const parts: Parts = { core, states, intake, reconciling, door, running: {} };
  const stop = stopper(parts);
  try {
    await openDevice(core, intake.isOwn);
    const port = await listen(parts);
    startLoops(parts);
    const { created, catchingUp } = await meetHomeserver(parts, opts);
    const provisioning = await provisionAtStart(parts, catchingUp, opts);
    if (opts.watchConfig) reconciling.reloader.watch();
    core.log.info({ botUserId: core.botUserId, bot: created }, "carenet is running");
    return handle(parts, { port, provisioning, stop });
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

/** The bot's own device, when `encryption.enabled`, opened before carenet listens. */
async function openDevice(core: Core, isOwn: Intake["isOwn"]): Promise<void> {
  const e2eConfig = core.live.config.encryption;
  if (!e2eConfig?.enabled) return;
  core.e2e = await EndToEnd.open({ config: e2eConfig, registration: core.registration, homeserver: core.homeserver, log: core.log.child({ component: "crypto" }), isOwn: (ev) => isOwn(ev) });
  core.homeserver.encryptor = core.e2e.forSend;
  budgetForEncryption(true);
}

/** Listens for the homeserver, then serves /metrics; resolves with the appservice's port. */
async function listen({ core, door, running }: Parts): Promise<number> {
  const { bind, port: wanted } = core.live.config.appservice;
  await new Promise<void>((resolve, reject) => {
    door.server.once("error", reject);
    door.server.listen(wanted, bind, () => resolve());
  });
  const port = (door.server.address() as AddressInfo).port;
  core.log.info({ bind, port }, "listening for the homeserver");
  running.metricsServer = await startMetricsListener(core.live.config.metrics, core.metrics, core.log.child({ component: "metrics" }));
  return port;
}

/** Work that needs no homeserver: events recorded before a crash, messages not yet sent, due jobs, pruning. */
function startLoops({ core, intake, running }: Parts): void {
  if (!core.failpoints.has("hold-inbox")) intake.worker.start();
  core.sender.start();
  // Durable jobs run from the first moment, even while the homeserver is unreachable:
  // an escalation deadline is SQLite work, and its messages wait in the outbox.
  core.app.scheduler.start();
  running.pruneTimer = startPruning(core);
}

/** Waits for the homeserver, registers the bot (and its device), starts catch-up and says hello. */
async function meetHomeserver({ core, intake }: Parts, opts: StartOptions): Promise<{ created: "created" | "existed"; catchingUp: boolean }> {
  const { homeserver, log } = core;
  const config = core.live.config;
  await waitForHomeserver(homeserver, log, opts.homeserverWaitMs ?? Number.POSITIVE_INFINITY, opts.signal);
  const created = await homeserver.ensureBotRegistered(config.bot.localpart);
  core.registeredUsers.add(core.botUserId, core.clock.now());
  // Without its device carenet still answers every encrypted message (encryptedRooms.ts).
  await core.e2e?.register();
  // In the background: pages first, provisioning need not wait for hundreds of rooms.
  const catchingUp = !core.failpoints.has("no-catch-up");
  if (catchingUp) intake.catchUp.start();
  await greetHomeserver(homeserver, config.bot.displayname, core.registration, log);
  return { created, catchingUp };
}

/**
 * Every community's Space and rooms; a failure is logged and reported, never fatal.
 * Provisioning waits for catch-up's GET /initialSync (for a while) to reuse the room
 * states it gives rather than read each room again.
 */
async function provisionAtStart({ core, states, reconciling }: Parts, catchingUp: boolean, opts: StartOptions): Promise<ReconcileReport> {
  if (catchingUp) await settlesWithin(states.read, STATES_WAIT_MS, opts.signal);
  states.stopWaiting();
  opts.signal?.throwIfAborted();
  const provisioning = await reconciling.reconcileAll(core.live.config, "start");
  opts.signal?.throwIfAborted();
  return provisioning;
}

function handle({ core, intake, reconciling, running }: Parts, started: { port: number; provisioning: ReconcileReport; stop: () => Promise<void> }): Carenet {
  const { live } = core;
  return {
    get config() {
      return live.config;
    },
    db: core.db,
    botUserId: core.botUserId,
    port: started.port,
    metricsPort: running.metricsServer?.port,
    log: core.log,
    provisioning: started.provisioning,
    reconcile: (c: CarenetConfig = live.config) => reconciling.reconcileAll(c, "reload"),
    reload: () => reconciling.reloader.reload(),
    runDueJobs: async () => {
      await core.app.scheduler.runDue();
    },
    app: core.app,
    capabilities: core.installed,
    catchUp: intake.catchUp,
    stop: started.stop,
  };
}
