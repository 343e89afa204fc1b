import { randomUUID } from "node:crypto";
import type { Message } from "../../messaging/message";
import type { CommunityConfig } from "../../config/types";
import { awaitsConfirmation, isAckStale, step } from "./domain/escalation";
import type { PageRecord, ResponseHow } from "./store/pages";
import { allStaffOf, ladderOf } from "./ladder";
import { confirmRequestKey, CRISIS_CLOSE_JOB, CRISIS_MEETING_MS, CRISIS_ROOM_JOB, inviteKey, ROOM_JOB } from "./jobKeys";
import { Escalator, type Advance } from "./escalator";
import { PageResponses, type AckOutcome, type DeclineOutcome, type ResolveOutcome } from "./responses";
import { DailyPosts } from "./dailyPosts";
import { ensureJobs } from "./jobRepair";
import type { PagingDeps } from "./pagingDeps";
import * as t from "./texts";

export * from "./jobKeys";
export type { PagingDeps } from "./pagingDeps";
export type { AckOutcome, DeclineOutcome, ResolveOutcome } from "./responses";

export interface PageRequest {
  member: string;
  community: CommunityConfig;
  /** What the member wrote after `!page`; shown only in the support room. */
  note: string;
  /** The command's event: keys what it causes, so a rerun causes nothing twice. */
  eventId: string;
  now: number;
}

export interface PageOutcome {
  pageId: number;
  /** "confirming": the page was acknowledged; whoever acknowledged has been asked to confirm. */
  kind: "opened" | "joined" | "restarted" | "confirming";
  /** What the member is told at once (with the crisis resources). */
  reply: Message;
}

/**
 * Pages: the escalation state machine (src/features/paging/domain/escalation.ts) applied to SQLite, with
 * its effects turned into outbox messages and durable jobs. Every method here is
 * synchronous and runs inside the caller's SQLite transaction (a command, a hook, a job),
 * so a page's new state and everything it causes are committed together or not at all.
 * Every effect carries a key built from the page id, round, step and person, so running
 * the same step again (after a crash) queues nothing twice.
 *
 * A step with nobody to ask (nobody on call for it) is taken at once and escalation moves
 * straight on to the next step: waiting for nobody helps nobody. A ladder whose every step
 * is empty therefore ends at once with the crisis resources and a staff alert.
 *
 * This class is paging's one face to the commands, hooks and jobs; the ladder itself runs
 * in Escalator, answers in PageResponses, the daily posts in DailyPosts.
 */
export class PagingService {
  private readonly esc: Escalator;
  private readonly responses: PageResponses;
  private readonly daily: DailyPosts;

  constructor(private readonly d: PagingDeps) {
    this.esc = new Escalator(d);
    this.responses = new PageResponses(d, this.esc);
    this.daily = new DailyPosts(d, this.esc);
  }

  community(id: string): CommunityConfig | undefined {
    return this.esc.community(id);
  }

  // --- paging -----------------------------------------------------------------------

  page(req: PageRequest): PageOutcome {
    const { member, community: c, now } = req;
    const existing = this.d.pages.active(c.id, member);
    const note = req.note.trim();
    let outcome: PageOutcome;
    if (!existing) {
      const ladder = ladderOf(c);
      const r = step(null, { kind: "open" }, ladder, now);
      const id = this.d.pages.create({ communityId: c.id, member, state: r.state, ladder });
      this.d.audit.append({ communityId: c.id, actor: member, action: "page.open", subject: member, detail: `page ${id}` }, now);
      this.esc.metrics.pageOpened(c.id);
      const adv = this.esc.advance(this.d.pages.get(id)!, r, now);
      const page = this.d.pages.get(id)!;
      outcome = { pageId: id, kind: "opened", reply: adv.status === "exhausted" ? this.esc.endedText(page) : t.pageOpened(id, adv.reached, this.esc.crisis(), this.esc.whatNext(page, now)) };
    } else if (existing.state.status === "exhausted") {
      // Nobody was reached last time: this request starts the ladder again, as it is configured now.
      const ladder = ladderOf(c);
      const r = step(existing.state, { kind: "repeat" }, ladder, now);
      this.d.audit.append({ communityId: c.id, actor: member, action: "page.repeat", subject: member, detail: `page ${existing.id} restarted` }, now);
      const adv = this.esc.startRound(existing, r, ladder, now);
      const reply = adv.status === "exhausted" ? this.esc.endedText(this.d.pages.get(existing.id)!) : t.pageRestarted(existing.id, adv.reached, this.esc.crisis());
      outcome = { pageId: existing.id, kind: "restarted", reply };
    } else if (existing.state.status === "acknowledged") {
      outcome = this.pagedAgain(existing, c, note !== "", now);
    } else {
      const r = step(existing.state, { kind: "repeat" }, existing.ladder, now);
      this.d.pages.save(existing.id, r.state);
      const reply = t.pageStillOpen(existing.id, this.d.pages.contactIds(existing.id).length, note !== "", this.esc.crisis());
      outcome = { pageId: existing.id, kind: "joined", reply };
    }
    if (note !== "") this.d.pages.addNote(outcome.pageId, note, `carenet.note.${randomUUID()}`, now);
    // A member who left their support room and pages again is brought back into it.
    const roomId = existing?.supportRoomId;
    if (roomId) this.d.effects.invite(roomId, member, inviteKey(outcome.pageId, member));
    // The support room (made once), the invitations and the note: work for the homeserver.
    this.d.effects.schedule({ kind: ROOM_JOB, key: `page.room:${outcome.pageId}:${req.eventId}`, dueAt: now, payload: { pageId: outcome.pageId } });
    return outcome;
  }

