import type { CommunityConfig } from "../../config/types";
import { communityDigest, DIGEST_JOB, digestKey, nextDailyAt, staffDigest, summarise } from "./digest";
import { ladderOf } from "./ladder";
import { GAP_JOB, gapLines, gapWords, ladderGaps, tonight, windowWords } from "./gaps";
import { gapKey } from "./jobKeys";
import type { Escalator } from "./escalator";
import type { PagingDeps } from "./pagingDeps";
import * as t from "./texts";

/** The daily posts to the staff room: the contact digest and the gap warning, and their jobs. */
export class DailyPosts {
  constructor(
    private readonly d: PagingDeps,
    private readonly esc: Escalator,
  ) {}


  /**
   * The daily digest due at `atMs` (the "page.digest" job): every page and crisis meeting
   * no digest has reported yet, to the staff room, and without names to the community room
   * if the community chose that. Pages not closed yet are reported again next time.
   */
  digest(communityId: string, atMs: number, now: number): void {
    const c = this.esc.community(communityId);
    if (!c) return;
    const pages = this.d.pages.undigested(c.id, atMs);
    const summaries = pages.map((p) => summarise(this.d.pages, p));
    const meetings = this.d.pages.undigestedMeetings(c.id, atMs);
    const staffRoom = this.d.rooms.get(c.id, "staff");
    if (staffRoom) this.d.effects.post(staffRoom.roomId, staffDigest(c, summaries, meetings), `${digestKey(c.id, atMs)}:staff`);
    else this.d.log.warn({ communityId }, "no staff room recorded: the contact digest could not be posted");
    const communityRoom = this.d.rooms.get(c.id, "community");
    if (c.paging?.digest_to_community && communityRoom) {
      this.d.effects.post(communityRoom.roomId, communityDigest(c, summaries, meetings), `${digestKey(c.id, atMs)}:community`);
    }
    this.d.pages.markDigested(pages.filter((p) => p.state.status === "resolved").map((p) => p.id), now);
    this.d.pages.markMeetingsDigested(meetings.map((m) => m.id), now);
  }

  /**
   * Keeps one future digest job per community that has `paging.digest_at`, at that time in
   * its time zone. Overdue ones (carenet was down at digest time) are kept: they run now.
   */
  scheduleDigests(now: number): void {
    this.keepOneDailyJob(DIGEST_JOB, (c) => c.paging?.digest_at, digestKey, now);
  }

  // --- gap warning -------------------------------------------------------------------

  /**
   * The daily gap warning due at `atMs` (the "page.gaps" job): the staff room is told of the
   * stretches from now until the midday after tonight in which a ladder step has nobody on
   * call (so a page then passes it at once). Nothing is posted when every step is covered.
   */
  gapWarning(communityId: string, atMs: number, now: number): string[] {
    const c = this.esc.community(communityId);
    if (!c) return [];
    const window = tonight(c.timezone, Math.max(atMs, now));
    const gaps = ladderGaps(ladderOf(c), c, (at) => this.esc.onCall(c.id, at), window);
    const lines = gapLines(gaps, c.timezone);
    if (lines.length === 0) return lines;
    const staffRoom = this.d.rooms.get(c.id, "staff");
    if (staffRoom) this.d.effects.post(staffRoom.roomId, t.gapWarning(c.name, gapWords(gaps, c.timezone), windowWords(window, c.timezone)), `${gapKey(c.id, atMs)}:staff`);
    else this.d.log.warn({ communityId }, "no staff room recorded: the gap warning could not be posted");
    return lines;
  }

  /** One future gap-warning job per community with `paging.gap_warning_at` (as scheduleDigests does for digests). */
  scheduleGapWarnings(now: number): void {
    this.keepOneDailyJob(GAP_JOB, (c) => c.paging?.gap_warning_at, gapKey, now);
  }

  /** After a gap warning ran: the next one, if the community still has a time for it. */
  scheduleNextGapWarning(communityId: string, afterMs: number): void {
    const at = this.esc.community(communityId)?.paging?.gap_warning_at;
    if (!at) return;
    const next = nextDailyAt(this.esc.community(communityId)!.timezone, at, afterMs);
    this.d.effects.schedule({ kind: GAP_JOB, key: gapKey(communityId, next), dueAt: next, payload: { communityId } });
  }

  scheduleDigest(communityId: string, atMs: number): void {
    this.d.effects.schedule({ kind: DIGEST_JOB, key: digestKey(communityId, atMs), dueAt: atMs, payload: { communityId } });
  }

  /** After a digest ran: the next one, if the community still has a digest time. */
  scheduleNextDigest(communityId: string, afterMs: number): void {
    const c = this.esc.community(communityId);
    if (c?.paging?.digest_at) this.scheduleDigest(c.id, nextDailyAt(c.timezone, c.paging.digest_at, afterMs));
  }

  /**
   * One pending job of `kind` per community that has a time of day for it (`timeOf`), due at
   * the next such time in its zone; jobs for another time, or for a community gone from the
   * config, are cancelled.
   */
  private keepOneDailyJob(kind: string, timeOf: (c: CommunityConfig) => string | undefined, keyOf: (communityId: string, atMs: number) => string, now: number): void {
    const pending = this.d.jobs.pending(kind);
    for (const c of this.d.config().communities) {
      const at = timeOf(c);
      const next = at ? nextDailyAt(c.timezone, at, now) : undefined;
      const wanted = next === undefined ? undefined : keyOf(c.id, next);
      for (const j of pending) if (j.payload.communityId === c.id && j.dueAt > now && j.key !== wanted) this.d.jobs.cancel(j.key, now);
      // `reschedule`, not `schedule`: the wanted key may have been cancelled by an earlier
      // change of the time (changed and changed back), and only reschedule revives it.
      if (next !== undefined && wanted !== undefined && this.d.jobs.get(wanted)?.state !== "pending") {
        this.d.jobs.reschedule({ kind, key: wanted, dueAt: next, payload: { communityId: c.id } }, now);
      }
    }
    const known = new Set(this.d.config().communities.map((c) => c.id));
    for (const j of pending) if (!known.has(String(j.payload.communityId))) this.d.jobs.cancel(j.key, now);
  }
}
