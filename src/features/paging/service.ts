import { randomUUID } from "node:crypto";
import type { Clock } from "../../kernel/clock";
import type { OnCallNow } from "../../ports/context";
import type { Logger } from "../../kernel/logger";
import type { Effects } from "../../messaging/effects";
import type { Message } from "../../messaging/message";
import type { CarenetConfig, CommunityConfig, CrisisResources } from "../../config/types";
import { awaitsConfirmation, isAckStale, step, type EscalationStep, type NotifyTarget, type StepResult } from "./domain/escalation";
import { isStaffOf } from "../../config/roles";
import type { AuditLog } from "../../store/audit";
import type { CommunityRooms } from "../../ports/communities";
import type { JobsStore } from "../../store/jobs";
import type { PageRecord, PagesStore, ResponseHow } from "./store/pages";
import { noMetrics, type MetricsPort } from "../../metrics/port";
import { communityDigest, DIGEST_JOB, digestKey, nextDailyAt, staffDigest, summarise } from "./digest";
import { rotaSettings } from "../../config/rotaSettings";
import { allStaffOf, isStaffTarget, ladderOf, recipientsOf } from "./ladder";
import { asksPeers, nightBounds, underNightlyCap } from "./nightlyCap";
import { GAP_JOB, gapLines, gapWords, ladderGaps, tonight, windowWords } from "./gaps";
import { offMatrixFromStep, type OffMatrix } from "./offMatrix/service";
import * as t from "./texts";
import { communityById } from "../../config/communities";

export const DEADLINE_JOB = "page.deadline";
export const ROOM_JOB = "page.room";
export const CRISIS_ROOM_JOB = "crisis.room";
export const CRISIS_CLOSE_JOB = "crisis.close";
/** The staff alert when a ladder ran out: a job, so the member's own answer is queued (and sent) first. */
export const STAFF_ALERT_JOB = "page.staff-alert";

declare module "../../scheduler/registry" {
  interface JobPayloads {
    "page.deadline": { pageId: number; round: number; step?: number; confirm?: boolean };
    "page.staff-alert": { pageId: number; round: number };
  }
}

/** How long a crisis meeting room stays open for talking; then it is kept read-only. */
export const CRISIS_MEETING_MS = 12 * 60 * 60 * 1000;

export const deadlineKey = (pageId: number, round: number, stepIndex: number) => `page.deadline:${pageId}:${round}:${stepIndex}`;
/** The deadline for confirming an acknowledgement after a repeat page (one per acknowledgement). */
export const confirmKey = (pageId: number, round: number, acknowledgedAtMs: number) => `page.deadline:${pageId}:${round}:confirm${acknowledgedAtMs}`;
export const deadlinePrefix = (pageId: number) => `page.deadline:${pageId}:`;
/** The outbox key of the message asking an acknowledger to confirm (a ✅ on it confirms; see PagesStore.pageOfConfirmRequest). */
export const confirmRequestKey = (pageId: number, repeat: number, userId: string) => `page:${pageId}:again${repeat}:ask:${userId}`;
export const inviteKey = (pageId: number, userId: string) => `page:${pageId}:invite:${userId}`;

export interface PagingDeps {
  pages: PagesStore;
  effects: Effects;
  jobs: JobsStore;
  rooms: CommunityRooms;
  audit: AuditLog;
  config: () => CarenetConfig;
  /** Read at every step, never cached: who is on call changes with the rota. */
  onCall: (communityId: string, atMs: number) => OnCallNow;
  clock: Clock;
  log: Logger;
  botUserId: string;
  /** Counts of pages opened, escalated, acknowledged, exhausted (per community). */
  metrics?: MetricsPort;
  /** Email and webhook for the people asked, from the configured step on (issue 16, item 5). */
  offMatrix?: OffMatrix;
}

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

export type AckOutcome =
  | { kind: "first" | "also" | "confirmed"; page: PageRecord }
  | { kind: "already" | "resolved" | "own_page" | "not_asked"; page: PageRecord };

export type ResolveOutcome = { kind: "resolved" | "already" | "not_allowed"; page: PageRecord };

/** `!decline` / ⛔: "declined" (and whether the ladder moved on at once because of it). */
export type DeclineOutcome =
  | { kind: "declined"; movedOn: boolean; page: PageRecord }
  | { kind: "already" | "taken" | "resolved" | "own_page" | "not_asked"; page: PageRecord };

export const gapKey = (communityId: string, atMs: number) => `page.gaps:${communityId}:${atMs}`;

/** What one run of the state machine did (with empty steps skipped). */
interface Advance {
  status: PageRecord["state"]["status"];
  /** The steps that asked someone, in order. */
  reached: t.Reached[];
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
 */
export class PagingService {
  constructor(private readonly d: PagingDeps) {}

  private get metrics(): MetricsPort {
    return this.d.metrics ?? noMetrics;
  }

  community(id: string): CommunityConfig | undefined {
    return communityById(this.d.config().communities, id);
  }

