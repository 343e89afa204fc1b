import type { AddressInfo } from "node:net";
import { Appservice, type IAppserviceRegistration } from "matrix-bot-sdk";
import type { DestinationStream } from "pino";
import type { CarenetConfig } from "../config/types";
import { Dispatcher } from "../commands/dispatcher";
import { BOOKKEEPING_DAYS } from "../config/retention";
import { parseDuration } from "../kernel/durations";
import { SqliteAppserviceStorage } from "../matrix/appserviceStorage";
import { CatchUp } from "../matrix/catchUp";
import { EndToEnd } from "../matrix/crypto/endToEnd";
import { budgetForEncryption } from "../matrix/fitContent";
import { encryptionHealth } from "../matrix/encryptedRooms";
import { EventRouter } from "../matrix/eventRouter";
import { Homeserver } from "../matrix/homeserver";
import { createHttpServer } from "../matrix/httpServer";
import { InboxWorker } from "../matrix/inboxWorker";
import { DEFAULT_SEND_CONCURRENCY, OutboxSender } from "../matrix/outboxSender";
import { Provisioner, type ReconcileReport } from "../matrix/provisioning";
import { KnownStates } from "../matrix/roomSnapshot";
import { aliasPrefix, loadRegistration, type Registration } from "../matrix/registration";
import { openDatabase, removeOldVersions, type Db } from "../store/database";
import { EncryptionStore } from "../matrix/store/encryption";
import { handlingBatch } from "../store/handlingBatch";
import { InboxStore } from "../store/inbox";
import { ReadPositionsStore } from "../matrix/store/readPositions";
import { RegisteredUsersStore } from "../matrix/store/registeredUsers";
import { systemClock, type Clock } from "../kernel/clock";
import { ConfigReloader, type ReloadResult } from "./configReload";
import { createAppContext, createEventRouter } from "./appContext";
import type { AppContext } from "./context";
import type { Failpoints } from "../kernel/failpoints";
import { INSTALLERS } from "./installers";
import { createLogger, type Logger } from "../kernel/logger";
import { routeSdkLogs } from "../matrix/sdkLogs";
import { Health } from "./health";
import { CarenetMetrics } from "../metrics/registry";
import { startMetricsListener, type MetricsServer } from "../metrics/server";
import { pageOfPush } from "../metrics/pushes";
import { timeRequests } from "../matrix/requestTiming";
import { PagesStore } from "../features/paging/store/pages";
import { metricsSources } from "./metricsSources";
import { calendarHttp } from "../features/rota/calendar/install";

export interface StartOptions {
  clock?: Clock;
  logger?: Logger;
  /** Where log lines go when no logger is given (tests capture them to check what is logged). */
  logDestination?: DestinationStream;
  /** Instead of reading config.appservice.registration. */
  registration?: Registration;
  failpoints?: Failpoints;
  /** How long to keep trying to reach the homeserver at start before giving up (default: for ever, with warnings). */
  homeserverWaitMs?: number;
  /** The file the config came from: `reload()` reads it again. */
  configFile?: string;
  /** Reload by itself when `configFile` changes (the CLI also reloads on SIGHUP). */
  watchConfig?: boolean;
  /** Applied to every config read again on reload, as it was to the first (e.g. the CLI's --registration). */
  adjustConfig?: (config: CarenetConfig) => void;
  /** Aborting it while start() waits (for the homeserver, above all) makes start() stop what it started and reject. */
  signal?: AbortSignal;
}

export interface Carenet {
  /** The config in force now (the last good one). */
  readonly config: CarenetConfig;
  readonly db: Db;
  readonly botUserId: string;
  /** The port the appservice listens on (useful when the config says 0). */
  readonly port: number;
  /** The port GET /metrics listens on, when `metrics` is configured. */
  readonly metricsPort?: number;
  readonly log: Logger;
  /** What provisioning did at start. */
  readonly provisioning: ReconcileReport;
  /**
   * Brings every community's Space and rooms in line with `config` (default: the config
   * carenet started with). Never throws for a homeserver error: failures are in the report.
   */
  reconcile(config?: CarenetConfig): Promise<ReconcileReport>;
  /**
   * Reads the config file again: a valid one is applied (rooms reconciled, schedules
   * redone); an invalid one is refused, carenet keeps the last good config and each
   * affected staff room is told what is wrong. Never throws for a bad config.
   */
  reload(): Promise<ReloadResult>;
  /** Runs every scheduled job that is due now (tests on a stepped clock use this). */
  runDueJobs(): Promise<void>;
  readonly app: AppContext;
  /** Reads room timelines for events the homeserver did not deliver (src/matrix/catchUp.ts). */
  readonly catchUp: CatchUp;
  stop(): Promise<void>;
}

