import type { Server } from "node:http";
import { encryptionHealth } from "../matrix/encryptedRooms";
import { createHttpServer } from "../matrix/httpServer";
import { EncryptionStore } from "../matrix/store/encryption";
import type { Core } from "./core";
import { Health } from "./health";
import type { Intake } from "./intake";

/** The appservice listener (not yet listening) and the health it reports. */
export interface HttpDoor {
  health: Health;
  server: Server;
}

export function createHttpDoor(core: Core, intake: Intake): HttpDoor {
  const { app, db, homeserver, inbox, log, registration } = core;
  const { catchUp } = intake;
  const health = new Health({
    db,
    clock: core.clock,
    log: log.child({ component: "health" }),
    databasePath: core.live.config.database.path,
    homeserverReachable: async () => {
      const reachable = await homeserver.reachable();
      catchUp.noteReachable(reachable);
      return reachable;
    },
    details: () => ({
      counts: { inbox: inbox.countByState(), outbox: app.outbox.countByState(), jobs: app.jobs.countByState() },
      encryption: { ...encryptionHealth(new EncryptionStore(db), core.live.config.encryption?.enabled === true), ...(core.e2e ? { device: core.e2e.health() } : {}) },
    }),
    // Synapse backs off for minutes after failed transactions; a ping makes it resend now.
    onWritable: () => void homeserver.ping(registration.id).catch(() => undefined),
  });
  const server = createHttpServer({
    hsToken: registration.hs_token,
    log,
    recordTransaction: (txnId, events) => {
      // Before anything else: a DM whose state changed is checked again before its next send.
      for (const ev of events) if (typeof ev.state_key === "string" && typeof ev.room_id === "string") app.directRooms.stateChanged(ev.room_id);
      const fresh = inbox.recordTransaction(txnId, events, core.clock.now(), intake.isOwn);
      catchUp.noteTransaction(txnId);
      return fresh;
    },
    recorded: intake.wakeWorker,
    recordOutcome: (ok, err) => {
      // A transaction not recorded will come again later: its state events too, so no check is trusted meanwhile.
      if (!ok) app.directRooms.forgetChecks();
      health.recordOutcome(ok, err);
    },
    health: () => health.report(),
    calendar: core.installed.calendar,
    prepareTransaction: core.live.config.encryption?.enabled ? (body, events) => core.e2e!.prepareTransaction(body, events) : undefined,
  });
  return { health, server };
}
