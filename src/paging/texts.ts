import { supportNow } from "../commands/help";
import { Message } from "../commands/message";
import { describeDuration, type NotifyTarget } from "../domain/escalation";
import type { CrisisResources } from "../config/types";

/**
 * Everything paging says, in one place so the words can be read (and reviewed) together.
 * Plain words carry the meaning; no message here ever contains a member's note except
 * {@link noteInRoom}, which is sent only to the support room.
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

export function targetName(target: NotifyTarget): string {
  return TARGET_NAMES[target];
}

export function people(n: number): string {
  return `${n} ${n === 1 ? "person" : "people"}`;
}

/** "the peer supporters on call (2 people) and the staff team (3 people)" */
export function whoWasAsked(reached: readonly Reached[]): string {
  const parts = reached.map((r) => `${targetName(r.target)} (${people(r.users.length)})`);
  if (parts.length <= 1) return parts[0] ?? "nobody";
  return `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
}

/** How long ago, coarsely ("25 minutes", "3 hours", "2 days"): for when someone said they were coming. */
export function roughAgo(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 1) return "less than a minute";
  if (minutes < 120) return `${minutes} minute${minutes === 1 ? "" : "s"}`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} hours`;
  return `${Math.floor(hours / 24)} days`;
}

export function supportRoomName(memberName: string): string {
  return `Support for ${memberName}`;
}

// --- to the member ------------------------------------------------------------------

export function pageOpened(pageId: number, reached: readonly Reached[], crisis: CrisisResources, next: WhatNext = { after: [], waitMs: 0 }): Message {
  return new Message()
    .p(
      `Your page is open (page ${pageId}). I have asked ${whoWasAsked(reached)} to come and support you, ` +
        "in a private support room I am inviting you to now. I will tell you as soon as someone says they are coming.",
    )
    .p(whatNext(next))
    .append(supportNow(crisis));
}

/** What the ladder does if nobody answers: the steps still to come, and how long the current one waits. */
export interface WhatNext {
  after: NotifyTarget[];
  waitMs: number;
}

