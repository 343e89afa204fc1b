import { settlesWithin } from "../kernel/concurrency";
import type { Logger } from "../kernel/logger";
import type { Homeserver } from "./homeserver";
import type { Registration } from "./registration";

/**
 * Waits until the homeserver answers, warning now and then; gives up after `maxWaitMs`
 * (an error), or at once when `signal` aborts.
 */
export async function waitForHomeserver(homeserver: Homeserver, log: Logger, maxWaitMs: number, signal?: AbortSignal): Promise<void> {
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

/**
 * Sets the bot's display name and asks the homeserver to ping carenet back. Neither is
 * fatal: a failure is logged, with what to check when the homeserver cannot reach carenet.
 */
export async function greetHomeserver(homeserver: Homeserver, displayName: string, registration: Registration, log: Logger): Promise<void> {
  await homeserver.setDisplayName(displayName).catch((err) => log.warn({ err: (err as Error).message }, "could not set the bot's display name"));
  try {
    const ms = await homeserver.ping(registration.id);
    log.info({ roundTripMs: ms }, "the homeserver can reach carenet");
  } catch (err) {
    log.warn(
      { err: (err as Error).message, url: registration.url },
      "the homeserver could not reach carenet: check `url` in the registration file and that Synapse loaded it",
    );
  }
}