  private crisis(): CrisisResources {
    return this.d.config().crisis_resources;
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
      this.metrics.pageOpened(c.id);
      const adv = this.advance(this.d.pages.get(id)!, r, now);
      const page = this.d.pages.get(id)!;
      outcome = { pageId: id, kind: "opened", reply: adv.status === "exhausted" ? this.endedText(page) : t.pageOpened(id, adv.reached, this.crisis(), this.whatNext(page, now)) };
    } else if (existing.state.status === "exhausted") {
      // Nobody was reached last time: this request starts the ladder again, as it is configured now.
      const ladder = ladderOf(c);
      const r = step(existing.state, { kind: "repeat" }, ladder, now);
      this.d.audit.append({ communityId: c.id, actor: member, action: "page.repeat", subject: member, detail: `page ${existing.id} restarted` }, now);
      const adv = this.startRound(existing, r, ladder, now);
      const reply = adv.status === "exhausted" ? this.endedText(this.d.pages.get(existing.id)!) : t.pageRestarted(existing.id, adv.reached, this.crisis());
      outcome = { pageId: existing.id, kind: "restarted", reply };
    } else if (existing.state.status === "acknowledged") {
      outcome = this.pagedAgain(existing, c, note !== "", now);
    } else {
      const r = step(existing.state, { kind: "repeat" }, existing.ladder, now);
      this.d.pages.save(existing.id, r.state);
      const reply = t.pageStillOpen(existing.id, this.d.pages.contactIds(existing.id).length, note !== "", this.crisis());
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
      adv = this.startRound(existing, r, ladder, now);
    } else {
      this.d.pages.save(existing.id, r.state);
      const schedule = r.effects.find((e) => e.kind === "schedule");
      if (schedule?.kind === "schedule") this.scheduleConfirm({ ...existing, state: r.state }, schedule.atMs);
    }
    for (const e of r.effects) {
      // A name replaced after "forget me" is not someone to write to.
      if (e.kind !== "ask_acknowledger" || !e.userId.startsWith("@")) continue;
      this.d.effects.tell(e.userId, t.askAcknowledger({ pageId: existing.id, member: existing.member, ackedAgoMs, stale, confirmWithinMs }).alert(e.userId), confirmRequestKey(existing.id, repeat, e.userId));
    }
    const key = `page:${existing.id}:again${repeat}`;
    if (existing.supportRoomId) {
      this.d.effects.post(existing.supportRoomId, t.pagedAgainInRoom({ member: existing.member, acknowledgedBy, restarted, stale, confirmWithinMs }), `${key}:room`);
    }
    if (existing.staffTold) this.postToStaffRoom(existing, t.staffRoomPagedAgain(existing.id, existing.member, acknowledgedBy, restarted), `${key}:staffroom`);
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
      ? t.pagedAgainRestarted({ pageId: existing.id, acknowledgedBy, ackedAgoMs, stale, reached: adv.reached, withNote }, this.crisis())
      : t.pagedAgainWaiting({ pageId: existing.id, acknowledgedBy, ackedAgoMs, confirmWithinMs: confirmWithinMs ?? 0, withNote }, this.crisis());
    return { pageId: existing.id, kind: restarted ? "restarted" : "confirming", reply };
  }

  /** Nobody confirmed in time after a repeat page (the confirmation's "page.deadline" job): a new round. */
  confirmDeadline(pageId: number, round: number, now: number): void {
    const page = this.d.pages.get(pageId);
    if (!page || page.round !== round || !awaitsConfirmation(page.state)) return;
    const c = this.community(page.communityId);
    const ladder = c ? ladderOf(c) : page.ladder;
    const r = step(page.state, { kind: "deadline" }, ladder, now);
    if (!r.effects.some((e) => e.kind === "new_round")) {
      if (page.state.nextDeadlineMs !== null) this.scheduleConfirm(page, page.state.nextDeadlineMs, true); // ran early
      return;
    }
    const acknowledgedBy = page.state.acknowledgedBy ?? "someone";
    const adv = this.startRound(page, r, ladder, now);
    const key = `page:${page.id}:r${round}:unconfirmed`;
    // "Nobody else could be reached" rings (docs/paging.md, "what rings"); "I have asked more people" does not.
    const silent = t.acknowledgerSilent(page.id, acknowledgedBy, adv.reached, this.crisis());
    this.d.effects.tell(page.member, adv.reached.length === 0 ? silent.alert(page.member) : silent, `${key}:member`);
    if (acknowledgedBy.startsWith("@")) this.d.effects.tell(acknowledgedBy, t.acknowledgerMissed(page.id, page.member), `${key}:acknowledger`);
    if (page.supportRoomId) this.d.effects.post(page.supportRoomId, t.acknowledgerSilentInRoom(acknowledgedBy, adv.reached), `${key}:room`);
    this.d.audit.append(
      { communityId: page.communityId, actor: "carenet", action: "page.repeat", subject: page.member, detail: `page ${page.id} restarted (not confirmed after a repeat page)` },
      now,
    );
  }

  /** Saves a state the machine moved to a new round (round + 1, following `ladder`), and runs it. */
  private startRound(page: PageRecord, r: StepResult, ladder: EscalationStep[], now: number): Advance {
    const round = page.round + 1;
    this.d.pages.save(page.id, r.state, { round, ladder });
    return this.advance({ ...page, round, ladder, state: r.state }, r, now);
  }

