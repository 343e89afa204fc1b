import { TimedWorld } from "../../support/fakeClock";
import { LogCapture } from "../../support/logCapture";
import type { AppContext } from "../../../src/app/context";
import { installHours } from "../../../src/features/hours/install";
import { createLogger } from "../../../src/kernel/logger";
import type { CarenetConfig, CommunityConfig, PostingExceptionConfig, PostingWindowConfig } from "../../../src/config/types";
import type { PostingHoursKeeper } from "../../../src/features/hours/keeper";
import { powerLevels } from "../../../src/matrix/provisioning";
import { openDatabase, type Db } from "../../../src/store/database";
import { FakeHomeserver } from "../../support/fakeHomeserver";
import { ANN, BOT, carenetConfig, communityConfig, DOMAIN, MIA, SAM } from "../../support/fixtures";
import { queuedMessages } from "../../support/outboxRows";
import { runAfterReconcile, testAppContext } from "../../support/testApp";

export { DOMAIN, BOT, CRISIS, at } from "../../support/fixtures";
/** Sam is staff, Ann admin, Mia a member. */
export { SAM, ANN, MIA };

export const roomIdOf = (communityId: string, roomKey: string) => `!${communityId}-${roomKey}:${DOMAIN}`;

export function community(
  id: string,
  hours: { posting_hours?: PostingWindowConfig[]; exceptions?: PostingExceptionConfig[] } | undefined,
  timezone = "Europe/London",
): CommunityConfig {
  return communityConfig(id, {
    timezone,
    staff: [SAM],
    admins: [ANN],
    rooms: { community: { name: `${id} chat`, ...(hours ?? {}) }, staff: { name: `${id} staff` }, alumni: { name: `${id} alumni` }, extra: [] },
  });
}

export function config(communities: CommunityConfig[]): CarenetConfig {
  return carenetConfig(communities);
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
export class World extends TimedWorld {
  readonly db: Db;
  readonly app: AppContext;
  readonly keeper: PostingHoursKeeper;
  readonly logs = new LogCapture();
  cfg: CarenetConfig;

  constructor(
    cfg: CarenetConfig,
    now: number,
    readonly hs = new FakeHomeserver(),
    dbFile = ":memory:",
  ) {
    super(now);
    this.cfg = cfg;
    this.db = openDatabase(dbFile);
    this.app = testAppContext({
      db: this.db,
      config: () => this.cfg,
      clock: this.clock,
      log: createLogger("debug", this.logs),
      hs,
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
        // Each room starts with the power levels provisioning gives it (staff 50, admins 100).
        if (!this.hs.rooms.has(roomId)) this.hs.addRoom(roomId, { power: powerLevels({ [BOT]: 100, [SAM]: 50, [ANN]: 100 }, true) });
      }
    }
  }

  /** The steps after provisioning, as at start or after a reload. */
  reconcile(reason: "start" | "reload" = "start"): Promise<void> {
    return runAfterReconcile(this.app, this.cfg, reason);
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
    return queuedMessages(this.db).map((m) => ({ dedupeKey: m.key, roomId: m.roomId, toUser: m.toUser, body: m.body }));
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
