import type { CarenetConfig } from "../config/types";
import { systemClock, type Clock } from "../kernel/clock";
import type { Failpoints } from "../kernel/failpoints";
import { createLogger, type Logger } from "../kernel/logger";
import { openHomeserver } from "../matrix/botClient";
import type { EndToEnd } from "../matrix/crypto/endToEnd";
import type { Homeserver } from "../matrix/homeserver";
import type { OutboxSender } from "../matrix/outboxSender";
import { loadRegistration, type Registration } from "../matrix/registration";
import { routeSdkLogs } from "../matrix/sdkLogs";
import { RegisteredUsersStore } from "../matrix/store/registeredUsers";
import { CarenetMetrics } from "../metrics/registry";
import { openDatabase, type Db } from "../store/database";
import { InboxStore } from "../store/inbox";
import { createAppContext } from "./appContext";
import type { AppContext } from "./context";
import { installCapabilities, type Installed } from "./installers";
import { metricsSources } from "./metricsSources";
import { createOutboxSender } from "./outboxSending";
import type { StartOptions } from "./startOptions";

/** What every phase of the start works with: the store, the homeserver, the app and its features. */
export interface Core {
  /** The config in force: the one carenet started with until a reload succeeds. */
  live: { config: CarenetConfig };
  clock: Clock;
  log: Logger;
  failpoints: Failpoints;
  registration: Registration;
  botUserId: string;
  db: Db;
  inbox: InboxStore;
  registeredUsers: RegisteredUsersStore;
  metrics: CarenetMetrics;
  homeserver: Homeserver;
  app: AppContext;
  /** What the capabilities handed back at install: who is on call, who agreed, the data capability. */
  installed: Installed;
  sender: OutboxSender;
  /** The bot's device, when `encryption.enabled` (opened before carenet listens). */
  e2e?: EndToEnd;
}

/** Opens the database, builds the homeserver client and the app, and installs every feature. */
export function assembleCore(config: CarenetConfig, opts: StartOptions): Core {
  const clock = opts.clock ?? systemClock;
  const log = opts.logger ?? createLogger(config.logging.level, opts.logDestination);
  routeSdkLogs(log);
  const failpoints = opts.failpoints ?? new Set();
  const registration = opts.registration ?? loadRegistration(config.appservice.registration, { localpart: config.bot.localpart });
  const botUserId = `@${config.bot.localpart}:${config.homeserver.domain}`;
  const live = { config };
  const db = openDatabase(config.database.path, undefined, (files) =>
    log.warn({ files }, "the database files were readable by other users; they are now readable by carenet's user only (0600)"),
  );
  const inbox = new InboxStore(db);
  const registeredUsers = new RegisteredUsersStore(db);
  const metrics = new CarenetMetrics();
  const timed = (method: string, ms: number, ok: boolean) => metrics.homeserverRequest(method, ms, ok);
  const homeserver = openHomeserver({ config, registration, botUserId, inbox, registeredUsers, clock, timed });

  let sender: OutboxSender | undefined;
  const app = createAppContext({
    db,
    config: () => live.config,
    clock,
    log,
    botUserId,
    domain: config.homeserver.domain,
    homeserver,
    wakeOutbox: () => sender?.wake(),
    alertsSent: async () => sender?.alertsSent(),
    summoning: (work) => (sender ? sender.summoning(work) : work()),
    metrics,
  });
  sender = createOutboxSender(app, { homeserver, metrics, failpoints });
  const installed = installCapabilities(app, opts.standIns);
  metrics.useSources(metricsSources(app, installed.stretches));
  return { live, clock, log, failpoints, registration, botUserId, db, inbox, registeredUsers, metrics, homeserver, app, installed, sender };
}
