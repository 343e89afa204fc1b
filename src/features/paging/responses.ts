import { awaitsConfirmation, step } from "./domain/escalation";
import { isStaffOf } from "../../config/roles";
import type { PageRecord, ResponseHow } from "./store/pages";
import { deadlineKey, deadlinePrefix, inviteKey } from "./jobKeys";
import type { Escalator } from "./escalator";
import type { PagingDeps } from "./pagingDeps";
import * as t from "./texts";

export type AckOutcome =
  | { kind: "first" | "also" | "confirmed"; page: PageRecord }
  | { kind: "already" | "resolved" | "own_page" | "not_asked"; page: PageRecord };

export type ResolveOutcome = { kind: "resolved" | "already" | "not_allowed"; page: PageRecord };

/** `!decline` / ⛔: "declined" (and whether the ladder moved on at once because of it). */
export type DeclineOutcome =
  | { kind: "declined"; movedOn: boolean; page: PageRecord }
  | { kind: "already" | "taken" | "resolved" | "own_page" | "not_asked"; page: PageRecord };

/** The answers to a page from the people asked: coming (`!ack`, ✅, joining), declining, closing it. */
export class PageResponses {
  constructor(
    private readonly d: PagingDeps,
    private readonly esc: Escalator,
  ) {}

  /** Someone says they are coming (by `!ack`, a ✅ on their page message, or joining the room). */
  ack(page: PageRecord, by: string, how: ResponseHow, now: number): AckOutcome {
    if (page.state.status === "resolved") return { kind: "resolved", page };
    if (by === page.member) return { kind: "own_page", page };
    const c = this.esc.community(page.communityId);
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
      if (page.staffTold) this.esc.postToStaffRoom(page, t.staffRoomAcknowledged(page.id, page.member, by), `${key}:staffroom:ack`);
      this.d.audit.append({ communityId: page.communityId, actor: by, action: "page.ack", subject: page.member, detail: `page ${page.id} (${how})` }, now);
      this.esc.metrics.pageAcknowledged(page.communityId, now - this.esc.roundStartedAt(page));
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
    if (page.staffTold) this.esc.postToStaffRoom(page, t.staffRoomAcknowledged(page.id, page.member, by), `${key}:confirmed:staffroom`);
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
    this.esc.metrics.pageDeclined(page.communityId);
    const s = page.state;
    let movedOn = false;
    if (s.status === "open" && atStep === s.step) {
      const declined = new Set(this.d.pages.decliners(page.id, page.round));
      const left = this.d.pages.contacts(page.id).filter((x) => x.round === page.round && x.step === s.step && !declined.has(x.userId));
      if (left.length === 0) {
        this.d.jobs.cancel(deadlineKey(page.id, page.round, s.step), now);
        this.esc.stepped(page, step({ ...s, nextDeadlineMs: now }, { kind: "deadline" }, page.ladder, now), now);
        movedOn = true;
      }
    }
    return { kind: "declined", movedOn, page: this.d.pages.get(page.id)! };
  }

  /** Who may close a page: the member, anyone who said they were coming, the community's staff. */
  mayResolve(page: PageRecord, by: string): boolean {
    if (by === page.member) return true;
    if (this.d.pages.responses(page.id).some((r) => r.userId === by)) return true;
    const c = this.esc.community(page.communityId);
    return !!c && isStaffOf(c, by);
  }

  resolve(page: PageRecord, by: string, now: number): ResolveOutcome {
    if (page.state.status === "resolved") return { kind: "already", page };
    if (!this.mayResolve(page, by)) return { kind: "not_allowed", page };
    const r = step(page.state, { kind: "resolve", by }, page.ladder, now);
    this.d.pages.save(page.id, r.state);
    this.d.jobs.cancelPrefix(deadlinePrefix(page.id), now);
    this.d.pages.deleteNotes(page.id);
    if (by !== page.member) this.d.effects.tell(page.member, t.closedForMember(page.id, by, this.esc.crisis()), `page:${page.id}:resolved:member`);
    if (page.supportRoomId) this.d.effects.post(page.supportRoomId, t.resolvedInRoom(page.id, by), `page:${page.id}:room:resolved`);
    const responders = new Set(this.d.pages.responses(page.id).map((x) => x.userId));
    // Every responder is asked how they are, not only the first (the state machine's debrief effect names that one).
    for (const u of responders) if (u !== page.member) this.d.effects.tell(u, t.debrief(page.id, page.member), `page:${page.id}:debrief:${u}`);
    for (const u of this.d.pages.contactIds(page.id)) {
      if (!responders.has(u) && u !== by) this.d.effects.tell(u, t.closedForResponder(page.id, page.member, by), `page:${page.id}:closed:${u}`);
    }
    if (page.staffTold) this.esc.postToStaffRoom(page, t.staffRoomResolved(page.id, page.member, by), `page:${page.id}:staffroom:resolved`);
    this.d.audit.append({ communityId: page.communityId, actor: by, action: "page.resolve", subject: page.member, detail: `page ${page.id}` }, now);
    return { kind: "resolved", page: this.d.pages.get(page.id)! };
  }
}
