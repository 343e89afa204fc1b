import ical, { ICalEventStatus } from "ical-generator";
import { DateTime } from "luxon";
import type { Stretch } from "../service";
import type { CommunityConfig } from "../../../config/types";
import { gaps } from "../../../kernel/intervals";
import { command, DEFAULT_CONTEXT, renderWords, t, type RenderContext } from "../../../words";
import { vtimezone } from "./vtimezone";

const DAY = 24 * 3600_000;
/** What a feed shows: the last two weeks and the next ten. */
export const FEED_PAST_MS = 14 * DAY;
export const FEED_AHEAD_MS = 70 * DAY;

export interface FeedWindow {
  fromMs: number;
  toMs: number;
  now: number;
}

function calendar(name: string, zone: string, w: FeedWindow) {
  return ical({
    name,
    prodId: { company: "carenet", product: "rota", language: "EN" },
    timezone: { name: zone, generator: (tz) => vtimezone(tz, w.fromMs - 400 * DAY, w.toMs + 400 * DAY) },
    // Calendar apps poll; once an hour keeps swaps and covers current.
    ttl: 3600,
  });
}

const at = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone });

function roleWords(s: Stretch) {
  return t("calendar.feedRole", { role: s.role === "staff" ? "staff" : s.backup ? "backup" : "peer" });
}

/** A stable UID per stretch, so an update (a swap, a cover) replaces the event rather than adding one. */
function uid(c: CommunityConfig, s: Stretch): string {
  return `${c.id}.${s.shiftId}.${s.overrideId ?? "own"}.${s.userId}.${s.startMs}@carenet`;
}

/** One on-call stretch as a confirmed event, in its community's zone. */
function stretchEvent(cal: ReturnType<typeof calendar>, c: CommunityConfig, s: Stretch, w: FeedWindow, summary: string, description: string | undefined): void {
  cal.createEvent({
    id: uid(c, s),
    start: at(s.startMs, c.timezone),
    end: at(s.endMs, c.timezone),
    timezone: c.timezone,
    stamp: new Date(w.now),
    summary,
    description,
    status: ICalEventStatus.CONFIRMED,
  });
}

/**
 * One person's rota, in their words (`reader`): every on-call stretch they hold, in each community's own time zone
 * (TZID), covers and swaps included (a covered shift shows under whoever holds it now).
 */
export function personFeed(userId: string, shifts: Array<{ community: CommunityConfig; stretches: Stretch[] }>, w: FeedWindow, reader: RenderContext = DEFAULT_CONTEXT): string {
  const say = (words: ReturnType<typeof t>) => renderWords(words, reader).plain;
  const zone = shifts[0]?.community.timezone ?? "UTC";
  const cal = calendar(say(t("calendar.feedPersonName")), zone, w);
  for (const { community: c, stretches } of shifts) {
    for (const s of stretches) {
      if (s.userId !== userId) continue;
      const description = s.coveringFor
        ? say(t("calendar.feedCovering", { zone: c.timezone }))
        : say(t("calendar.feedYourShift", { community: c.name, zone: c.timezone, mine: command("!rota mine") }));
      stretchEvent(cal, c, s, w, say(t("calendar.feedOnCall", { community: c.name, role: roleWords(s) })), description);
    }
  }
  return cal.toString();
}

/**
 * A community's whole rota for its staff: every stretch with who holds it, and the gaps when
 * no peer is on call (primary or backup), as events of their own.
 */
export function communityFeed(c: CommunityConfig, stretches: Stretch[], w: FeedWindow, reader: RenderContext = DEFAULT_CONTEXT): string {
  const say = (words: ReturnType<typeof t>) => renderWords(words, reader).plain;
  const cal = calendar(say(t("calendar.feedCommunityName", { community: c.name })), c.timezone, w);
  for (const s of stretches) {
    const description = s.coveringFor ? say(t("calendar.feedCoveringFor", { covered: s.coveringFor })) : undefined;
    stretchEvent(cal, c, s, w, say(t("calendar.feedHolder", { holder: s.userId, role: roleWords(s) })), description);
  }
  const peers = stretches.filter((s) => s.role === "peer");
  for (const g of gaps(peers, w.fromMs, w.toMs)) {
    cal.createEvent({
      id: `${c.id}.gap.${g.startMs}@carenet`,
      start: at(g.startMs, c.timezone),
      end: at(g.endMs, c.timezone),
      timezone: c.timezone,
      stamp: new Date(w.now),
      summary: say(t("calendar.feedGap")),
      description: say(t("calendar.feedGapDescription")),
    });
  }
  return cal.toString();
}
