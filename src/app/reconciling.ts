import type { CarenetConfig } from "../config/types";
import { Provisioner, type ReconcileReport } from "../matrix/provisioning";
import { aliasPrefix } from "../matrix/registration";
import type { StatesAtStart } from "../matrix/statesAtStart";
import { ConfigReloader } from "./configReload";
import type { Core } from "./core";
import type { StartOptions } from "./startOptions";

/** Bringing the homeserver in line with the config: at start, on `reconcile()` and on every good reload. */
export interface Reconciling {
  provisioner: Provisioner;
  reloader: ConfigReloader;
  /** Provisioning, then every capability's follow-up (schedules, consent, …). */
  reconcileAll(config: CarenetConfig, reason: "start" | "reload"): Promise<ReconcileReport>;
}

/** `roomsCreated` is told when a reconcile created rooms (their timelines were never read). */
export function createReconciling(core: Core, states: StatesAtStart, roomsCreated: () => void, opts: Pick<StartOptions, "configFile" | "adjustConfig">): Reconciling {
  const { app, live, log } = core;
  const provisioner = new Provisioner({
    homeserver: core.homeserver,
    rooms: app.rooms,
    outbox: app.outbox,
    db: core.db,
    clock: core.clock,
    log: log.child({ component: "provisioning" }),
    botUserId: core.botUserId,
    domain: live.config.homeserver.domain,
    aliasPrefix: aliasPrefix(live.config.bot.localpart),
    outboxChanged: () => core.sender.wake(),
    effects: app.effects,
    readers: app.readers,
    snapshots: app.roomSnapshots,
    knownStates: states.known,
  });
  const reconcileAll = async (c: CarenetConfig, reason: "start" | "reload"): Promise<ReconcileReport> => {
    try {
      const report = await provisioner.reconcile(c);
      states.known.clear();
      if (report.counts.created > 0) roomsCreated();
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
  const reloader = new ConfigReloader({
    file: opts.configFile,
    adjust: opts.adjustConfig,
    current: () => live.config,
    apply: async (next) => {
      live.config = next;
      await reconcileAll(next, "reload");
    },
    app,
    log: log.child({ component: "config" }),
  });
  return { provisioner, reloader, reconcileAll };
}
