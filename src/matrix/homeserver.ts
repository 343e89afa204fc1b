import { MatrixClient, MatrixError } from "matrix-bot-sdk";

/**
 * The calls carenet makes to the homeserver as its bot, over matrix-bot-sdk's client.
 * Sends always carry a transaction id chosen by the caller (see the outbox).
 */
export class Homeserver {
  constructor(
    readonly client: MatrixClient,
    readonly url: string,
    readonly botUserId: string,
  ) {}

  async sendEvent(roomId: string, eventType: string, content: object, txnId: string): Promise<string> {
    const path = `/_matrix/client/v3/rooms/${enc(roomId)}/send/${enc(eventType)}/${enc(txnId)}`;
    const res = (await this.client.doRequest("PUT", path, null, content)) as { event_id: string };
    return res.event_id;
  }

  async joinRoom(roomId: string): Promise<void> {
    await this.client.doRequest("POST", `/_matrix/client/v3/rooms/${enc(roomId)}/join`, null, {});
  }

  async leaveRoom(roomId: string, reason?: string): Promise<void> {
    await this.client.doRequest("POST", `/_matrix/client/v3/rooms/${enc(roomId)}/leave`, null, reason ? { reason } : {});
  }

  /**
   * Registers the bot account if it does not exist yet. inhibit_login: an appservice
   * never needs the device and access token a login would create on every start.
   */
  async ensureBotRegistered(localpart: string): Promise<"created" | "existed"> {
    try {
      await this.client.doRequest("POST", "/_matrix/client/v3/register", null, {
        type: "m.login.application_service",
        username: localpart,
        inhibit_login: true,
      });
      return "created";
    } catch (err) {
      if (err instanceof MatrixError && err.errcode === "M_USER_IN_USE") return "existed";
      throw err;
    }
  }

  async setDisplayName(name: string): Promise<void> {
    await this.client.doRequest("PUT", `/_matrix/client/v3/profile/${enc(this.botUserId)}/displayname`, null, {
      displayname: name,
    });
  }

  /** Asks the homeserver to ping us back; a success also makes it resend queued transactions now. */
  async ping(appserviceId: string): Promise<number> {
    const res = (await this.client.doRequest("POST", `/_matrix/client/v1/appservice/${enc(appserviceId)}/ping`, null, {
      transaction_id: `carenet-ping-${Date.now()}`,
    })) as { duration_ms: number };
    return res.duration_ms;
  }

  async whoami(): Promise<string> {
    return ((await this.client.doRequest("GET", "/_matrix/client/v3/account/whoami")) as { user_id: string }).user_id;
  }

  /** True if the homeserver answers its unauthenticated versions endpoint within `timeoutMs`. */
  async reachable(timeoutMs = 2000): Promise<boolean> {
    try {
      const res = await fetch(`${this.url}/_matrix/client/versions`, { signal: AbortSignal.timeout(timeoutMs) });
      return res.ok;
    } catch {
      return false;
    }
  }
}

const enc = encodeURIComponent;

/** How long to wait before retrying after `err`, and whether retrying can ever help. */
export function retryAdvice(err: unknown, attempt: number): { delayMs: number; permanent: boolean; reason: string } {
  const backoff = Math.min(60_000, 1000 * 2 ** Math.min(attempt, 6));
  if (err instanceof MatrixError) {
    const reason = `${err.statusCode} ${err.errcode}`;
    if (err.statusCode === 429 || err.errcode === "M_LIMIT_EXCEEDED") {
      return { delayMs: Math.max(err.retryAfterMs ?? backoff, 100), permanent: false, reason };
    }
    // Other client errors (forbidden, unknown room, bad content) will not heal by waiting long.
    if (err.statusCode >= 400 && err.statusCode < 500 && err.statusCode !== 408) {
      return { delayMs: backoff, permanent: attempt >= 4, reason };
    }
    return { delayMs: backoff, permanent: false, reason };
  }
  const code = (err as { code?: string })?.code;
  return { delayMs: backoff, permanent: false, reason: code ?? (err as Error)?.message ?? String(err) };
}

/** Runs `fn`, waiting and retrying while the homeserver says 429 (up to `maxAttempts`). */
export async function withRateLimitRetry<T>(fn: () => Promise<T>, maxAttempts = 8): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const limited = err instanceof MatrixError && (err.statusCode === 429 || err.errcode === "M_LIMIT_EXCEEDED");
      if (!limited || attempt + 1 >= maxAttempts) throw err;
      await new Promise((r) => setTimeout(r, retryAdvice(err, attempt).delayMs));
    }
  }
}
