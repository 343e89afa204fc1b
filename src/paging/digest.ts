import { DateTime } from "luxon";
import { Message } from "../commands/message";
import type { CommunityConfig } from "../config/types";
import { describeDuration, type NotifyTarget, type PageStatus } from "../domain/escalation";
import type { CrisisMeeting, PageRecord, PagesStore, SkipReason } from "../store/pages";
import { people, targetName } from "./texts";

/**
 * The contact digest ("everything is brought back to the group"): who paged, when, who
 * was asked, who came, how long it took and how it ended — metadata only, never what
 * anyone wrote. Staff get names; the community's version (if the community chose to have
 * one) has counts only.
 */

export const DIGEST_JOB = "page.digest";

/** The next time after `afterMs` that the clock in `timezone` reads `hhmm` (DST as luxon resolves it). */
export function nextDailyAt(timezone: string, hhmm: string, afterMs: number): number {
  const [h, m] = hhmm.split(":").map(Number);
  let day = DateTime.fromMillis(afterMs, { zone: timezone }).startOf("day");
  for (let i = 0; i < 3; i++) {
    const at = day.set({ hour: h, minute: m, second: 0, millisecond: 0 }).toMillis();
    if (at > afterMs) return at;
    day = day.plus({ days: 1 });
  }
  throw new Error(`no ${hhmm} in ${timezone} within three days of ${afterMs}`);
}

export function digestKey(communityId: string, atMs: number): string {
  return `page.digest:${communityId}:${atMs}`;
}

export interface PageSummary {
  id: number;
  member: string;
  status: PageStatus;
  openedAt: number;
  repeatCount: number;
  /** Each step that asked someone: whom, and how many people. */
  asked: Array<{ target: NotifyTarget; count: number }>;
  askedPeople: number;
  acknowledgedBy?: string;
  acknowledgedAfterMs?: number;
  /** Everyone who said they were coming, first one first. */
  responders: string[];
  resolvedBy?: string;
  resolvedAfterMs?: number;
  /** When the ladder ran out with nobody acknowledging. */
  exhaustedAfterMs?: number;
  /** How many times a step left someone out, by reason (never who, in the community's version). */
  skipped: Record<SkipReason, number>;
}

const SKIP_WORDS: Record<SkipReason, string> = {
  nightly_cap: "at their nightly page limit",
  break: "on a break from the rota",
  no_consent: "without agreement to the current rights text",
  declined: "declined",
};

/** "Not asked: 1 at their nightly page limit, 2 on a break from the rota. Declined: 1." (empty when nothing was skipped) */
export function skipsLine(skipped: Record<SkipReason, number>): string {
  const notAsked = (["nightly_cap", "break", "no_consent"] as const).filter((r) => skipped[r] > 0).map((r) => `${skipped[r]} ${SKIP_WORDS[r]}`);
  const parts: string[] = [];
  if (notAsked.length) parts.push(`Not asked: ${notAsked.join(", ")}.`);
  if (skipped.declined > 0) parts.push(`Declined: ${skipped.declined}.`);
  return parts.join(" ");
}

function countSkips(pages: PagesStore, pageId: number): Record<SkipReason, number> {
  const out: Record<SkipReason, number> = { nightly_cap: 0, break: 0, no_consent: 0, declined: 0 };
  for (const s of pages.skips(pageId)) out[s.reason]++;
  return out;
}

export function summarise(pages: PagesStore, page: PageRecord): PageSummary {
  const s = page.state;
  return {
    id: page.id,
    member: page.member,
    status: s.status,
    openedAt: s.openedAtMs,
    repeatCount: s.repeatCount,
    asked: pages
      .steps(page.id)
      .filter((x) => x.notified > 0)
      .map((x) => ({ target: x.target, count: x.notified })),
    askedPeople: pages.contactIds(page.id).length,
    acknowledgedBy: s.acknowledgedBy,
    acknowledgedAfterMs: s.acknowledgedAtMs === undefined ? undefined : s.acknowledgedAtMs - s.openedAtMs,
    responders: pages.responses(page.id).map((r) => r.userId),
    resolvedBy: s.resolvedBy,
    resolvedAfterMs: s.resolvedAtMs === undefined ? undefined : s.resolvedAtMs - s.openedAtMs,
    exhaustedAfterMs: s.exhaustedAtMs === undefined ? undefined : s.exhaustedAtMs - s.openedAtMs,
    skipped: countSkips(pages, page.id),
  };
}

/** Durations in a digest are rounded down to the minute: "6 minutes", "under a minute". */
export function roughly(ms: number): string {
  return ms < 60_000 ? "under a minute" : describeDuration(Math.floor(ms / 60_000) * 60_000);
}

