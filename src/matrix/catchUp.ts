import type { Clock } from "../kernel/clock";
import { eachAtMost } from "../kernel/concurrency";
import type { Logger } from "../kernel/logger";
import type { Db } from "../store/database";
import type { IgnoreReason, IncomingEvent, InboxStore } from "../store/inbox";
import type { ReadPositionsStore } from "./store/readPositions";
import { looksLikeOutage, type Homeserver, type InitialSyncRoom, type StateEvent } from "./homeserver";

/**
 * Bounds of a catch-up, chosen so that a deployment with hundreds of rooms and a long
 * outage is read quickly without flooding the homeserver (docs/operations.md).
 */
export const CATCH_UP_LIMITS = {
  /** Rooms read at the same time. */
  concurrency: 4,
  /** Events asked for per /messages request. */
  pageSize: 100,
  /** Requests per room and catch-up: at most pageSize × maxPages events (the newest) are read. */
  maxPages: 5,
  /** Never read further back than this, whatever events.max_age says: handled events are kept 7 days. */
  maxWindowMs: 24 * 60 * 60 * 1000,
  /** How often the homeserver is probed to notice an outage nothing else noticed. */
  probeEveryMs: 2000,
  /** Newest events per room asked of `GET /initialSync`. */
  syncLimit: 10,
};

/** The inbox "transaction id" of events found by catch-up (there is no transaction). */
export const CATCH_UP_SOURCE = "catch-up";

export interface CatchUpDeps {
  homeserver: Pick<Homeserver, "joinedRooms" | "roomMessages" | "reachable"> & Partial<Pick<Homeserver, "initialSync">>;
  db: Db;
  inbox: InboxStore;
  positions: ReadPositionsStore;
  clock: Clock;
  log: Logger;
  /** Events carenet never acts on (its own): recorded as ignored, as from a transaction. */
  ignore: IgnoreReason;
  /** events.max_age: how far back a room is read at most. */
  maxAgeMs: number;
  /** Called after new events were recorded, so the inbox worker handles them. */
  recorded: () => void;
  limits?: Partial<typeof CATCH_UP_LIMITS>;
  /** Whose current state to keep from `GET /initialSync` (the provisioned rooms). */
  keepState?: (roomId: string) => boolean;
  /**
   * Called once per catch-up after `GET /initialSync` was asked, with the kept rooms'
   * states, or undefined when it could not be read (provisioning then reads each room).
   */
  sawStates?: (states: Map<string, StateEvent[]> | undefined) => void;
}

export interface CatchUpReport {
  reason: string;
  rooms: number;
  /** Events read from timelines (including ones already in the inbox). */
  read: number;
  /** Events that were not in the inbox yet: the homeserver never pushed them (or not yet). */
  added: number;
  /** Rooms whose gap was longer than the page bound: older events in them were not read. */
  truncated: number;
  /** Rooms that could not be read (they are read again at the next catch-up). */
  failed: number;
  /** Rooms whose timeline had to be read with /messages (the rest were settled by one GET /initialSync). */
  paged: number;
}

/**
 * Catch-up that never relies on the homeserver's memory. Synapse holds the events it has
 * not yet pushed to an appservice in memory only, so a restart or crash can lose them for
 * good. At start, and whenever carenet has seen the homeserver fail (a failed send or
 * health check, transaction ids that start again), this reads the timeline of every room the bot
 * is in — newest first, from the present back to where it last read, never further back
 * than events.max_age — and records what it finds in the durable inbox, where events are
 * unique by id. An event that arrives both ways is therefore handled once, whichever
 * path records it first.
 */
export class CatchUp {
  private readonly limits: typeof CATCH_UP_LIMITS;
  private running: Promise<void> | undefined;
  private again: string | undefined;
  private troubled = false;
  /** Set when the homeserver refused `GET /initialSync`: every catch-up then reads each room. */
  private noInitialSync = false;
  private lastTxn: number | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private probing = false;
  /** Nothing runs before start(): with catch-up switched off, trouble is noted but never acted on. */
  private started = false;
  private stopped = false;
  /** The latest finished run (tests and /health read it). */
  last: (CatchUpReport & { at: number }) | undefined;

  constructor(private readonly d: CatchUpDeps) {
    this.limits = { ...CATCH_UP_LIMITS, ...d.limits };
  }

