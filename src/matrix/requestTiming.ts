import type { MatrixClient } from "matrix-bot-sdk";

/**
 * Times every request the bot's client makes to the homeserver (the SDK funnels them all
 * through `doRequest`) and reports its method, duration and whether it failed. Nothing of
 * the path or body is reported: paths hold room and user ids.
 */
export function timeRequests(client: MatrixClient, observe: (method: string, durationMs: number, ok: boolean) => void): void {
  const original = client.doRequest.bind(client) as (...args: unknown[]) => Promise<unknown>;
  (client as unknown as { doRequest: (...args: unknown[]) => Promise<unknown> }).doRequest = async (...args: unknown[]) => {
    const method = typeof args[0] === "string" ? args[0].toUpperCase() : "OTHER";
    const started = performance.now();
    try {
      const result = await original(...args);
      observe(method, performance.now() - started, true);
      return result;
    } catch (err) {
      observe(method, performance.now() - started, false);
      throw err;
    }
  };
}