  /** A ladder step's wait ran out (the "page.deadline" job). */
  deadline(pageId: number, round: number, stepIndex: number, now: number): void {
    const page = this.d.pages.get(pageId);
    if (!page || page.round !== round || page.state.step !== stepIndex || page.state.status !== "open") return;
    const r = step(page.state, { kind: "deadline" }, page.ladder, now);
    if (r.effects.length === 0) {
      // Ran before the deadline (it moved?): run again when it is really due.
      if (page.state.nextDeadlineMs !== null) this.scheduleDeadline(page, page.state.step, page.state.nextDeadlineMs, true);
      return;
    }
    this.stepped(page, r, now);
  }

  /** A step's wait ended (its deadline, or everyone asked in it declined): the next step, and the member is told. */
  private stepped(page: PageRecord, r: StepResult, now: number): void {
    const adv = this.advance(page, r, now);
    const key = `page:${page.id}:r${page.round}:s${page.state.step}`;
    if (adv.status === "exhausted") this.d.effects.tell(page.member, this.endedText(this.d.pages.get(page.id)!).alert(page.member), `${key}:member:nobody`);
    else if (adv.reached.length > 0) this.d.effects.tell(page.member, t.escalated(page.id, adv.reached).urgently(), `${key}:member:escalated`);
  }

  /** Nobody asked in this round at all (nobody on call at any step), or asked and nobody came: told as it is. */
  private endedText(page: PageRecord): Message {
    return this.askedThisRound(page) ? t.nobodyReached(page.id, this.crisis()) : t.nobodyOnCall(page.id, this.crisis());
  }

  private askedThisRound(page: PageRecord): boolean {
    return this.d.pages.contacts(page.id).some((c) => c.round === page.round);
  }

  /** What happens next if nobody answers the current step: for the member's first answer. */
  private whatNext(page: PageRecord, now: number): t.WhatNext {
    const s = page.state;
    return { after: page.ladder.slice(s.step + 1).map((x) => x.notify), waitMs: Math.max(0, (s.nextDeadlineMs ?? now) - now) };
  }

  /**
   * Applies one step result: notifies, alerts, and when a step had nobody to ask, takes
   * the next step at once. Saves the final state and schedules its deadline.
   */
  private advance(page: PageRecord, first: StepResult, now: number): Advance {
    const adv: Advance = { status: first.state.status, reached: [] };
    let r = first;
    for (let guard = 0; guard <= page.ladder.length + 1; guard++) {
      let nobodyAtThisStep = false;
      for (const e of r.effects) {
        if (e.kind === "notify") {
          const users = this.notify(page, e.target, e.step, now);
          if (users.length === 0) nobodyAtThisStep = true;
          else adv.reached.push({ target: e.target, users });
        } else if (e.kind === "alert_staff") this.scheduleStaffAlert(page, now);
        // What the member is told (tell_member, send_crisis_resources) is worded by the caller
        // from the final status, so a page that skips empty steps sends one message, not several.
        // "schedule" follows from the final state below; "debrief" is done by resolve() for every responder.
      }
      if (!nobodyAtThisStep || r.state.status !== "open") break;
      r = step({ ...r.state, nextDeadlineMs: now }, { kind: "deadline" }, page.ladder, now);
    }
    adv.status = r.state.status;
    this.d.pages.save(page.id, r.state);
    if (r.state.status === "open" && r.state.nextDeadlineMs !== null) this.scheduleDeadline(page, r.state.step, r.state.nextDeadlineMs);
    return adv;
  }

  private scheduleDeadline(page: PageRecord, stepIndex: number, atMs: number, force = false): void {
    const job = { kind: DEADLINE_JOB, key: deadlineKey(page.id, page.round, stepIndex), dueAt: atMs, payload: { pageId: page.id, round: page.round, step: stepIndex } };
    if (force) this.d.jobs.reschedule(job, this.d.clock.now());
    else this.d.effects.schedule(job);
  }

  private scheduleConfirm(page: PageRecord, atMs: number, force = false): void {
    const key = confirmKey(page.id, page.round, page.state.acknowledgedAtMs ?? page.state.openedAtMs);
    const job = { kind: DEADLINE_JOB, key, dueAt: atMs, payload: { pageId: page.id, round: page.round, confirm: true } };
    if (force) this.d.jobs.reschedule(job, this.d.clock.now());
    else this.d.effects.schedule(job);
  }

  /** When the page's current round took its first step (the page's opening for round 1). */
  private roundStartedAt(page: PageRecord): number {
    if (page.round === 1) return page.state.openedAtMs;
    return this.d.pages.steps(page.id).find((s) => s.round === page.round && s.step === 0)?.at ?? page.state.openedAtMs;
  }