/** The truth about what happens if nobody answers: who comes next, or that these were the last people to ask. */
export function whatNext(n: WhatNext): string {
  if (n.after.length === 0) {
    return (
      `They are the last people I can ask. If nobody answers within ${describeDuration(n.waitMs)}, I will tell you straight away, ` +
      "and the staff team will be alerted."
    );
  }
  const names = [...new Set(n.after.map(targetName))];
  const order = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", then ")}, then ${names[names.length - 1]}`;
  return `If nobody answers within ${describeDuration(n.waitMs)}, I ask ${order} (if anyone is on call for them), and I will tell you what is happening.`;
}

/**
 * The ladder ended without anybody to ask (nobody on call at any step): the member is told
 * so plainly, at once, and what happens now.
 */
export function nobodyOnCall(pageId: number, crisis: CrisisResources): Message {
  return new Message()
    .p(
      `I am sorry: nobody is on call to ask right now (page ${pageId}), so I could not ask anyone to come. ` +
        "Please use the support below now; it is there for you at any time of day or night.",
    )
    .p("I have sent the staff team an urgent alert; they may still come to the support room. You can send `!page` again at any time.")
    .append(supportNow(crisis));
}

export function pageStillOpen(pageId: number, askedSoFar: number, withNote: boolean, crisis: CrisisResources): Message {
  const m = new Message().p(
    `Your page is still open (page ${pageId}) and I am still trying: ${people(askedSoFar)} have been asked so far. ` +
      "I will tell you as soon as someone says they are coming.",
  );
  if (withNote) m.p("I have passed your new message on to the support room.");
  return m.append(supportNow(crisis));
}

export function pageRestarted(pageId: number, reached: readonly Reached[], crisis: CrisisResources): Message {
  return new Message()
    .p(
      `Nobody could be reached for your page earlier, so I am trying again (page ${pageId}): ` +
        `I have asked ${whoWasAsked(reached)}. I will tell you as soon as someone says they are coming.`,
    )
    .append(supportNow(crisis));
}

/** A repeat page on an acknowledged page: the acknowledger has been asked to confirm. */
export function pagedAgainWaiting(p: { pageId: number; acknowledgedBy: string; ackedAgoMs: number; confirmWithinMs: number; withNote: boolean }, crisis: CrisisResources): Message {
  const m = new Message()
    .p(
      `I have heard you: you have paged again (page ${p.pageId}). ${p.acknowledgedBy} said they were coming ${roughAgo(p.ackedAgoMs)} ago; ` +
        "I have told them and the support room that you paged again, and asked them to confirm they are still there for you.",
    )
    .p(`If nobody confirms within ${describeDuration(p.confirmWithinMs)}, I will ask the people on call again, and tell you.`);
  if (p.withNote) m.p("I have passed your new message on to the support room.");
  return m.append(supportNow(crisis));
}

/** A repeat page on an acknowledged page that started a new round of the ladder. */
export function pagedAgainRestarted(
  p: { pageId: number; acknowledgedBy: string; ackedAgoMs: number; stale: boolean; reached: readonly Reached[]; withNote: boolean },
  crisis: CrisisResources,
): Message {
  const m = new Message().p(
    `I have heard you: you have paged again (page ${p.pageId}). ${p.acknowledgedBy} said they were coming ${roughAgo(p.ackedAgoMs)} ago; ` +
      `I have told them you paged again, and ${p.stale ? "as that was a while ago, " : ""}` +
      (p.reached.length > 0
        ? `I have also asked ${whoWasAsked(p.reached)} to come. I will tell you as soon as someone says they are coming.`
        : "I tried to ask the people on call as well, but nobody could be reached right now. The staff have been alerted. Please use the support below now."),
  );
  if (p.withNote) m.p("I have passed your new message on to the support room.");
  return m.append(supportNow(crisis));
}

/** Nobody confirmed after the repeat page in time: a new round of the ladder started. */
export function acknowledgerSilent(pageId: number, acknowledgedBy: string, reached: readonly Reached[], crisis: CrisisResources): Message {
  if (reached.length === 0) {
    return new Message()
      .p(
        `${acknowledgedBy} has not answered since you paged again (page ${pageId}), and nobody else could be reached right now. ` +
          "Please use the support below now; it is there for you at any time of day or night.",
      )
      .p("The staff have been alerted and may still come to the support room. You can send `!page` again at any time.")
      .append(supportNow(crisis));
  }
  return new Message()
    .p(
      `${acknowledgedBy} has not answered since you paged again (page ${pageId}), so I have asked ${whoWasAsked(reached)} to come as well. ` +
        "I will tell you as soon as someone says they are coming.",
    )
    .append(supportNow(crisis));
}

export function stillThere(pageId: number, by: string): Message {
  return Message.of(`${by} has seen that you paged again and is there for you (page ${pageId}). You can talk in the support room.`);
}

export function nobodyReached(pageId: number, crisis: CrisisResources): Message {
  return new Message()
    .p(
      `I am sorry: nobody could be reached for your page yet (page ${pageId}). Please use the support below now; ` +
        "it is there for you at any time of day or night.",
    )
    .p("The staff have been alerted and may still come to the support room. You can send `!page` again at any time.")
    .append(supportNow(crisis));
}

export function escalated(pageId: number, reached: readonly Reached[]): Message {
  return Message.of(
    `Nobody has answered your page yet (page ${pageId}), so I have now also asked ${whoWasAsked(reached)}. ` +
      "I will tell you as soon as someone says they are coming. The support numbers I sent you are there at any time.",
  );
}

export function someoneComing(pageId: number, by: string, first: boolean): Message {
  return Message.of(
    first
      ? `${by} is coming: they have said they will support you (page ${pageId}). You can talk in the support room.`
      : `${by} is coming too (page ${pageId}).`,
  );
}

export function closedForMember(pageId: number, by: string, crisis: CrisisResources): Message {
  return new Message()
    .p(`${by} has closed your page (page ${pageId}). If you need support again, send \`!page\` at any time.`)
    .append(supportNow(crisis));
}

export function closedByMember(pageId: number, crisis: CrisisResources): Message {
  return new Message()
    .p(`Your page is closed (page ${pageId}). If you need support again, send \`!page\` at any time.`)
    .append(supportNow(crisis));
}

// --- to the people asked to come -------------------------------------------------------

export function notice(p: { pageId: number; member: string; community: string; target: NotifyTarget; waitedMs: number; again?: boolean; last?: boolean }): Message {
  const m = new Message().p(`${p.member} needs support and has paged ${p.community}${p.again ? " again" : ""} (page ${p.pageId}).`);
  if (p.waitedMs > 0) {
    m.p(`Nobody has said they are coming yet (${describeDuration(p.waitedMs)} so far), so I am asking ${targetName(p.target)}.`);
  } else {
    m.p(`You are asked as one of ${targetName(p.target)}.`);
  }
  return m
    .p(
      "To say you are coming: reply `!ack` here, react ✅ to this message, or join the private support room I am inviting you to.",
    )
    .p(
      p.last
        ? `You are the last people I ask for this page: nobody comes after you. If you cannot come, please say so with \`!decline ${p.pageId}\` (or react ⛔), so ${p.member} is not left waiting.`
        : "If you cannot come, reply `!decline` here (or react ⛔): I ask the next people at once. Nobody is told who declined.",
    );
}

export function taken(pageId: number, member: string, by: string): Message {
  return Message.of(`${by} has said they are coming for ${member} (page ${pageId}). Thank you — nothing more is needed from you.`);
}

