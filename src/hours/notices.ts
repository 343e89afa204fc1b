import { DateTime } from "luxon";
import { supportNow } from "../commands/help";
import { Message } from "../commands/message";
import { describeSchedule, describeState, type PostingSchedule } from "../domain/postingHours";
import type { CrisisResources } from "../config/types";

/**
 * What posting hours say to people. Every closing word carries how to get support now:
 * someone who finds the room closed may be the person who most needs it open.
 */

/** How to reach a person while a room is closed (paging and the crisis resources). */
export function supportWhileClosed(crisisResources: CrisisResources): Message {
  return new Message()
    .p("If you need support now, send `!page` to me in a direct message and the people on call will be asked to reach you.")
    .append(supportNow(crisisResources));
}

function timesAre(schedule: PostingSchedule): string {
  return `Times are ${schedule.timezone} time.`;
}

/** Said in the room when it opens: that it is open, and until when. */
export function openingNotice(roomName: string, schedule: PostingSchedule, atMs: number): Message {
  return new Message().heading(`${roomName} is now open for posting.`).p(`${describeState(schedule, atMs)} ${timesAre(schedule)}`);
}

/** Said in the room when it closes: when it opens again, and how to get support now. */
export function closingNotice(roomName: string, schedule: PostingSchedule, atMs: number, crisisResources: CrisisResources): Message {
  return new Message()
    .heading(`${roomName} is now closed for posting (its posting hours).`)
    .p(`${describeState(schedule, atMs)} ${timesAre(schedule)} Staff can still post here.`)
    .append(supportWhileClosed(crisisResources));
}

/** Said in a room whose posting hours were removed from the config while it was closed. */
export function noLongerScheduledNotice(roomName: string): Message {
  return new Message().heading(`${roomName} is open for posting again.`).p("It no longer has posting hours: it is open at all times.");
}

/** The reason shown in place of a message redacted because the room was closed. */
export const RACING_POST_REASON = "Posted while the room was closed for posting; the sender has been told privately how to get support.";

/**
 * The private word to a member whose message was removed because the room had just closed:
 * kind, why, when it opens, and how to get support now.
 */
export function racingPostExplanation(
  roomName: string,
  schedule: PostingSchedule,
  sentAtMs: number,
  nowMs: number,
  crisisResources: CrisisResources,
): Message {
  const sentAt = DateTime.fromMillis(sentAtMs, { zone: schedule.timezone }).toFormat("HH:mm");
  return new Message()
    .p(
      `Your message in ${roomName} (sent at ${sentAt}) arrived just after the room closed for posting, so I have removed it ` +
        "from the room. You have done nothing wrong: the room's hours are how the community keeps its boundaries.",
    )
    .p(`${describeState(schedule, nowMs)} ${timesAre(schedule)}`)
    .append(supportWhileClosed(crisisResources));
}

/** One room's hours for `!hours`: the schedule in words, the state now and the next change. */
export function hoursOf(roomName: string, schedule: PostingSchedule | undefined, nowMs: number): Message {
  if (!schedule) return new Message().heading(`${roomName}:`).p("No posting hours: open at all times.");
  return new Message().heading(`${roomName}:`).p(describeSchedule(schedule)).p(describeState(schedule, nowMs));
}
