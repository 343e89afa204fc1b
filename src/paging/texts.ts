import { supportNow } from "../commands/help";
import { Message } from "../commands/message";
import { describeDuration, type NotifyTarget } from "../domain/escalation";

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

export function supportRoomName(memberName: string): string {
  return `Support for ${memberName}`;
}

// --- to the member ------------------------------------------------------------------

export function pageOpened(pageId: number, reached: readonly Reached[], crisis: string): Message {
  return new Message()
    .p(
      `Your page is open (page ${pageId}). I have asked ${whoWasAsked(reached)} to come and support you, ` +
        "in a private support room I am inviting you to now. I will tell you as soon as someone says they are coming.",
    )
    .p("If nobody answers in time, I ask more people in turn, up to the staff, and I will tell you what is happening.")
    .append(supportNow(crisis));
}

export function pageStillOpen(pageId: number, askedSoFar: number, withNote: boolean, crisis: string): Message {
  const m = new Message().p(
    `Your page is still open (page ${pageId}) and I am still trying: ${people(askedSoFar)} have been asked so far. ` +
      "I will tell you as soon as someone says they are coming.",
  );
  if (withNote) m.p("I have passed your new message on to the support room.");
  return m.append(supportNow(crisis));
}

export function pageRestarted(pageId: number, reached: readonly Reached[], crisis: string): Message {
  return new Message()
    .p(
      `Nobody could be reached for your page earlier, so I am trying again (page ${pageId}): ` +
        `I have asked ${whoWasAsked(reached)}. I will tell you as soon as someone says they are coming.`,
    )
    .append(supportNow(crisis));
}

export function pageAlreadyTaken(pageId: number, acknowledgedBy: string, withNote: boolean, crisis: string): Message {
  const m = new Message().p(
    `${acknowledgedBy} has your page (page ${pageId}) and is coming to support you in the support room.`,
  );
  if (withNote) m.p("I have passed your new message on to the support room.");
  return m.append(supportNow(crisis));
}

export function nobodyReached(pageId: number, crisis: string): Message {
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

export function closedForMember(pageId: number, by: string, crisis: string): Message {
  return new Message()
    .p(`${by} has closed your page (page ${pageId}). If you need support again, send \`!page\` at any time.`)
    .append(supportNow(crisis));
}

export function closedByMember(pageId: number, crisis: string): Message {
  return new Message()
    .p(`Your page is closed (page ${pageId}). If you need support again, send \`!page\` at any time.`)
    .append(supportNow(crisis));
}

// --- to the people asked to come -------------------------------------------------------

export function notice(p: { pageId: number; member: string; community: string; target: NotifyTarget; waitedMs: number }): Message {
  const m = new Message().p(`${p.member} needs support and has paged ${p.community} (page ${p.pageId}).`);
  if (p.waitedMs > 0) {
    m.p(`Nobody has said they are coming yet (${describeDuration(p.waitedMs)} so far), so I am asking ${targetName(p.target)}.`);
  } else {
    m.p(`You are asked as one of ${targetName(p.target)}.`);
  }
  return m
    .p(
      "To say you are coming: reply `!ack` here, react ✅ to this message, or join the private support room I am inviting you to.",
    )
    .p("If you cannot come, you do not need to do anything: I ask the next people in turn.");
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

export function staffExhausted(pageId: number, member: string, waitedMs: number): Message {
  return Message.of(
    `Nobody acknowledged page ${pageId} from ${member} (${describeDuration(waitedMs)} since it opened). ` +
      `${member} has been told nobody could be reached and given the crisis resources again. ` +
      `Please reach out: \`!ack ${pageId}\` says you are coming and invites you to the support room.`,
  );
}

export function staffRoomAcknowledged(pageId: number, member: string, by: string): Message {
  return Message.of(`Page ${pageId} from ${member}: ${by} has said they are coming.`);
}

export function staffRoomResolved(pageId: number, member: string, by: string): Message {
  return Message.of(`Page ${pageId} from ${member} has been closed by ${by}.`);
}

// --- in the support room ------------------------------------------------------------

export function roomIntro(p: { pageId: number; member: string; asked: number; coming: string[] }, crisis: string): Message {
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

export function comingInRoom(by: string): Message {
  return Message.of(`${by} is coming.`);
}

export function resolvedInRoom(pageId: number, by: string): Message {
  return Message.of(
    `Page ${pageId} has been closed by ${by}. This room stays here for everyone in it to read.`,
  );
}

// --- crisis meetings ------------------------------------------------------------------

export function meetingCalled(meetingId: number, invited: number, fallbackToStaff: boolean, crisis: string): Message {
  return new Message()
    .p(
      `I have called a crisis meeting (meeting ${meetingId}): I am inviting you and ${people(invited)} ` +
        (fallbackToStaff ? "from the staff team (nobody is on call right now)" : "on call (peers and staff)") +
        " to a private room now, to think together.",
    )
    .append(supportNow(crisis));
}

export function meetingStillOpen(meetingId: number, crisis: string): Message {
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

export function notAMember(crisis: string): Message {
  return new Message()
    .p(
      "I could not page anyone for you: paging reaches the peers and staff of a community I serve, and you are not " +
        "listed as a member of one. If you think you should be, please ask your community's staff.",
    )
    .append(supportNow(crisis));
}
