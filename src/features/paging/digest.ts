import { DateTime } from "luxon";
import { Message } from "../../messaging/message";
import type { CommunityConfig } from "../../config/types";
import type { NotifyTarget, PageStatus } from "./domain/escalation";
import type { CrisisMeeting, PageRecord, PagesStore, SkipReason } from "./store/pages";
import { listOf, t, time, zone, type Value, type Words } from "../../words";
import { duration, targetWords, who } from "./texts";

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

/** "Not asked: 1 at their nightly page limit, 2 on a break from the rota. Declined: 1." (undefined when nothing was skipped) */
export function skipsLine(skipped: Record<SkipReason, number>): (Words & Value) | undefined {
  const notAsked = (["nightly_cap", "break", "no_consent"] as const).filter((r) => skipped[r] > 0).map((reason) => t("digest.skip", { n: skipped[reason], reason }));
  const parts: Array<Words & Value> = [];
  if (notAsked.length) parts.push(t("digest.notAsked", { list: listOf(notAsked) }));
  if (skipped.declined > 0) parts.push(t("digest.declined", { n: skipped.declined }));
  return sentences(parts);
}

/** Sentences one after another, each in the reader's language. */
function sentences(parts: Array<Words & Value>): (Words & Value) | undefined {
  if (parts.length === 0) return undefined;
  return parts.slice(0, -1).reduceRight<Words & Value>((rest, first) => t("digest.then", { first, rest }), parts[parts.length - 1]);
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
export function roughly(ms: number): Words & Value {
  return ms < 60_000 ? t("digest.underAMinute") : duration(Math.floor(ms / 60_000) * 60_000);
}

/** A moment in the community's zone ("Wed 2 Dec 09:30"); the zone's label is said once, in the heading. */
export function when(ms: number, timezone: string): Value {
  return time(ms, timezone, "datetime");
}

/** One page, with names, for staff (`!pages` and the staff digest). */
export function pageLine(p: PageSummary, timezone: string): Words {
  const parts: Array<Words & Value> = [t("digest.paged", { id: p.id, when: when(p.openedAt, timezone), member: who(p.member), repeat: p.repeatCount })];
  parts.push(
    p.asked.length > 0
      ? t("digest.asked", { groups: listOf(p.asked.map((a) => t("paging.group", { n: a.count, targets: targetWords(a.target) }))) })
      : t("digest.nobodyToAsk"),
  );
  const skips = skipsLine(p.skipped);
  if (skips) parts.push(skips);
  if (p.exhaustedAfterMs !== undefined) parts.push(t("digest.exhausted", { after: roughly(p.exhaustedAfterMs) }));
  if (p.acknowledgedBy !== undefined) {
    const others = p.responders.filter((r) => r !== p.acknowledgedBy);
    const values = { by: who(p.acknowledgedBy), after: roughly(p.acknowledgedAfterMs ?? 0) };
    parts.push(others.length ? t("digest.ackedAlso", { ...values, others: listOf(others.map(who)) }) : t("digest.acked", values));
  } else if (p.responders.length > 0) {
    // A repeat page started a new round, which nobody has acknowledged (yet).
    parts.push(t("digest.cameEarlier", { people: listOf(p.responders.map(who)) }));
  }
  if (p.status === "resolved") parts.push(t("digest.closed", { by: who(p.resolvedBy ?? "?"), after: roughly(p.resolvedAfterMs ?? 0) }));
  else if (p.status === "open") parts.push(p.responders.length > 0 ? t("digest.openAgain") : t("digest.open"));
  else parts.push(t("digest.notClosed"));
  return sentences(parts)!;
}

export function meetingLine(m: CrisisMeeting, timezone: string): Words {
  return t("digest.meeting", { id: m.id, when: when(m.calledAt, timezone), caller: who(m.caller), n: m.people.length });
}

export function staffDigest(c: CommunityConfig, pages: PageSummary[], meetings: CrisisMeeting[]): Message {
  const m = new Message().heading(t("digest.staffHeading", { community: c.name, zone: zone(c.timezone) }));
  if (pages.length === 0 && meetings.length === 0) m.p(t("digest.none"));
  m.list(pages.map((p) => pageLine(p, c.timezone)));
  m.list(meetings.map((x) => meetingLine(x, c.timezone)));
  return m.p(t("digest.staffFooter"));
}

/** The community's version: counts, no names. */
export function communityDigest(c: CommunityConfig, pages: PageSummary[], meetings: CrisisMeeting[]): Message {
  const m = new Message().heading(t("digest.communityHeading", { community: c.name }));
  if (pages.length === 0 && meetings.length === 0) return m.p(t("digest.none"));
  const acknowledged = pages.filter((p) => p.acknowledgedBy !== undefined);
  const nobody = pages.filter((p) => p.acknowledgedBy === undefined && p.exhaustedAfterMs !== undefined);
  const lines: Words[] = [t("digest.pages", { n: pages.length })];
  if (acknowledged.length > 0) {
    const fastest = Math.min(...acknowledged.map((p) => p.acknowledgedAfterMs ?? 0));
    const slowest = Math.max(...acknowledged.map((p) => p.acknowledgedAfterMs ?? 0));
    lines.push(
      fastest === slowest
        ? t("digest.cameFor", { n: acknowledged.length, after: roughly(fastest) })
        : t("digest.cameForRange", { n: acknowledged.length, fastest: roughly(fastest), slowest: roughly(slowest) }),
    );
  }
  if (nobody.length > 0) lines.push(t("digest.nobodyInTime", { n: nobody.length }));
  const declines = pages.reduce((n, p) => n + p.skipped.declined, 0);
  if (declines > 0) lines.push(t("digest.declines", { n: declines }));
  if (meetings.length > 0) lines.push(t("digest.meetings", { n: meetings.length }));
  return m.list(lines).p(t("digest.thanks"));
}