export function closedForResponder(pageId: number, member: string, by: string): Message {
  return Message.of(`Page ${pageId} for ${member} has been closed by ${by}. Nothing more is needed from you.`);
}

export function ackReply(pageId: number, member: string, first: boolean): Message {
  return new Message()
    .p(
      first
        ? `Thank you. ${member} has been told you are coming (page ${pageId}).`
        : `Thank you. ${member} has been told you are coming too (page ${pageId}).`,
    )
    .p("Meet them in the private support room I have invited you to. When it is over, send `!resolve` there.");
}

export function confirmReply(pageId: number, member: string): Message {
  return new Message()
    .p(`Thank you. ${member} has been told you are still there for them (page ${pageId}).`)
    .p("The private support room is where to meet them. When it is over, send `!resolve` there.");
}

/** To whoever acknowledged: the member paged again. `confirmWithinMs` null: a new round has started already. */
export function askAcknowledger(p: { pageId: number; member: string; ackedAgoMs: number; stale: boolean; confirmWithinMs: number | null }): Message {
  const m = new Message().p(`${p.member} has paged again (page ${p.pageId}). You said you were coming ${roughAgo(p.ackedAgoMs)} ago.`);
  if (p.confirmWithinMs === null) {
    m.p(`${p.stale ? "As that was a while ago, I" : "I"} am asking the people on call again as well.`)
      .p(`If you are with them, please say so: reply \`!ack ${p.pageId}\` here or react ✅ to this message.`);
  } else {
    m.p(`Are you still there for them? Please say so: reply \`!ack ${p.pageId}\` here or react ✅ to this message.`)
      .p(`If nobody confirms within ${describeDuration(p.confirmWithinMs)}, I will ask the people on call again.`);
  }
  return m;
}

export function acknowledgerMissed(pageId: number, member: string): Message {
  return Message.of(
    `You did not confirm in time after ${member} paged again (page ${pageId}), so I have asked the people on call as well. ` +
      `If you are with them, \`!ack ${pageId}\` still says so.`,
  );
}

export function debrief(pageId: number, member: string): Message {
  return new Message()
    .p(`Thank you for being there for ${member} (page ${pageId} is closed).`)
    .p(
      "How are you? Supporting someone can stir things up. Take a moment for yourself, and talk it through with " +
        "another peer, your sponsor or the staff team if it would help. You can also take a break from the rota " +
        "(`!break`), no questions asked.",
    );
}

// --- staff --------------------------------------------------------------------------

export function staffRoomEscalated(pageId: number, member: string, target: NotifyTarget, asked: number, waitedMs: number): Message {
  return Message.of(
    `Page ${pageId} from ${member} has not been acknowledged after ${describeDuration(waitedMs)}: I have asked ` +
      `${targetName(target)} (${people(asked)}). Say you are coming with \`!ack ${pageId}\`, or join the support room if invited.`,
  );
}

export function staffExhausted(pageId: number, member: string, waitedMs: number, again = false): Message {
  return Message.of(
    `Nobody acknowledged page ${pageId} from ${member} (${describeDuration(waitedMs)} since ${again ? "they paged again" : "it opened"}). ` +
      `${member} has been told nobody could be reached and given the crisis resources again. ` +
      `Please reach out: \`!ack ${pageId}\` says you are coming and invites you to the support room.`,
  );
}

/** Loud, to each staff member: the ladder ended without anybody on call to ask. */
export function staffNobodyAsked(pageId: number, member: string, community: string): Message {
  return new Message()
    .p(`Urgent: ${member} has paged ${community} (page ${pageId}) and nobody was on call at any step of the ladder, so nobody has been asked.`)
    .p(`${member} has been told so and given the crisis resources. Please reach out now: \`!ack ${pageId}\` says you are coming and invites you to the support room.`);
}

/** To someone who declined. */
export function declineReply(pageId: number, movedOn: boolean): Message {
  return Message.of(
    `Thank you for saying so. You are out of page ${pageId}` +
      (movedOn ? "; I have asked the next people at once." : "; the others asked can still come.") +
      " Nobody is told who declined. If you can come after all, `!ack` still says so.",
  );
}

/** The daily gap warning to the staff room. */
export function gapWarning(community: string, lines: string[], windowText: string): Message {
  return new Message()
    .heading(`${community}: hours with nobody on call, ${windowText}`)
    .list(lines)
    .p("A page in these hours passes those steps at once. `!rota add` or `!rota cover` fills a gap; `!oncall` shows this too.");
}

export function staffRoomAcknowledged(pageId: number, member: string, by: string): Message {
  return Message.of(`Page ${pageId} from ${member}: ${by} has said they are coming.`);
}

