import { LONGEST_SHIFT_MS, type RotaService } from "../service";
import type { CarenetConfig } from "../../../config/types";
import { isStaffOf } from "../../../config/roles";
import type { CalendarFeedsStore } from "../store/calendarFeeds";
import type { Readers } from "../../../ports/readers";
import { communityFeed, FEED_AHEAD_MS, FEED_PAST_MS, personFeed } from "./feed";
import { communityById } from "../../../config/communities";

/** The path a feed is served under on the appservice listener (see docs/rota.md). */
export const CALENDAR_PATH = "/_carenet/calendar/";

/** The URL a person is sent: the configured public base, the path, the token. */
export function feedUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, "")}${CALENDAR_PATH}${token}.ics`;
}

/**
 * Renders the feed a token opens, from the rota as it is at the moment of the request, so
 * a calendar app polling it sees swaps, covers and new shifts as they happen.
 */
export class CalendarService {
  constructor(
    private readonly d: {
      feeds: CalendarFeedsStore;
      rota: RotaService;
      config: () => CarenetConfig;
      /** Whose words a feed is in: its owner's `!language`, else its community's (English without). */
      readers?: Pick<Readers, "forPerson" | "forUser">;
    },
  ) {}

  /** The iCal text for `token`, or undefined (unknown, revoked, or its staff member no longer staff). */
  render(token: string, now: number): string | undefined {
    const feed = this.d.feeds.byToken(token);
    if (!feed) return undefined;
    const w = { fromMs: now - FEED_PAST_MS, toMs: now + FEED_AHEAD_MS, now };
    const stretchesOf = (c: CarenetConfig["communities"][number]) => this.d.rota.stretchesStarting(c, w.fromMs - LONGEST_SHIFT_MS, w.toMs, now);
    if (feed.kind === "community") {
      const c = communityById(this.d.config().communities, feed.communityId);
      if (!c || !isStaffOf(c, feed.userId)) return undefined;
      return communityFeed(c, stretchesOf(c), w, this.d.readers?.forPerson(feed.userId, c.id));
    }
    const shifts = this.d
      .config()
      .communities.map((community) => ({ community, stretches: stretchesOf(community).filter((s) => s.userId === feed.userId) }))
      .filter((x) => x.stretches.length > 0);
    // The person's language, else that of the community whose shifts come first (of their own membership with none).
    const home = shifts[0]?.community.id;
    return personFeed(feed.userId, shifts, w, home ? this.d.readers?.forPerson(feed.userId, home) : this.d.readers?.forUser(feed.userId));
  }
}