  /** Asks the people of one ladder step; returns who was asked (none: nobody on call for it). */
  private notify(page: PageRecord, target: NotifyTarget, stepIndex: number, now: number): string[] {
    const c = this.community(page.communityId);
    const on = c ? this.onCall(c.id, now) : undefined;
    const declined = this.d.pages.decliners(page.id, page.round);
    const onCall = c && on ? recipientsOf(target, c, on, [page.member, this.d.botUserId, ...declined]) : [];
    const users = c && asksPeers(target) ? this.restedPeersLeftOut(page, c, onCall, stepIndex, now) : onCall;
    this.recordLeftOut(page, target, stepIndex, on, [page.member, ...declined], now);
    const last = stepIndex === page.ladder.length - 1;
    const offFrom = c ? offMatrixFromStep(c, page.ladder) : Infinity;
    this.d.pages.recordStep(page.id, { round: page.round, step: stepIndex, target, at: now, notified: users.length });
    // In a later round, how long this round has waited (not since the page first opened, maybe days ago).
    const waitedMs = now - this.roundStartedAt(page);
    const fresh = this.d.pages.get(page.id)!;
    for (const u of users) {
      const noticeKey = `page:${page.id}:r${page.round}:s${stepIndex}:notice:${u}`;
      this.d.pages.addContact(page.id, { round: page.round, step: stepIndex, userId: u, notifiedAt: now, noticeKey });
      this.d.effects.tell(
        u,
        t.notice({ pageId: page.id, member: page.member, community: c?.name ?? page.communityId, target, waitedMs, again: page.round > 1, last }).alert(u),
        noticeKey,
      );
      if (stepIndex >= offFrom) this.d.offMatrix?.deliver(page, stepIndex, u, "step");
      if (fresh.supportRoomId) this.d.effects.invite(fresh.supportRoomId, u, inviteKey(page.id, u));
    }
    if (c && users.length > 0 && isStaffTarget(target)) {
      this.postToStaffRoom(page, t.staffRoomEscalated(page.id, page.member, target, users.length, waitedMs), `page:${page.id}:r${page.round}:s${stepIndex}:staffroom`);
    }
    if (stepIndex > 0 || page.round > 1) {
      this.metrics.pageEscalated(page.communityId, stepIndex + 1, target);
      this.d.audit.append(
        { communityId: page.communityId, actor: "carenet", action: "page.escalate", subject: page.member, detail: `page ${page.id}: step ${stepIndex + 1} (${target}), ${t.people(users.length)} asked` },
        now,
      );
    }
    return users;
  }

  /**
   * The rota's `max_pages_per_night`: a peer who has already been asked that many other
   * pages this night (midday to midday in the community's time zone) is not asked again;
   * the step asks the others, or — when that leaves nobody — is passed like an empty step.
   */
  private restedPeersLeftOut(page: PageRecord, c: CommunityConfig, peers: string[], stepIndex: number, now: number): string[] {
    const cap = rotaSettings(c).maxPagesPerNight;
    const night = nightBounds(c.timezone, now);
    const { asked, rested } = underNightlyCap(peers, cap, (u) => this.d.pages.pagesAskedSince(c.id, u, night.startMs, page.id));
    if (rested.length > 0) this.d.log.info({ pageId: page.id, communityId: c.id, leftOut: rested.length, cap }, "peers at their nightly page limit were not asked");
    for (const u of rested) this.d.pages.addSkip(page.id, { round: page.round, step: stepIndex, userId: u, reason: "nightly_cap", at: now });
    return asked;
  }

  /** Records who this step's rota slot left out (a break, no consent), for `!pages` and the digest. */
  private recordLeftOut(page: PageRecord, target: NotifyTarget, stepIndex: number, on: OnCallNow | undefined, exclude: string[], now: number): void {
    const slot = target === "on_call_peers" ? "peers" : target === "backup_peers" ? "backupPeers" : target === "on_call_staff" ? "staff" : undefined;
    for (const l of on?.leftOut ?? []) {
      if (l.slot !== slot || exclude.includes(l.userId)) continue;
      this.d.pages.addSkip(page.id, { round: page.round, step: stepIndex, userId: l.userId, reason: l.reason, at: now });
    }
  }

  /**
   * The staff alert goes out from a job that runs right after this transaction: opening a
   * direct conversation with a staff member can take the homeserver seconds, and the
   * member's answer ("nobody is on call…") must not wait behind it.
   */
  private scheduleStaffAlert(page: PageRecord, now: number): void {
    this.d.effects.schedule({ kind: STAFF_ALERT_JOB, key: `page.staff-alert:${page.id}:r${page.round}`, dueAt: now, payload: { pageId: page.id, round: page.round } });
  }

  /** The STAFF_ALERT_JOB: alerts the staff if the round it was for is still the page's and ran out. */
  staffAlertDue(pageId: number, round: number, now: number): void {
    const page = this.d.pages.get(pageId);
    // Someone came in the moment between (or the page was closed): nobody needs waking.
    if (!page || page.round !== round || page.state.status !== "exhausted") return;
    this.alertStaff(page, now);
  }

