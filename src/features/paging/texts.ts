import { Message } from "../../messaging/message";
import type { CrisisResources } from "../../config/types";
import type { NotifyTarget } from "./domain/escalation";
import { command, link, listOf, person, t, type Value, type Words } from "../../words";
import { supportBlock } from "../../messaging/supportBlock";

/**
 * Everything paging says, in one place so the words can be read (and reviewed) together;
 * the words themselves are in the "paging" catalogue (src/words/locales/<lang>/paging.json).
 * Plain words carry the meaning; no message here ever contains a member's note except
 * {@link noteInRoom}, which is sent only to the support room. People are named by
 * {@link who}: a display name (a pill in HTML), never a bare Matrix ID when a name is known.
 */

export interface Reached {
  target: NotifyTarget;
  users: string[];
}

const TARGET_NAMES: Record<NotifyTarget, string> = {
  on_call_peers: "the peer supporters on call",
  backup_peers: "the backup peer supporters",
  on_call_staff: "the staff on call",
  all_staff: "the staff team",
};

/** The group's English name, for the audit log (person-facing text uses {@link targetWords}). */
export function targetName(target: NotifyTarget): string {
  return TARGET_NAMES[target];
}

export function targetWords(target: NotifyTarget): Words & Value {
  return t("paging.target", { target });
}

/** "3 people", in English: for the audit log. */
export function people(n: number): string {
  return `${n} ${n === 1 ? "person" : "people"}`;
}

/** A person by name (a pill); a non-Matrix actor ("carenet", a staff label) as given. */
export function who(id: string): Value {
  return id.startsWith("@") ? person(id) : id;
}

/** "3 people (the peer supporters on call and the staff on call)" */
export function whoWasAsked(reached: readonly Reached[]): Value {
  if (reached.length === 0) return t("paging.nobody");
  const n = new Set(reached.flatMap((r) => r.users)).size;
  return t("paging.group", { n, targets: listOf(reached.map((r) => targetWords(r.target))) });
}

