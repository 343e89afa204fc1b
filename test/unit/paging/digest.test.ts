import { renderWords } from "../../../src/words";
import { nextDailyAt, roughly } from "../../../src/features/paging/digest";
import { AMY, BOB, community, COMMUNITY_ROOM, type Harness, MIN, SAM, STAFF_ROOM, startHarness, startUp, T0 } from "./harness";
import { expectToContainAll } from "../../support/expectText";

const KIT = "@kit:example.org";
const HOUR = 60 * MIN;
/** T0 is Monday 12 January 2026, 22:00 in London (GMT): the next 09:30 is Tuesday's. */
const TUE_0930 = Date.parse("2026-01-13T09:30:00Z");
const WED_0930 = Date.parse("2026-01-14T09:30:00Z");

const LADDER = [
  { notify: "on_call_peers" as const, wait: "10m" },
  { notify: "all_staff" as const, wait: "10m" },
];

let h: Harness;
afterEach(() => h?.close());

function setUp(digestToCommunity = true): Harness {
  h = startHarness({ community: community({ escalation: LADDER, digest_at: "09:30", digest_to_community: digestToCommunity }) });
  h.app.members.add({ communityId: "oak", userId: KIT, sponsor: SAM, addedBy: SAM }, T0);
  return h;
}

const digests = (roomId: string) => h.hs.postsIn(roomId).filter((b) => b.includes("since the last digest"));

describe("the daily contact digest", () => {
  it("is a durable job at digest_at in the community's time zone, and reports metadata only", async () => {
    setUp();
    await startUp(h);
    expect(h.app.jobs.pending("page.digest")).toMatchObject([{ dueAt: TUE_0930, payload: { communityId: "oak" } }]);

    // Page 1: Bob comes after 6 minutes; closed after 40. Page 2: nobody comes.
    await h.command(AMY, "!page my private words");
    await h.flush();
    await h.at(T0 + 6 * MIN);
    await h.command(BOB, "!ack");
    await h.at(T0 + 40 * MIN);
    await h.command(BOB, "!resolve 1");
    await h.at(T0 + HOUR);
    await h.command(KIT, "!page");
    for (const t of [70, 80]) await h.at(T0 + t * MIN);
    expect(h.pages.get(2)!.state.status).toBe("exhausted");

    await h.at(TUE_0930 - 1);
    expect(digests(STAFF_ROOM)).toEqual([]);
    await h.at(TUE_0930);
    const [staff] = digests(STAFF_ROOM);
    expectToContainAll(staff, [
      "Contact digest for Oakwood", `Page 1, Mon, Jan 12, 22:00: ${AMY} paged.`, "(times in United Kingdom Time)",
      `Acknowledged by ${BOB} after 6 minutes.`, `Closed by ${BOB} after 40 minutes.`, `Page 2, Mon, Jan 12, 23:00: ${KIT} paged.`,
      "Nobody acknowledged in time: after 20 minutes",
    ]);
    expect(staff).not.toContain("private words");

    const [shared] = digests(COMMUNITY_ROOM);
    expectToContainAll(shared, ["2 pages.", "Someone came for 1 of them, after 6 minutes.", "For 1, nobody could be reached in time"]);
    expect(shared).not.toMatch(/@\w+:example\.org/);

    // The next one is scheduled; the closed page is not reported again, the one still not closed is.
    expect(h.app.jobs.pending("page.digest")).toMatchObject([{ dueAt: WED_0930 }]);
    await h.at(WED_0930);
    const second = digests(STAFF_ROOM)[1];
    expect(second).not.toContain("Page 1,");
    expect(second).toContain("Page 2,");
  });

  it("without digest_to_community, nothing goes to the community room", async () => {
    setUp(false);
    await startUp(h);
    await h.at(TUE_0930);
    expect(digests(STAFF_ROOM)[0]).toContain("No pages and no crisis meetings.");
    expect(digests(COMMUNITY_ROOM)).toEqual([]);
  });

  it("after downtime over digest time, the overdue digest runs on start; a changed time moves the future one", async () => {
    setUp();
    await startUp(h);
    h.clock.t = TUE_0930 + 2 * HOUR; // carenet was down at 09:30
    await startUp(h); // the start after downtime keeps the overdue job
    expect(h.app.jobs.pending("page.digest").map((j) => j.dueAt)).toEqual([TUE_0930, WED_0930]);
    await h.flush();
    expect(digests(STAFF_ROOM)).toHaveLength(1);
    expect(h.app.jobs.pending("page.digest").map((j) => j.dueAt)).toEqual([WED_0930]);
    h.app.config().communities[0].paging!.digest_at = "08:00";
    await startUp(h);
    expect(h.app.jobs.pending("page.digest").map((j) => j.dueAt)).toEqual([Date.parse("2026-01-14T08:00:00Z")]);
    delete h.app.config().communities[0].paging!.digest_at;
    await startUp(h);
    expect(h.app.jobs.pending("page.digest")).toEqual([]);
  });
});