  /** The ladder ran out: the staff room and every staff member and admin are told. */
  private alertStaff(page: PageRecord, now: number): void {
    const c = this.community(page.communityId);
    const key = `page:${page.id}:r${page.round}:exhausted`;
    const staff = (c ? allStaffOf(c) : []).filter((s) => s !== page.member);
    if (!this.askedThisRound(page)) {
      // Nobody was on call at any step: nobody has been asked at all, so every staff member is woken.
      const loud = () => t.staffNobodyAsked(page.id, page.member, c?.name ?? page.communityId);
      this.postToStaffRoom(page, loud().alert(...staff), `${key}:staffroom`);
      for (const s of staff) this.d.effects.tell(s, loud().alert(s), `${key}:staff:${s}`);
      this.offMatrixToStaff(page, staff);
      this.d.audit.append({ communityId: page.communityId, actor: "carenet", action: "page.exhausted", subject: page.member, detail: `page ${page.id}: nobody on call to ask` }, now);
      this.metrics.pageExhausted(page.communityId);
      return;
    }
    const msg = () => t.staffExhausted(page.id, page.member, now - this.roundStartedAt(page), page.round > 1);
    // The staff room's copy is the team's record; each staff member's own copy is what rings.
    this.postToStaffRoom(page, msg(), `${key}:staffroom`);
    for (const s of staff) this.d.effects.tell(s, msg().alert(s), `${key}:staff:${s}`);
    this.offMatrixToStaff(page, staff);
    this.d.audit.append({ communityId: page.communityId, actor: "carenet", action: "page.exhausted", subject: page.member, detail: `page ${page.id}: nobody acknowledged` }, now);
    this.metrics.pageExhausted(page.communityId);
  }

  /**
   * The ladder's end is the most urgent moment of all: staff who opted in are reached off
   * Matrix too (as the step after the last, so once per round, whatever happened before).
   */
  private offMatrixToStaff(page: PageRecord, staff: string[]): void {
    const c = this.community(page.communityId);
    const offFrom = c ? offMatrixFromStep(c, page.ladder) : Infinity;
    // Those already reached off Matrix at a step this round are not sent the same words again.
    const reached = new Set(this.d.pages.contacts(page.id).filter((x) => x.round === page.round && x.step >= offFrom).map((x) => x.userId));
    for (const s of staff) if (!reached.has(s)) this.d.offMatrix?.deliver(page, page.ladder.length, s, "step");
  }

  private postToStaffRoom(page: PageRecord, msg: Message, key: string): void {
    const room = this.d.rooms.get(page.communityId, "staff");
    this.d.pages.markStaffTold(page.id);
    if (room) this.d.effects.post(room.roomId, msg, key);
    else this.d.log.warn({ communityId: page.communityId, pageId: page.id }, "no staff room recorded: a page alert could not be posted there");
  }

  private onCall(communityId: string, now: number): OnCallNow {
    try {
      return this.d.onCall(communityId, now);
    } catch (err) {
      // A rota fault must not stall the page: this step asks nobody and the ladder moves on.
      this.d.log.error({ communityId, err: (err as Error).message }, "could not read who is on call; escalating past this step");
      return { peers: [], backupPeers: [], staff: [] };
    }
  }

  // --- acknowledging and resolving ---------------------------------------------------

  /** Someone says they are coming (by `!ack`, a ✅ on their page message, or joining the room). */
  ack(page: PageRecord, by: string, how: ResponseHow, now: number): AckOutcome {
    if (page.state.status === "resolved") return { kind: "resolved", page };
    if (by === page.member) return { kind: "own_page", page };
    const c = this.community(page.communityId);
    // Joining needs an invitation from carenet, so anyone who joined was asked (or is the member).
    const allowed =
      how === "join" || this.d.pages.isContact(page.id, by) || (!!c && isStaffOf(c, by)) || this.d.pages.responses(page.id).some((x) => x.userId === by);
    if (!allowed) return { kind: "not_asked", page };
    if (awaitsConfirmation(page.state)) return this.confirm(page, by, how, now);
    const isNew = this.d.pages.addResponse(page.id, by, how, now);
    const r = step(page.state, { kind: "ack", by }, page.ladder, now);
    const first = r.effects.some((e) => e.kind === "tell_member" && e.what === "acknowledged");
    if (!first && !isNew) return { kind: "already", page };
    // Keyed by round: in a new round the same people are told again who is coming.
    const key = page.round === 1 ? `page:${page.id}` : `page:${page.id}:r${page.round}`;
    if (first) {
      this.d.pages.save(page.id, r.state);
      this.d.jobs.cancelPrefix(deadlinePrefix(page.id), now);
      for (const u of this.d.pages.contactIds(page.id)) {
        if (u !== by) this.d.effects.tell(u, t.taken(page.id, page.member, by), `${key}:taken:${u}`);
      }
      if (page.staffTold) this.postToStaffRoom(page, t.staffRoomAcknowledged(page.id, page.member, by), `${key}:staffroom:ack`);
      this.d.audit.append({ communityId: page.communityId, actor: by, action: "page.ack", subject: page.member, detail: `page ${page.id} (${how})` }, now);
      this.metrics.pageAcknowledged(page.communityId, now - this.roundStartedAt(page));
    }
    this.d.effects.tell(page.member, t.someoneComing(page.id, by, first).alert(page.member), `${key}:coming:${by}`);
    if (page.supportRoomId) {
      this.d.effects.post(page.supportRoomId, t.comingInRoom(by), `${key}:room:coming:${by}`);
      this.d.effects.invite(page.supportRoomId, by, inviteKey(page.id, by));
    }
    return { kind: first ? "first" : "also", page: this.d.pages.get(page.id)! };
  }

