import { helpCommand } from "../commands/help";
import { languageCommand } from "../features/communities/commands/language";
import { DirectRooms } from "../matrix/directRooms";
import { retryAdvice as homeserverRetryAdvice, type Homeserver } from "../matrix/homeserver";
import { registerInvitations } from "../matrix/invitations";
import { registerMembershipJobs } from "../matrix/membershipJobs";
import { EventRouter } from "../matrix/eventRouter";
import type { Dispatcher } from "../commands/dispatcher";
import type { InboxStore } from "../store/inbox";
import { QueuedEffects } from "../matrix/queuedEffects";
import { Scheduler, type RetryAdvice } from "../scheduler/scheduler";
import { AuditLog } from "../store/audit";
import { CommunityRoomsStore } from "../features/communities/store/communityRooms";
import { ConsentStore } from "../features/communities/store/consent";
import { DisplayNamesStore } from "../features/communities/store/displayNames";
import { DmRoomsStore } from "../matrix/store/dmRooms";
import { EncryptionStore } from "../matrix/store/encryption";
import { JobsStore } from "../store/jobs";
import { MembersStore } from "../features/communities/store/members";
import { OutboxStore } from "../store/outbox";
import { LanguagesStore } from "../features/communities/store/languages";
import { PagesStore } from "../features/paging/store/pages";
import { noMetrics, type MetricsPort } from "../metrics/port";
import { createReaders } from "./readers";
import type { AppContext } from "./context";
import type { InstallContext } from "../ports/context";
import { RoomSnapshots } from "../matrix/roomSnapshot";
import { atomically as atomicallyOn } from "../store/atomically";
import { matrixTools } from "../matrix/tools";

/** What the app is built from: the basics every installer is handed too, and the homeserver client. */
export interface AppContextDeps extends Pick<InstallContext, "db" | "config" | "clock" | "log" | "botUserId" | "domain"> {
  homeserver: Homeserver;
  /** Pokes the outbox sender after messages were queued (nothing in tests that send by hand). */
  wakeOutbox?: () => void;
  /** See InstallContext.alertsSent (nothing waits in tests that send by hand). */
  alertsSent?: () => Promise<void>;
  /** See InstallContext.summoning (without a sender, the work simply runs). */
  summoning?: <T>(work: () => Promise<T>) => Promise<T>;
  retryAdvice?: (err: unknown, attempts: number) => RetryAdvice;
  /** Where counts go (default: nowhere). */
  metrics?: MetricsPort;
}

/**
 * The shared stores and services every capability's installer works with, before any
 * installer has run. `start()` builds the running service from it, and the tests build
 * the same thing over an in-memory database and a fake homeserver.
 */
export function createAppContext(d: AppContextDeps): AppContext {
  const metrics = d.metrics ?? noMetrics;
  const jobs = new JobsStore(d.db);
  const outbox = new OutboxStore(d.db);
  const dmRooms = new DmRoomsStore(d.db);
  const names = new DisplayNamesStore(d.db);
  const members = new MembersStore(d.db);
  const rooms = new CommunityRoomsStore(d.db);
  const languages = new LanguagesStore(d.db);
  const readers = createReaders({ config: d.config, names, languages, members, rooms, pages: new PagesStore(d.db), dmRooms });
  const scheduler = new Scheduler({
    jobs,
    clock: d.clock,
    log: d.log.child({ component: "scheduler" }),
    retryAdvice: d.retryAdvice ?? homeserverRetryAdvice,
    observeRun: (kind, lagMs) => metrics.jobRan(kind, lagMs),
  });
  registerMembershipJobs(scheduler, d.homeserver, d.log.child({ component: "membership" }));
  const atomically = atomicallyOn(d.db);
  registerInvitations(scheduler, {
    homeserver: d.homeserver,
    dmRooms,
    outbox,
    clock: d.clock,
    log: d.log.child({ component: "events" }),
    botUserId: d.botUserId,
    crisisResources: () => d.config().crisis_resources,
    atomically,
    wakeOutbox: () => d.wakeOutbox?.(),
    readerFor: (userId) => readers.forUser(userId),
    encryption: new EncryptionStore(d.db),
    decrypts: () => d.config().encryption?.enabled === true,
  });
  return {
    db: d.db,
    config: d.config,
    clock: d.clock,
    log: d.log,
    botUserId: d.botUserId,
    domain: d.domain,
    homeserver: d.homeserver,
    matrix: matrixTools(d.homeserver),
    roomSnapshots: new RoomSnapshots(),
    directRooms: new DirectRooms(dmRooms, d.homeserver, d.clock, d.botUserId, d.log.child({ component: "events" }), (userId) => readers.forUser(userId)),
    effects: new QueuedEffects(outbox, jobs, d.clock, { outbox: () => d.wakeOutbox?.(), scheduler: () => scheduler.wake() }, readers),
    readers,
    scheduler,
    jobs,
    outbox,
    dmRooms,
    rooms,
    members,
    consent: new ConsentStore(d.db),
    audit: new AuditLog(d.db),
    atomically,
    alertsSent: async () => d.alertsSent?.(),
    summoning: (work) => (d.summoning ? d.summoning(work) : work()),
    metrics,
    commands: [helpCommand, languageCommand({ languages, currentLanguage: (u) => readers.forUser(u).language })],
    roomMessageHooks: [],
    membershipHooks: [],
    reactionHooks: [],
    replyHooks: [],
    plainAnswerHooks: [],
    encryptedHooks: [],
    personalData: [],
    afterReconcile: [],
  };
}

/** The event router over an app's stores and hooks (start() and the tests build it alike). */
export function createEventRouter(
  app: AppContext,
  o: { inbox: InboxStore; dispatcher: Dispatcher; maxEventAgeMs: number; outboxChanged?: () => void },
): EventRouter {
  const names = new DisplayNamesStore(app.db);
  return new EventRouter({
    db: app.db,
    inbox: o.inbox,
    outbox: app.outbox,
    dmRooms: app.dmRooms,
    homeserver: app.homeserver,
    dispatcher: o.dispatcher,
    clock: app.clock,
    log: app.log.child({ component: "events" }),
    botUserId: app.botUserId,
    domain: app.domain,
    config: app.config,
    rooms: app.rooms,
    audit: app.audit,
    jobs: app.jobs,
    wakeScheduler: () => app.scheduler.wake(),
    roomMessageHooks: app.roomMessageHooks,
    membershipHooks: app.membershipHooks,
    reactionHooks: app.reactionHooks,
    replyHooks: app.replyHooks,
    plainAnswerHooks: app.plainAnswerHooks,
    encryptedHooks: app.encryptedHooks,
    maxEventAgeMs: o.maxEventAgeMs,
    outboxChanged: o.outboxChanged ?? (() => undefined),
    names: (u) => names.get(u),
    readers: app.readers,
  });
}