/** A duration as a person says it: "45 seconds", "10 minutes", "90 minutes", "3 hours", "2 days". */
export function duration(ms: number): Words & Value {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return t("paging.seconds", { n: s });
  const minutes = Math.round(s / 60);
  if (minutes < 120) return t("paging.minutes", { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return t("paging.hours", { n: hours });
  return t("paging.days", { n: Math.floor(hours / 24) });
}

/** How long ago, coarsely ("25 minutes", "3 hours", "2 days"): for when someone said they were coming. */
export function roughAgo(ms: number): Words & Value {
  return ms < 60_000 ? t("paging.lessThanAMinute") : duration(Math.floor(ms / 60_000) * 60_000);
}

export function supportRoomName(memberName: string): Words {
  return t("paging.roomName", { name: memberName });
}

/** A matrix.to link that opens a direct chat with someone: how staff reach a member at once. */
export function dmLink(userId: string): Value {
  const url = `https://matrix.to/#/${userId}`;
  return link(url, url);
}

// --- to the member ------------------------------------------------------------------

/** The answer to `!page`: empathy first, who was asked, what happens next; within 60 words. */
export function pageOpened(pageId: number, reached: readonly Reached[], crisis: CrisisResources, next: WhatNext = { after: [], waitMs: 0 }): Message {
  return new Message()
    .p(t("paging.opened", { pageId, asked: whoWasAsked(reached) }))
    .p(whatNext(next))
    .append(supportBlock(crisis));
}

/** What the ladder does if nobody answers: the steps still to come, and how long the current one waits. */
export interface WhatNext {
  after: NotifyTarget[];
  waitMs: number;
}

/** The truth about what happens if nobody answers: who comes next, or that the staff are alerted. */
export function whatNext(n: WhatNext): Words {
  const wait = duration(n.waitMs);
  if (n.after.length === 0) return t("paging.nextLast", { wait });
  const names = [...new Set(n.after)].map(targetWords);
  const order = names.slice(0, -1).reduceRight<Value>((rest, first) => t("paging.then", { first, rest }), names[names.length - 1]);
  return t("paging.nextMore", { wait, order });
}

/**
 * The ladder ended without anybody to ask (nobody on call at any step): the member is told
 * so plainly, at once, and what happens now.
 */
export function nobodyOnCall(pageId: number, crisis: CrisisResources): Message {
  return new Message()
    .p(t("paging.nobodyOnCall", { pageId }))
    .p(t("paging.staffAlertedUrgent", { command: command("!page") }))
    .append(supportBlock(crisis));
}

export function pageStillOpen(pageId: number, askedSoFar: number, withNote: boolean, crisis: CrisisResources): Message {
  const m = new Message().p(t("paging.stillOpen", { pageId, asked: askedSoFar }));
  if (withNote) m.p(t("paging.notePassed"));
  return m.append(supportBlock(crisis));
}

export function pageRestarted(pageId: number, reached: readonly Reached[], crisis: CrisisResources): Message {
  return new Message().p(t("paging.restarted", { pageId, asked: whoWasAsked(reached) })).append(supportBlock(crisis));
}

/** A repeat page on an acknowledged page: the acknowledger has been asked to confirm. */
export function pagedAgainWaiting(p: { pageId: number; acknowledgedBy: string; ackedAgoMs: number; confirmWithinMs: number; withNote: boolean }, crisis: CrisisResources): Message {
  const m = new Message()
    .p(t("paging.pagedAgain", { pageId: p.pageId, by: who(p.acknowledgedBy), ago: roughAgo(p.ackedAgoMs) }))
    .p(t("paging.pagedAgainConfirm", { wait: duration(p.confirmWithinMs) }));
  if (p.withNote) m.p(t("paging.notePassed"));
  return m.append(supportBlock(crisis));
}

/** A repeat page on an acknowledged page that started a new round of the ladder. */
export function pagedAgainRestarted(
  p: { pageId: number; acknowledgedBy: string; ackedAgoMs: number; stale: boolean; reached: readonly Reached[]; withNote: boolean },
  crisis: CrisisResources,
): Message {
  const values = { pageId: p.pageId, by: who(p.acknowledgedBy), ago: roughAgo(p.ackedAgoMs) };
  const m = new Message().p(
    p.reached.length > 0
      ? t("paging.pagedAgainAsked", { ...values, stale: p.stale ? "yes" : "no", asked: whoWasAsked(p.reached) })
      : t("paging.pagedAgainNobody", values),
  );
  if (p.withNote) m.p(t("paging.notePassed"));
  return m.append(supportBlock(crisis));
}

/** Nobody confirmed after the repeat page in time: a new round of the ladder started. */
export function acknowledgerSilent(pageId: number, acknowledgedBy: string, reached: readonly Reached[], crisis: CrisisResources): Message {
  if (reached.length === 0) {
    return new Message()
      .p(t("paging.silentNobody", { pageId, by: who(acknowledgedBy) }))
      .p(t("paging.staffAlerted", { command: command("!page") }))
      .append(supportBlock(crisis));
  }
  return new Message().p(t("paging.silentAsked", { pageId, by: who(acknowledgedBy), asked: whoWasAsked(reached) })).append(supportBlock(crisis));
}

export function stillThere(pageId: number, by: string): Message {
  return Message.of(t("paging.stillThere", { pageId, by: who(by) }));
}

export function nobodyReached(pageId: number, crisis: CrisisResources): Message {
  return new Message()
    .p(t("paging.nobodyReached", { pageId }))
    .p(t("paging.staffAlerted", { command: command("!page") }))
    .append(supportBlock(crisis));
}

export function escalated(pageId: number, reached: readonly Reached[]): Message {
  return Message.of(t("paging.escalated", { pageId, asked: whoWasAsked(reached) }));
}

export function someoneComing(pageId: number, by: string, first: boolean): Message {
  return Message.of(first ? t("paging.coming", { pageId, by: who(by) }) : t("paging.comingToo", { pageId, by: who(by) }));
}

/** The page is over: one support block, which also says `!page` is there again. */
export function closedForMember(pageId: number, by: string, crisis: CrisisResources): Message {
  return new Message().p(t("paging.closedForMember", { pageId, by: who(by) })).append(supportBlock(crisis, { page: true }));
}

export function closedByMember(pageId: number, crisis: CrisisResources): Message {
  return new Message().p(t("paging.closedByMember", { pageId })).append(supportBlock(crisis, { page: true }));
}

// --- to the people asked to come -------------------------------------------------------

export function notice(p: { pageId: number; member: string; community: string; target: NotifyTarget; waitedMs: number; again?: boolean; last?: boolean }): Message {
  const member = who(p.member);
  const m = new Message().p(t("paging.notice", { member, community: p.community, again: p.again ? "yes" : "no", pageId: p.pageId }));
  if (p.waitedMs > 0) m.p(t("paging.noticeWaited", { waited: duration(p.waitedMs), target: targetWords(p.target) }));
  else m.p(t("paging.noticeFirst", { target: targetWords(p.target) }));
  return m
    .p(t("paging.noticeHow", { ack: command("!ack") }))
    .p(p.last ? t("paging.noticeLast", { decline: command(`!decline ${p.pageId}`), member }) : t("paging.noticeDecline", { decline: command("!decline") }));
}

export function taken(pageId: number, member: string, by: string): Message {
  return Message.of(t("paging.taken", { pageId, member: who(member), by: who(by) }));
}

export function closedForResponder(pageId: number, member: string, by: string): Message {
  return Message.of(t("paging.closedForResponder", { pageId, member: who(member), by: who(by) }));
}

export function ackReply(pageId: number, member: string, first: boolean): Message {
  return new Message()
    .p(first ? t("paging.ack", { pageId, member: who(member) }) : t("paging.ackToo", { pageId, member: who(member) }))
    .p(t("paging.ackMeet", { command: command("!resolve") }));
}

export function confirmReply(pageId: number, member: string): Message {
  return new Message().p(t("paging.confirm", { pageId, member: who(member) })).p(t("paging.confirmMeet", { command: command("!resolve") }));
}

/** To whoever acknowledged: the member paged again. `confirmWithinMs` null: a new round has started already. */
export function askAcknowledger(p: { pageId: number; member: string; ackedAgoMs: number; stale: boolean; confirmWithinMs: number | null }): Message {
  const m = new Message().p(t("paging.askAck", { pageId: p.pageId, member: who(p.member), ago: roughAgo(p.ackedAgoMs) }));
  const ack = command(`!ack ${p.pageId}`);
  if (p.confirmWithinMs === null) {
    m.p(t("paging.askAckRestart", { stale: p.stale ? "yes" : "no" })).p(t("paging.askAckIfWith", { command: ack }));
  } else {
    m.p(t("paging.askAckStill", { command: ack })).p(t("paging.askAckWithin", { wait: duration(p.confirmWithinMs) }));
  }
  return m;
}

export function acknowledgerMissed(pageId: number, member: string): Message {
  return Message.of(t("paging.ackMissed", { pageId, member: who(member), command: command(`!ack ${pageId}`) }));
}

export function debrief(pageId: number, member: string): Message {
  return new Message().p(t("paging.debrief", { pageId, member: who(member) })).p(t("paging.debriefCare", { command: command("!break") }));
}

// --- staff --------------------------------------------------------------------------

export function staffRoomEscalated(pageId: number, member: string, target: NotifyTarget, asked: number, waitedMs: number): Message {
  return Message.of(
    t("paging.staffEscalated", {
      pageId,
      member: who(member),
      waited: duration(waitedMs),
      asked: t("paging.group", { targets: targetWords(target), n: asked }),
      command: command(`!ack ${pageId}`),
    }),
  );
}

export function staffExhausted(pageId: number, member: string, waitedMs: number, again = false): Message {
  return new Message()
    .p(t("paging.staffExhausted", { pageId, member: who(member), waited: duration(waitedMs), again: again ? "yes" : "no", command: command(`!ack ${pageId}`) }))
    .p(t("paging.reachDirectly", { member: who(member), link: dmLink(member) }));
}

/** Loud, to each staff member: the ladder ended without anybody on call to ask. */
export function staffNobodyAsked(pageId: number, member: string, community: string): Message {
  return new Message()
    .p(t("paging.staffNobodyAsked", { pageId, member: who(member), community }))
    .p(t("paging.staffNobodyAskedNext", { command: command(`!ack ${pageId}`) }))
    .p(t("paging.reachDirectly", { member: who(member), link: dmLink(member) }));
}

/** To someone who declined. */
export function declineReply(pageId: number, movedOn: boolean): Message {
  return Message.of(t("paging.declined", { pageId, movedOn: movedOn ? "yes" : "no", command: command(`!ack ${pageId}`) }));
}

/** The daily gap warning to the staff room. */
export function gapWarning(community: string, lines: Array<string | Words>, window: Value): Message {
  return new Message()
    .heading(t("paging.gapHeading", { community, window }))
    .list(lines)
    .p(t("paging.gapHelp", { add: command("!rota add"), cover: command("!rota cover"), oncall: command("!oncall") }));
}

export function staffRoomAcknowledged(pageId: number, member: string, by: string): Message {
  return Message.of(t("paging.staffAcked", { pageId, member: who(member), by: who(by) }));
}

export function staffRoomPagedAgain(pageId: number, member: string, acknowledgedBy: string, restarted: boolean): Message {
  const values = { pageId, member: who(member), by: who(acknowledgedBy) };
  return Message.of(restarted ? t("paging.staffPagedAgainRestarted", values) : t("paging.staffPagedAgainWaiting", values));
}

export function staffRoomResolved(pageId: number, member: string, by: string): Message {
  return Message.of(t("paging.staffResolved", { pageId, member: who(member), by: who(by) }));
}

// --- in the support room ------------------------------------------------------------

export function roomIntro(p: { pageId: number; member: string; asked: number; coming: string[] }, crisis: CrisisResources): Message {
  const m = new Message().p(t("paging.roomIntro", { member: who(p.member), pageId: p.pageId, asked: p.asked }));
  if (p.coming.length > 0) m.p(t("paging.roomComing", { people: listOf(p.coming.map(who)) }));
  return m.p(t("paging.roomHow", { ack: command("!ack"), resolve: command("!resolve") })).append(supportBlock(crisis));
}

export function noteInRoom(member: string, note: string): Message {
  return new Message().p(t("paging.noteInRoom", { member: who(member) })).pre(note);
}

/** In the support room, in place of a note the homeserver would not take. */
export function noteNotShownInRoom(member: string): Message {
  return Message.of(t("paging.noteNotShownInRoom", { member: who(member) }));
}

/** To the member whose note could not be shown. */
export function noteNotShown(pageId: number): Message {
  return Message.of(t("paging.noteNotShown", { pageId }));
}

export function pagedAgainInRoom(p: { member: string; acknowledgedBy: string; restarted: boolean; stale: boolean; confirmWithinMs: number | null }): Message {
  const m = new Message().p(t("paging.pagedAgainInRoom", { member: who(p.member) }));
  if (p.restarted) {
    m.p(p.stale ? t("paging.roomRestartStale", { by: who(p.acknowledgedBy) }) : t("paging.roomRestart"));
  } else {
    m.p(t("paging.roomConfirm", { by: who(p.acknowledgedBy), command: command("!ack"), wait: duration(p.confirmWithinMs ?? 0) }));
  }
  return m;
}

export function acknowledgerSilentInRoom(acknowledgedBy: string, reached: readonly Reached[]): Message {
  return Message.of(
    reached.length > 0
      ? t("paging.roomSilentAsked", { by: who(acknowledgedBy), asked: whoWasAsked(reached) })
      : t("paging.roomSilentNobody", { by: who(acknowledgedBy) }),
  );
}

export function comingInRoom(by: string): Message {
  return Message.of(t("paging.comingInRoom", { by: who(by) }));
}

export function resolvedInRoom(pageId: number, by: string): Message {
  return Message.of(t("paging.resolvedInRoom", { pageId, by: who(by) }));
}

// --- crisis meetings ------------------------------------------------------------------

export function meetingCalled(meetingId: number, invited: number, fallbackToStaff: boolean, crisis: CrisisResources): Message {
  return new Message().p(t("paging.meetingCalled", { meetingId, invited, fallback: fallbackToStaff ? "yes" : "no" })).append(supportBlock(crisis));
}

export function meetingStillOpen(meetingId: number, crisis: CrisisResources): Message {
  return new Message().p(t("paging.meetingStillOpen", { meetingId })).append(supportBlock(crisis));
}

export function meetingNotice(meetingId: number, caller: string, community: string): Message {
  return Message.of(t("paging.meetingNotice", { meetingId, caller: who(caller), community }));
}

export function staffRoomMeeting(meetingId: number, caller: string, invited: number): Message {
  return Message.of(t("paging.staffMeeting", { meetingId, caller: who(caller), invited }));
}

// --- refusals -----------------------------------------------------------------------

export function notAMember(crisis: CrisisResources): Message {
  return new Message().p(t("paging.notAMember")).append(supportBlock(crisis));
}
