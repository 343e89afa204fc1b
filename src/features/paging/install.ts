import { pagingCommands } from "./commands/page";
import { DIGEST_JOB } from "./digest";
import { INTRO_JOB, PagingRooms } from "./rooms";
import { WARM_JOB, WarmRooms } from "./warmRooms";
import { WarmRoomsStore } from "./store/warmRooms";
import { removeOldVersions } from "../../store/database";
import { PagingService } from "./service";
import { CRISIS_CLOSE_JOB, CRISIS_ROOM_JOB, DEADLINE_JOB, ROOM_JOB, STAFF_ALERT_JOB } from "./jobKeys";
import { PagesStore } from "./store/pages";
import { ContactsStore } from "./store/contacts";
import { contactCommand } from "./commands/contact";
import { GAP_JOB } from "./gaps";
import { CONTACT_CODE_JOB, OFF_MATRIX_JOB, OffMatrix } from "./offMatrix/service";
import type { InstallContext, OnCall } from "../../ports/context";
import { contactsPersonalData, pagesPersonalData } from "./personalData";
import type { KnownNames } from "../../ports/communities";
import type { Logger } from "../../kernel/logger";
import { pageReactionHook, supportRoomJoinHook } from "./reactions";

export { isAckReaction, isDeclineReaction } from "./reactions";

/** The outbox key of a page request (see Escalator.notify): page, round, step, person. */
const NOTICE_KEY = /^page:(\d+):r(\d+):s(\d+):notice:(.+)$/;

/** What paging is handed of other capabilities: the display names the communities keep, who is on call (the rota). */
export interface PagingPorts {
  knownNames: KnownNames;
  /** Who is on call at a moment: the rota's answer, asked at every step of a page. */
  onCall: OnCall;
}

/** What paging is made of, built once at install. */
interface PagingParts {
  pages: PagesStore;
  contacts: ContactsStore;
  offMatrix: OffMatrix;
  service: PagingService;
  warmPool: WarmRooms;
  rooms: PagingRooms;
  log: Logger;
}

/**
 * Paging (capability 4): `!page`, `!ack`, `!resolve`, `!crisis-meeting`, `!pages`; the
 * escalation deadlines, support rooms (from a pool of warm rooms kept ready), crisis
 * meeting rooms and the daily contact digest as durable jobs; a ✅ on a page message and joining a support room as acknowledgements.
 */
export function installPaging(app: InstallContext, ports: PagingPorts): PagingService {
  const parts = buildPaging(app, ports);
  const { pages, contacts, offMatrix, service, warmPool, log } = parts;
  app.commands.push(...pagingCommands({ service, pages, members: app.members, config: app.config }));
  app.commands.push(contactCommand({ contacts, offMatrix, effects: app.effects, config: app.config }));
  (app.personalData ??= []).push(contactsPersonalData(app, contacts), pagesPersonalData(pages));
  registerJobs(app, parts);
  // A page request that could not be delivered on Matrix: the person is tried off Matrix at once.
  app.outbox.failureHooks.push((key) => {
    const m = NOTICE_KEY.exec(key);
    if (!m) return;
    const page = pages.get(Number(m[1]));
    if (!page || page.round !== Number(m[2]) || page.state.status !== "open") return;
    offMatrix.deliver(page, Number(m[3]), m[4], "matrix_failed");
  });
  const hookDeps = { pages, service, effects: app.effects, clock: app.clock, botUserId: app.botUserId };
  app.reactionHooks.push(pageReactionHook(hookDeps));
  app.membershipHooks.push(supportRoomJoinHook(hookDeps));
  app.afterReconcile.push((_config, reason) => {
    const now = app.clock.now();
    app.atomically(() => {
      service.scheduleDigests(now);
      service.scheduleGapWarnings(now);
      warmPool.reconcile(now);
      if (reason === "start") {
        const repaired = service.ensureJobs(now);
        if (repaired > 0) log.warn({ repaired }, "pages or crisis meetings were missing their jobs; rescheduled them");
      }
    });
  });
  return service;
}

