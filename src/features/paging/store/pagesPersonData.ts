import type { Db } from "../../../store/database";
import type { PersonPages } from "./pageRecords";
import { toRecord, type PageRow } from "./pageRows";
import type { PagesStore } from "./pages";

/*
 * A person's own data in the pages (`!mydata`, `!forgetme`) and retention: the queries
 * behind PagesStore.aboutPerson, .forget and .deleteClosedBefore.
 */

/**
 * What the pages hold about a person: the pages they sent; the pages of others they
 * were asked to come to or came to (only their own part of those); the crisis meetings
 * they called or were invited to. Oldest first.
 */
export function pagesAboutPerson(db: Db, store: PagesStore, userId: string): PersonPages {
  const made = (db.prepare("SELECT * FROM pages WHERE member = ? ORDER BY id").all(userId) as PageRow[]).map(toRecord);
  const pageIds = (
    db
      .prepare(
        `SELECT page_id FROM page_contacts WHERE user_id = ? UNION SELECT page_id FROM page_responses WHERE user_id = ?
         UNION SELECT id FROM pages WHERE (acknowledged_by = ? OR resolved_by = ?) AND member <> ? ORDER BY 1`,
      )
      .all(userId, userId, userId, userId, userId) as Array<{ page_id: number }>
  ).map((r) => r.page_id);
  const involved = pageIds.map((id) => {
    const page = store.get(id)!;
    return {
      pageId: id,
      communityId: page.communityId,
      openedAt: page.state.openedAtMs,
      asked: store.contacts(id).filter((c) => c.userId === userId).map((c) => ({ step: c.step, at: c.notifiedAt })),
      response: store.responses(id).find((r) => r.userId === userId),
      acknowledgedFirst: page.state.acknowledgedBy === userId,
      closed: page.state.resolvedBy === userId,
    };
  });
  const meetingIds = (
    db
      .prepare("SELECT id FROM crisis_meetings WHERE caller = ? UNION SELECT meeting_id FROM crisis_meeting_people WHERE user_id = ? ORDER BY 1")
      .all(userId, userId) as Array<{ id: number }>
  ).map((r) => r.id);
  const meetings = meetingIds.map((id) => store.meeting(id)!);
  return {
    made: made.map((p) => ({ page: p, notes: store.pendingNotes(p.id).map((n) => n.note) })),
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
export function forgetInPages(db: Db, store: PagesStore, userId: string, placeholder: string): { pages: number; notes: number; contacts: number; meetings: number } {
  return db.transaction(() => {
    const mine = (db.prepare("SELECT id FROM pages WHERE member = ?").all(userId) as Array<{ id: number }>).map((r) => r.id);
    let notes = 0;
    for (const id of mine) notes += store.deleteNotes(id);
    const run = (sql: string, ...args: unknown[]) => db.prepare(sql).run(...args).changes;
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
export function deleteClosedPagesBefore(db: Db, beforeMs: number): { pages: number; meetings: number } {
  return db.transaction(() => {
    const pageIds = (db.prepare("SELECT id FROM pages WHERE status = 'resolved' AND opened_at < ?").all(beforeMs) as Array<{ id: number }>).map(
      (r) => r.id,
    );
    let pages = 0;
    for (const id of pageIds) {
      for (const table of ["page_steps", "page_contacts", "page_skips", "page_responses", "page_notes"]) db.prepare(`DELETE FROM ${table} WHERE page_id = ?`).run(id);
      pages += db.prepare("DELETE FROM pages WHERE id = ?").run(id).changes;
    }
    const meetingIds = (db.prepare("SELECT id FROM crisis_meetings WHERE called_at < ?").all(beforeMs) as Array<{ id: number }>).map((r) => r.id);
    let meetings = 0;
    for (const id of meetingIds) {
      db.prepare("DELETE FROM crisis_meeting_people WHERE meeting_id = ?").run(id);
      meetings += db.prepare("DELETE FROM crisis_meetings WHERE id = ?").run(id).changes;
    }
    return { pages, meetings };
  })();
}
