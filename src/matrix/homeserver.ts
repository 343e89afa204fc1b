import { MatrixClient, MatrixError } from "matrix-bot-sdk";
import { JsonArrayItems, MalformedJson } from "../kernel/jsonArrayItems";
import { streamedGet } from "./streamedGet";
import type { HomeserverPort, StateEvent } from "../ports/matrix";
export type { StateEvent };

/**
 * The calls carenet makes to the homeserver as its bot, over matrix-bot-sdk's client.
 * Sends always carry a transaction id chosen by the caller (see the outbox).
 */
export class Homeserver implements HomeserverPort {
  constructor(
    readonly client: MatrixClient,
    readonly url: string,
    readonly botUserId: string,
    /** Told of each request made outside the client (which is timed by src/matrix/requestTiming.ts). */
    private readonly observe?: (method: string, durationMs: number, ok: boolean) => void,
  ) {}

  /**
   * Called when a send fails in a way that says the homeserver itself is unwell (it could
   * not be reached, or answered 5xx): catch-up then reads the timelines once it is back.
   */
  onUnreachable: ((reason: string) => void) | undefined;

  /**
   * Set when carenet takes part in end-to-end encryption (src/matrix/crypto/): gives what
   * to send to a room instead, encrypted when the room is.
   */
  encryptor: ((roomId: string, eventType: string, content: object) => Promise<{ eventType: string; content: object }>) | undefined;

  async sendEvent(roomId: string, eventType: string, content: object, txnId: string): Promise<string> {
    try {
      if (this.encryptor) ({ eventType, content } = await this.encryptor(roomId, eventType, content));
      const path = `/_matrix/client/v3/rooms/${enc(roomId)}/send/${enc(eventType)}/${enc(txnId)}`;
      const res = (await this.client.doRequest("PUT", path, null, content)) as { event_id: string };
      return res.event_id;
    } catch (err) {
      if (looksLikeOutage(err)) this.onUnreachable?.(`a send failed: ${retryAdvice(err, 0).reason}`);
      throw err;
    }
  }

  /** The users joined to or invited into a room. */
  async roomMembers(roomId: string): Promise<string[]> {
    const res = (await this.client.doRequest("GET", `/_matrix/client/v3/rooms/${enc(roomId)}/members`, { not_membership: "leave" })) as {
      chunk?: Array<{ state_key?: unknown; content?: { membership?: unknown } }>;
    };
    return (res.chunk ?? [])
      .filter((m) => m.content?.membership === "join" || m.content?.membership === "invite")
      .map((m) => m.state_key)
      .filter((u): u is string => typeof u === "string");
  }

  /** The rooms the bot is joined to. */
  async joinedRooms(): Promise<string[]> {
    const res = (await this.client.doRequest("GET", "/_matrix/client/v3/joined_rooms")) as { joined_rooms?: unknown };
    return Array.isArray(res.joined_rooms) ? res.joined_rooms.filter((r): r is string => typeof r === "string") : [];
  }

  /**
   * Every room the bot is joined to, with its current state and its newest `limit` events,
   * in one request (`GET /initialSync`). Deprecated in the spec but served by Synapse, which
   * refuses /sync to appservice users; at start it replaces a `GET /state` and a `GET
   * /messages` per room. Only joined rooms are handed to `onRoom`, one at a time as the
   * answer arrives (src/matrix/streamedGet.ts): the answer for hundreds of rooms is never
   * held whole. Rooms already handed over stay so if the answer then fails.
   */
  async initialSync(limit: number, onRoom: (room: InitialSyncRoom) => void): Promise<void> {
    const reader = new JsonArrayItems("rooms", (item) => {
      const r = item as Record<string, unknown>;
      if (r?.membership !== "join" || typeof r.room_id !== "string") return;
      const m = (r.messages ?? {}) as Partial<TimelinePage>;
      const timeline = { start: String(m.start ?? ""), end: typeof m.end === "string" ? m.end : "", chunk: Array.isArray(m.chunk) ? m.chunk : [] };
      onRoom({ roomId: r.room_id, timeline, state: Array.isArray(r.state) ? (r.state as StateEvent[]) : undefined });
    });
    const started = performance.now();
    try {
      await streamedGet(this.client.homeserverUrl, this.client.accessToken, "/_matrix/client/v3/initialSync", { limit: String(limit) }, (c) => reader.push(c));
      reader.end();
      this.observe?.("GET", performance.now() - started, true);
    } catch (err) {
      this.observe?.("GET", performance.now() - started, false);
      // A malformed answer is the homeserver's fault, not an outage: say so with a status.
      if (err instanceof MalformedJson) {
        throw Object.assign(new Error(`the homeserver's initialSync answer is not usable: ${err.message}`), { statusCode: 502 });
      }
      throw err;
    }
  }

