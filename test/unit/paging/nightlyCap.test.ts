import { nightBounds, underNightlyCap } from "../../../src/features/paging/nightlyCap";
import { AMY, BOB, CAT, community, DAN, type Harness, ladder, MIN, SAM, startHarness, T0 } from "./harness";

/**
 * The rota's `max_pages_per_night` applied by paging: a peer asked that many other pages
 * this night (midday to midday in the community's time zone) is not asked again.
 * T0 is Monday 12 January 2026, 22:00 in London (GMT).
 */

const LADDER = ladder("on_call_peers 10m", "backup_peers 10m", "on_call_staff 15m");
const HOUR = 60 * MIN;
const MEMBERS = ["@m1:example.org", "@m2:example.org", "@m3:example.org", "@m4:example.org"];

let h: Harness & { file: string };
afterEach(() => h?.close());

function start(maxPagesPerNight: number): void {
  h = startHarness({ community: { ...community(LADDER), rota: { max_pages_per_night: maxPagesPerNight } } });
  for (const m of MEMBERS) h.app.members.add({ communityId: "oak", userId: m, sponsor: SAM, addedBy: SAM }, T0 - 1000);
}

const notices = (user: string) => h.hs.dmsTo(user).filter((b) => b.includes("needs support and has paged"));

/** `member` pages at `t` and closes the page at once; returns the page's reply text. */
async function pageAndClose(member: string, t: number): Promise<string> {
  await h.at(t);
  const r = await h.command(member, "!page");
  expect(r.outcome).toBe("ok");
  await h.flush();
  await h.command(member, "!resolve");
  await h.flush();
  return r.reply.plain;
}

describe("nightBounds", () => {
  it("a night runs from midday to the next midday in the community's time zone", () => {
    expect(nightBounds("Europe/London", T0)).toEqual({ startMs: Date.parse("2026-01-12T12:00:00Z"), endMs: Date.parse("2026-01-13T12:00:00Z") });
    // 02:00 on Tuesday still belongs to Monday's night.
    expect(nightBounds("Europe/London", Date.parse("2026-01-13T02:00:00Z")).startMs).toBe(Date.parse("2026-01-12T12:00:00Z"));
    // Midday exactly starts the next one.
    expect(nightBounds("Europe/London", Date.parse("2026-01-13T12:00:00Z")).startMs).toBe(Date.parse("2026-01-13T12:00:00Z"));
  });

  it("follows the time zone and its clock changes (summer time: midday is 11:00 UTC; the spring night is 23 hours)", () => {
    expect(nightBounds("Europe/London", Date.parse("2026-07-01T10:30:00Z")).startMs).toBe(Date.parse("2026-06-30T11:00:00Z"));
    expect(nightBounds("Europe/London", Date.parse("2026-03-29T02:30:00Z"))).toEqual({
      startMs: Date.parse("2026-03-28T12:00:00Z"),
      endMs: Date.parse("2026-03-29T11:00:00Z"),
    });
    expect(nightBounds("America/New_York", Date.parse("2026-01-13T03:00:00Z")).startMs).toBe(Date.parse("2026-01-12T17:00:00Z"));
  });
});

describe("underNightlyCap", () => {
  it("keeps those asked fewer than `cap` other pages this night, in order", () => {
    const counts: Record<string, number> = { a: 0, b: 2, c: 1 };
    expect(underNightlyCap(["a", "b", "c"], 2, (u) => counts[u])).toEqual({ asked: ["a", "c"], rested: ["b"] });
  });
});

describe("paging with the rota's max_pages_per_night", () => {
  it("a peer asked `max` pages tonight is not asked again; the step with nobody left is passed to the backup peers", async () => {
    start(2);
    await pageAndClose(AMY, T0);
    await pageAndClose(MEMBERS[0], T0 + 30 * MIN);
    expect(notices(BOB)).toHaveLength(2);

    const third = await pageAndClose(MEMBERS[1], T0 + 60 * MIN);
    expect(notices(BOB)).toHaveLength(2);
    expect(third).toContain("I have asked 1 person (the backup peer supporters)");
    expect(h.pages.steps(3)).toEqual([
      { round: 1, step: 0, target: "on_call_peers", at: T0 + 60 * MIN, notified: 0 },
      { round: 1, step: 1, target: "backup_peers", at: T0 + 60 * MIN, notified: 1 },
    ]);
    expect(h.pages.contactIds(3)).toEqual([CAT]);
  });

  it("the step goes to the other peers on call when only some have reached the limit", async () => {
    start(1);
    h.onCall = { peers: [BOB], backupPeers: [], staff: [DAN] };
    await pageAndClose(AMY, T0);
    h.onCall = { peers: [BOB, CAT], backupPeers: [], staff: [DAN] };
    const second = await pageAndClose(MEMBERS[0], T0 + 10 * MIN);
    expect(second).toContain("1 person (the peer supporters on call)");
    expect(h.pages.contactIds(2)).toEqual([CAT]);
  });

  it("counts pages in the same night until midday, and starts again after it", async () => {
    start(1);
    await pageAndClose(AMY, T0);
    // 11:59 the next morning: the same night.
    await pageAndClose(MEMBERS[0], Date.parse("2026-01-13T11:59:00Z"));
    expect(h.pages.contactIds(2)).toEqual([CAT]);
    // 12:00: a new night; Bob is asked again.
    await pageAndClose(MEMBERS[1], Date.parse("2026-01-13T12:00:00Z"));
    expect(h.pages.contactIds(3)).toEqual([BOB]);
  });

  it("asking a peer again for the same page (a repeat after nobody was reached) counts once", async () => {
    start(1);
    await h.command(AMY, "!page");
    await h.flush();
    for (const t of [10, 20, 35]) await h.at(T0 + t * MIN);
    expect(h.pages.get(1)!.state.status).toBe("exhausted");
    await h.at(T0 + HOUR);
    await h.command(AMY, "!page");
    await h.flush();
    expect(notices(BOB)).toHaveLength(2); // page 1, both rounds
    await h.command(AMY, "!resolve");
    // Another member's page: Bob (and Cat, the backup) have had their one page tonight, so the staff on call are asked.
    await pageAndClose(MEMBERS[0], T0 + 2 * HOUR);
    expect(h.pages.contactIds(2)).toEqual([DAN]);
  });

  it("staff steps are not capped", async () => {
    start(1);
    h.onCall = { peers: [], backupPeers: [], staff: [DAN] };
    await pageAndClose(AMY, T0);
    await pageAndClose(MEMBERS[0], T0 + 10 * MIN);
    expect(h.pages.contactIds(1)).toEqual([DAN]);
    expect(h.pages.contactIds(2)).toEqual([DAN]);
  });

  it("without a rota setting the default is 2 pages a night", async () => {
    h = startHarness({ community: community(LADDER) });
    for (const m of MEMBERS) h.app.members.add({ communityId: "oak", userId: m, sponsor: SAM, addedBy: SAM }, T0 - 1000);
    await pageAndClose(AMY, T0);
    await pageAndClose(MEMBERS[0], T0 + 10 * MIN);
    await pageAndClose(MEMBERS[1], T0 + 20 * MIN);
    expect([1, 2, 3].map((id) => h.pages.contactIds(id))).toEqual([[BOB], [BOB], [CAT]]);
  });
});
