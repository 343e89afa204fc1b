import { LogCapture } from "../../support/logCapture";
import { createAppContext } from "../../../src/app/appContext";
import type { AppContext } from "../../../src/app/context";
import { installHours } from "../../../src/features/hours/install";
import { createLogger } from "../../../src/kernel/logger";
import type { CarenetConfig, CommunityConfig, PostingExceptionConfig, PostingWindowConfig } from "../../../src/config/types";
import type { PostingHoursKeeper } from "../../../src/features/hours/keeper";
import { type Homeserver } from "../../../src/matrix/homeserver";
import { powerLevels } from "../../../src/matrix/provisioning";
import type { RoomHoursHomeserver } from "../../../src/matrix/roomHours";
import { openDatabase, type Db } from "../../../src/store/database";

export const DOMAIN = "example.org";
export const BOT = `@carenet:${DOMAIN}`;
export const SAM = "@sam:example.org"; // staff
export const ANN = "@ann:example.org"; // admin
export const MIA = "@mia:example.org"; // member
export const CRISIS = "In an emergency call 999. Samaritans 116 123 (free, 24/7).";

/** Parses an ISO instant with its offset; the tests write every instant with its zone offset. */
export const at = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad test instant ${iso}`);
  return ms;
};

export const roomIdOf = (communityId: string, roomKey: string) => `!${communityId}-${roomKey}:${DOMAIN}`;

export function community(
  id: string,
  hours: { posting_hours?: PostingWindowConfig[]; exceptions?: PostingExceptionConfig[] } | undefined,
  timezone = "Europe/London",
): CommunityConfig {
  return {
    id,
    name: `${id} community`,
    timezone,
    staff: [SAM],
    admins: [ANN],
    rooms: {
      community: { name: `${id} chat`, ...(hours ?? {}) },
      staff: { name: `${id} staff` },
      alumni: { name: `${id} alumni` },
      extra: [],
    },
    checkins: [],
  };
}

export function config(communities: CommunityConfig[]): CarenetConfig {
  return {
    homeserver: { url: "http://127.0.0.1:8008", domain: DOMAIN },
    appservice: { bind: "127.0.0.1", port: 0, registration: "registration.yaml" },
    database: { path: ":memory:" },
    bot: { localpart: "carenet", displayname: "Care Network" },
    logging: { level: "info" },
    events: { max_age: "5m" },
    crisis_resources: CRISIS,
    communities,
  };
}

export interface Call {
  method: string;
  args: unknown[];
}

/** A homeserver that keeps each room's power levels and records what carenet asks of it. */
export class FakeHoursHomeserver implements RoomHoursHomeserver {
  readonly levels = new Map<string, Record<string, any>>();
  readonly calls: Call[] = [];
  /** Return an error to make a call fail. */
  failWith: (method: string, args: unknown[]) => Error | undefined = () => undefined;

  addRoom(roomId: string): void {
    if (!this.levels.has(roomId)) this.levels.set(roomId, powerLevels({ [BOT]: 100, [SAM]: 50, [ANN]: 100 }, true));
  }

  eventsDefault(roomId: string): unknown {
    return this.levels.get(roomId)?.events_default;
  }

  callsOf(method: string): Call[] {
    return this.calls.filter((c) => c.method === method);
  }

  private record(method: string, args: unknown[]): void {
    this.calls.push({ method, args });
    const err = this.failWith(method, args);
    if (err) throw err;
  }

  async getStateContent(roomId: string, eventType: string, stateKey = ""): Promise<Record<string, unknown> | null> {
    this.record("getStateContent", [roomId, eventType, stateKey]);
    if (eventType !== "m.room.power_levels") return null;
    const pl = this.levels.get(roomId);
    return pl ? structuredClone(pl) : null;
  }

  async sendState(roomId: string, eventType: string, stateKey: string, content: object): Promise<string> {
    this.record("sendState", [roomId, eventType, stateKey, structuredClone(content)]);
    if (eventType === "m.room.power_levels") this.levels.set(roomId, structuredClone(content) as Record<string, any>);
    return `$state${this.calls.length}`;
  }

  async redact(roomId: string, eventId: string, reason: string, txnId: string): Promise<void> {
    this.record("redact", [roomId, eventId, reason, txnId]);
  }
}


export interface OutboxMessage {
  dedupeKey: string;
  roomId: string;
  toUser: string | null;
  body: string;
}

/**
 * carenet's posting hours over real stores (SQLite in memory or in a file, so a "restart"
 * opens the same file again), a real scheduler on a fake clock, and a recording homeserver.
 */
export class World {
  readonly db: Db;
  readonly app: AppContext;
  readonly keeper: PostingHoursKeeper;
  readonly logs = new LogCapture();
  now: number;
  cfg: CarenetConfig;

  constructor(
    cfg: CarenetConfig,
    now: number,
    readonly hs = new FakeHoursHomeserver(),
    dbFile = ":memory:",
  ) {
    this.cfg = cfg;
    this.now = now;
    this.db = openDatabase(dbFile);
    const clock = { now: () => this.now };
    const log = createLogger("debug", this.logs);
    this.app = createAppContext({
      db: this.db,
      config: () => this.cfg,
      clock,
      log,
      botUserId: BOT,
      domain: DOMAIN,
      homeserver: hs as unknown as Homeserver,
    });
    this.keeper = installHours(this.app);
    this.provision();
  }

  /** What provisioning would have recorded: every configured room, and the room on the homeserver. */
  provision(): void {
    for (const c of this.cfg.communities) {
      for (const key of ["community", "staff", "alumni", ...c.rooms.extra.map((r) => r.id)]) {
        const roomId = roomIdOf(c.id, key);
        const name = key === "community" || key === "staff" || key === "alumni" ? c.rooms[key].name : c.rooms.extra.find((r) => r.id === key)!.name;
        this.app.rooms.record({ communityId: c.id, roomKey: key, roomId, alias: `#carenet_${c.id}_${key}:${DOMAIN}`, name, origin: "created" }, this.now);
        this.hs.addRoom(roomId);
      }
    }
  }

  /** The steps after provisioning, as at start or after a reload. */
  async reconcile(reason: "start" | "reload" = "start"): Promise<void> {
    for (const step of this.app.afterReconcile) await step(this.cfg, reason);
  }

  async reload(next: CarenetConfig): Promise<void> {
    this.cfg = next;
    this.provision();
    await this.reconcile("reload");
  }

  /** Moves the clock to `target`, running every job at the moment it is due (as the scheduler loop does). */
  async advanceTo(target: number): Promise<void> {
    for (;;) {
      const next = this.app.jobs.nextDueAt();
      if (next === null || next > target) break;
      this.now = Math.max(this.now, next);
      await this.app.scheduler.runDue();
    }
    this.now = target;
    await this.app.scheduler.runDue();
  }

  /** When the room's transition job is due (undefined if it has none pending). */
  transitionDue(communityId: string, roomKey = "community"): number | undefined {
    const job = this.app.jobs.get(`hours:${communityId}:${roomKey}`);
    return job?.state === "pending" ? job.dueAt : undefined;
  }

  /** Every message carenet queued, oldest first. */
  messages(): OutboxMessage[] {
    return (this.db.prepare("SELECT dedupe_key, room_id, to_user, content_json FROM outbox ORDER BY id").all() as Array<{
      dedupe_key: string;
      room_id: string;
      to_user: string | null;
      content_json: string;
    }>).map((r) => ({ dedupeKey: r.dedupe_key, roomId: r.room_id, toUser: r.to_user, body: String(JSON.parse(r.content_json).body) }));
  }

  /** Notices posted in a room, oldest first. */
  notices(roomId: string): string[] {
    return this.messages()
      .filter((m) => m.roomId === roomId && !m.toUser)
      .map((m) => m.body);
  }

  /** Messages to a person, oldest first. */
  toldTo(userId: string): string[] {
    return this.messages()
      .filter((m) => m.toUser === userId)
      .map((m) => m.body);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
