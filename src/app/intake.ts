import { Dispatcher } from "../commands/dispatcher";
import { parseDuration } from "../kernel/durations";
import { CatchUp } from "../matrix/catchUp";
import { EventRouter } from "../matrix/eventRouter";
import { InboxWorker } from "../matrix/inboxWorker";
import type { StatesAtStart } from "../matrix/statesAtStart";
import { ReadPositionsStore } from "../matrix/store/readPositions";
import { removeOldVersions } from "../store/database";
import { handlingBatch } from "../store/handlingBatch";
import { createEventRouter } from "./appContext";
import type { Core } from "./core";

/** How events come in and are handled: the inbox worker, and catch-up for those the homeserver never pushed. */
export interface Intake {
  worker: InboxWorker;
  catchUp: CatchUp;
  /** Whether an event is carenet's own (the bot's, or a user in its namespace). */
  isOwn: (ev: Parameters<typeof EventRouter.isOwn>[0]) => boolean;
  /** Pokes the inbox worker after events were recorded (unless a crash test holds the inbox). */
  wakeWorker: () => void;
}

export function createIntake(core: Core, states: StatesAtStart): Intake {
  const { app, clock, db, inbox, log, metrics } = core;
  const config = core.live.config;
  const dispatcher = new Dispatcher(app.commands, (err, command) => log.error({ command, err: (err as Error)?.message }, "a command failed"), app.atomically);
  const maxEventAgeMs = parseDuration(config.events.max_age) ?? 5 * 60 * 1000;
  const router = createEventRouter(app, { inbox, dispatcher, maxEventAgeMs, outboxChanged: () => core.sender.wake() });
  const worker = new InboxWorker(
    inbox,
    (row) => {
      // Inbox lag: how old the event was when carenet got to it (first attempt only).
      const sentAt = Number(row.event.origin_server_ts);
      if (row.attempts === 0 && Number.isFinite(sentAt)) metrics.inboxEventHandled(clock.now() - sentAt);
      return core.e2e ? core.e2e.beforeHandle(row).then(() => router.handle(row)) : router.handle(row);
    },
    clock,
    log.child({ component: "inbox" }),
    () => removeOldVersions(db),
    handlingBatch(db),
  );
  const isOwn: Intake["isOwn"] = (ev) => EventRouter.isOwn(ev, core.botUserId, config.bot.localpart);
  const wakeWorker = () => {
    if (!core.failpoints.has("hold-inbox")) worker.wake();
  };
  // Events the homeserver never pushed (it lost them in a restart) are read back from the
  // room timelines at start and after every outage carenet notices.
  const catchUp = new CatchUp({
    homeserver: core.homeserver,
    db,
    inbox,
    positions: new ReadPositionsStore(db),
    clock,
    log: log.child({ component: "catch-up" }),
    ignore: isOwn,
    maxAgeMs: maxEventAgeMs,
    recorded: wakeWorker,
    keepState: (roomId) => states.wanted && app.rooms.byRoomId(roomId) !== undefined,
    sawStates: (seen) => states.saw(seen),
  });
  core.homeserver.onUnreachable = (reason) => {
    // Events may be held back until the homeserver is back: every chat's privacy is read again.
    app.directRooms.forgetChecks();
    catchUp.noteTrouble(reason);
  };
  return { worker, catchUp, isOwn, wakeWorker };
}
