import type { PageState } from "../../../src/features/paging/domain/escalation";
import type { Db } from "../../../src/store/database";
import { OutboxStore } from "../../../src/store/outbox";
import { PagesStore } from "../../../src/features/paging/store/pages";
import { AMY, BOB, withMemoryDb } from "../../support/fixtures";

const T0 = Date.parse("2026-01-12T22:00:00Z");
const LADDER = [{ notify: "on_call_peers" as const, waitMs: 600_000 }];
const OPEN: PageState = { status: "open", step: 0, openedAtMs: T0, nextDeadlineMs: T0 + 600_000, repeatCount: 0 };

let db: Db, pages: PagesStore;
withMemoryDb((d) => ([db, pages] = [d, new PagesStore(d)]));

describe("PagesStore", () => {
  it("keeps the state machine's state exactly, optional fields included", () => {
    const id = pages.create({ communityId: "oak", member: AMY, state: OPEN, ladder: LADDER });
    expect(pages.get(id)).toEqual({ id, communityId: "oak", member: AMY, state: OPEN, round: 1, ladder: LADDER, supportRoomId: null, staffTold: false, digestedAt: null });
    const acked: PageState = { ...OPEN, status: "acknowledged", nextDeadlineMs: null, acknowledgedBy: BOB, acknowledgedAtMs: T0 + 1, repeatCount: 2, exhaustedAtMs: T0 };
    pages.save(id, acked, { round: 2, ladder: [] });
    expect(pages.get(id)).toMatchObject({ state: acked, round: 2, ladder: [] });
  });

  it("allows one active page per member and community; a resolved one makes room for the next", () => {
    const id = pages.create({ communityId: "oak", member: AMY, state: OPEN, ladder: LADDER });
    expect(() => pages.create({ communityId: "oak", member: AMY, state: OPEN, ladder: LADDER })).toThrow(/UNIQUE/);
    expect(pages.create({ communityId: "elm", member: AMY, state: OPEN, ladder: LADDER })).toBeGreaterThan(id);
    pages.save(id, { ...OPEN, status: "resolved", resolvedBy: AMY, resolvedAtMs: T0 + 5 });
    expect(pages.active("oak", AMY)).toBeUndefined();
    const next = pages.create({ communityId: "oak", member: AMY, state: OPEN, ladder: LADDER });
    expect(pages.active("oak", AMY)?.id).toBe(next);
  });

  it("records the support room once", () => {
    const id = pages.create({ communityId: "oak", member: AMY, state: OPEN, ladder: LADDER });
    expect(pages.setSupportRoom(id, "!a:x")).toBe(true);
    expect(pages.setSupportRoom(id, "!b:x")).toBe(false);
    expect(pages.bySupportRoom("!a:x")?.id).toBe(id);
  });

  it("finds the page from the event id of the notice a person reacted to", () => {
    const id = pages.create({ communityId: "oak", member: AMY, state: OPEN, ladder: LADDER });
    pages.addContact(id, { round: 1, step: 0, userId: BOB, notifiedAt: T0, noticeKey: "page:1:r1:s0:notice:bob" });
    const outbox = new OutboxStore(db);
    outbox.enqueue({ dedupeKey: "page:1:r1:s0:notice:bob", toUser: BOB, eventType: "m.room.message", content: {} }, T0);
    const row = db.prepare("SELECT id FROM outbox").get() as { id: number };
    outbox.markSent(row.id, "$notice", T0);
    expect(pages.pageOfNotice("$notice", BOB)).toBe(id);
    expect(pages.pageOfNotice("$notice", AMY)).toBeUndefined();
    expect(pages.pageOfNotice("$other", BOB)).toBeUndefined();
    expect(pages.activeAskedOf(BOB).map((p) => p.id)).toEqual([id]);
  });

  it("holds a note only until it is deleted", () => {
    const id = pages.create({ communityId: "oak", member: AMY, state: OPEN, ladder: LADDER });
    pages.addNote(id, "words", "txn-1", T0);
    pages.addNote(id, "more", "txn-2", T0);
    const [first] = pages.pendingNotes(id);
    expect(first).toMatchObject({ txnId: "txn-1", note: "words" });
    pages.deleteNote(first.id);
    expect(pages.pendingNotes(id).map((n) => n.note)).toEqual(["more"]);
    expect(pages.deleteNotes(id)).toBe(1);
    expect(db.prepare("SELECT COUNT(*) AS n FROM page_notes").get()).toEqual({ n: 0 });
  });

  it("counts a response once per person", () => {
    const id = pages.create({ communityId: "oak", member: AMY, state: OPEN, ladder: LADDER });
    expect(pages.addResponse(id, BOB, "command", T0)).toBe(true);
    expect(pages.addResponse(id, BOB, "join", T0 + 1)).toBe(false);
    expect(pages.responses(id)).toEqual([{ userId: BOB, how: "command", at: T0 }]);
    expect(pages.activeInvolving(BOB).map((p) => p.id)).toEqual([id]);
  });
});
