import type { EscalationStep, NotifyTarget, PageState, PageStatus } from "../domain/escalation";
import type { Db } from "../../../store/database";

/** A page as stored: the escalation state machine's state plus what carenet needs around it. */
export interface PageRecord {
  id: number;
  communityId: string;
  member: string;
  state: PageState;
  /** 1 for the ladder's first run; +1 each time a repeat page restarted an exhausted page. */
  round: number;
  /** The ladder this page follows (fixed when its current round started). */
  ladder: EscalationStep[];
  supportRoomId: string | null;
  /** The staff room has been told about this page. */
  staffTold: boolean;
  digestedAt: number | null;
}

export interface PageStepRecord {
  round: number;
  step: number;
  target: NotifyTarget;
  at: number;
  notified: number;
}

/** Why a ladder step left someone out (see migrations/011_paging_ladder.sql). */
export type SkipReason = "nightly_cap" | "break" | "no_consent" | "declined";

export interface PageSkip {
  round: number;
  step: number;
  userId: string;
  reason: SkipReason;
  at: number;
}

export interface PageContact {
  round: number;
  step: number;
  userId: string;
  notifiedAt: number;
  noticeKey: string;
}

export type ResponseHow = "command" | "reaction" | "join";

export interface PageResponse {
  userId: string;
  how: ResponseHow;
  at: number;
}

export interface PendingNote {
  id: number;
  txnId: string;
  note: string;
}

export interface CrisisMeeting {
  id: number;
  communityId: string;
  caller: string;
  calledAt: number;
  roomId: string | null;
  people: string[];
}

/** A person's part in pages and crisis meetings (see PagesStore.aboutPerson). */
export interface PersonPages {
  /** Pages they sent, with any note of theirs not shown yet. */
  made: Array<{ page: PageRecord; notes: string[] }>;
  /** Pages of others they were asked to, or came to: their part only, never whose page it was. */
  involved: Array<{
    pageId: number;
    communityId: string;
    openedAt: number;
    asked: Array<{ step: number; at: number }>;
    response: PageResponse | undefined;
    acknowledgedFirst: boolean;
    closed: boolean;
  }>;
  meetingsCalled: CrisisMeeting[];
  /** Meetings others called that they were invited to (without who called them). */
  meetingsInvited: Array<{ id: number; communityId: string; calledAt: number }>;
}

interface PageRow {
  id: number;
  community_id: string;
  member: string;
  status: PageStatus;
  step: number;
  round: number;
  ladder_json: string;
  opened_at: number;
  next_deadline_at: number | null;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
  resolved_by: string | null;
  resolved_at: number | null;
  exhausted_at: number | null;
  repeat_count: number;
  support_room_id: string | null;
  staff_told: number;
  digested_at: number | null;
}

function toState(r: PageRow): PageState {
  const s: PageState = {
    status: r.status,
    step: r.step,
    openedAtMs: r.opened_at,
    nextDeadlineMs: r.next_deadline_at,
    repeatCount: r.repeat_count,
  };
  if (r.acknowledged_by !== null) s.acknowledgedBy = r.acknowledged_by;
  if (r.acknowledged_at !== null) s.acknowledgedAtMs = r.acknowledged_at;
  if (r.resolved_by !== null) s.resolvedBy = r.resolved_by;
  if (r.resolved_at !== null) s.resolvedAtMs = r.resolved_at;
  if (r.exhausted_at !== null) s.exhaustedAtMs = r.exhausted_at;
  return s;
}

function toRecord(r: PageRow): PageRecord {
  return {
    id: r.id,
    communityId: r.community_id,
    member: r.member,
    state: toState(r),
    round: r.round,
    ladder: JSON.parse(r.ladder_json) as EscalationStep[],
    supportRoomId: r.support_room_id,
    staffTold: r.staff_told === 1,
    digestedAt: r.digested_at,
  };
}

/** The state columns, in the order `stateValues` gives them. */
const STATE_SET = `status = ?, step = ?, opened_at = ?, next_deadline_at = ?, acknowledged_by = ?, acknowledged_at = ?,
  resolved_by = ?, resolved_at = ?, exhausted_at = ?, repeat_count = ?`;

