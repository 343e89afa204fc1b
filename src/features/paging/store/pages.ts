import type { EscalationStep, PageState } from "../domain/escalation";
import type { Db } from "../../../store/database";
import { CrisisMeetingsStore } from "./crisisMeetings";
import type { PageContact, PageRecord, PageResponse, PageSkip, PageStepRecord, PendingNote, PersonPages, ResponseHow } from "./pageRecords";
import { STATE_SET, stateValues, toRecord, type PageRow } from "./pageRows";
import { deleteClosedPagesBefore, forgetInPages, pagesAboutPerson } from "./pagesPersonData";

export type * from "./pageRecords";

/**
 * Pages and their history (who was asked, who came), for the escalation, the support
 * room and the contact digest. Metadata only: a member's note lives in `page_notes` just
 * until the support room has shown it.
 */
export class PagesStore extends CrisisMeetingsStore {
  constructor(db: Db) {
    super(db);
  }

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

  // --- a person's own data (`!mydata`, `!forgetme`, retention; pagesPersonData.ts) ---

  /** What the pages hold about a person, oldest first (see pagesAboutPerson). */
  aboutPerson(userId: string): PersonPages {
    return pagesAboutPerson(this.db, this, userId);
  }

  /** Takes the person's name out of every page and crisis meeting (see forgetInPages). */
  forget(userId: string, placeholder: string): { pages: number; notes: number; contacts: number; meetings: number } {
    return forgetInPages(this.db, this, userId, placeholder);
  }

  /** Closed pages opened, and crisis meetings called, before `beforeMs`, with everything recorded about them. */
  deleteClosedBefore(beforeMs: number): { pages: number; meetings: number } {
    return deleteClosedPagesBefore(this.db, beforeMs);
  }
}
