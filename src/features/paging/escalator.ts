import type { OnCallNow } from "../../ports/context";
import type { Message } from "../../messaging/message";
import type { CommunityConfig, CrisisResources } from "../../config/types";
import { step, type EscalationStep, type NotifyTarget, type StepResult } from "./domain/escalation";
import type { PageRecord } from "./store/pages";
import { noMetrics, type MetricsPort } from "../../metrics/port";
import { rotaSettings } from "../../config/rotaSettings";
import { allStaffOf, isStaffTarget, recipientsOf } from "./ladder";
import { asksPeers, nightBounds, underNightlyCap } from "./nightlyCap";
import { offMatrixFromStep } from "./offMatrix/service";
import { communityById } from "../../config/communities";
import { confirmKey, DEADLINE_JOB, deadlineKey, inviteKey, STAFF_ALERT_JOB } from "./jobKeys";
import type { PagingDeps } from "./pagingDeps";
import * as t from "./texts";

/** What one run of the state machine did (with empty steps skipped). */
export interface Advance {
  status: PageRecord["state"]["status"];
  /** The steps that asked someone, in order. */
  reached: t.Reached[];
}

/**
 * The ladder in motion: a step's result applied to SQLite (who is asked, who was left out
 * and why, the next deadline), steps with nobody to ask passed at once, and the staff
 * alerted when the ladder runs out. Shared by paging, acknowledging and the jobs; every
 * method runs inside the caller's SQLite transaction.
 */
export class Escalator {
  constructor(private readonly d: PagingDeps) {}

  get metrics(): MetricsPort {
    return this.d.metrics ?? noMetrics;
  }

  community(id: string): CommunityConfig | undefined {
    return communityById(this.d.config().communities, id);
  }

  crisis(): CrisisResources {
    return this.d.config().crisis_resources;
  }


  /** Saves a state the machine moved to a new round (round + 1, following `ladder`), and runs it. */
  startRound(page: PageRecord, r: StepResult, ladder: EscalationStep[], now: number): Advance {
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
  stepped(page: PageRecord, r: StepResult, now: number): void {
    const adv = this.advance(page, r, now);
    const key = `page:${page.id}:r${page.round}:s${page.state.step}`;
    if (adv.status === "exhausted") this.d.effects.tell(page.member, this.endedText(this.d.pages.get(page.id)!).alert(page.member), `${key}:member:nobody`);
    else if (adv.reached.length > 0) this.d.effects.tell(page.member, t.escalated(page.id, adv.reached).urgently(), `${key}:member:escalated`);
  }

  /** Nobody asked in this round at all (nobody on call at any step), or asked and nobody came: told as it is. */
  endedText(page: PageRecord): Message {
    return this.askedThisRound(page) ? t.nobodyReached(page.id, this.crisis()) : t.nobodyOnCall(page.id, this.crisis());
  }

  private askedThisRound(page: PageRecord): boolean {
    return this.d.pages.contacts(page.id).some((c) => c.round === page.round);
  }

  /** What happens next if nobody answers the current step: for the member's first answer. */
  whatNext(page: PageRecord, now: number): t.WhatNext {
    const s = page.state;
    return { after: page.ladder.slice(s.step + 1).map((x) => x.notify), waitMs: Math.max(0, (s.nextDeadlineMs ?? now) - now) };
  }

  /**
   * Applies one step result: notifies, alerts, and when a step had nobody to ask, takes
   * the next step at once. Saves the final state and schedules its deadline.
   */
  advance(page: PageRecord, first: StepResult, now: number): Advance {
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

  scheduleDeadline(page: PageRecord, stepIndex: number, atMs: number, force = false): void {
    const job = { kind: DEADLINE_JOB, key: deadlineKey(page.id, page.round, stepIndex), dueAt: atMs, payload: { pageId: page.id, round: page.round, step: stepIndex } };
    if (force) this.d.jobs.reschedule(job, this.d.clock.now());
    else this.d.effects.schedule(job);
  }

  scheduleConfirm(page: PageRecord, atMs: number, force = false): void {
    const key = confirmKey(page.id, page.round, page.state.acknowledgedAtMs ?? page.state.openedAtMs);
    const job = { kind: DEADLINE_JOB, key, dueAt: atMs, payload: { pageId: page.id, round: page.round, confirm: true } };
    if (force) this.d.jobs.reschedule(job, this.d.clock.now());
    else this.d.effects.schedule(job);
  }

  /** When the page's current round took its first step (the page's opening for round 1). */
  roundStartedAt(page: PageRecord): number {
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
        t.notice({ pageId: page.id, member: page.member, community: c?.name ?? page.communityId, target, waitedMs, again: page.round > 1, last }).summon(u),
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
      this.postToStaffRoom(page, loud().summon(...staff), `${key}:staffroom`);
      for (const s of staff) this.d.effects.tell(s, loud().summon(s), `${key}:staff:${s}`);
      this.offMatrixToStaff(page, staff);
      this.d.audit.append({ communityId: page.communityId, actor: "carenet", action: "page.exhausted", subject: page.member, detail: `page ${page.id}: nobody on call to ask` }, now);
      this.metrics.pageExhausted(page.communityId);
      return;
    }
    const msg = () => t.staffExhausted(page.id, page.member, now - this.roundStartedAt(page), page.round > 1);
    // The staff room's copy is the team's record; each staff member's own copy is what rings.
    this.postToStaffRoom(page, msg(), `${key}:staffroom`);
    for (const s of staff) this.d.effects.tell(s, msg().summon(s), `${key}:staff:${s}`);
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

  postToStaffRoom(page: PageRecord, msg: Message, key: string): void {
    const room = this.d.rooms.get(page.communityId, "staff");
    this.d.pages.markStaffTold(page.id);
    if (room) this.d.effects.post(room.roomId, msg, key);
    else this.d.log.warn({ communityId: page.communityId, pageId: page.id }, "no staff room recorded: a page alert could not be posted there");
  }

  onCall(communityId: string, now: number): OnCallNow {
    try {
      return this.d.onCall(communityId, now);
    } catch (err) {
      // A rota fault must not stall the page: this step asks nobody and the ladder moves on.
      this.d.log.error({ communityId, err: (err as Error).message }, "could not read who is on call; escalating past this step");
      return { peers: [], backupPeers: [], staff: [] };
    }
  }
}
