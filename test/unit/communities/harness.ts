import { LogCapture } from "../../support/logCapture";
import { createAppContext, createEventRouter } from "../../../src/app/appContext";
import type { AppContext } from "../../../src/app/context";
import { createLogger } from "../../../src/kernel/logger";
import { installCommunities } from "../../../src/features/communities/install";
import { Dispatcher } from "../../../src/commands/dispatcher";
import type { CarenetConfig, CommunityConfig } from "../../../src/config/types";
import { EventRouter } from "../../../src/matrix/eventRouter";
import type { Homeserver } from "../../../src/matrix/homeserver";
import { INVITE_JOB, KICK_JOB } from "../../../src/matrix/membershipJobs";
import { SPACE_KEY } from "../../../src/features/communities/store/communityRooms";
import { openDatabase } from "../../../src/store/database";
import { InboxStore, type IncomingEvent } from "../../../src/store/inbox";
import { FakeHomeserver } from "../../support/fakeHomeserver";
import { carenetConfig, communityConfig } from "../../support/fixtures";

import { BOT, DOMAIN } from "../../support/fixtures";
export { BOT, DOMAIN };
export const CRISIS = "In an emergency call 999.\nSamaritans 116 123 (free, 24/7).";
export const SAM = "@sam:example.org"; // staff of oak
export const ANN = "@ann:example.org"; // admin of oak
export const TOM = "@tom:example.org"; // staff of elm
export const BOB = "@bob:example.org";
export const CAROL = "@carol:example.org";
export const DAVE = "@dave:example.org";

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


export interface Answer {
  outcome: "ok" | "refused" | undefined;
  /** The reply's plain text. */
  text: string;
  /** Where the reply went: a room id, or `dm:<user>` when it was sent to the person directly. */
  to: string;
}

/**
 * The communities capability wired as start.ts wires it, minus the homeserver: real
 * stores on an in-memory SQLite, the real event router, dispatcher and queued effects,
 * a fake homeserver that knows which users exist and what each room's state is.
 */
export class Harness {
  readonly db = openDatabase(":memory:");
  now = Date.UTC(2025, 0, 6, 12, 0);
  config: CarenetConfig;
  /** Knows these users, and the state of each community room. */
  readonly hs = new FakeHomeserver();
  readonly knownUsers = new Set<string>([SAM, ANN, TOM, BOB, CAROL, DAVE]);
  readonly logs = new LogCapture();
  readonly app: AppContext;
  readonly router: EventRouter;
  private readonly inbox = new InboxStore(this.db);
  private seq = 0;

  constructor(config: CarenetConfig = twoCommunities()) {
    this.config = config;
    const clock = { now: () => this.now };
    const log = createLogger("debug", this.logs);
    this.hs.knownUsers = this.knownUsers;
    const homeserver = this.hs as unknown as Homeserver;
    this.app = createAppContext({
      db: this.db,
      config: () => this.config,
      clock,
      log,
      botUserId: BOT,
      domain: DOMAIN,
      homeserver,
      retryAdvice: () => ({ delayMs: 1000, permanent: false, reason: "" }),
    });
    installCommunities(this.app);
    for (const c of this.config.communities) this.provision(c);
    const dispatcher = new Dispatcher(this.app.commands, (err) => {
      throw err;
    }, this.app.atomically);
    this.router = createEventRouter(this.app, { inbox: this.inbox, dispatcher, maxEventAgeMs: 5 * 60_000 });
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

  private async deliver(ev: { type: string; room_id: string; sender: string; [key: string]: unknown }): Promise<string> {
    const eventId = `$ev${++this.seq}`;
    const event: IncomingEvent = { origin_server_ts: this.now, ...ev, event_id: eventId };
    this.inbox.recordTransaction(`txn${this.seq}`, [event], this.now);
    for (const row of this.inbox.pending()) await this.router.handle(row);
    return eventId;
  }

  /** `sender` sends `body` in `roomId`; returns carenet's answer. */
  async send(sender: string, roomId: string, body: string): Promise<Answer> {
    const eventId = await this.deliver({ type: "m.room.message", room_id: roomId, sender, content: { msgtype: "m.text", body } });
    const reply = this.outboxRow(`reply:${eventId}`);
    const react = this.outboxRow(`react:${eventId}`);
    const key = react ? String((react.content["m.relates_to"] as { key: string }).key) : undefined;
    return {
      outcome: key === "✅" ? "ok" : key === "⛔" ? "refused" : undefined,
      text: reply ? String(reply.content.body) : "",
      to: reply ? (reply.toUser ? `dm:${reply.toUser}` : reply.roomId) : "",
    };
  }

  /** A membership event in a room, as the homeserver would deliver it. */
  async membership(roomId: string, userId: string, membership: string, opts: { sender?: string; previous?: string } = {}): Promise<void> {
    await this.deliver({
      type: "m.room.member",
      room_id: roomId,
      sender: opts.sender ?? userId,
      state_key: userId,
      content: { membership },
      ...(opts.previous ? { unsigned: { prev_content: { membership: opts.previous } } } : {}),
    });
  }

  async reconcile(): Promise<void> {
    for (const step of this.app.afterReconcile) await step(this.config, "reload");
  }

  outboxRow(key: string): { roomId: string; toUser: string | null; content: Record<string, unknown> } | undefined {
    const r = this.db.prepare("SELECT room_id, to_user, content_json FROM outbox WHERE dedupe_key = ?").get(key) as
      | { room_id: string; to_user: string | null; content_json: string }
      | undefined;
    return r && { roomId: r.room_id, toUser: r.to_user, content: JSON.parse(r.content_json) };
  }

  /** Plain bodies of every message queued for a person (by DM), oldest first. */
  toldTo(user: string): string[] {
    return (this.db.prepare("SELECT content_json FROM outbox WHERE to_user = ? ORDER BY id").all(user) as Array<{ content_json: string }>).map(
      (r) => String(JSON.parse(r.content_json).body),
    );
  }

  /** Plain bodies posted in a room that are not replies to a command. */
  postedIn(roomId: string): string[] {
    return (
      this.db
        .prepare("SELECT content_json FROM outbox WHERE room_id = ? AND to_user IS NULL AND event_type = 'm.room.message' AND dedupe_key NOT LIKE 'reply:%' ORDER BY id")
        .all(roomId) as Array<{ content_json: string }>
    ).map((r) => String(JSON.parse(r.content_json).body));
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
