import type { DestinationStream } from "pino";
import type { CarenetConfig } from "../config/types";
import type { Clock } from "../kernel/clock";
import type { Failpoints } from "../kernel/failpoints";
import type { Logger } from "../kernel/logger";
import type { CatchUp } from "../matrix/catchUp";
import type { ReconcileReport } from "../matrix/provisioning";
import type { Registration } from "../matrix/registration";
import type { Db } from "../store/database";
import type { ReloadResult } from "./configReload";
import type { AppContext } from "./context";
import type { Installed, StandIns } from "./installers";

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
  /**
   * Stand-ins for who is on call and who has agreed, replacing the rota's and the
   * communities' answers for every capability (tests that page a given person without
   * building a rota). Nothing is replaced in service.
   */
  standIns?: StandIns;
  /** Aborting it while start() waits (for the homeserver, above all) makes start() stop what it started and reject. */
  signal?: AbortSignal;
}

/** The running service, as start() hands it to the CLI and the tests. */
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
  /** What the capabilities handed each other at install: who is on call, who is on a break, who agreed. */
  readonly capabilities: Installed;
  /** Reads room timelines for events the homeserver did not deliver (src/matrix/catchUp.ts). */
  readonly catchUp: CatchUp;
  stop(): Promise<void>;
}
