/**
 * A minimal real Matrix client for e2e tests: plain fetch against the client-server API
 * (deliberately not matrix-bot-sdk, so tests don't share code paths with the bot under test).
 *
 * One background /sync loop records every event it sees, per room. Waits look at the
 * record first and then at new arrivals, so "send a command, then wait for the reply"
 * cannot miss a reply that arrived before the wait started.
 */
import { randomBytes } from "node:crypto";
import { registerUser, type LocalSynapse } from "../../../tools/localSynapse";

export interface MatrixEvent {
  event_id: string;
  room_id: string;
  type: string;
  sender: string;
  state_key?: string;
  origin_server_ts: number;
  // `any` so test predicates can read nested content without casts.
  content: Record<string, any>;
  unsigned?: Record<string, unknown>;
  redacts?: string;
}

export interface Invite {
  roomId: string;
  /** Who sent the invite (from the stripped m.room.member event), if known. */
  sender?: string;
  /** Stripped state from the invite (name, join rules, create, member, ...). */
  state: Array<{ type: string; state_key: string; sender: string; content: Record<string, unknown> }>;
}

export class MatrixError extends Error {
  constructor(
    readonly status: number,
    readonly errcode: string,
    message: string,
    readonly body: unknown = undefined,
  ) {
    super(message);
    this.name = "MatrixError";
  }
}

const SYNC_TIMEOUT_MS = 5000;
const REQUEST_TIMEOUT_MS = 30_000;
// Room timeline + pre-timeline state + invites; presence and account data are just noise here.
const SYNC_FILTER = JSON.stringify({
  presence: { not_types: ["*"] },
  account_data: { not_types: ["*"] },
  room: { timeline: { limit: 100 }, state: { lazy_load_members: false }, account_data: { not_types: ["*"] } },
});

interface Waiter {
  /** Returns true once satisfied; the waiter is then removed. */
  offer(): boolean;
}

export class MatrixUser {
  private readonly eventsByRoom = new Map<string, MatrixEvent[]>();
  private readonly allEvents: MatrixEvent[] = [];
  private readonly seenIds = new Set<string>();
  private readonly invites = new Map<string, Invite>();
  /** Rooms sync last reported as joined/left (not invited); waitForInvite skips them. */
  private readonly syncHandled = new Set<string>();
  /**
   * Rooms we joined/left through this client that sync hasn't caught up with yet. Kept apart
   * from syncHandled so a sync response computed before our join can't revive the invite.
   */
  private readonly locallyHandled = new Set<string>();
  private readonly waiters = new Set<Waiter>();
  private readonly abort = new AbortController();
  private syncLoop: Promise<void> | undefined;
  private lastSyncError: unknown;
  private txnCounter = 0;
  private readonly txnPrefix = randomBytes(4).toString("hex");

  constructor(
    readonly hsUrl: string,
    readonly userId: string,
    readonly accessToken: string,
  ) {
    // Sync from construction on, so nothing that happens after this point is missed.
    this.ensureSyncing();
  }

  static async register(
    synapse: LocalSynapse,
    username: string,
    opts?: { password?: string; admin?: boolean; displayname?: string },
  ): Promise<MatrixUser> {
    const u = await registerUser(synapse.url, synapse.sharedSecret, username, opts);
    return new MatrixUser(synapse.url, u.userId, u.accessToken);
  }