export function staffRoomPagedAgain(pageId: number, member: string, acknowledgedBy: string, restarted: boolean): Message {
  return Message.of(
    `Page ${pageId} from ${member}: they have paged again. ` +
      (restarted
        ? `${acknowledgedBy} had said they were coming; the people on call are being asked again.`
        : `${acknowledgedBy}, who said they were coming, has been asked to confirm; if nobody does in time, the people on call are asked again.`),
  );
}

export function staffRoomResolved(pageId: number, member: string, by: string): Message {
  return Message.of(`Page ${pageId} from ${member} has been closed by ${by}.`);
}

// --- in the support room ------------------------------------------------------------

export function roomIntro(p: { pageId: number; member: string; asked: number; coming: string[] }, crisis: CrisisResources): Message {
  const m = new Message().p(
    `This is a private support room for ${p.member} (page ${p.pageId}). I have asked ${people(p.asked)} so far to come; ` +
      "only the people I invite can join.",
  );
  if (p.coming.length > 0) m.p(`Coming: ${p.coming.join(", ")}.`);
  return m
    .p("To say you are coming: `!ack` (joining this room counts too). When it is over: `!resolve`.")
    .append(supportNow(crisis));
}

export function noteInRoom(member: string, note: string): Message {
  return new Message().p(`${member} wrote when paging:`).pre(note);
}

/** In the support room, in place of a note the homeserver would not take. */
export function noteNotShownInRoom(member: string): Message {
  return new Message().p(`${member} wrote a note when paging, but the homeserver would not accept it here, so it cannot be shown. Please ask them directly.`);
}

/** To the member whose note could not be shown. */
export function noteNotShown(pageId: number): Message {
  return new Message().p(
    `Your note for page ${pageId} could not be shown in the support room: the homeserver would not accept it. ` +
      "The people helping you have been told. Please tell them in the support room what you wanted to say.",
  );
}

export function pagedAgainInRoom(p: { member: string; acknowledgedBy: string; restarted: boolean; stale: boolean; confirmWithinMs: number | null }): Message {
  const m = new Message().p(`${p.member} has paged again.`);
  if (p.restarted) {
    m.p(p.stale ? `${p.acknowledgedBy} said they were coming a while ago, so I am asking the people on call again as well.` : "I am asking the people on call again as well.");
  } else {
    m.p(
      `${p.acknowledgedBy}, are you still here? Please confirm with \`!ack\`. ` +
        `If nobody does within ${describeDuration(p.confirmWithinMs ?? 0)}, I will ask the people on call again.`,
    );
  }
  return m;
}

export function acknowledgerSilentInRoom(acknowledgedBy: string, reached: readonly Reached[]): Message {
  return Message.of(
    reached.length > 0
      ? `${acknowledgedBy} has not confirmed, so I have asked ${whoWasAsked(reached)} to come as well.`
      : `${acknowledgedBy} has not confirmed, and nobody else could be reached right now: the staff have been alerted.`,
  );
}

export function comingInRoom(by: string): Message {
  return Message.of(`${by} is coming.`);
}

export function resolvedInRoom(pageId: number, by: string): Message {
  return Message.of(
    `Page ${pageId} has been closed by ${by}. This room stays here for everyone in it to read.`,
  );
}

// --- crisis meetings ------------------------------------------------------------------

export function meetingCalled(meetingId: number, invited: number, fallbackToStaff: boolean, crisis: CrisisResources): Message {
  return new Message()
    .p(
      `I have called a crisis meeting (meeting ${meetingId}): I am inviting you and ${people(invited)} ` +
        (fallbackToStaff ? "from the staff team (nobody is on call right now)" : "on call (peers and staff)") +
        " to a private room now, to think together.",
    )
    .append(supportNow(crisis));
}

export function meetingStillOpen(meetingId: number, crisis: CrisisResources): Message {
  return new Message()
    .p(`Your crisis meeting (meeting ${meetingId}) is still open: look for the room "Crisis meeting" I invited you to.`)
    .append(supportNow(crisis));
}

export function meetingNotice(meetingId: number, caller: string, community: string): Message {
  return Message.of(
    `${caller} has called a crisis meeting in ${community} (meeting ${meetingId}). I am inviting you to its private room: ` +
      "please join if you can, to think together about how to respond.",
  );
}

export function staffRoomMeeting(meetingId: number, caller: string, invited: number): Message {
  return Message.of(`${caller} has called a crisis meeting (meeting ${meetingId}); ${people(invited)} invited.`);
}

// --- refusals -----------------------------------------------------------------------

export function notAMember(crisis: CrisisResources): Message {
  return new Message()
    .p(
      "I could not page anyone for you: paging reaches the peers and staff of a community I serve, and you are not " +
        "listed as a member of one. If you think you should be, please ask your community's staff.",
    )
    .append(supportNow(crisis));
}