  /**
   * The member paged again while someone had said they were coming. Never swallowed: whoever
   * acknowledged, the support room (and the staff room, if it knows of the page) hear of it
   * at once. A stale acknowledgement (older than the ladder's total time) starts a new round
   * of the ladder now; otherwise the acknowledger has one first-step wait to confirm
   * (`confirmDeadline`) before a new round starts.
   */
  private pagedAgain(existing: PageRecord, c: CommunityConfig, withNote: boolean, now: number): PageOutcome {
    const ladder = ladderOf(c);
    const r = step(existing.state, { kind: "repeat" }, ladder, now);
    const acknowledgedBy = existing.state.acknowledgedBy ?? "someone";
    const ackedAgoMs = now - (existing.state.acknowledgedAtMs ?? existing.state.openedAtMs);
    const repeat = r.state.repeatCount;
    const restarted = r.effects.some((e) => e.kind === "new_round");
    const stale = isAckStale(existing.state, ladder, now);
    const confirmWithinMs = restarted || r.state.nextDeadlineMs === null ? null : Math.max(0, r.state.nextDeadlineMs - now);
    let adv: Advance | undefined;
    if (restarted) {
      adv = this.esc.startRound(existing, r, ladder, now);
    } else {
      this.d.pages.save(existing.id, r.state);
      const schedule = r.effects.find((e) => e.kind === "schedule");
      if (schedule?.kind === "schedule") this.esc.scheduleConfirm({ ...existing, state: r.state }, schedule.atMs);
    }
    for (const e of r.effects) {
      // A name replaced after "forget me" is not someone to write to.
      if (e.kind !== "ask_acknowledger" || !e.userId.startsWith("@")) continue;
      this.d.effects.tell(e.userId, t.askAcknowledger({ pageId: existing.id, member: existing.member, ackedAgoMs, stale, confirmWithinMs }).summon(e.userId), confirmRequestKey(existing.id, repeat, e.userId));
    }
    const key = `page:${existing.id}:again${repeat}`;
    if (existing.supportRoomId) {
      this.d.effects.post(existing.supportRoomId, t.pagedAgainInRoom({ member: existing.member, acknowledgedBy, restarted, stale, confirmWithinMs }), `${key}:room`);
    }
    if (existing.staffTold) this.esc.postToStaffRoom(existing, t.staffRoomPagedAgain(existing.id, existing.member, acknowledgedBy, restarted), `${key}:staffroom`);
    this.d.audit.append(
      {
        communityId: c.id,
        actor: existing.member,
        action: "page.repeat",
        subject: existing.member,
        detail: `page ${existing.id} ${restarted ? "restarted (acknowledged long ago)" : "acknowledged: asked to confirm"}`,
      },
      now,
    );
    const reply = adv
      ? t.pagedAgainRestarted({ pageId: existing.id, acknowledgedBy, ackedAgoMs, stale, reached: adv.reached, withNote }, this.esc.crisis())
      : t.pagedAgainWaiting({ pageId: existing.id, acknowledgedBy, ackedAgoMs, confirmWithinMs: confirmWithinMs ?? 0, withNote }, this.esc.crisis());
    return { pageId: existing.id, kind: restarted ? "restarted" : "confirming", reply };
  }

  /** Nobody confirmed in time after a repeat page (the confirmation's "page.deadline" job): a new round. */
  confirmDeadline(pageId: number, round: number, now: number): void {
    const page = this.d.pages.get(pageId);
    if (!page || page.round !== round || !awaitsConfirmation(page.state)) return;
    const c = this.esc.community(page.communityId);
    const ladder = c ? ladderOf(c) : page.ladder;
    const r = step(page.state, { kind: "deadline" }, ladder, now);
    if (!r.effects.some((e) => e.kind === "new_round")) {
      if (page.state.nextDeadlineMs !== null) this.esc.scheduleConfirm(page, page.state.nextDeadlineMs, true); // ran early
      return;
    }
    const acknowledgedBy = page.state.acknowledgedBy ?? "someone";
    const adv = this.esc.startRound(page, r, ladder, now);
    const key = `page:${page.id}:r${round}:unconfirmed`;
    // "Nobody else could be reached" rings (docs/paging.md, "what rings"); "I have asked more people" does not.
    const silent = t.acknowledgerSilent(page.id, acknowledgedBy, adv.reached, this.esc.crisis());
    this.d.effects.tell(page.member, adv.reached.length === 0 ? silent.alert(page.member) : silent, `${key}:member`);
    if (acknowledgedBy.startsWith("@")) this.d.effects.tell(acknowledgedBy, t.acknowledgerMissed(page.id, page.member), `${key}:acknowledger`);
    if (page.supportRoomId) this.d.effects.post(page.supportRoomId, t.acknowledgerSilentInRoom(acknowledgedBy, adv.reached), `${key}:room`);
    this.d.audit.append(
      { communityId: page.communityId, actor: "carenet", action: "page.repeat", subject: page.member, detail: `page ${page.id} restarted (not confirmed after a repeat page)` },
      now,
    );
  }