const DAY = 24 * 60 * 60 * 1000;
/** Completed transaction ids and handled inbox rows are kept this long, then pruned. */
const BOOKKEEPING_RETENTION_MS = BOOKKEEPING_DAYS * DAY;
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/**
 * Starts carenet: opens the database, listens for the homeserver, registers the bot and
 * starts working through anything left from before. The CLI and the tests both call this.
 */
export async function start(config: CarenetConfig, opts: StartOptions = {}): Promise<Carenet> {
  const clock = opts.clock ?? systemClock;
  const log = opts.logger ?? createLogger(config.logging.level, opts.logDestination);
  routeSdkLogs(log);
  const failpoints = opts.failpoints ?? new Set();
  const registration = opts.registration ?? loadRegistration(config.appservice.registration, { localpart: config.bot.localpart });
  const botUserId = `@${config.bot.localpart}:${config.homeserver.domain}`;

  let current = config;
  const db = openDatabase(config.database.path, undefined, (files) =>
    log.warn({ files }, "the database files were readable by other users; they are now readable by carenet's user only (0600)"),
  );
  const inbox = new InboxStore(db);
  const registeredUsers = new RegisteredUsersStore(db);

  const appservice = new Appservice({
    homeserverName: config.homeserver.domain,
    homeserverUrl: config.homeserver.url,
    bindAddress: config.appservice.bind,
    port: config.appservice.port,
    registration: registration as unknown as IAppserviceRegistration,
    storage: new SqliteAppserviceStorage(inbox, registeredUsers, clock),
  });
  // Only its client is used: carenet serves the homeserver's requests itself (httpServer.ts),
  // so none reaches matrix-bot-sdk's express app, which reads any body whole before checking a token.
  const metrics = new CarenetMetrics();
  const timed = (method: string, ms: number, ok: boolean) => metrics.homeserverRequest(method, ms, ok);
  timeRequests(appservice.botClient, timed);
  const homeserver = new Homeserver(appservice.botClient, config.homeserver.url, botUserId, timed);
  /** The bot's device, when `encryption.enabled` (opened before carenet listens). */
  let e2e: EndToEnd | undefined;

  let sender: OutboxSender | undefined;
  const app = createAppContext({
    db,
    config: () => current,
    clock,
    log,
    botUserId,
    domain: config.homeserver.domain,
    homeserver,
    wakeOutbox: () => sender?.wake(),
    metrics,
  });
  const { outbox, jobs, scheduler, directRooms, atomically } = app;
  const pagesForMetrics = new PagesStore(db);
  sender = new OutboxSender(
    outbox,
    homeserver,
    clock,
    log.child({ component: "outbox" }),
    failpoints,
    (u) => directRooms.roomFor(u),
    (r) => directRooms.privateRoomFor(r),
    (msg, outcome) => {
      const pageId = pageOfPush(msg);
      const community = pageId === undefined ? undefined : pagesForMetrics.get(pageId)?.communityId;
      if (community !== undefined) (outcome === "sent" ? metrics.offMatrixSent : metrics.offMatrixFailed).call(metrics, community, "push");
    },
    { concurrency: () => current.sending?.concurrency ?? DEFAULT_SEND_CONCURRENCY, personOf: (r) => directRooms.personOf(r) },
  );
  for (const install of INSTALLERS) install(app);
  metrics.useSources(metricsSources(app));
  let metricsServer: MetricsServer | undefined;

  const dispatcher = new Dispatcher(
    app.commands,
    (err, command) => log.error({ command, err: (err as Error)?.message }, "a command failed"),
    atomically,
  );
  const maxEventAgeMs = parseDuration(config.events.max_age) ?? 5 * 60 * 1000;
  const router = createEventRouter(app, {
    inbox,
    dispatcher,
    maxEventAgeMs,
    outboxChanged: () => sender?.wake(),
  });
  /** The provisioned rooms' states from catch-up's first GET /initialSync, used once by the start's reconcile. */
  const statesAtStart = new KnownStates();
  let statesRead: (() => void) | undefined;
  const firstStates = new Promise<void>((resolve) => (statesRead = resolve));
  const provisioner = new Provisioner({
    homeserver,
    rooms: app.rooms,
    outbox,
    db,
    clock,
    log: log.child({ component: "provisioning" }),
    botUserId,
    domain: config.homeserver.domain,
    aliasPrefix: aliasPrefix(config.bot.localpart),
    outboxChanged: () => sender.wake(),
    effects: app.effects,
    readers: app.readers,
    snapshots: app.roomSnapshots,
    knownStates: statesAtStart,
  });
  /** Provisioning, then every capability's follow-up (schedules, consent, …). */
  const reconcileAll = async (c: CarenetConfig, reason: "start" | "reload"): Promise<ReconcileReport> => {
    try {
      const report = await provisioner.reconcile(c);
      statesAtStart.clear();
      // Rooms created now were never read: a catch-up records where their timelines stand,
      // so the next start finds them settled by its one GET /initialSync.
      if (report.counts.created > 0) catchUp.request("rooms were created");
      for (const after of app.afterReconcile) {
        try {
          await after(c, reason);
        } catch (err) {
          log.error({ err: (err as Error).message, reason }, "a step after provisioning failed");
        }
      }
      return report;
    } finally {
      app.roomSnapshots?.clear();
    }
  };
  const reconcile = (c: CarenetConfig = current) => reconcileAll(c, "reload");
  const reloader = new ConfigReloader({
    file: opts.configFile,
    adjust: opts.adjustConfig,
    current: () => current,
    apply: async (next) => {
      current = next;
      await reconcileAll(next, "reload");
    },
    app,
    log: log.child({ component: "config" }),
  });
  const worker = new InboxWorker(
    inbox,
    (row) => {
      // Inbox lag: how old the event was when carenet got to it (first attempt only).
      const sentAt = Number(row.event.origin_server_ts);
      if (row.attempts === 0 && Number.isFinite(sentAt)) metrics.inboxEventHandled(clock.now() - sentAt);
      return e2e ? e2e.beforeHandle(row).then(() => router.handle(row)) : router.handle(row);
    },
    clock,
    log.child({ component: "inbox" }),
    () => removeOldVersions(db),
    handlingBatch(db),
  );
  const isOwn = (ev: Parameters<typeof EventRouter.isOwn>[0]) => EventRouter.isOwn(ev, botUserId, config.bot.localpart);
  // Events the homeserver never pushed (it lost them in a restart) are read back from the
  // room timelines at start and after every outage carenet notices.
  const catchUp = new CatchUp({
    homeserver,
    db,
    inbox,
    positions: new ReadPositionsStore(db),
    clock,
    log: log.child({ component: "catch-up" }),
    ignore: isOwn,
    maxAgeMs: maxEventAgeMs,
    recorded: () => {
      if (!failpoints.has("hold-inbox")) worker.wake();
    },
    keepState: (roomId) => statesRead !== undefined && app.rooms.byRoomId(roomId) !== undefined,
    sawStates: (states) => {
      if (!statesRead) return;
      if (states) statesAtStart.fill(states);
      statesRead();
      statesRead = undefined;
    },
  });
  homeserver.onUnreachable = (reason) => {
    // Events may be held back until the homeserver is back: every chat's privacy is read again.
    directRooms.forgetChecks();
    catchUp.noteTrouble(reason);
  };

  const health = new Health({
    db,
    clock,
    log: log.child({ component: "health" }),
    databasePath: config.database.path,
    homeserverReachable: async () => {
      const reachable = await homeserver.reachable();
      catchUp.noteReachable(reachable);
      return reachable;
    },
    details: () => ({
      counts: { inbox: inbox.countByState(), outbox: outbox.countByState(), jobs: jobs.countByState() },
      encryption: { ...encryptionHealth(new EncryptionStore(db), current.encryption?.enabled === true), ...(e2e ? { device: e2e.health() } : {}) },
    }),
    // Synapse backs off for minutes after failed transactions; a ping makes it resend now.
    onWritable: () => void homeserver.ping(registration.id).catch(() => undefined),
  });
  const server = createHttpServer({
    hsToken: registration.hs_token,
    log,
    recordTransaction: (txnId, events) => {
      // Before anything else: a DM whose state changed is checked again before its next send.
      for (const ev of events) if (typeof ev.state_key === "string" && typeof ev.room_id === "string") directRooms.stateChanged(ev.room_id);
      const fresh = inbox.recordTransaction(txnId, events, clock.now(), isOwn);
      catchUp.noteTransaction(txnId);
      return fresh;
    },
    recorded: () => {
      if (!failpoints.has("hold-inbox")) worker.wake();
    },
    recordOutcome: (ok, err) => {
      // A transaction not recorded will come again later: its state events too, so no check is trusted meanwhile.
      if (!ok) directRooms.forgetChecks();
      health.recordOutcome(ok, err);
    },
    health: () => health.report(),
    calendar: calendarHttp(app),
    prepareTransaction: config.encryption?.enabled ? (body, events) => e2e!.prepareTransaction(body, events) : undefined,
  });

  const prune = () => {
    const cutoff = clock.now() - BOOKKEEPING_RETENTION_MS;
    const pruned = { ...inbox.prune(cutoff), outbox: outbox.prune(cutoff), jobs: jobs.prune(cutoff), formerDirectChats: app.dmRooms.pruneFormer(cutoff) };
    log.debug(pruned, "pruned old bookkeeping");
  };
  let pruneTimer: NodeJS.Timeout | undefined;

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      clearInterval(pruneTimer);
      health.stop();
      reloader.stop();
      server.close();
      server.closeAllConnections();
      // Each loop finishes the step it is in, unless that step waits on the homeserver for
      // longer than the grace: every step's effects are in SQLite, so one cut short now is
      // done again at the next start.
      const loops = Promise.all([metricsServer?.close(), catchUp.stop(), scheduler.stop(), provisioner.stop(), worker.stop(), sender.stop()]);
      if (!(await settlesWithin(loops, STOP_GRACE_MS))) {
        log.warn({ graceMs: STOP_GRACE_MS }, "stopping without waiting for the homeserver; unfinished work stays queued for the next start");
      }
      if (e2e) await settlesWithin(e2e.close(), STOP_GRACE_MS);
      if (db.open) db.close();
      log.info("carenet stopped");
    })());

  try {
    if (config.encryption?.enabled) {
      e2e = await EndToEnd.open({ config: config.encryption, registration, homeserver, log: log.child({ component: "crypto" }), isOwn: (ev) => isOwn(ev) });
      homeserver.encryptor = e2e.forSend;
      budgetForEncryption(true);
    }
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(config.appservice.port, config.appservice.bind, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    log.info({ bind: config.appservice.bind, port }, "listening for the homeserver");
    metricsServer = await startMetricsListener(config.metrics, metrics, log.child({ component: "metrics" }));

    // Events recorded before a crash are handled now; so are messages not yet sent.
    if (!failpoints.has("hold-inbox")) worker.start();
    sender.start();
    // Durable jobs run from the first moment, even while the homeserver is unreachable:
    // an escalation deadline is SQLite work, and its messages wait in the outbox.
    scheduler.start();
    prune();
    pruneTimer = setInterval(prune, PRUNE_EVERY_MS);
    pruneTimer.unref();

    await waitForHomeserver(homeserver, log, opts.homeserverWaitMs ?? Number.POSITIVE_INFINITY, opts.signal);
    const created = await homeserver.ensureBotRegistered(config.bot.localpart);
    registeredUsers.add(botUserId, clock.now());
    // Without its device carenet still answers every encrypted message (encryptedRooms.ts).
    await e2e?.register();
    // In the background: pages first, provisioning need not wait for hundreds of rooms.
    const catchingUp = !failpoints.has("no-catch-up");
    if (catchingUp) catchUp.start();
    await homeserver.setDisplayName(config.bot.displayname).catch((err) =>
      log.warn({ err: (err as Error).message }, "could not set the bot's display name"),
    );
    try {
      const ms = await homeserver.ping(registration.id);
      log.info({ roundTripMs: ms }, "the homeserver can reach carenet");
    } catch (err) {
      log.warn(
        { err: (err as Error).message, url: registration.url },
        "the homeserver could not reach carenet: check `url` in the registration file and that Synapse loaded it",
      );
    }
    // Every community's Space and rooms; a failure is logged and reported, never fatal.
    // Provisioning waits for catch-up's GET /initialSync (for a while) to reuse the room
    // states it gives rather than read each room again.
    if (catchingUp) await settlesWithin(firstStates, STATES_WAIT_MS, opts.signal);
    statesRead = undefined;
    opts.signal?.throwIfAborted();
    const provisioning = await reconcileAll(current, "start");
    opts.signal?.throwIfAborted();
    if (opts.watchConfig) reloader.watch();
    log.info({ botUserId, bot: created }, "carenet is running");
    return {
      get config() {
        return current;
      },
      db,
      botUserId,
      port,
      metricsPort: metricsServer?.port,
      log,
      provisioning,
      reconcile,
      reload: () => reloader.reload(),
      runDueJobs: async () => {
        await scheduler.runDue();
      },
      app,
      catchUp,
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

async function waitForHomeserver(homeserver: Homeserver, log: Logger, maxWaitMs: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + maxWaitMs;
  for (let attempt = 0; ; attempt++) {
    signal?.throwIfAborted();
    if (await homeserver.reachable()) return;
    if (Date.now() > deadline) {
      throw new Error(`the homeserver at ${homeserver.url} did not answer for ${Math.round(maxWaitMs / 1000)} s`);
    }
    if (attempt === 0 || attempt % 60 === 0) log.warn({ url: homeserver.url }, "waiting for the homeserver to answer (scheduled work and the outbox carry on)");
    await settlesWithin(new Promise<never>(() => undefined), 1000, signal);
  }
}

/** How long the start's provisioning waits for the room states of catch-up's GET /initialSync. */
const STATES_WAIT_MS = 60_000;

/** How long stop() waits for work in progress before closing the database regardless. */
const STOP_GRACE_MS = 4000;

/** True if `p` settled within `ms` (false after `ms`, or at once when `signal` aborts). */
async function settlesWithin(p: Promise<unknown>, ms: number, signal?: AbortSignal): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    onAbort = () => resolve(false);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([p.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
}