describe("changing digest_at", () => {
  const TUE_1000 = Date.parse("2026-01-13T10:00:00Z");

  it("changed and changed back the same day leaves exactly one pending digest, at the time in force", async () => {
    setUp();
    await startUp(h);
    const paging = h.app.config().communities[0].paging!;
    paging.digest_at = "10:00";
    await startUp(h);
    expect(h.app.jobs.pending("page.digest").map((j) => j.dueAt)).toEqual([TUE_1000]);
    paging.digest_at = "09:30";
    await startUp(h);
    expect(h.app.jobs.pending("page.digest").map((j) => j.dueAt)).toEqual([TUE_0930]);
    await h.at(TUE_0930);
    expect(digests(STAFF_ROOM)).toHaveLength(1);
    expect(h.app.jobs.pending("page.digest").map((j) => j.dueAt)).toEqual([WED_0930]);
  });

  it("removed and restored: the digest comes back", async () => {
    setUp();
    await startUp(h);
    const paging = h.app.config().communities[0].paging!;
    delete paging.digest_at;
    await startUp(h);
    expect(h.app.jobs.pending("page.digest")).toEqual([]);
    paging.digest_at = "09:30";
    await startUp(h);
    expect(h.app.jobs.pending("page.digest").map((j) => j.dueAt)).toEqual([TUE_0930]);
    await h.at(TUE_0930);
    expect(digests(STAFF_ROOM)).toHaveLength(1);
  });
});

describe("!pages", () => {
  it("lists the community's pages for staff in the staff room, metadata only", async () => {
    setUp();
    await h.command(AMY, "!page secret words");
    await h.flush();
    const r = await h.command(SAM, "!pages", { roomId: STAFF_ROOM });
    expect(r.outcome).toBe("ok");
    expect(r.reply.plain).toContain(`Page 1, Mon, Jan 12, 22:00: ${AMY} paged.`);
    expect(r.reply.plain).toContain("Still open");
    expect(r.reply.plain).not.toContain("secret words");
    expect((await h.command(SAM, "!pages 2026-01-13", { roomId: STAFF_ROOM })).reply.plain).toContain("None.");
    expect((await h.command(SAM, "!pages 30d", { roomId: STAFF_ROOM })).reply.plain).toContain("Page 1,");
    const bad = await h.command(SAM, "!pages whenever", { roomId: STAFF_ROOM });
    expect(bad.outcome).toBe("refused");
    expect(bad.reply.plain).toContain("Usage: !pages [since]");
  });

  it("is a staff command: refused to a member", async () => {
    setUp();
    expect((await h.command(AMY, "!pages")).outcome).toBe("refused");
  });
});

describe("times", () => {
  it("nextDailyAt follows the community's clock across DST", () => {
    // London springs forward on Sunday 29 March 2026: 09:30 is 09:30Z before, 08:30Z after.
    expect(nextDailyAt("Europe/London", "09:30", Date.parse("2026-03-28T10:00:00Z"))).toBe(Date.parse("2026-03-29T08:30:00Z"));
    expect(nextDailyAt("Europe/London", "09:30", Date.parse("2026-03-28T09:00:00Z"))).toBe(Date.parse("2026-03-28T09:30:00Z"));
    expect(nextDailyAt("Europe/London", "09:30", Date.parse("2026-03-28T09:30:00Z"))).toBe(Date.parse("2026-03-29T08:30:00Z"));
    expect(nextDailyAt("America/New_York", "07:00", Date.parse("2026-01-12T13:00:00Z"))).toBe(Date.parse("2026-01-13T12:00:00Z"));
  });

  it("durations in a digest are rounded down to the minute", () => {
    const en = (ms: number) => renderWords(roughly(ms), { language: "en" }).plain;
    expect(en(59_999)).toBe("under a minute");
    expect(en(6 * MIN + 59_000)).toBe("6 minutes");
    expect(en(90 * MIN)).toBe("90 minutes");
    expect(en(3 * 60 * MIN + 5 * MIN)).toBe("3 hours");
    expect(renderWords(roughly(6 * MIN), { language: "es" }).plain).toBe("6 minutos");
  });
});