  // --- crisis meetings ----------------------------------------------------------------

  /**
   * Any member may call a crisis meeting: a temporary room with the peers and staff on call
   * (the whole staff team when nobody is on call, so the meeting is never empty).
   */
  crisisMeeting(caller: string, c: CommunityConfig, now: number): { meetingId: number; reply: Message } {
    const recent = this.d.pages.recentMeeting(c.id, caller, now - CRISIS_MEETING_MS);
    if (recent) return { meetingId: recent.id, reply: t.meetingStillOpen(recent.id, this.esc.crisis()) };
    const onCall = this.esc.onCall(c.id, now);
    const exclude = (u: string) => u !== caller && u !== this.d.botUserId;
    let people = [...new Set([...onCall.peers, ...onCall.staff])].filter(exclude);
    const fallbackToStaff = people.length === 0;
    if (fallbackToStaff) people = allStaffOf(c).filter(exclude);
    const id = this.d.pages.createMeeting({ communityId: c.id, caller, people }, now);
    this.d.effects.schedule({ kind: CRISIS_ROOM_JOB, key: `crisis.room:${id}`, dueAt: now, payload: { meetingId: id } });
    this.d.effects.schedule({ kind: CRISIS_CLOSE_JOB, key: `crisis.close:${id}`, dueAt: now + CRISIS_MEETING_MS, payload: { meetingId: id } });
    for (const u of people) this.d.effects.tell(u, t.meetingNotice(id, caller, c.name).summon(u), `crisis:${id}:notice:${u}`);
    const staffRoom = this.d.rooms.get(c.id, "staff");
    if (staffRoom) this.d.effects.post(staffRoom.roomId, t.staffRoomMeeting(id, caller, people.length), `crisis:${id}:staffroom`);
    this.d.audit.append({ communityId: c.id, actor: caller, action: "crisis_meeting.call", subject: caller, detail: `meeting ${id}, ${t.people(people.length)} invited` }, now);
    return { meetingId: id, reply: t.meetingCalled(id, people.length, fallbackToStaff, this.esc.crisis()) };
  }

  /** A ladder step's wait ran out (the "page.deadline" job). */
  deadline(pageId: number, round: number, stepIndex: number, now: number): void {
    this.esc.deadline(pageId, round, stepIndex, now);
  }

  /** The STAFF_ALERT_JOB: alerts the staff if the round it was for is still the page's and ran out. */
  staffAlertDue(pageId: number, round: number, now: number): void {
    this.esc.staffAlertDue(pageId, round, now);
  }

  // --- acknowledging and resolving (responses.ts) -------------------------------------

  ack(page: PageRecord, by: string, how: ResponseHow, now: number): AckOutcome {
    return this.responses.ack(page, by, how, now);
  }

  decline(page: PageRecord, by: string, how: "command" | "reaction", now: number): DeclineOutcome {
    return this.responses.decline(page, by, how, now);
  }

  mayResolve(page: PageRecord, by: string): boolean {
    return this.responses.mayResolve(page, by);
  }

  resolve(page: PageRecord, by: string, now: number): ResolveOutcome {
    return this.responses.resolve(page, by, now);
  }

  // --- the daily digest and gap warning (dailyPosts.ts) -------------------------------

  digest(communityId: string, atMs: number, now: number): void {
    this.daily.digest(communityId, atMs, now);
  }

  scheduleDigests(now: number): void {
    this.daily.scheduleDigests(now);
  }

  scheduleDigest(communityId: string, atMs: number): void {
    this.daily.scheduleDigest(communityId, atMs);
  }

  scheduleNextDigest(communityId: string, afterMs: number): void {
    this.daily.scheduleNextDigest(communityId, afterMs);
  }

  gapWarning(communityId: string, atMs: number, now: number): string[] {
    return this.daily.gapWarning(communityId, atMs, now);
  }

  scheduleGapWarnings(now: number): void {
    this.daily.scheduleGapWarnings(now);
  }

  scheduleNextGapWarning(communityId: string, afterMs: number): void {
    this.daily.scheduleNextGapWarning(communityId, afterMs);
  }

  /** Safety net at start (jobRepair.ts): returns how many jobs were missing and rescheduled. */
  ensureJobs(now: number): number {
    return ensureJobs(this.d, this.esc, now);
  }
}