  /** Runs a first catch-up now and starts watching for outages. */
  start(): void {
    this.started = true;
    this.stopped = false;
    this.request("start");
    this.scheduleProbe();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.probeTimer);
    while (this.running) await this.running;
  }

  /** Something saw the homeserver fail: catch up as soon as it answers again. */
  noteTrouble(reason: string): void {
    if (!this.troubled) this.d.log.warn({ reason }, "the homeserver seems unavailable; its timelines will be read when it is back");
    this.troubled = true;
  }

  /** A health check's result: a failure is trouble, and the first success after it starts a catch-up. */
  noteReachable(reachable: boolean): void {
    if (!reachable) return this.noteTrouble("the homeserver did not answer a health check");
    if (this.troubled) {
      this.troubled = false;
      this.request("the homeserver is back");
    }
  }

  /**
   * Synapse numbers transactions from one counter shared by every appservice it serves
   * (`application_services_txn_id_seq`), so a jump forward is normal: another appservice
   * took the numbers in between. A number lower than the last one means the counter
   * started again — on SQLite Synapse restarts it from the highest transaction not yet
   * acknowledged, usually 0, when it restarts — and events it held in memory only may be
   * gone: that starts a catch-up. A repeated number is a retry.
   */
  noteTransaction(txnId: string): void {
    const n = /^\d+$/.test(txnId) ? Number(txnId) : NaN;
    if (!Number.isSafeInteger(n)) return;
    const last = this.lastTxn;
    this.lastTxn = n;
    if (last === undefined || n >= last) return;
    this.d.log.warn({ previous: last, txnId: n }, "the homeserver's transaction ids started again; reading timelines");
    this.request("transaction ids started again");
  }

  /** Runs a catch-up now, or right after the one running (requests meanwhile are merged). */
  request(reason: string): void {
    if (!this.started || this.stopped) return;
    if (this.running) {
      this.again = reason;
      return;
    }
    this.running = (async () => {
      let next: string | undefined = reason;
      while (next !== undefined && !this.stopped) {
        this.again = undefined;
        try {
          await this.runOnce(next);
        } catch (err) {
          this.noteTrouble(`catch-up failed: ${(err as Error)?.message ?? String(err)}`);
        }
        next = this.again;
      }
    })().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves when no catch-up is running or asked for. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /**
   * One catch-up over every room the bot is in. One `GET /initialSync` gives each joined
   * room's newest events: a room whose last read event is among them (or whose whole
   * timeline, or all of the window, fits in them) is settled from that answer alone; only
   * the others are read with /messages, a few at a time. Without initialSync (a homeserver
   * that does not serve it) every joined room is read with /messages.
   */
  async runOnce(reason: string): Promise<CatchUpReport> {
    const started = this.d.clock.now();
    const baseline = this.d.positions.baseline(started);
    const report: CatchUpReport = { reason, rooms: 0, read: 0, added: 0, truncated: 0, failed: 0, paged: 0 };
    const add = (r: { read: number; added: number; truncated: boolean }) => {
      report.read += r.read;
      report.added += r.added;
      if (r.truncated) report.truncated++;
    };
    // Each room is settled as the answer arrives, so its events are dropped at once.
    const synced = await this.initialSync((room) => {
      const settled = this.settleFromSync(room, baseline);
      if (settled) add(settled);
      return settled !== undefined;
    });
    const rooms = synced ? synced.rooms : await this.d.homeserver.joinedRooms();
    const toPage = synced ? synced.toPage : rooms;
    report.rooms = rooms.length;
    report.paged = toPage.length;
    await eachAtMost(
      toPage,
      this.limits.concurrency,
      async (roomId) => {
        try {
          add(await this.catchUpRoom(roomId, baseline));
        } catch (err) {
          report.failed++;
          if (looksLikeOutage(err)) this.noteTrouble(`reading a timeline failed: ${(err as Error)?.message ?? "unknown error"}`);
          else this.d.log.warn({ roomId, err: (err as Error)?.message }, "could not read a room's timeline");
        }
      },
      () => !this.stopped,
    );
    if (report.failed === 0) this.d.positions.keepOnly(rooms);
    this.last = { ...report, at: this.d.clock.now() };
    const level = report.added > 0 || report.truncated > 0 || report.failed > 0 ? "warn" : "info";
    this.d.log[level]({ ...report, tookMs: this.d.clock.now() - started }, report.added > 0 ? "catch-up found events the homeserver had not delivered" : "caught up with room timelines");
    return report;
  }

  /**
   * `GET /initialSync`, each room handed to `settle` as it is read (true: settled, false:
   * to be read with /messages); undefined when the homeserver does not serve it (an outage
   * throws). Rooms settled before a failure stay settled: their positions were recorded.
   */
  private async initialSync(settle: (room: InitialSyncRoom) => boolean): Promise<{ rooms: string[]; toPage: string[] } | undefined> {
    const hs = this.d.homeserver;
    let synced: { rooms: string[]; toPage: string[] } | undefined;
    const states = new Map<string, StateEvent[]>();
    const keepState = this.d.sawStates ? (this.d.keepState ?? (() => false)) : () => false;
    if (hs.initialSync && !this.noInitialSync) {
      const rooms: string[] = [];
      const toPage: string[] = [];
      try {
        await hs.initialSync(this.limits.syncLimit, (room) => {
          rooms.push(room.roomId);
          if (room.state && keepState(room.roomId)) states.set(room.roomId, room.state);
          if (!settle(room)) toPage.push(room.roomId);
        });
        synced = { rooms, toPage };
      } catch (err) {
        const status = (err as { statusCode?: number })?.statusCode;
        if (status === undefined && looksLikeOutage(err)) {
          this.d.sawStates?.(undefined);
          throw err;
        }
        // Refused (4xx): the deprecated endpoint is not asked again. A 5xx: not this time.
        if (status !== undefined && status < 500) this.noInitialSync = true;
        this.d.log.warn({ err: (err as Error)?.message, status }, "the homeserver did not answer GET /initialSync; reading each room instead");
      }
    }
    this.d.sawStates?.(synced ? states : undefined);
    return synced;
  }

  /**
   * Records what a room's newest events from initialSync hold that is new since its last
   * read, if they reach back that far; undefined if the room must be read with /messages.
   */
  private settleFromSync(room: InitialSyncRoom, baseline: number): { read: number; added: number; truncated: boolean } | undefined {
    const { roomId, timeline } = room;
    const now = this.d.clock.now();
    const pos = this.d.positions.position(roomId);
    const notBefore = this.notBefore(pos?.token, baseline, now);
    const chunk = timeline.chunk;
    let from = 0;
    let complete = false;
    const i = pos?.event === undefined ? -1 : chunk.findIndex((e) => e.event_id === pos.event);
    if (i >= 0) {
      from = i + 1;
      complete = true;
    } else if (chunk.length < this.limits.syncLimit) {
      complete = true; // the room's whole visible timeline
    } else if (chunk.length > 0 && Number(chunk[0].origin_server_ts) < notBefore) {
      complete = true; // reaches back past what catch-up would read
    }
    if (!complete) return undefined;
    const found: IncomingEvent[] = [];
    for (const raw of chunk.slice(from)) {
      const ev = { ...raw, room_id: typeof raw.room_id === "string" ? raw.room_id : roomId } as IncomingEvent;
      if (Number(ev.origin_server_ts) >= notBefore) found.push(ev);
    }
    const newest = typeof chunk.at(-1)?.event_id === "string" ? (chunk.at(-1)!.event_id as string) : pos?.event;
    const token = timeline.end || pos?.token;
    return { read: found.length, added: this.record(roomId, found, token, newest), truncated: false };
  }

  private notBefore(stopAt: string | undefined, baseline: number, now: number): number {
    const window = Math.min(this.d.maxAgeMs, this.limits.maxWindowMs);
    return stopAt === undefined ? Math.max(now - window, baseline) : now - window;
  }

  /** Records events (oldest first) and the room's new position in one SQLite transaction. */
  private record(roomId: string, found: IncomingEvent[], token: string | undefined, newest: string | undefined): number {
    const added = this.d.db.transaction(() => {
      const n = found.length ? this.d.inbox.recordEvents(CATCH_UP_SOURCE, found, this.d.clock.now(), this.d.ignore) : 0;
      if (token) this.d.positions.set(roomId, token, this.d.clock.now(), newest);
      return n;
    })();
    if (added > 0) {
      this.d.log.info({ roomId, added }, "recorded events found in a room's timeline");
      this.d.recorded();
    }
    return added;
  }

  /**
   * Reads one room from its present end back to the last position read (or max_age, or
   * the baseline for a room never read), newest first, and records the events oldest first
   * together with the new position.
   */
  private async catchUpRoom(roomId: string, baseline: number): Promise<{ read: number; added: number; truncated: boolean }> {
    const pos = this.d.positions.position(roomId);
    const stopAt = pos?.token;
    const notBefore = this.notBefore(stopAt, baseline, this.d.clock.now());
    const found: IncomingEvent[] = [];
    let head: string | undefined;
    let newest: string | undefined;
    let from: string | undefined;
    let truncated = true;
    for (let page = 0; page < this.limits.maxPages; page++) {
      const res = await this.d.homeserver.roomMessages(roomId, { dir: "b", from, to: stopAt, limit: this.limits.pageSize });
      head ??= res.start;
      if (page === 0 && typeof res.chunk[0]?.event_id === "string") newest = res.chunk[0].event_id;
      let old = false;
      for (const raw of res.chunk) {
        const ev = { ...raw, room_id: typeof raw.room_id === "string" ? raw.room_id : roomId } as IncomingEvent;
        if (Number(ev.origin_server_ts) < notBefore) {
          old = true;
          break;
        }
        found.push(ev);
      }
      // A page shorter than asked for is the last: Synapse fills a page unless it ran out
      // (reached `to` or the room's start). It can also leave out events the bot may not see
      // (from while it was not in the room), which catch-up could not read anyway. Without
      // this every room with anything new cost a second, empty page.
      if (old || res.chunk.length < this.limits.pageSize || !res.end || res.end === from) {
        truncated = false;
        break;
      }
      from = res.end;
    }
    if (truncated) {
      this.d.log.warn({ roomId, read: found.length }, "a room's gap was longer than catch-up reads; older events in it were not read");
    }
    found.reverse();
    // Nothing new: the newest event is still the one read last time.
    const added = this.record(roomId, found, head, newest ?? pos?.event);
    return { read: found.length, added, truncated };
  }

  private scheduleProbe(): void {
    if (this.stopped) return;
    this.probeTimer = setTimeout(() => void this.probe(), this.limits.probeEveryMs);
    this.probeTimer.unref();
  }

  private async probe(): Promise<void> {
    if (this.probing || this.stopped) return;
    this.probing = true;
    try {
      this.noteReachable(await this.d.homeserver.reachable());
    } finally {
      this.probing = false;
      this.scheduleProbe();
    }
  }
}