export function when(ms: number, timezone: string): string {
  return DateTime.fromMillis(ms, { zone: timezone }).toFormat("ccc d LLL HH:mm");
}

/** One page, with names, for staff (`!pages` and the staff digest). */
export function pageLine(p: PageSummary, timezone: string): string {
  const parts = [`Page ${p.id}, ${when(p.openedAt, timezone)}: ${p.member} paged${p.repeatCount > 0 ? ` (and again ${times(p.repeatCount)})` : ""}.`];
  parts.push(
    p.asked.length > 0
      ? `Asked: ${p.asked.map((a) => `${targetName(a.target)} (${people(a.count)})`).join(", ")}.`
      : "Nobody was on call to ask.",
  );
  const skips = skipsLine(p.skipped);
  if (skips) parts.push(skips);
  if (p.exhaustedAfterMs !== undefined) {
    parts.push(`Nobody acknowledged in time: after ${roughly(p.exhaustedAfterMs)} the member was given the crisis resources again and staff were alerted.`);
  }
  if (p.acknowledgedBy !== undefined) {
    const others = p.responders.filter((r) => r !== p.acknowledgedBy);
    parts.push(
      `Acknowledged by ${p.acknowledgedBy} after ${roughly(p.acknowledgedAfterMs ?? 0)}` + (others.length ? `; also came: ${others.join(", ")}.` : "."),
    );
  } else if (p.responders.length > 0) {
    // A repeat page started a new round, which nobody has acknowledged (yet).
    parts.push(`Came earlier: ${p.responders.join(", ")}.`);
  }
  if (p.status === "resolved") parts.push(`Closed by ${p.resolvedBy} after ${roughly(p.resolvedAfterMs ?? 0)}.`);
  else if (p.status === "open") parts.push(p.responders.length > 0 ? "Still open: the member paged again and nobody has acknowledged since." : "Still open: nobody has acknowledged it yet.");
  else parts.push("Not closed yet.");
  return parts.join(" ");
}

function times(n: number): string {
  return n === 1 ? "once" : `${n} times`;
}

export function meetingLine(m: CrisisMeeting, timezone: string): string {
  return `Crisis meeting ${m.id}, ${when(m.calledAt, timezone)}: called by ${m.caller}; ${people(m.people.length)} invited.`;
}

export function staffDigest(c: CommunityConfig, pages: PageSummary[], meetings: CrisisMeeting[]): Message {
  const m = new Message().heading(`Contact digest for ${c.name}: pages and crisis meetings since the last digest`);
  if (pages.length === 0 && meetings.length === 0) m.p("No pages and no crisis meetings.");
  m.list(pages.map((p) => pageLine(p, c.timezone)));
  m.list(meetings.map((x) => meetingLine(x, c.timezone)));
  return m.p("Metadata only: what anyone wrote stays with them. Pages that are not closed yet appear again in the next digest.");
}

/** The community's version: counts, no names. */
export function communityDigest(c: CommunityConfig, pages: PageSummary[], meetings: CrisisMeeting[]): Message {
  const m = new Message().heading(`${c.name}: pages and crisis meetings since the last digest`);
  if (pages.length === 0 && meetings.length === 0) return m.p("No pages and no crisis meetings.");
  const acknowledged = pages.filter((p) => p.acknowledgedBy !== undefined);
  const nobody = pages.filter((p) => p.acknowledgedBy === undefined && p.exhaustedAfterMs !== undefined);
  const lines = [`${pages.length} ${pages.length === 1 ? "page" : "pages"}.`];
  if (acknowledged.length > 0) {
    const fastest = Math.min(...acknowledged.map((p) => p.acknowledgedAfterMs ?? 0));
    const slowest = Math.max(...acknowledged.map((p) => p.acknowledgedAfterMs ?? 0));
    lines.push(
      `Someone came for ${acknowledged.length} of them, ` +
        (fastest === slowest ? `after ${roughly(fastest)}.` : `after between ${roughly(fastest)} and ${roughly(slowest)}.`),
    );
  }
  if (nobody.length > 0) lines.push(`For ${nobody.length}, nobody could be reached in time; the crisis resources were given and staff were alerted.`);
  const declines = pages.reduce((n, p) => n + p.skipped.declined, 0);
  if (declines > 0) lines.push(`${declines} ${declines === 1 ? "time" : "times"} someone asked said they could not come, so the next people were asked at once.`);
  if (meetings.length > 0) lines.push(`${meetings.length} crisis ${meetings.length === 1 ? "meeting" : "meetings"}.`);
  return m.list(lines).p("Thank you to everyone who responded. Let's bring it back to the group.");
}