function stateValues(s: PageState): Array<string | number | null> {
  return [
    s.status,
    s.step,
    s.openedAtMs,
    s.nextDeadlineMs,
    s.acknowledgedBy ?? null,
    s.acknowledgedAtMs ?? null,
    s.resolvedBy ?? null,
    s.resolvedAtMs ?? null,
    s.exhaustedAtMs ?? null,
    s.repeatCount,
  ];
}

/**
 * Pages and their history (who was asked, who came), for the escalation, the support
 * room and the contact digest. Metadata only: a member's note lives in `page_notes` just
 * until the support room has shown it.
 */
export class PagesStore {
  constructor(private readonly db: Db) {}

  create(p: { communityId: string; member: string; state: PageState; ladder: EscalationStep[] }): number {
    const result = this.db
      .prepare(
        `INSERT INTO pages (community_id, member, ladder_json, status, step, opened_at, next_deadline_at, acknowledged_by,
           acknowledged_at, resolved_by, resolved_at, exhausted_at, repeat_count)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(p.communityId, p.member, JSON.stringify(p.ladder), ...stateValues(p.state));
    return Number(result.lastInsertRowid);
  }

  get(id: number): PageRecord | undefined {
    const row = this.db.prepare("SELECT * FROM pages WHERE id = ?").get(id) as PageRow | undefined;
    return row && toRecord(row);
  }

  /** The member's page in this community that is not resolved yet, if any. */
  active(communityId: string, member: string): PageRecord | undefined {
    const row = this.db
      .prepare("SELECT * FROM pages WHERE community_id = ? AND member = ? AND status <> 'resolved'")
      .get(communityId, member) as PageRow | undefined;
    return row && toRecord(row);
  }

  /** Every page not resolved yet, oldest first. */
  allActive(): PageRecord[] {
    return (this.db.prepare("SELECT * FROM pages WHERE status <> 'resolved' ORDER BY id").all() as PageRow[]).map(toRecord);
  }

  bySupportRoom(roomId: string): PageRecord | undefined {
    const row = this.db.prepare("SELECT * FROM pages WHERE support_room_id = ?").get(roomId) as PageRow | undefined;
    return row && toRecord(row);
  }

  /** Saves the state machine's new state; a new round also replaces the ladder. */
  save(id: number, state: PageState, round?: { round: number; ladder: EscalationStep[] }): void {
    this.db.prepare(`UPDATE pages SET ${STATE_SET} WHERE id = ?`).run(...stateValues(state), id);
    if (round) this.db.prepare("UPDATE pages SET round = ?, ladder_json = ? WHERE id = ?").run(round.round, JSON.stringify(round.ladder), id);
  }

  /** Records the support room; false (and nothing changed) if the page already has one. */
  setSupportRoom(id: number, roomId: string): boolean {
    return this.db.prepare("UPDATE pages SET support_room_id = ? WHERE id = ? AND support_room_id IS NULL").run(roomId, id).changes === 1;
  }

  /** Marks the staff room as told; true the first time. */
  markStaffTold(id: number): boolean {
    return this.db.prepare("UPDATE pages SET staff_told = 1 WHERE id = ? AND staff_told = 0").run(id).changes === 1;
  }

  recordStep(pageId: number, s: PageStepRecord): void {
    this.db
      .prepare("INSERT OR IGNORE INTO page_steps (page_id, round, step, target, at, notified) VALUES (?, ?, ?, ?, ?, ?)")
      .run(pageId, s.round, s.step, s.target, s.at, s.notified);
  }

  steps(pageId: number): PageStepRecord[] {
    return this.db
      .prepare("SELECT round, step, target, at, notified FROM page_steps WHERE page_id = ? ORDER BY round, step")
      .all(pageId) as PageStepRecord[];
  }

  /** Records that a step left someone out, and why (once per page, round, step, person and reason). */
  addSkip(pageId: number, s: PageSkip): boolean {
    return (
      this.db
        .prepare("INSERT OR IGNORE INTO page_skips (page_id, round, step, user_id, reason, at) VALUES (?, ?, ?, ?, ?, ?)")
        .run(pageId, s.round, s.step, s.userId, s.reason, s.at).changes === 1
    );
  }

  skips(pageId: number): PageSkip[] {
    return this.db
      .prepare("SELECT round, step, user_id AS userId, reason, at FROM page_skips WHERE page_id = ? ORDER BY at, round, step, user_id")
      .all(pageId) as PageSkip[];
  }

  /** Who declined this round of the page (`!decline`, ⛔): they are not asked again in it. */
  decliners(pageId: number, round: number): string[] {
    return (
      this.db.prepare("SELECT DISTINCT user_id FROM page_skips WHERE page_id = ? AND round = ? AND reason = 'declined'").all(pageId, round) as Array<{
        user_id: string;
      }>
    ).map((r) => r.user_id);
  }

  addContact(pageId: number, c: PageContact): void {
    this.db
      .prepare("INSERT OR IGNORE INTO page_contacts (page_id, round, step, user_id, notified_at, notice_key) VALUES (?, ?, ?, ?, ?, ?)")
      .run(pageId, c.round, c.step, c.userId, c.notifiedAt, c.noticeKey);
  }

  contacts(pageId: number): PageContact[] {
    const rows = this.db
      .prepare(
        `SELECT round, step, user_id, notified_at, notice_key FROM page_contacts WHERE page_id = ?
         ORDER BY round, step, notified_at, user_id`,
      )
      .all(pageId) as Array<{ round: number; step: number; user_id: string; notified_at: number; notice_key: string }>;
    return rows.map((r) => ({ round: r.round, step: r.step, userId: r.user_id, notifiedAt: r.notified_at, noticeKey: r.notice_key }));
  }

  /** Everyone asked to come to this page, once each, in the order they were asked. */
  contactIds(pageId: number): string[] {
    return [...new Set(this.contacts(pageId).map((c) => c.userId))];
  }

  isContact(pageId: number, userId: string): boolean {
    return !!this.db.prepare("SELECT 1 FROM page_contacts WHERE page_id = ? AND user_id = ?").get(pageId, userId);
  }

  /**
   * How many pages of the community, other than `exceptPageId`, `userId` was asked to come
   * to at or after `sinceMs` (for the rota's nightly cap; a page asked twice counts once).
   */
  pagesAskedSince(communityId: string, userId: string, sinceMs: number, exceptPageId: number): number {
    const row = this.db
      .prepare(
        `SELECT COUNT(DISTINCT c.page_id) AS n FROM page_contacts c JOIN pages p ON p.id = c.page_id
         WHERE p.community_id = ? AND c.user_id = ? AND c.notified_at >= ? AND c.page_id <> ?`,
      )
      .get(communityId, userId, sinceMs, exceptPageId) as { n: number };
    return row.n;
  }

  /** The page whose notice to `userId` was the message `eventId`, if it was one. */
  pageOfNotice(eventId: string, userId: string): number | undefined {
    const row = this.db
      .prepare(
        `SELECT c.page_id FROM page_contacts c JOIN outbox o ON o.dedupe_key = c.notice_key
         WHERE o.event_id = ? AND c.user_id = ?`,
      )
      .get(eventId, userId) as { page_id: number } | undefined;
    return row?.page_id;
  }

  /**
   * The page whose "they paged again, please confirm" message to `userId` was the event
   * `eventId` (its outbox key is built by `confirmRequestKey` in src/features/paging/jobKeys.ts).
   */
  pageOfConfirmRequest(eventId: string, userId: string): number | undefined {
    const row = this.db.prepare("SELECT dedupe_key FROM outbox WHERE event_id = ?").get(eventId) as { dedupe_key: string } | undefined;
    const m = row && /^page:(\d+):again\d+:ask:(.+)$/.exec(row.dedupe_key);
    return m && m[2] === userId ? Number(m[1]) : undefined;
  }

  /** Active pages `userId` was asked to come to, newest first. */
  activeAskedOf(userId: string): PageRecord[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM pages WHERE status <> 'resolved'
           AND id IN (SELECT page_id FROM page_contacts WHERE user_id = ?) ORDER BY id DESC`,
        )
        .all(userId) as PageRow[]
    ).map(toRecord);
  }

  /** Active pages `userId` paged (as the member) or said they would come to, newest first. */
  activeInvolving(userId: string): PageRecord[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM pages WHERE status <> 'resolved'
           AND (member = ? OR id IN (SELECT page_id FROM page_responses WHERE user_id = ?)) ORDER BY id DESC`,
        )
        .all(userId, userId) as PageRow[]
    ).map(toRecord);
  }

  /** Records that someone is coming; true the first time for this person and page. */
  addResponse(pageId: number, userId: string, how: ResponseHow, at: number): boolean {
    return (
      this.db
        .prepare("INSERT OR IGNORE INTO page_responses (page_id, user_id, how, responded_at) VALUES (?, ?, ?, ?)")
        .run(pageId, userId, how, at).changes === 1
    );
  }

  responses(pageId: number): PageResponse[] {
    return this.db
      .prepare("SELECT user_id AS userId, how, responded_at AS at FROM page_responses WHERE page_id = ? ORDER BY responded_at, user_id")
      .all(pageId) as PageResponse[];
  }

  addNote(pageId: number, note: string, txnId: string, now: number): void {
    this.db.prepare("INSERT INTO page_notes (page_id, txn_id, note, created_at) VALUES (?, ?, ?, ?)").run(pageId, txnId, note, now);
  }

  pendingNotes(pageId: number): PendingNote[] {
    return this.db
      .prepare("SELECT id, txn_id AS txnId, note FROM page_notes WHERE page_id = ? ORDER BY id")
      .all(pageId) as PendingNote[];
  }

  deleteNote(id: number): void {
    this.db.prepare("DELETE FROM page_notes WHERE id = ?").run(id);
  }

  /** Forgets every note not shown yet (the page ended first). */
  deleteNotes(pageId: number): number {
    return this.db.prepare("DELETE FROM page_notes WHERE page_id = ?").run(pageId).changes;
  }

  /** Pages of a community opened at or after `sinceMs`, oldest first (at most `limit`). */
  openedSince(communityId: string, sinceMs: number, limit = 200): PageRecord[] {
    return (
      this.db
        .prepare("SELECT * FROM pages WHERE community_id = ? AND opened_at >= ? ORDER BY opened_at, id LIMIT ?")
        .all(communityId, sinceMs, limit) as PageRow[]
    ).map(toRecord);
  }

  /** Pages opened before `beforeMs` that no digest has reported in their final state yet. */
  undigested(communityId: string, beforeMs: number): PageRecord[] {
    return (
      this.db
        .prepare("SELECT * FROM pages WHERE community_id = ? AND digested_at IS NULL AND opened_at < ? ORDER BY opened_at, id")
        .all(communityId, beforeMs) as PageRow[]
    ).map(toRecord);
  }

  markDigested(ids: number[], now: number): void {
    const stmt = this.db.prepare("UPDATE pages SET digested_at = ? WHERE id = ? AND digested_at IS NULL");
    for (const id of ids) stmt.run(now, id);
  }

  // --- a person's own data (`!mydata`, `!forgetme`, retention) -----------------------

  /**
   * What the pages hold about a person: the pages they sent; the pages of others they
   * were asked to come to or came to (only their own part of those); the crisis meetings
   * they called or were invited to. Oldest first.
   */
  aboutPerson(userId: string): PersonPages {
    const made = (this.db.prepare("SELECT * FROM pages WHERE member = ? ORDER BY id").all(userId) as PageRow[]).map(toRecord);
    const pageIds = (
      this.db
        .prepare(
          `SELECT page_id FROM page_contacts WHERE user_id = ? UNION SELECT page_id FROM page_responses WHERE user_id = ?
           UNION SELECT id FROM pages WHERE (acknowledged_by = ? OR resolved_by = ?) AND member <> ? ORDER BY 1`,
        )
        .all(userId, userId, userId, userId, userId) as Array<{ page_id: number }>
    ).map((r) => r.page_id);
    const involved = pageIds.map((id) => {
      const page = this.get(id)!;
      return {
        pageId: id,
        communityId: page.communityId,
        openedAt: page.state.openedAtMs,
        asked: this.contacts(id).filter((c) => c.userId === userId).map((c) => ({ step: c.step, at: c.notifiedAt })),
        response: this.responses(id).find((r) => r.userId === userId),
        acknowledgedFirst: page.state.acknowledgedBy === userId,
        closed: page.state.resolvedBy === userId,
      };
    });
    const meetingIds = (
      this.db
        .prepare("SELECT id FROM crisis_meetings WHERE caller = ? UNION SELECT meeting_id FROM crisis_meeting_people WHERE user_id = ? ORDER BY 1")
        .all(userId, userId) as Array<{ id: number }>
    ).map((r) => r.id);
    const meetings = meetingIds.map((id) => this.meeting(id)!);
    return {
      made: made.map((p) => ({ page: p, notes: this.pendingNotes(p.id).map((n) => n.note) })),
      involved,
      meetingsCalled: meetings.filter((m) => m.caller === userId),
      meetingsInvited: meetings.filter((m) => m.caller !== userId).map((m) => ({ id: m.id, communityId: m.communityId, calledAt: m.calledAt })),
    };
  }

  /**
   * Takes the person's name out of every page and crisis meeting, putting `placeholder` in
   * its place, so the counts the contact digest reports stay right while nothing links the
   * record to them; their notes not shown yet are deleted, and the link from their pages to
   * their support rooms is cut. On a page still open (or a crisis meeting whose room is not
   * made yet) their being asked is deleted instead. A page of theirs still open, or one they
   * said they would come to, is the caller's to refuse first. Where two people who asked
   * to be forgotten would become the same row, the second row is deleted.
   */
  forget(userId: string, placeholder: string): { pages: number; notes: number; contacts: number; meetings: number } {
    return this.db.transaction(() => {
      const mine = (this.db.prepare("SELECT id FROM pages WHERE member = ?").all(userId) as Array<{ id: number }>).map((r) => r.id);
      let notes = 0;
      for (const id of mine) notes += this.deleteNotes(id);
      const run = (sql: string, ...args: unknown[]) => this.db.prepare(sql).run(...args).changes;
      let pages = run("UPDATE pages SET member = ?, support_room_id = NULL WHERE member = ?", placeholder, userId);
      pages += run("UPDATE pages SET acknowledged_by = ? WHERE acknowledged_by = ?", placeholder, userId);
      pages += run("UPDATE pages SET resolved_by = ? WHERE resolved_by = ?", placeholder, userId);
      // On a page still open, being asked is simply forgotten: nobody there waits for them.
      let contacts = run("DELETE FROM page_contacts WHERE user_id = ? AND page_id IN (SELECT id FROM pages WHERE status <> 'resolved')", userId);
      contacts += run("UPDATE OR IGNORE page_contacts SET user_id = ? WHERE user_id = ?", placeholder, userId);
      contacts += run("DELETE FROM page_contacts WHERE user_id = ?", userId);
      contacts += run("UPDATE OR IGNORE page_skips SET user_id = ? WHERE user_id = ?", placeholder, userId);
      contacts += run("DELETE FROM page_skips WHERE user_id = ?", userId);
      contacts += run("UPDATE OR IGNORE page_responses SET user_id = ? WHERE user_id = ?", placeholder, userId);
      contacts += run("DELETE FROM page_responses WHERE user_id = ?", userId);
      let meetings = run("UPDATE crisis_meetings SET caller = ? WHERE caller = ?", placeholder, userId);
      // A meeting whose room is not made yet would invite whoever is listed: leave them out.
      meetings += run("DELETE FROM crisis_meeting_people WHERE user_id = ? AND meeting_id IN (SELECT id FROM crisis_meetings WHERE room_id IS NULL)", userId);
      meetings += run("UPDATE OR IGNORE crisis_meeting_people SET user_id = ? WHERE user_id = ?", placeholder, userId);
      meetings += run("DELETE FROM crisis_meeting_people WHERE user_id = ?", userId);
      return { pages, notes, contacts, meetings };
    })();
  }

  /** Closed pages opened, and crisis meetings called, before `beforeMs`, with everything recorded about them. */
  deleteClosedBefore(beforeMs: number): { pages: number; meetings: number } {
    return this.db.transaction(() => {
      const pageIds = (this.db.prepare("SELECT id FROM pages WHERE status = 'resolved' AND opened_at < ?").all(beforeMs) as Array<{ id: number }>).map(
        (r) => r.id,
      );
      let pages = 0;
      for (const id of pageIds) {
        for (const table of ["page_steps", "page_contacts", "page_skips", "page_responses", "page_notes"]) this.db.prepare(`DELETE FROM ${table} WHERE page_id = ?`).run(id);
        pages += this.db.prepare("DELETE FROM pages WHERE id = ?").run(id).changes;
      }
      const meetingIds = (this.db.prepare("SELECT id FROM crisis_meetings WHERE called_at < ?").all(beforeMs) as Array<{ id: number }>).map((r) => r.id);
      let meetings = 0;
      for (const id of meetingIds) {
        this.db.prepare("DELETE FROM crisis_meeting_people WHERE meeting_id = ?").run(id);
        meetings += this.db.prepare("DELETE FROM crisis_meetings WHERE id = ?").run(id).changes;
      }
      return { pages, meetings };
    })();
  }

  // --- crisis meetings -------------------------------------------------------------

  createMeeting(m: { communityId: string; caller: string; people: string[] }, now: number): number {
    const id = Number(
      this.db.prepare("INSERT INTO crisis_meetings (community_id, caller, called_at) VALUES (?, ?, ?)").run(m.communityId, m.caller, now)
        .lastInsertRowid,
    );
    const add = this.db.prepare("INSERT OR IGNORE INTO crisis_meeting_people (meeting_id, user_id) VALUES (?, ?)");
    for (const u of m.people) add.run(id, u);
    return id;
  }

  meeting(id: number): CrisisMeeting | undefined {
    const row = this.db.prepare("SELECT id, community_id, caller, called_at, room_id FROM crisis_meetings WHERE id = ?").get(id) as
      | { id: number; community_id: string; caller: string; called_at: number; room_id: string | null }
      | undefined;
    if (!row) return undefined;
    const people = (
      this.db.prepare("SELECT user_id FROM crisis_meeting_people WHERE meeting_id = ? ORDER BY rowid").all(id) as Array<{ user_id: string }>
    ).map((r) => r.user_id);
    return { id: row.id, communityId: row.community_id, caller: row.caller, calledAt: row.called_at, roomId: row.room_id, people };
  }

  /** The caller's latest crisis meeting in this community called at or after `sinceMs`. */
  recentMeeting(communityId: string, caller: string, sinceMs: number): CrisisMeeting | undefined {
    const row = this.db
      .prepare("SELECT id FROM crisis_meetings WHERE community_id = ? AND caller = ? AND called_at >= ? ORDER BY id DESC LIMIT 1")
      .get(communityId, caller, sinceMs) as { id: number } | undefined;
    return row && this.meeting(row.id);
  }

  /** Crisis meetings called at or after `sinceMs` whose room has not been made yet, oldest first. */
  meetingsWithoutRoom(sinceMs: number): CrisisMeeting[] {
    const ids = this.db.prepare("SELECT id FROM crisis_meetings WHERE room_id IS NULL AND called_at >= ? ORDER BY id").all(sinceMs) as Array<{ id: number }>;
    return ids.map((r) => this.meeting(r.id)!);
  }

  setMeetingRoom(id: number, roomId: string): boolean {
    return this.db.prepare("UPDATE crisis_meetings SET room_id = ? WHERE id = ? AND room_id IS NULL").run(roomId, id).changes === 1;
  }

  /** Crisis meetings called before `beforeMs` that no digest has reported yet. */
  undigestedMeetings(communityId: string, beforeMs: number): CrisisMeeting[] {
    const ids = this.db
      .prepare("SELECT id FROM crisis_meetings WHERE community_id = ? AND digested_at IS NULL AND called_at < ? ORDER BY called_at, id")
      .all(communityId, beforeMs) as Array<{ id: number }>;
    return ids.map((r) => this.meeting(r.id)!);
  }

  meetingsSince(communityId: string, sinceMs: number): CrisisMeeting[] {
    const ids = this.db
      .prepare("SELECT id FROM crisis_meetings WHERE community_id = ? AND called_at >= ? ORDER BY called_at, id")
      .all(communityId, sinceMs) as Array<{ id: number }>;
    return ids.map((r) => this.meeting(r.id)!);
  }

  markMeetingsDigested(ids: number[], now: number): void {
    const stmt = this.db.prepare("UPDATE crisis_meetings SET digested_at = ? WHERE id = ? AND digested_at IS NULL");
    for (const id of ids) stmt.run(now, id);
  }
}
