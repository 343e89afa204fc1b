import { RETENTION_KEY } from "../../../src/features/data/retention";
import { CheckinsStore } from "../../../src/features/checkins/store/checkins";
import { AMY, BOB, CAT, DAY, MIN, roomOf, SAM, seed, T0, TOM, World, worldConfig } from "./world";

let w: World;

afterEach(() => w.close());

const count = (sql: string, ...args: unknown[]) => (w.db.prepare(sql).get(...args) as { n: number }).n;
const runs = () => w.logs.lines.filter((l) => l.includes("retention: deleted records older than their retention period"));

function answer(userId: string, communityId: string, at: number, note: string): void {
  const day = new Date(at).toISOString().slice(0, 10);
  new CheckinsStore(w.db).saveAnswer(
    { communityId, userId, promptId: null, localDate: day, value: 3, note, shared: false, noteShared: false, via: "command", today: day },
    at,
  );
}

describe("retention with the default periods", () => {
  beforeEach(async () => {
    w = new World();
    await seed(w);
    w.member("elm", CAT, TOM);
    expect((await w.send(CAT, "!consent agree elm")).outcome).toBe("ok");
    expect((await w.send(AMY, "!volunteer cancel tue")).outcome).toBe("ok");
    w.data.stores.requests.ask("@zed:example.org", w.clock.now(), w.clock.now() + 10 * MIN);
    w.clock.t = T0 + DAY;
    expect((await w.send(SAM, `!member remove ${CAT}`, roomOf("oak", "staff"))).outcome).toBe("ok");
  });

  it("deletes what is older than its period at start, once, and keeps what is newer, the open page and the audit log", async () => {
    const audit = w.app.audit.count();
    const earlier = runs().length; // the run at the seed's start, with nothing old yet
    w.clock.t = T0 + 366 * DAY;
    answer(BOB, "oak", w.clock.now() - DAY, "recent-note");
    await w.startUp("start");

    // Check-ins: the old answers and plan history go; a recent answer and the current plan stay.
    expect(w.db.prepare("SELECT user_id, note FROM checkin_answers").all()).toEqual([{ user_id: BOB, note: "recent-note" }]);
    expect(count("SELECT COUNT(*) AS n FROM checkin_plan_changes")).toBe(0);
    expect(count("SELECT COUNT(*) AS n FROM checkin_plans WHERE user_id = ?", AMY)).toBe(1);
    // Pages: the closed one goes with its history; the one still open stays. The crisis meeting goes.
    expect(w.db.prepare("SELECT id, status FROM pages").all()).toEqual([{ id: 2, status: "acknowledged" }]);
    expect(count("SELECT COUNT(*) AS n FROM page_contacts WHERE page_id = 1")).toBe(0);
    expect(count("SELECT COUNT(*) AS n FROM page_responses WHERE page_id = 1")).toBe(0);
    expect(count("SELECT COUNT(*) AS n FROM crisis_meetings")).toBe(0);
    // Rota: the entry that ended and the break that ended go; live entries stay.
    expect(w.db.prepare("SELECT user_id, day, status FROM rota_entries ORDER BY id").all()).toEqual([
      { user_id: BOB, day: "mon", status: "approved" },
      { user_id: AMY, day: "mon", status: "approved" },
    ]);
    expect(count("SELECT COUNT(*) AS n FROM rota_breaks")).toBe(0);
    // Cat, removed from oak more than 90 days ago, is gone from oak with what was kept there; elm keeps her.
    expect(w.app.members.aboutPerson(CAT).memberships.map((m) => m.communityId)).toEqual(["elm"]);
    expect(w.app.consent.history(CAT).map((r) => r.textVersion.split("@")[0])).toEqual(["elm"]);
    expect(count("SELECT COUNT(*) AS n FROM left_rooms WHERE user_id = ?", CAT)).toBe(0);
    // Amy's memberships and consent are untouched (she was never removed).
    expect(w.app.members.aboutPerson(AMY).memberships).toHaveLength(2);
    expect(w.app.consent.history(AMY)).toHaveLength(2);
    // The lapsed request to be forgotten goes.
    expect(w.data.stores.requests.get("@zed:example.org")).toBeUndefined();
    // Never the audit log.
    expect(w.app.audit.count()).toBe(audit);

    // Counts in the log, and nothing anyone wrote.
    expect(runs()).toHaveLength(earlier + 1);
    const line = JSON.parse(runs()[earlier]) as Record<string, unknown>;
    expect(line).toMatchObject({ checkinAnswers: 2, pages: 1, crisisMeetings: 1, rotaEntries: 1, rotaBreaks: 1, removedMembers: 1, lapsedForgetRequests: 1 });
    expect(w.logs.lines.join("\n")).not.toMatch(/amy-private-note|cat-secret-note|recent-note/);
    // Nobody is told.
    expect(w.queued("").filter((m) => /retention|deleted/i.test(m.body))).toEqual([]);
    // The next run is a day later.
    expect(w.app.jobs.get(RETENTION_KEY)).toMatchObject({ state: "pending", dueAt: w.clock.now() + DAY });
  });

  it("runs once a day as a durable job; after downtime it catches up with one run, not one per missed day", async () => {
    const earlier = runs().length;
    const first = T0 + 2 * DAY;
    w.clock.t = first;
    await w.startUp("start");
    expect(runs()).toHaveLength(earlier + 1);
    // A second start the same day, with the job not due yet: no run.
    await w.startUp("start");
    expect(runs()).toHaveLength(earlier + 1);
    // A reload never runs it; it keeps the day's rhythm.
    await w.startUp("reload");
    expect(runs()).toHaveLength(earlier + 1);
    expect(w.app.jobs.get(RETENTION_KEY)?.dueAt).toBe(first + DAY);
    // The job itself, a day later.
    await w.at(first + DAY);
    expect(runs()).toHaveLength(earlier + 2);
    expect(w.app.jobs.get(RETENTION_KEY)?.dueAt).toBe(first + 2 * DAY);
    // Down for ten days: one run at start, then tomorrow.
    w.clock.t = first + 11 * DAY;
    await w.startUp("start");
    await w.flush();
    expect(runs()).toHaveLength(earlier + 3);
    expect(w.app.jobs.get(RETENTION_KEY)).toMatchObject({ state: "pending", dueAt: first + 12 * DAY });
  });
});

describe("retention with the deployment's own periods", () => {
  it("reads the periods from the config", async () => {
    w = new World(worldConfig({ retention: { checkins: "30d", pages: "365d", rota: "365d", removed_members: "90d" } }));
    w.member("oak", AMY);
    answer(AMY, "oak", T0 - 31 * DAY, "old");
    answer(AMY, "oak", T0 - 29 * DAY, "kept");
    await w.startUp("start");
    expect(w.db.prepare("SELECT note FROM checkin_answers").all()).toEqual([{ note: "kept" }]);
  });
});
