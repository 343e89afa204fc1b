import { pagingCommands } from "./commands/page";
import { DIGEST_JOB } from "./digest";
import { INTRO_JOB, PagingRooms } from "./rooms";
import { WARM_JOB, WarmRooms } from "./warmRooms";
import { WarmRoomsStore } from "./store/warmRooms";
import { DisplayNamesStore } from "../communities/store/displayNames";
import { removeOldVersions } from "../../store/database";
import { PagingService } from "./service";
import { CRISIS_CLOSE_JOB, CRISIS_ROOM_JOB, DEADLINE_JOB, ROOM_JOB, STAFF_ALERT_JOB } from "./jobKeys";
import * as t from "./texts";
import { PagesStore } from "./store/pages";
import { ContactsStore } from "./store/contacts";
import { contactCommand } from "./commands/contact";
import { GAP_JOB } from "./gaps";
import { CONTACT_CODE_JOB, OFF_MATRIX_JOB, OffMatrix } from "./offMatrix/service";
import type { InstallContext } from "../../ports/context";
import type { ReactionEvent } from "../../ports/hooks";

/** Reactions that say "I'm coming" on a page message: a check mark, with or without the emoji variation selector. */
const ACK_KEYS = new Set(["✅", "✔", "☑"]);

export function isAckReaction(key: string): boolean {
  return ACK_KEYS.has(key.replace(/\uFE0F/g, "").trim());
}

/** Reactions that say "I cannot come" on a page request: no entry, or the prohibited sign. */
const DECLINE_KEYS = new Set(["⛔", "🚫"]);

export function isDeclineReaction(key: string): boolean {
  return DECLINE_KEYS.has(key.replace(/\uFE0F/g, "").trim());
}

/** The outbox key of a page request (see Escalator.notify): page, round, step, person. */
const NOTICE_KEY = /^page:(\d+):r(\d+):s(\d+):notice:(.+)$/;

/**
 * Paging (capability 4): `!page`, `!ack`, `!resolve`, `!crisis-meeting`, `!pages`; the
 * escalation deadlines, support rooms (from a pool of warm rooms kept ready), crisis
 * meeting rooms and the daily contact digest as durable jobs; a ✅ on a page message and joining a support room as acknowledgements.
 */
export function installPaging(app: InstallContext): PagingService {
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
    // Through `app` at every call: the rota may install its own `onCall` after this runs.
    onCall: (communityId, atMs) => app.onCall(communityId, atMs),
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
  const names = new DisplayNamesStore(app.db);
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
    knownName: (u) => names.get(u),
    readerOf: (u) => app.readers.forUser(u),
  });

  app.commands.push(...pagingCommands({ service, pages, members: app.members, config: app.config }));
  app.commands.push(contactCommand({ contacts, offMatrix, effects: app.effects, config: app.config }));

  app.scheduler.on(DEADLINE_JOB, (job) => {
    const { pageId, round, step, confirm } = job.payload;
    app.atomically(() => (confirm ? service.confirmDeadline(pageId, round, app.clock.now()) : service.deadline(pageId, round, step ?? -1, app.clock.now())));
  });
  app.scheduler.on(ROOM_JOB, (job) => rooms.supportRoom(Number(job.payload.pageId)), { usesHomeserver: true });
  app.scheduler.on(INTRO_JOB, (job) => rooms.introduce(job.payload.pageId, job.payload.roomId), { usesHomeserver: true });
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
  app.scheduler.on(GAP_JOB, (job) => {
    const communityId = String(job.payload.communityId);
    const now = app.clock.now();
    app.atomically(() => {
      service.gapWarning(communityId, job.dueAt, now);
      service.scheduleNextGapWarning(communityId, Math.max(now, job.dueAt));
    });
  });
  // A page request that could not be delivered on Matrix: the person is tried off Matrix at once.
  app.outbox.failureHooks.push((key) => {
    const m = NOTICE_KEY.exec(key);
    if (!m) return;
    const page = pages.get(Number(m[1]));
    if (!page || page.round !== Number(m[2]) || page.state.status !== "open") return;
    offMatrix.deliver(page, Number(m[3]), m[4], "matrix_failed");
  });
  app.scheduler.on(DIGEST_JOB, (job) => {
    const communityId = String(job.payload.communityId);
    const now = app.clock.now();
    app.atomically(() => {
      service.digest(communityId, job.dueAt, now);
      service.scheduleNextDigest(communityId, Math.max(now, job.dueAt));
    });
  });

  // Late reactions too (carenet was down longer than events.max_age): "I'm coming" is as
  // true late as on time, and a page waiting for a human must not lose the one who answered.
  app.reactionHooks.push(
    Object.assign((r: ReactionEvent) => {
      if (isDeclineReaction(r.key)) {
        const pageId = pages.pageOfNotice(r.targetEventId, r.sender);
        const page = pageId === undefined ? undefined : pages.get(pageId);
        if (!page) return;
        const out = service.decline(page, r.sender, "reaction", app.clock.now());
        if (out.kind === "declined") app.effects.tell(r.sender, t.declineReply(page.id, out.movedOn), `page:${page.id}:r${page.round}:decline-reply:${r.sender}`);
        return;
      }
      if (!isAckReaction(r.key)) return;
      const pageId = pages.pageOfNotice(r.targetEventId, r.sender) ?? pages.pageOfConfirmRequest(r.targetEventId, r.sender);
      const page = pageId === undefined ? undefined : pages.get(pageId);
      if (!page) return;
      const out = service.ack(page, r.sender, "reaction", app.clock.now());
      // A reaction gets no reply of its own: the person who reacted is thanked and told where to go, as `!ack` is.
      const round = page.round === 1 ? "" : `:r${page.round}`;
      if (out.kind === "first" || out.kind === "also") {
        app.effects.tell(r.sender, t.ackReply(page.id, page.member, out.kind === "first"), `page:${page.id}${round}:ack-reply:${r.sender}`);
      } else if (out.kind === "confirmed") {
        app.effects.tell(r.sender, t.confirmReply(page.id, page.member), `page:${page.id}:again${page.state.repeatCount}:confirm-reply:${r.sender}`);
      }
    }, { acceptsLate: true }),
  );

  app.membershipHooks.push((m) => {
    // Someone joining a support room on their own: they are coming.
    if (m.membership !== "join" || m.previous === "join" || m.sender !== m.userId) return;
    const page = pages.bySupportRoom(m.roomId);
    if (!page || m.userId === page.member || m.userId === app.botUserId) return;
    service.ack(page, m.userId, "join", app.clock.now());
  });

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
