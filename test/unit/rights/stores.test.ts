import type { PageState } from "../../../src/features/paging/domain/escalation";
import { Message } from "../../../src/messaging/message";
import { pack } from "../../../src/features/data/export";
import { FORGOTTEN } from "../../../src/features/data/service";
import { openDatabase, type Db } from "../../../src/store/database";
import { PagesStore } from "../../../src/features/paging/store/pages";
import { RotaStore, type NewCover } from "../../../src/features/rota/store/rota";

const T0 = Date.parse("2026-01-12T22:00:00Z");
const HOUR = 3600_000;
const AMY = "@amy:example.org";
const BOB = "@bob:example.org";
const CAT = "@cat:example.org";
const DAN = "@dan:example.org";
const RESOLVED: PageState = { status: "resolved", step: 0, openedAtMs: T0, nextDeadlineMs: null, repeatCount: 0, resolvedBy: AMY, resolvedAtMs: T0 + HOUR };
const OPEN: PageState = { status: "open", step: 0, openedAtMs: T0, nextDeadlineMs: T0 + HOUR, repeatCount: 0 };

let db: Db;
beforeEach(() => {
  db = openDatabase(":memory:");
});
afterEach(() => db.close());

describe("forgetting someone in the pages", () => {
  it("keeps the digest's counts when two people asked at the same step ask to be forgotten, and forgets being asked to a page still open", () => {
    const pages = new PagesStore(db);
    const closed = pages.create({ communityId: "oak", member: AMY, state: RESOLVED, ladder: [] });
    const open = pages.create({ communityId: "oak", member: DAN, state: OPEN, ladder: [] });
    for (const [page, u] of [[closed, BOB], [closed, CAT], [open, BOB]] as const) {
      pages.addContact(page, { round: 1, step: 0, userId: u, notifiedAt: T0, noticeKey: `n:${page}:${u}` });
    }
    pages.recordStep(closed, { round: 1, step: 0, target: "on_call_peers", at: T0, notified: 2 });
    pages.forget(BOB, FORGOTTEN);
    pages.forget(CAT, FORGOTTEN);
    expect(pages.contactIds(closed)).toEqual([FORGOTTEN]);
    expect(pages.steps(closed)[0].notified).toBe(2);
    expect(pages.contactIds(open)).toEqual([]);
    pages.forget(AMY, FORGOTTEN);
    expect(pages.get(closed)).toMatchObject({ member: FORGOTTEN, state: { resolvedBy: FORGOTTEN } });
    expect(pages.aboutPerson(AMY)).toEqual({ made: [], involved: [], meetingsCalled: [], meetingsInvited: [] });
  });
});

describe("forgetting someone on the rota", () => {
  it("deletes both halves of a swap they are in, and nothing else", () => {
    const rota = new RotaStore(db);
    const half = (userId: string, covered: string, startMs: number): NewCover => ({
      communityId: "oak",
      userId,
      role: "peer",
      coveredUserId: covered,
      startMs,
      endMs: startMs + HOUR,
      proposedBy: userId,
      agreed: true,
      approved: { by: null },
    });
    rota.addSwap(half(AMY, BOB, T0), half(BOB, AMY, T0 + 24 * HOUR), T0);
    const other = rota.addWeekly({ communityId: "oak", userId: BOB, role: "peer", day: "mon", from: "18:00", to: "22:00", proposedBy: BOB, agreed: true, approved: { by: null } }, T0);
    rota.startBreak(AMY, null, T0);
    expect(rota.forget(AMY)).toEqual({ entries: 2, breaks: 1 });
    expect(rota.ofUser(BOB).map((e) => e.id)).toEqual([other.id]);
  });
});

describe("splitting a long export", () => {
  it("cuts between list items, keeps every item, and numbers the parts", () => {
    const items = Array.from({ length: 200 }, (_, i) => `item ${i} ${"x".repeat(100)}`);
    const parts = pack(new Message().heading("Title").list(items).p("The end.").blocks, 5000);
    expect(parts.length).toBeGreaterThan(3);
    for (const p of parts) expect(Buffer.byteLength(p.plain) + Buffer.byteLength(p.html)).toBeLessThan(5000 + 400);
    expect(parts[0].plain.startsWith(`(Part 1 of ${parts.length}.)`)).toBe(true);
    const all = parts.map((p) => p.plain).join("\n");
    for (const i of items) expect(all).toContain(i);
    expect(pack(Message.of("short").blocks, 5000).map((p) => p.plain)).toEqual(["short"]);
  });
});