  /**
   * An acknowledgement while one is awaited after a repeat page: whoever answers first (the
   * acknowledger, someone else who came, staff) is the one there now; no new round starts.
   */
  private confirm(page: PageRecord, by: string, how: ResponseHow, now: number): AckOutcome {
    this.d.pages.addResponse(page.id, by, how, now);
    const r = step(page.state, { kind: "ack", by }, page.ladder, now);
    this.d.pages.save(page.id, r.state);
    this.d.jobs.cancelPrefix(deadlinePrefix(page.id), now);
    const key = `page:${page.id}:again${page.state.repeatCount}`;
    this.d.effects.tell(page.member, t.stillThere(page.id, by).alert(page.member), `${key}:confirmed:member`);
    const before = page.state.acknowledgedBy;
    if (before && before !== by && before.startsWith("@")) this.d.effects.tell(before, t.taken(page.id, page.member, by), `${key}:confirmed:${before}`);
    if (page.supportRoomId) {
      this.d.effects.post(page.supportRoomId, t.comingInRoom(by), `${key}:confirmed:room`);
      this.d.effects.invite(page.supportRoomId, by, inviteKey(page.id, by));
    }
    if (page.staffTold) this.postToStaffRoom(page, t.staffRoomAcknowledged(page.id, page.member, by), `${key}:confirmed:staffroom`);
    this.d.audit.append({ communityId: page.communityId, actor: by, action: "page.ack", subject: page.member, detail: `page ${page.id} (${how}, confirmed after a repeat page)` }, now);
    return { kind: "confirmed", page: this.d.pages.get(page.id)! };
  }

  /**
   * Someone asked says they cannot come (`!decline`, or ⛔ on the request): they are out of
   * this round of the page (not asked again in it; `!ack` still works if they can come after
   * all). If nobody asked at the current step is left, the next step starts at once. The
   * member is never told who declined.
   */
  decline(page: PageRecord, by: string, how: "command" | "reaction", now: number): DeclineOutcome {
    if (page.state.status === "resolved") return { kind: "resolved", page };
    if (by === page.member) return { kind: "own_page", page };
    const mine = this.d.pages.contacts(page.id).filter((x) => x.round === page.round && x.userId === by);
    if (mine.length === 0) return { kind: "not_asked", page };
    if (page.state.status === "acknowledged") return { kind: "taken", page };
    if (this.d.pages.decliners(page.id, page.round).includes(by)) return { kind: "already", page };
    const atStep = mine[mine.length - 1].step;
    this.d.pages.addSkip(page.id, { round: page.round, step: atStep, userId: by, reason: "declined", at: now });
    this.d.audit.append({ communityId: page.communityId, actor: by, action: "page.decline", subject: page.member, detail: `page ${page.id} (${how})` }, now);
    this.metrics.pageDeclined(page.communityId);
    const s = page.state;
    let movedOn = false;
    if (s.status === "open" && atStep === s.step) {
      const declined = new Set(this.d.pages.decliners(page.id, page.round));
      const left = this.d.pages.contacts(page.id).filter((x) => x.round === page.round && x.step === s.step && !declined.has(x.userId));
      if (left.length === 0) {
        this.d.jobs.cancel(deadlineKey(page.id, page.round, s.step), now);
        this.stepped(page, step({ ...s, nextDeadlineMs: now }, { kind: "deadline" }, page.ladder, now), now);
        movedOn = true;
      }
    }
    return { kind: "declined", movedOn, page: this.d.pages.get(page.id)! };
  }

  /** Who may close a page: the member, anyone who said they were coming, the community's staff. */
  mayResolve(page: PageRecord, by: string): boolean {
    if (by === page.member) return true;
    if (this.d.pages.responses(page.id).some((r) => r.userId === by)) return true;
    const c = this.community(page.communityId);
    return !!c && isStaffOf(c, by);
  }

  resolve(page: PageRecord, by: string, now: number): ResolveOutcome {
    if (page.state.status === "resolved") return { kind: "already", page };
    if (!this.mayResolve(page, by)) return { kind: "not_allowed", page };
    const r = step(page.state, { kind: "resolve", by }, page.ladder, now);
    this.d.pages.save(page.id, r.state);
    this.d.jobs.cancelPrefix(deadlinePrefix(page.id), now);
    this.d.pages.deleteNotes(page.id);
    if (by !== page.member) this.d.effects.tell(page.member, t.closedForMember(page.id, by, this.crisis()), `page:${page.id}:resolved:member`);
    if (page.supportRoomId) this.d.effects.post(page.supportRoomId, t.resolvedInRoom(page.id, by), `page:${page.id}:room:resolved`);
    const responders = new Set(this.d.pages.responses(page.id).map((x) => x.userId));
    // Every responder is asked how they are, not only the first (the state machine's debrief effect names that one).
    for (const u of responders) if (u !== page.member) this.d.effects.tell(u, t.debrief(page.id, page.member), `page:${page.id}:debrief:${u}`);
    for (const u of this.d.pages.contactIds(page.id)) {
      if (!responders.has(u) && u !== by) this.d.effects.tell(u, t.closedForResponder(page.id, page.member, by), `page:${page.id}:closed:${u}`);
    }
    if (page.staffTold) this.postToStaffRoom(page, t.staffRoomResolved(page.id, page.member, by), `page:${page.id}:staffroom:resolved`);
    this.d.audit.append({ communityId: page.communityId, actor: by, action: "page.resolve", subject: page.member, detail: `page ${page.id}` }, now);
    return { kind: "resolved", page: this.d.pages.get(page.id)! };
  }

