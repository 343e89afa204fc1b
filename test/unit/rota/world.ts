import { TimedWorld } from "../../support/fakeClock";
import type { AppContext } from "../../../src/app/context";
import { installRota, type RotaGives } from "../../../src/features/rota/install";
import { consentNeeded } from "../../../src/features/communities/consent";
import { ladderGapsTonight } from "../../../src/features/paging/gaps";
import type { Dispatcher } from "../../../src/commands/dispatcher";
import type { CommandResult } from "../../../src/commands/types";
import type { CarenetConfig, CommunityConfig } from "../../../src/config/types";
import { AuditLog } from "../../../src/store/audit";
import { openDatabase, type Db } from "../../../src/store/database";
import { JobsStore } from "../../../src/store/jobs";
import { MembersStore } from "../../../src/features/communities/store/members";
import { RotaStore } from "../../../src/features/rota/store/rota";
import { ALEX, ANN, BEA, CAL, carenetConfig, communityConfig, CRISIS, DEE, ELI, MIN, SAM } from "../../support/fixtures";
import { queuedMessages } from "../../support/outboxRows";
import { routedCommand, runAfterReconcile, testAppContext, testDispatcher } from "../../support/testApp";

export { CRISIS, MIN, HOUR, DAY } from "../../support/fixtures";
/** Sam is staff and Ann admin of oak, Eli staff of elm; Dee is nobody's member. */
export { SAM, ANN, ELI, ALEX, BEA, CAL, DEE };

/** Monday 2 March 2026, 12:00 in London (GMT = UTC). */
export const MON_NOON = Date.parse("2026-03-02T12:00:00Z");

export function community(id: string, overrides: Partial<CommunityConfig> = {}): CommunityConfig {
  return communityConfig(id, {
    name: `${id[0].toUpperCase()}${id.slice(1)} TC`,
    staff: id === "oak" ? [SAM] : [ELI],
    admins: id === "oak" ? [ANN] : [],
    rota: { approval_required: true, max_shifts_per_week: 3, max_pages_per_night: 2, handoff_reminder: "30m" },
    ...overrides,
  });
}

export type Where = "dm" | { community: string; room: "community" | "staff" | "alumni" };

export const roomId = (communityId: string, key: string) => `!${key}-${communityId}:example.org`;

interface OutboxRowView {
  key: string;
  toUser: string | null;
  roomId: string;
  body: string;
}

/**
 * carenet's rota capability over an in-memory database, the real stores, effects (as
 * outbox and job rows) and scheduler, on a clock the test moves. Commands go through the
 * real dispatcher the way the event router calls it.
 */
export class World extends TimedWorld {
  config: CarenetConfig;
  readonly db: Db;
  readonly app: AppContext;
  /** What the rota handed the others at install: who is on call, who is on a break. */
  readonly capabilities: RotaGives;
  readonly members: MembersStore;
  readonly rota: RotaStore;
  readonly jobs: JobsStore;
  readonly audit: AuditLog;
  readonly errors: unknown[] = [];
  /** People who have not agreed to their community's current rights text. */
  readonly withoutConsent = new Set<string>();
  private readonly dispatcher: Dispatcher;
  private seq = 0;

  constructor(opts: { communities?: CommunityConfig[]; now?: number } = {}) {
    super(opts.now ?? MON_NOON);
    this.config = carenetConfig(opts.communities ?? [community("oak")]);
    this.db = openDatabase(":memory:");
    this.app = testAppContext({
      db: this.db,
      config: () => this.config,
      clock: this.clock,
      retryAdvice: () => ({ delayMs: MIN, permanent: false, reason: "test" }),
    });
    this.jobs = this.app.jobs;
    this.members = this.app.members;
    this.audit = this.app.audit;
    this.rota = new RotaStore(this.db);
    for (const c of this.config.communities) {
      for (const key of ["community", "staff", "alumni"]) {
        this.app.rooms.record({ communityId: c.id, roomKey: key, roomId: roomId(c.id, key), alias: `#${c.id}_${key}`, name: key, origin: "created" }, 0);
      }
    }
    // Members here have agreed to their community's text unless a test says otherwise.
    this.capabilities = installRota(this.app, {
      hasConsent: (_communityId, userId) => !this.withoutConsent.has(userId),
      consentNeeded: (c, userId, what, crisis) => consentNeeded(this.app, c, userId, what, crisis),
      gapsTonight: ladderGapsTonight,
    });
    this.dispatcher = testDispatcher(this.app, (err) => this.errors.push(err));
  }

