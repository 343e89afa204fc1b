import { TimedWorld } from "../../support/fakeClock";
import { LogCapture } from "../../support/logCapture";
import type { AppContext } from "../../../src/app/context";
import { createLogger } from "../../../src/kernel/logger";
import { installCommunities } from "../../../src/features/communities/install";
import type { CarenetConfig, CommunityConfig } from "../../../src/config/types";
import type { EventRouter } from "../../../src/matrix/eventRouter";
import { INVITE_JOB, KICK_JOB } from "../../../src/matrix/membershipJobs";
import { SPACE_KEY } from "../../../src/features/communities/store/communityRooms";
import { openDatabase } from "../../../src/store/database";
import { EventFeed, type Answer } from "../../support/eventFeed";
import { FakeHomeserver } from "../../support/fakeHomeserver";
import { BOB, BOT, carenetConfig, CAROL, communityConfig, DAVE, DOMAIN, SAM, ANN, TOM } from "../../support/fixtures";
import { queuedByKey, queuedMessages } from "../../support/outboxRows";
import { runAfterReconcile, testAppContext } from "../../support/testApp";

/** Sam is staff and Ann admin of oak, Tom staff of elm; Bob, Carol and Dave start as nobody. */
export { BOT, DOMAIN, SAM, ANN, TOM, BOB, CAROL, DAVE };
export type { Answer };
export const CRISIS = "In an emergency call 999.\nSamaritans 116 123 (free, 24/7).";

export function community(id: string, over: Partial<CommunityConfig> = {}): CommunityConfig {
  return communityConfig(id, {
    name: `${id[0].toUpperCase()}${id.slice(1)} Community`,
    rooms: {
      community: { name: `${id} chat`, posting_hours: [{ days: ["mon", "tue", "wed", "thu", "fri"], from: "17:00", to: "09:00" }] },
      staff: { name: `${id} staff` },
      alumni: { name: `${id} alumni` },
      extra: [],
    },
    ...over,
  });
}

export function twoCommunities(): CarenetConfig {
  return carenetConfig(
    [
      community("oak", {
        staff: [SAM],
        admins: [ANN],
        rules: ["Be kind.", "Bring it back to the group."],
        rooms: { ...community("oak").rooms, extra: [{ id: "creative", name: "oak creative corner" }] },
      }),
      community("elm", { staff: [TOM] }),
    ],
    { crisis_resources: CRISIS },
  );
}

/** Room id of a community's room in these tests. */
export const roomOf = (communityId: string, key: string) => `!${communityId}-${key}:${DOMAIN}`;

/**
 * The communities capability wired as start.ts wires it, minus the homeserver: real
 * stores on an in-memory SQLite, the real event router, dispatcher and queued effects,
 * a fake homeserver that knows which users exist and what each room's state is.
 */
export class Harness extends TimedWorld {
  readonly db = openDatabase(":memory:");
  config: CarenetConfig;
  /** Knows these users, and the state of each community room. */
  readonly hs = new FakeHomeserver();
  readonly knownUsers = new Set<string>([SAM, ANN, TOM, BOB, CAROL, DAVE]);
  readonly logs = new LogCapture();
  readonly app: AppContext;
  readonly router: EventRouter;
  private readonly feed: EventFeed;

  constructor(config: CarenetConfig = twoCommunities()) {
    super(Date.UTC(2025, 0, 6, 12, 0));
    this.config = config;
    this.hs.knownUsers = this.knownUsers;
    this.app = testAppContext({
      db: this.db,
      config: () => this.config,
      clock: this.clock,
      log: createLogger("debug", this.logs),
      hs: this.hs,
      retryAdvice: () => ({ delayMs: 1000, permanent: false, reason: "" }),
    });
    installCommunities(this.app);
    for (const c of this.config.communities) this.provision(c);
    this.feed = new EventFeed(this.db, this.app, () => this.now);
    this.router = this.feed.router;
  }

  /** The two communities, with Bob added to oak by Sam and his invitations taken as done. */
  static async withBobInOak(): Promise<Harness> {
    const h = new Harness();
    await h.send(SAM, roomOf("oak", "staff"), "!member add @bob:example.org");
    h.runJobs();
    return h;
  }

  /** Records a community's rooms as provisioning would. */
  provision(c: CommunityConfig): void {
    for (const key of [SPACE_KEY, "community", "staff", "alumni", ...c.rooms.extra.map((r) => r.id)]) {
      this.app.rooms.record({ communityId: c.id, roomKey: key, roomId: roomOf(c.id, key), alias: `#carenet_${c.id}_${key}:${DOMAIN}`, name: key, origin: "created" }, this.now);
      if (!this.hs.rooms.has(roomOf(c.id, key))) this.hs.addRoom(roomOf(c.id, key));
    }
  }

  /** A conversation between the bot and `user`. */
  dm(user: string): string {
    const roomId = `!dm-${user.slice(1, user.indexOf(":"))}:${DOMAIN}`;
    this.app.dmRooms.record(roomId, user, this.now);
    return roomId;
  }

  /** `sender` sends `body` in `roomId`; returns carenet's answer. */
  send(sender: string, roomId: string, body: string): Promise<Answer> {
    return this.feed.message(sender, roomId, body);
  }

  /** A membership event in a room, as the homeserver would deliver it. */
  membership(roomId: string, userId: string, membership: string, opts: { sender?: string; previous?: string } = {}): Promise<void> {
    return this.feed.membership(roomId, userId, membership, opts);
  }

  reconcile(): Promise<void> {
    return runAfterReconcile(this.app, this.config, "reload");
  }

  outboxRow(key: string) {
    return queuedByKey(this.db, key);
  }

  /** Plain bodies of every message queued for a person (by DM), oldest first. */
  toldTo(user: string): string[] {
    return queuedMessages(this.db)
      .filter((m) => m.toUser === user)
      .map((m) => m.body);
  }

  /** Plain bodies posted in a room that are not replies to a command. */
  postedIn(roomId: string): string[] {
    return queuedMessages(this.db)
      .filter((m) => m.roomId === roomId && m.toUser === null && m.eventType === "m.room.message" && !m.key.startsWith("reply:"))
      .map((m) => m.body);
  }

  /** Pending invitations and removals, as [room id, user id] pairs. */
  jobsOf(kind: "invite" | "kick"): Array<{ roomId: string; userId: string; reason?: string; key: string }> {
    const rows = this.db
      .prepare("SELECT key, payload_json FROM jobs WHERE kind = ? AND state = 'pending' ORDER BY id")
      .all(kind === "invite" ? INVITE_JOB : KICK_JOB) as Array<{ key: string; payload_json: string }>;
    return rows.map((r) => ({ key: r.key, ...(JSON.parse(r.payload_json) as { roomId: string; userId: string; reason?: string }) }));
  }

  /** Marks every pending job done, as if the scheduler had run them. */
  runJobs(): void {
    this.db.prepare("UPDATE jobs SET state = 'done', finished_at = ? WHERE state = 'pending'").run(this.now);
  }

  audit(communityId: string | null = "oak") {
    return this.app.audit.latest(communityId, 100).reverse();
  }
}