  // --- crisis meetings ----------------------------------------------------------------

  /**
   * Any member may call a crisis meeting: a temporary room with the peers and staff on call
   * (the whole staff team when nobody is on call, so the meeting is never empty).
   */
  crisisMeeting(caller: string, c: CommunityConfig, now: number): { meetingId: number; reply: Message } {
    const recent = this.d.pages.recentMeeting(c.id, caller, now - CRISIS_MEETING_MS);
    if (recent) return { meetingId: recent.id, reply: t.meetingStillOpen(recent.id, this.crisis()) };
    const onCall = this.onCall(c.id, now);
    const exclude = (u: string) => u !== caller && u !== this.d.botUserId;
    let people = [...new Set([...onCall.peers, ...onCall.staff])].filter(exclude);
    const fallbackToStaff = people.length === 0;
    if (fallbackToStaff) people = allStaffOf(c).filter(exclude);
    const id = this.d.pages.createMeeting({ communityId: c.id, caller, people }, now);
    this.d.effects.schedule({ kind: CRISIS_ROOM_JOB, key: `crisis.room:${id}`, dueAt: now, payload: { meetingId: id } });
    this.d.effects.schedule({ kind: CRISIS_CLOSE_JOB, key: `crisis.close:${id}`, dueAt: now + CRISIS_MEETING_MS, payload: { meetingId: id } });
    for (const u of people) this.d.effects.tell(u, t.meetingNotice(id, caller, c.name).alert(u), `crisis:${id}:notice:${u}`);
    const staffRoom = this.d.rooms.get(c.id, "staff");
    if (staffRoom) this.d.effects.post(staffRoom.roomId, t.staffRoomMeeting(id, caller, people.length), `crisis:${id}:staffroom`);
    this.d.audit.append({ communityId: c.id, actor: caller, action: "crisis_meeting.call", subject: caller, detail: `meeting ${id}, ${t.people(people.length)} invited` }, now);
    return { meetingId: id, reply: t.meetingCalled(id, people.length, fallbackToStaff, this.crisis()) };
  }

  // --- contact digest -----------------------------------------------------------------

  /**
   * The daily digest due at `atMs` (the "page.digest" job): every page and crisis meeting
   * no digest has reported yet, to the staff room, and without names to the community room
   * if the community chose that. Pages not closed yet are reported again next time.
   */
  digest(communityId: string, atMs: number, now: number): void {
    const c = this.community(communityId);
    if (!c) return;
    const pages = this.d.pages.undigested(c.id, atMs);
    const summaries = pages.map((p) => summarise(this.d.pages, p));
    const meetings = this.d.pages.undigestedMeetings(c.id, atMs);
    const staffRoom = this.d.rooms.get(c.id, "staff");
    if (staffRoom) this.d.effects.post(staffRoom.roomId, staffDigest(c, summaries, meetings), `${digestKey(c.id, atMs)}:staff`);
    else this.d.log.warn({ communityId }, "no staff room recorded: the contact digest could not be posted");
    const communityRoom = this.d.rooms.get(c.id, "community");
    if (c.paging?.digest_to_community && communityRoom) {
      this.d.effects.post(communityRoom.roomId, communityDigest(c, summaries, meetings), `${digestKey(c.id, atMs)}:community`);
    }
    this.d.pages.markDigested(pages.filter((p) => p.state.status === "resolved").map((p) => p.id), now);
    this.d.pages.markMeetingsDigested(meetings.map((m) => m.id), now);
  }

  /**
   * Keeps one future digest job per community that has `paging.digest_at`, at that time in
   * its time zone. Overdue ones (carenet was down at digest time) are kept: they run now.
   */
  scheduleDigests(now: number): void {
    const pending = this.d.jobs.pending(DIGEST_JOB);
    for (const c of this.d.config().communities) {
      const mine = pending.filter((j) => j.payload.communityId === c.id);
      const at = c.paging?.digest_at;
      const next = at ? nextDailyAt(c.timezone, at, now) : undefined;
      const wanted = next === undefined ? undefined : digestKey(c.id, next);
      for (const j of mine) if (j.dueAt > now && j.key !== wanted) this.d.jobs.cancel(j.key, now);
      // `reschedule`, not `schedule`: the wanted key may have been cancelled by an earlier
      // change of digest_at (changed and changed back), and only reschedule revives it.
      if (next !== undefined && wanted !== undefined && this.d.jobs.get(wanted)?.state !== "pending") {
        this.d.jobs.reschedule({ kind: DIGEST_JOB, key: wanted, dueAt: next, payload: { communityId: c.id } }, now);
      }
    }
    const known = new Set(this.d.config().communities.map((c) => c.id));
    for (const j of pending) if (!known.has(String(j.payload.communityId))) this.d.jobs.cancel(j.key, now);
  }

  // --- gap warning -------------------------------------------------------------------