  /** Any client-server API call; throws MatrixError on a non-2xx answer. */
  async request<T = Record<string, unknown>>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    const res = await fetch(new URL(path, this.hsUrl), {
      method,
      headers: {
        authorization: `Bearer ${this.accessToken}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const err = (json ?? {}) as { errcode?: string; error?: string };
      const errcode = err.errcode ?? "M_UNKNOWN";
      throw new MatrixError(
        res.status,
        errcode,
        `${method} ${path.split("?")[0]} as ${this.userId}: HTTP ${res.status} ${errcode}: ${err.error ?? text.slice(0, 300)}`,
        json,
      );
    }
    return (json ?? {}) as T;
  }

  async createRoom(body: Record<string, unknown> = {}): Promise<string> {
    return (await this.request<{ room_id: string }>("POST", "/_matrix/client/v3/createRoom", body)).room_id;
  }

  createDm(otherUserId: string): Promise<string> {
    return this.createRoom({ is_direct: true, preset: "trusted_private_chat", invite: [otherUserId] });
  }

  async joinRoom(roomIdOrAlias: string): Promise<string> {
    const { room_id } = await this.request<{ room_id: string }>(
      "POST",
      `/_matrix/client/v3/join/${encodeURIComponent(roomIdOrAlias)}`,
      {},
    );
    this.locallyHandled.add(room_id);
    return room_id;
  }

  async leaveRoom(roomId: string): Promise<void> {
    await this.request("POST", `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/leave`, {});
    this.locallyHandled.add(roomId);
  }

  sendText(roomId: string, body: string): Promise<string> {
    return this.sendEvent(roomId, "m.room.message", { msgtype: "m.text", body });
  }

  async sendEvent(roomId: string, type: string, content: Record<string, unknown>): Promise<string> {
    // Unique per client and run: txn ids are per access token, and the DB survives restart().
    const txnId = `${this.txnPrefix}-${++this.txnCounter}`;
    const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/${encodeURIComponent(type)}/${txnId}`;
    return (await this.request<{ event_id: string }>("PUT", path, content)).event_id;
  }

  react(roomId: string, eventId: string, key: string): Promise<string> {
    return this.sendEvent(roomId, "m.reaction", {
      "m.relates_to": { rel_type: "m.annotation", event_id: eventId, key },
    });
  }

  async sendState(roomId: string, type: string, stateKey: string, content: Record<string, unknown>): Promise<string> {
    const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/${encodeURIComponent(type)}/${encodeURIComponent(stateKey)}`;
    return (await this.request<{ event_id: string }>("PUT", path, content)).event_id;
  }

  /** Content of one state event (throws MatrixError M_NOT_FOUND if absent). */
  getState(roomId: string, type: string, stateKey = ""): Promise<Record<string, any>> {
    const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/${encodeURIComponent(type)}/${encodeURIComponent(stateKey)}`;
    return this.request("GET", path);
  }

  /** User IDs currently joined, sorted. */
  async getJoinedMembers(roomId: string): Promise<string[]> {
    const res = await this.request<{ joined: Record<string, unknown> }>(
      "GET",
      `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/joined_members`,
    );
    return Object.keys(res.joined).sort();
  }

  /** Every event seen so far in a room, in arrival order. */
  eventsSoFar(roomId: string): MatrixEvent[] {
    return [...(this.eventsByRoom.get(roomId) ?? [])];
  }

  /** First seen (past or future) event matching `predicate`, in `roomId` or any room if null. */
  waitForEvent(
    roomId: string | null,
    predicate: (ev: MatrixEvent) => boolean,
    timeoutMs = 20_000,
  ): Promise<MatrixEvent> {
    const matches = (ev: MatrixEvent): boolean => {
      if (roomId !== null && ev.room_id !== roomId) return false;
      try {
        return predicate(ev);
      } catch {
        return false; // a predicate reading a field other events lack is just "no match"
      }
    };
    let checked = 0; // events already examined in allEvents
    return this.waitFor(`an event in ${roomId ?? "any room"}`, timeoutMs, () => {
      for (; checked < this.allEvents.length; checked++) {
        const ev = this.allEvents[checked];
        if (matches(ev)) return ev;
      }
      return undefined;
    });
  }

  /** Room ID of a pending (not yet joined/left) invite matching `predicate`. */
  waitForInvite(predicate: (invite: Invite) => boolean = () => true, timeoutMs = 20_000): Promise<string> {
    return this.waitFor("an invite", timeoutMs, () => {
      for (const inv of this.invites.values()) {
        if (this.syncHandled.has(inv.roomId) || this.locallyHandled.has(inv.roomId)) continue;
        try {
          if (predicate(inv)) return inv.roomId;
        } catch {
          /* no match */
        }
      }
      return undefined;
    });
  }

  /** Ends the sync loop promptly and rejects pending waits. Safe to call twice. */
  async stop(): Promise<void> {
    this.abort.abort();
    for (const w of [...this.waiters]) w.offer();
    await this.syncLoop;
  }

  private waitFor<T>(what: string, timeoutMs: number, check: () => T | undefined): Promise<T> {
    const found = check();
    if (found !== undefined) return Promise.resolve(found);
    if (this.abort.signal.aborted) return Promise.reject(new Error(`${this.userId}: stopped`));
    this.ensureSyncing();
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        offer: () => {
          if (this.abort.signal.aborted) {
            finish();
            reject(new Error(`${this.userId}: stopped while waiting for ${what}`));
            return true;
          }
          const hit = check();
          if (hit === undefined) return false;
          finish();
          resolve(hit);
          return true;
        },
      };
      const timer = setTimeout(() => {
        finish();
        const syncErr = this.lastSyncError ? ` (last sync error: ${String(this.lastSyncError)})` : "";
        reject(new Error(`${this.userId}: timed out after ${timeoutMs} ms waiting for ${what}${syncErr}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
    });
  }

  private ensureSyncing(): void {
    if (!this.syncLoop && !this.abort.signal.aborted) this.syncLoop = this.runSync();
  }

  private async runSync(): Promise<void> {
    const signal = this.abort.signal;
    let since: string | undefined;
    while (!signal.aborted) {
      try {
        const qs = new URLSearchParams({ filter: SYNC_FILTER, timeout: since ? String(SYNC_TIMEOUT_MS) : "0" });
        if (since) qs.set("since", since);
        const res = await this.request<SyncResponse>("GET", `/_matrix/client/v3/sync?${qs}`, undefined, signal);
        this.ingest(res);
        since = res.next_batch;
        this.lastSyncError = undefined;
      } catch (err) {
        if (signal.aborted) return;
        // Keep going: tests restart the homeserver under us and expect the client to recover.
        this.lastSyncError = err;
        await sleep(250, signal);
      }
    }
  }

  private ingest(res: SyncResponse): void {
    for (const [roomId, room] of Object.entries(res.rooms?.join ?? {})) {
      // Pre-timeline state too: a gappy sync can put a state change there instead of the timeline.
      for (const ev of [...(room.state?.events ?? []), ...(room.timeline?.events ?? [])]) {
        this.record({ ...ev, room_id: roomId });
      }
      this.markHandledBySync(roomId);
    }
    for (const [roomId, room] of Object.entries(res.rooms?.leave ?? {})) {
      for (const ev of room.timeline?.events ?? []) this.record({ ...ev, room_id: roomId });
      this.markHandledBySync(roomId);
    }
    for (const [roomId, room] of Object.entries(res.rooms?.invite ?? {})) {
      const state = room.invite_state?.events ?? [];
      const me = state.find((e) => e.type === "m.room.member" && e.state_key === this.userId);
      this.invites.set(roomId, { roomId, sender: me?.sender, state });
      this.syncHandled.delete(roomId); // e.g. re-invited after leaving
    }
    for (const w of [...this.waiters]) w.offer();
  }

  private markHandledBySync(roomId: string): void {
    this.syncHandled.add(roomId);
    this.locallyHandled.delete(roomId); // sync has caught up; it is authoritative again
  }

  private record(ev: MatrixEvent): void {
    if (this.seenIds.has(ev.event_id)) return;
    this.seenIds.add(ev.event_id);
    this.allEvents.push(ev);
    let list = this.eventsByRoom.get(ev.room_id);
    if (!list) this.eventsByRoom.set(ev.room_id, (list = []));
    list.push(ev);
  }
}

interface SyncResponse {
  next_batch: string;
  rooms?: {
    join?: Record<string, { timeline?: { events?: MatrixEvent[] }; state?: { events?: MatrixEvent[] } }>;
    leave?: Record<string, { timeline?: { events?: MatrixEvent[] } }>;
    invite?: Record<string, { invite_state?: { events?: Invite["state"] } }>;
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