  /**
   * One page of a room's timeline (`GET /rooms/{id}/messages`), read as the bot. Without
   * `from` it starts at the room's present end; `to` stops at an earlier position.
   */
  async roomMessages(roomId: string, q: { dir: "b" | "f"; from?: string; to?: string; limit: number }): Promise<TimelinePage> {
    const qs: Record<string, string> = { dir: q.dir, limit: String(q.limit) };
    if (q.from) qs.from = q.from;
    if (q.to) qs.to = q.to;
    const res = (await this.client.doRequest("GET", `/_matrix/client/v3/rooms/${enc(roomId)}/messages`, qs)) as Partial<TimelinePage>;
    return { start: String(res.start ?? ""), end: typeof res.end === "string" ? res.end : undefined, chunk: Array.isArray(res.chunk) ? res.chunk : [] };
  }

  /** Uploads a file to the homeserver's media repository; returns its mxc:// URL. */
  async uploadMedia(data: Buffer, contentType: string, filename: string): Promise<string> {
    return this.client.uploadContent(data, contentType, filename);
  }

  async joinRoom(roomId: string): Promise<void> {
    await this.client.doRequest("POST", `/_matrix/client/v3/rooms/${enc(roomId)}/join`, null, {});
  }

  async leaveRoom(roomId: string, reason?: string): Promise<void> {
    await this.client.doRequest("POST", `/_matrix/client/v3/rooms/${enc(roomId)}/leave`, null, reason ? { reason } : {});
  }

  /** Creates a room (or a Space, with creation_content.type) and returns its id. */
  async createRoom(body: Record<string, unknown>): Promise<string> {
    const res = (await this.client.doRequest("POST", "/_matrix/client/v3/createRoom", null, body)) as { room_id: string };
    return res.room_id;
  }

  /** Every current state event of a room the bot is in. */
  async getRoomState(roomId: string): Promise<StateEvent[]> {
    return (await this.client.doRequest("GET", `/_matrix/client/v3/rooms/${enc(roomId)}/state`)) as StateEvent[];
  }

  async sendState(roomId: string, eventType: string, stateKey: string, content: object): Promise<string> {
    const path = `/_matrix/client/v3/rooms/${enc(roomId)}/state/${enc(eventType)}/${enc(stateKey)}`;
    const res = (await this.client.doRequest("PUT", path, null, content)) as { event_id: string };
    return res.event_id;
  }

  async invite(roomId: string, userId: string, reason?: string): Promise<void> {
    await this.client.doRequest("POST", `/_matrix/client/v3/rooms/${enc(roomId)}/invite`, null, {
      user_id: userId,
      ...(reason ? { reason } : {}),
    });
  }

  async kick(roomId: string, userId: string, reason: string): Promise<void> {
    await this.client.doRequest("POST", `/_matrix/client/v3/rooms/${enc(roomId)}/kick`, null, { user_id: userId, reason });
  }

  /** Removes an event; the reason is shown in its place. */
  async redact(roomId: string, eventId: string, reason: string, txnId: string): Promise<void> {
    const path = `/_matrix/client/v3/rooms/${enc(roomId)}/redact/${enc(eventId)}/${enc(txnId)}`;
    await this.client.doRequest("PUT", path, null, { reason });
  }

  /** One state event's content, or null when the room has none of that type and key. */
  async getStateContent(roomId: string, eventType: string, stateKey = ""): Promise<Record<string, unknown> | null> {
    const path = `/_matrix/client/v3/rooms/${enc(roomId)}/state/${enc(eventType)}/${enc(stateKey)}`;
    const { status, body } = await this.quietRequest("GET", path);
    if (status === 404) return null;
    if (status >= 300) throw toMatrixError(status, body);
    return body as Record<string, unknown>;
  }

  /** One state event (with its sender), or null when the room has none of that type and key. */
  async getStateEvent(roomId: string, eventType: string, stateKey = ""): Promise<StateEvent | null> {
    const path = `/_matrix/client/v3/rooms/${enc(roomId)}/state/${enc(eventType)}/${enc(stateKey)}?format=event`;
    const { status, body } = await this.quietRequest("GET", path);
    if (status === 404) return null;
    if (status >= 300) throw toMatrixError(status, body);
    return body as unknown as StateEvent;
  }

