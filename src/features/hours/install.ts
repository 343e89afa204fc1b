import { hoursCommand } from "./commands/hours";
import { PostingHoursKeeper, REDACT_JOB, TRANSITION_JOB } from "./keeper";
import { RoomHoursStore } from "./store/roomHours";
import type { InstallContext } from "../../ports/context";

/**
 * Posting hours: rooms open and close on their schedule (Matrix power levels), with a
 * notice at each change; racing posts are removed with a private explanation; `!hours`.
 */
export function installHours(app: InstallContext): PostingHoursKeeper {
  const keeper = new PostingHoursKeeper({
    config: app.config,
    clock: app.clock,
    log: app.log.child({ component: "hours" }),
    rooms: app.rooms,
    hours: new RoomHoursStore(app.db),
    jobs: app.jobs,
    effects: app.effects,
    atomically: app.atomically,
    posting: app.matrix.posting,
    describeError: app.matrix.describeError,
    wakeScheduler: () => app.scheduler.wake(),
    knownPowerLevels: (roomId) => app.roomSnapshots?.get(roomId)?.powerLevels,
  });
  app.commands.push(hoursCommand({ members: app.members, config: app.config }));
  app.scheduler.on(TRANSITION_JOB, keeper.runTransition, { usesHomeserver: true });
  app.scheduler.on(REDACT_JOB, keeper.runRedaction, { usesHomeserver: true });
  app.roomMessageHooks.push(keeper.onRoomMessage);
  app.afterReconcile.push((config, reason) => keeper.reconcile(config, reason));
  return keeper;
}