function buildPaging(app: InstallContext, ports: PagingPorts): PagingParts {
  const pages = new PagesStore(app.db);
  const log = app.log.child({ component: "paging" });
  const contacts = new ContactsStore(app.db);
  const offMatrix = new OffMatrix({
    config: app.config,
    contacts,
    pages,
    effects: app.effects,
    clock: app.clock,
    log: app.log.child({ component: "off-matrix" }),
    botUserId: app.botUserId,
    channels: app.offMatrixChannels,
    metrics: app.metrics,
    readerOf: (u) => app.readers.forUser(u),
  });
  const service = new PagingService({
    offMatrix,
    pages,
    effects: app.effects,
    jobs: app.jobs,
    rooms: app.rooms,
    audit: app.audit,
    config: app.config,
    onCall: ports.onCall,
    clock: app.clock,
    log,
    botUserId: app.botUserId,
    metrics: app.metrics,
  });
  const warmStore = new WarmRoomsStore(app.db);
  const warmPool = new WarmRooms({
    homeserver: app.homeserver,
    store: warmStore,
    schedule: (job) => {
      app.jobs.reschedule(job, app.clock.now());
      setImmediate(() => app.scheduler.wake()); // after the caller's transaction commits
    },
    atomically: app.atomically,
    config: app.config,
    clock: app.clock,
    log,
  });
  const rooms = new PagingRooms({
    homeserver: app.homeserver,
    matrix: app.matrix,
    pages,
    effects: app.effects,
    atomically: app.atomically,
    config: app.config,
    clock: app.clock,
    log,
    afterErasure: () => removeOldVersions(app.db),
    jobs: app.jobs,
    warm: { store: warmStore, pool: warmPool },
    knownName: (u) => ports.knownNames.get(u),
    readerOf: (u) => app.readers.forUser(u),
    alertsSent: app.alertsSent,
    summoning: app.summoning,
  });
  return { pages, contacts, offMatrix, service, warmPool, rooms, log };
}

function registerJobs(app: InstallContext, { service, rooms, warmPool, offMatrix }: PagingParts): void {
  app.scheduler.on(DEADLINE_JOB, (job) => {
    const { pageId, round, step, confirm } = job.payload;
    app.atomically(() => (confirm ? service.confirmDeadline(pageId, round, app.clock.now()) : service.deadline(pageId, round, step ?? -1, app.clock.now())));
  });
  app.scheduler.on(ROOM_JOB, (job) => rooms.supportRoom(Number(job.payload.pageId)), { usesHomeserver: true });
  app.scheduler.on(INTRO_JOB, (job) => rooms.introduce(job.payload.pageId, job.payload.roomId, job.payload.rename), { usesHomeserver: true });
  // Rooms made ahead of need wait on nobody: the background lane, never ahead of a page's own room.
  app.scheduler.on(WARM_JOB, (job) => warmPool.topUp(String(job.payload.communityId)), { background: true });
  app.scheduler.on(CRISIS_ROOM_JOB, (job) => rooms.crisisRoom(Number(job.payload.meetingId)), { usesHomeserver: true });
  app.scheduler.on(CRISIS_CLOSE_JOB, (job) => rooms.closeCrisisRoom(Number(job.payload.meetingId)), { usesHomeserver: true });
  app.scheduler.on(STAFF_ALERT_JOB, (job) => {
    const { pageId, round } = job.payload;
    app.atomically(() => service.staffAlertDue(pageId, round, app.clock.now()));
  });
  // Off-Matrix sends wait on other servers: they run in the lane that may wait, never holding up a deadline.
  app.scheduler.on(OFF_MATRIX_JOB, (job) => offMatrix.run(job), { usesHomeserver: true });
  app.scheduler.on(CONTACT_CODE_JOB, (job) => offMatrix.sendCode(job), { usesHomeserver: true });
  // The daily posts: each run posts, then schedules the next one.
  const daily = (post: (communityId: string, dueAt: number, now: number) => void, next: (communityId: string, afterMs: number) => void) => (job: { payload: Record<string, unknown>; dueAt: number }) => {
    const communityId = String(job.payload.communityId);
    const now = app.clock.now();
    app.atomically(() => {
      post(communityId, job.dueAt, now);
      next(communityId, Math.max(now, job.dueAt));
    });
  };
  app.scheduler.on(GAP_JOB, daily((id, at, now) => service.gapWarning(id, at, now), (id, after) => service.scheduleNextGapWarning(id, after)));
  app.scheduler.on(DIGEST_JOB, daily((id, at, now) => service.digest(id, at, now), (id, after) => service.scheduleNextDigest(id, after)));
}