  c(id = "oak"): CommunityConfig {
    return this.config.communities.find((c) => c.id === id)!;
  }

  addMember(userId: string, communityId = "oak"): void {
    this.members.add({ communityId, userId, sponsor: null, addedBy: SAM }, this.now);
  }

  /** Sends a command as `sender`, in a DM or one of a community's rooms. */
  async send(sender: string, body: string, where: Where = "dm"): Promise<CommandResult> {
    const c = where === "dm" ? undefined : this.c(where.community);
    const result = await this.dispatcher.dispatch(
      body,
      routedCommand({
        sender,
        place: where === "dm" ? "dm" : "room",
        roomId: where === "dm" ? `!dm-${sender}` : roomId(where.community, where.room),
        eventId: `$ev${++this.seq}`,
        community: c,
        roomKey: where === "dm" ? undefined : where.room,
        now: this.now,
        crisisResources: CRISIS,
      }),
    );
    if (this.errors.length) throw this.errors[0];
    return result;
  }

  /** Like send, and expects the command to be understood and done; returns the reply text. */
  async ok(sender: string, body: string, where: Where = "dm"): Promise<string> {
    const r = await this.send(sender, body, where);
    if (r.outcome !== "ok") throw new Error(`expected ${body} to be ok, got: ${r.reply.plain}`);
    return r.reply.plain;
  }

  /** Like send, and expects a refusal; returns the reply text. */
  async refused(sender: string, body: string, where: Where = "dm"): Promise<string> {
    const r = await this.send(sender, body, where);
    if (r.outcome !== "refused") throw new Error(`expected ${body} to be refused, got: ${r.reply.plain}`);
    return r.reply.plain;
  }

  onCall(at = this.now, communityId = "oak") {
    return this.capabilities.onCall(communityId, at);
  }

  reconcile(): Promise<void> {
    return runAfterReconcile(this.app, this.config, "reload");
  }

  /** Moves the clock and runs whatever jobs are due, as the scheduler loop would. */
  async at(ms: number): Promise<void> {
    this.now = ms;
    await this.app.scheduler.runDue();
  }

  outbox(): OutboxRowView[] {
    return queuedMessages(this.db).map((m) => ({ key: m.key, toUser: m.toUser, roomId: m.roomId, body: m.body }));
  }

  dmsTo(userId: string): string[] {
    return this.outbox()
      .filter((m) => m.toUser === userId)
      .map((m) => m.body);
  }

  postsIn(communityId: string, key = "staff"): string[] {
    return this.outbox()
      .filter((m) => m.roomId === roomId(communityId, key))
      .map((m) => m.body);
  }

  handoffJobs(state = "pending"): Array<{ key: string; dueAt: number }> {
    return (
      this.db.prepare("SELECT key, due_at FROM jobs WHERE kind = 'rota.handoff' AND state = ? ORDER BY due_at, key").all(state) as Array<{
        key: string;
        due_at: number;
      }>
    ).map((r) => ({ key: r.key, dueAt: r.due_at }));
  }

  close(): void {
    this.db.close();
  }
}

/** The number in "#12 …" of a reply or message. */
export function idIn(text: string): number {
  const m = /#(\d+)/.exec(text);
  if (!m) throw new Error(`no #id in: ${text}`);
  return Number(m[1]);
}