  /**
   * The daily gap warning due at `atMs` (the "page.gaps" job): the staff room is told of the
   * stretches from now until the midday after tonight in which a ladder step has nobody on
   * call (so a page then passes it at once). Nothing is posted when every step is covered.
   */
  gapWarning(communityId: string, atMs: number, now: number): string[] {
    const c = this.community(communityId);
    if (!c) return [];
    const window = tonight(c.timezone, Math.max(atMs, now));
    const gaps = ladderGaps(ladderOf(c), c, (at) => this.onCall(c.id, at), window);
    const lines = gapLines(gaps, c.timezone);
    if (lines.length === 0) return lines;
    const staffRoom = this.d.rooms.get(c.id, "staff");
    if (staffRoom) this.d.effects.post(staffRoom.roomId, t.gapWarning(c.name, gapWords(gaps, c.timezone), windowWords(window, c.timezone)), `${gapKey(c.id, atMs)}:staff`);
    else this.d.log.warn({ communityId }, "no staff room recorded: the gap warning could not be posted");
    return lines;
  }

  /** One future gap-warning job per community with `paging.gap_warning_at` (as scheduleDigests does for digests). */
  scheduleGapWarnings(now: number): void {
    const pending = this.d.jobs.pending(GAP_JOB);
    for (const c of this.d.config().communities) {
      const at = c.paging?.gap_warning_at;
      const next = at ? nextDailyAt(c.timezone, at, now) : undefined;
      const wanted = next === undefined ? undefined : gapKey(c.id, next);
      for (const j of pending) if (j.payload.communityId === c.id && j.dueAt > now && j.key !== wanted) this.d.jobs.cancel(j.key, now);
      if (next !== undefined && wanted !== undefined && this.d.jobs.get(wanted)?.state !== "pending") {
        this.d.jobs.reschedule({ kind: GAP_JOB, key: wanted, dueAt: next, payload: { communityId: c.id } }, now);
      }
    }
    const known = new Set(this.d.config().communities.map((c) => c.id));
    for (const j of pending) if (!known.has(String(j.payload.communityId))) this.d.jobs.cancel(j.key, now);
  }

  /** After a gap warning ran: the next one, if the community still has a time for it. */
  scheduleNextGapWarning(communityId: string, afterMs: number): void {
    const at = this.community(communityId)?.paging?.gap_warning_at;
    if (!at) return;
    const next = nextDailyAt(this.community(communityId)!.timezone, at, afterMs);
    this.d.effects.schedule({ kind: GAP_JOB, key: gapKey(communityId, next), dueAt: next, payload: { communityId } });
  }

  scheduleDigest(communityId: string, atMs: number): void {
    this.d.effects.schedule({ kind: DIGEST_JOB, key: digestKey(communityId, atMs), dueAt: atMs, payload: { communityId } });
  }

  /** After a digest ran: the next one, if the community still has a digest time. */
  scheduleNextDigest(communityId: string, afterMs: number): void {
    const c = this.community(communityId);
    if (c?.paging?.digest_at) this.scheduleDigest(c.id, nextDailyAt(c.timezone, c.paging.digest_at, afterMs));
  }

  /**
   * Safety net at start: every open page has its deadline job pending (and a page awaiting
   * confirmation after a repeat page, its confirmation deadline); every page that is not
   * resolved and has no room yet has a room job; and every crisis meeting still within its
   * 12 hours without a room has a room job. Jobs are durable already; this covers a job
   * lost to a bug or parked as failed.
   */
  ensureJobs(now: number): number {
    let repaired = 0;
    for (const page of this.d.pages.allActive()) {
      if (page.state.status === "open" && page.state.nextDeadlineMs !== null) {
        const job = this.d.jobs.get(deadlineKey(page.id, page.round, page.state.step));
        if (job?.state !== "pending") {
          this.scheduleDeadline(page, page.state.step, page.state.nextDeadlineMs, true);
          repaired++;
        }
      }
      if (awaitsConfirmation(page.state)) {
        const job = this.d.jobs.get(confirmKey(page.id, page.round, page.state.acknowledgedAtMs ?? page.state.openedAtMs));
        if (job?.state !== "pending") {
          this.scheduleConfirm(page, page.state.nextDeadlineMs!, true);
          repaired++;
        }
      }
      const roomJobPending = this.d.jobs.pending(ROOM_JOB).some((j) => j.payload.pageId === page.id);
      if (!roomJobPending && (!page.supportRoomId || this.d.pages.pendingNotes(page.id).length > 0)) {
        this.d.jobs.reschedule({ kind: ROOM_JOB, key: `page.room:${page.id}:repair`, dueAt: now, payload: { pageId: page.id } }, now);
        repaired++;
      }
    }
    // A meeting past its 12 hours without a room is not made late (its close job has run);
    // the digest still reports it.
    const meetingJobs = this.d.jobs.pending(CRISIS_ROOM_JOB);
    for (const m of this.d.pages.meetingsWithoutRoom(now - CRISIS_MEETING_MS)) {
      if (meetingJobs.some((j) => j.payload.meetingId === m.id)) continue;
      this.d.jobs.reschedule({ kind: CRISIS_ROOM_JOB, key: `crisis.room:${m.id}:repair`, dueAt: now, payload: { meetingId: m.id } }, now);
      repaired++;
    }
    return repaired;
  }
}
