import { DateTime } from "luxon";
import { Message } from "../../messaging/message";
import { describeSchedule, exceptionInForce, isOpenAt, nextTransition, validateSchedule, type PostingSchedule } from "./domain/postingHours";
import { inCommunityLanguage, t, time, zone } from "../../words";
import type { CommunityConfig, CrisisResources } from "../../config/types";
import { supportBlock } from "../../messaging/supportBlock";

/**
 * What posting hours say to people. Every closing word carries how to get support now:
 * someone who finds the room closed may be the person who most needs it open. Times are in
 * the community's zone, with its label.
 */

/**
 * How to reach a person while a room is closed: one support block (paging, then the crisis
 * resources) under one heading.
 */
export function supportWhileClosed(crisisResources: CrisisResources): Message {
  return supportBlock(crisisResources, { page: true });
}

/** "today at 17:00 (UK time)", "tomorrow at 09:00 (UK time)", "Sat 09:00 (UK time)". */
export function whenWords(schedule: PostingSchedule, atMs: number, nowMs: number) {
  const zoneName = schedule.timezone;
  const days = DateTime.fromMillis(atMs, { zone: zoneName }).startOf("day").diff(DateTime.fromMillis(nowMs, { zone: zoneName }).startOf("day"), "days").days;
  const day = days === 0 ? "today" : days === 1 ? "tomorrow" : "other";
  const style = days === 0 || days === 1 ? "time" : days < 7 ? "day" : "datetime";
  return t("hours.when", { day, at: time(atMs, zoneName, style), zone: zone(zoneName) });
}

/** The state now and the next change, e.g. "Open now. It closes tomorrow at 09:00 (UK time)." */
export function stateWords(schedule: PostingSchedule, atMs: number): Message {
  const m = new Message();
  if (schedule.windows.length === 0 && (schedule.exceptions ?? []).length === 0) {
    const problems = validateSchedule(schedule);
    if (problems.length) throw new Error(problems.join("; "));
    return m.p(t("hours.alwaysOpen"));
  }
  const open = isOpenAt(schedule, atMs);
  const next = nextTransition(schedule, atMs);
  if (next) m.p(t(open ? "hours.openCloses" : "hours.closedOpens", { when: whenWords(schedule, next.atMs, atMs) }));
  else m.p(t(open ? "hours.openNoClose" : "hours.closedNoOpen"));
  // The community's own words about a dated exception (not ours to translate).
  const message = exceptionInForce(schedule, atMs, open)?.message?.trim();
  if (message) m.p(/[.!?]$/.test(message) ? message : `${message}.`);
  return m;
}

/** Said in the room when it opens: that it is open, and until when. */
export function openingNotice(roomName: string, schedule: PostingSchedule, atMs: number): Message {
  return new Message().heading(t("hours.opened", { room: roomName })).append(stateWords(schedule, atMs));
}

/** Said in the room when it closes: when it opens again, and how to get support now. */
export function closingNotice(roomName: string, schedule: PostingSchedule, atMs: number, crisisResources: CrisisResources): Message {
  return new Message()
    .heading(t("hours.closed", { room: roomName }))
    .append(stateWords(schedule, atMs))
    .p(t("hours.staffCanPost"))
    .append(supportWhileClosed(crisisResources));
}

/** Said in a room whose posting hours were removed from the config while it was closed. */
export function noLongerScheduledNotice(roomName: string): Message {
  return new Message().heading(t("hours.unscheduled", { room: roomName })).p(t("hours.noLongerHasHours"));
}

/** The reason shown in place of a message redacted because the room was closed, in the community's language. */
export function racingPostReason(c: CommunityConfig | undefined): string {
  return inCommunityLanguage(c, t("hours.redactReason"));
}

/**
 * The private word to a member whose messages were removed because the room had just
 * closed (one per person per closing, however many they sent): kind, why, when it opens,
 * and how to get support now.
 */
export function racingPostExplanation(roomName: string, schedule: PostingSchedule, closedAtMs: number, nowMs: number, crisisResources: CrisisResources): Message {
  return new Message()
    .p(t("hours.racing", { room: roomName, closedAt: time(closedAtMs, schedule.timezone, "time"), zone: zone(schedule.timezone) }))
    .append(stateWords(schedule, nowMs))
    .append(supportWhileClosed(crisisResources));
}

/** One room's hours for `!hours`: the schedule in words, the state now and the next change. */
export function hoursOf(roomName: string, schedule: PostingSchedule | undefined, nowMs: number): Message {
  if (!schedule) return new Message().heading(t("hours.room", { room: roomName })).p(t("hours.noHours"));
  return new Message().heading(t("hours.room", { room: roomName })).p(describeSchedule(schedule)).append(stateWords(schedule, nowMs));
}