  /** The user's membership of a room ("join", "invite", "leave", "ban", …), or undefined if never a member. */
  async membershipOf(roomId: string, userId: string): Promise<string | undefined> {
    const content = await this.getStateContent(roomId, "m.room.member", userId);
    const m = content?.membership;
    return typeof m === "string" ? m : undefined;
  }

  /** True if the homeserver knows this user (their profile can be read). */
  async userExists(userId: string): Promise<boolean> {
    const { status, body } = await this.quietRequest("GET", `/_matrix/client/v3/profile/${enc(userId)}`);
    if (status === 404) return false;
    if (status >= 300) throw toMatrixError(status, body);
    return true;
  }

  /** The user's display name, or null when they have none (or no profile). */
  async displayName(userId: string): Promise<string | null> {
    const { status, body } = await this.quietRequest("GET", `/_matrix/client/v3/profile/${enc(userId)}/displayname`);
    if (status === 404) return null;
    if (status >= 300) throw toMatrixError(status, body);
    const name = (body as { displayname?: unknown }).displayname;
    return typeof name === "string" && name.trim() !== "" ? name : null;
  }

  /**
   * The room an alias points to, or null if the alias does not exist. Asked directly, not
   * through matrix-bot-sdk, because the SDK logs every 404 as an error and a missing alias
   * is the ordinary answer on a first start.
   */
  async resolveAlias(alias: string): Promise<string | null> {
    const { status, body } = await this.quietRequest("GET", `/_matrix/client/v3/directory/room/${enc(alias)}`);
    if (status === 404 && (body.errcode === "M_NOT_FOUND" || !body.errcode)) return null;
    if (status >= 300 || typeof body.room_id !== "string") throw toMatrixError(status, body);
    return body.room_id;
  }

  /**
   * A request whose expected failures (an alias that does not exist, a bot that is
   * registered already) should not be logged as errors, as matrix-bot-sdk would.
   */
  private async quietRequest(method: string, path: string, json?: object): Promise<{ status: number; body: QuietBody }> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.client.accessToken}`, ...(json ? { "content-type": "application/json" } : {}) },
      body: json ? JSON.stringify(json) : undefined,
      signal: AbortSignal.timeout(30_000),
    });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as QuietBody };
  }

  /** The room version the homeserver gives new rooms (from its capabilities), if it says. */
  async defaultRoomVersion(): Promise<string | undefined> {
    const res = (await this.client.doRequest("GET", "/_matrix/client/v3/capabilities")) as {
      capabilities?: { "m.room_versions"?: { default?: string } };
    };
    return res.capabilities?.["m.room_versions"]?.default;
  }

  /**
   * Registers the bot account if it does not exist yet. inhibit_login: an appservice
   * never needs the device and access token a login would create on every start.
   */
  async ensureBotRegistered(localpart: string): Promise<"created" | "existed"> {
    const { status, body } = await this.quietRequest("POST", "/_matrix/client/v3/register", {
      type: "m.login.application_service",
      username: localpart,
      inhibit_login: true,
    });
    if (status < 300) return "created";
    if (body.errcode === "M_USER_IN_USE") return "existed";
    throw toMatrixError(status, body);
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

interface QuietBody {
  room_id?: string;
  errcode?: string;
  error?: string;
  retry_after_ms?: number;
}

function toMatrixError(status: number, body: QuietBody): MatrixError {
  return new MatrixError(
    { errcode: body.errcode ?? "M_UNKNOWN", error: body.error ?? `HTTP ${status}`, retry_after_ms: body.retry_after_ms },
    status,
  );
}

/** A page of `GET /rooms/{id}/messages`: `start` is where it began, `end` (if any) where the next page starts. */
export interface TimelinePage {
  start: string;
  end?: string;
  chunk: Array<Record<string, unknown>>;
}

/** One joined room as `GET /initialSync` gives it. */
export interface InitialSyncRoom {
  roomId: string;
  /** The newest events, oldest first; `start` is the position before the first, `end` the present. */
  timeline: { start: string; end: string; chunk: Array<Record<string, unknown>> };
  /** The room's current state. */
  state?: StateEvent[];
}

/** A failure that says the homeserver is down or unwell rather than that it refused this request. */
export function looksLikeOutage(err: unknown): boolean {
  if (err instanceof MatrixError) return err.statusCode >= 500;
  const status = (err as { statusCode?: number })?.statusCode;
  return status === undefined || status >= 500;
}


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
