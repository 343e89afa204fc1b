import pino, { type Logger } from "pino";
import { createAppContext, type AppContextDeps } from "../../src/app/appContext";
import type { AppContext } from "../../src/app/context";
import { Dispatcher, type DispatchContext } from "../../src/commands/dispatcher";
import type { CarenetConfig, CommunityConfig } from "../../src/config/types";
import { isStaffOf } from "../../src/config/roles";
import type { Homeserver } from "../../src/matrix/homeserver";
import { OutboxSender } from "../../src/matrix/outboxSender";
import { FakeHomeserver } from "./fakeHomeserver";
import { BOT, DOMAIN } from "./fixtures";

type Given = Omit<AppContextDeps, "botUserId" | "domain" | "homeserver" | "log"> & { hs?: FakeHomeserver; log?: Logger };

/**
 * carenet's AppContext as start.ts builds it, for the bot of example.org, talking to the
 * fake homeserver `hs` (a fresh one if the test does not look at it), silent unless `log` is given.
 */
export function testAppContext(deps: Given): AppContext {
  const { hs = new FakeHomeserver(), log = pino({ level: "silent" }), ...rest } = deps;
  return createAppContext({ ...rest, log, botUserId: BOT, domain: DOMAIN, homeserver: hs as unknown as Homeserver });
}

/** The command dispatcher as the router uses it; a command that throws fails the test unless `onError` keeps the error. */
export function testDispatcher(
  app: AppContext,
  onError: (err: unknown) => void = (err) => {
    throw err;
  },
): Dispatcher {
  return new Dispatcher(app.commands, onError, app.atomically);
}

/** A command as the event router hands it to the dispatcher: staff "here" only in their community's staff room. */
export function routedCommand(c: Omit<DispatchContext, "isStaffHere"> & { community?: CommunityConfig }): DispatchContext {
  return { ...c, isStaffHere: !!c.community && c.roomKey === "staff" && isStaffOf(c.community, c.sender) };
}

/** The steps that follow provisioning, as at start (`"start"`) or after a reload. */
export async function runAfterReconcile(app: AppContext, config: CarenetConfig, reason: "start" | "reload"): Promise<void> {
  for (const step of app.afterReconcile) await step(config, reason);
}

/**
 * The scheduler and outbox sender loops, run by hand: `settle()` runs due jobs and sends
 * due messages until nothing more is due at the clock's time.
 */
export function sendingLoop(app: AppContext, hs: FakeHomeserver, clock: { now(): number }, log: Logger): { settle(): Promise<void> } {
  const sender = new OutboxSender(app.outbox, hs as unknown as Homeserver, clock, log, new Set(), (u) => app.directRooms.roomFor(u));
  return {
    async settle() {
      for (let i = 0; i < 50; i++) {
        await app.scheduler.runDue();
        await (sender as unknown as { sendDue(): Promise<void> }).sendDue();
        if (app.jobs.due(clock.now()).length === 0 && app.outbox.due(clock.now()).length === 0) return;
      }
      throw new Error("flush did not settle");
    },
  };
}
