import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { MatrixError } from "matrix-bot-sdk";
import type { CommunityPlace } from "../../../src/matrix/eventRouter";
import { redactionTxnId } from "../../../src/matrix/roomHours";
const RACING_POST_REASON = "Posted while the room was closed for posting; the sender has been told privately how to get support.";
import { FakeHomeserver } from "../../support/fakeHomeserver";
import { at, community, config, CRISIS, MIA, roomIdOf, SAM, World } from "./harness";
import type { PostingWindowConfig } from "../../../src/config/types";
import { expectToContainAll } from "../../support/expectText";

const SEC = 1000;
const ALL_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as PostingWindowConfig["days"];
/** The sample config's community room: weekday evenings and nights, and whole weekends. */
const OAKWOOD_HOURS: PostingWindowConfig[] = [
  { days: ["mon", "tue", "wed", "thu", "fri"], from: "17:00", to: "09:00" },
  { days: ["sat", "sun"], from: "00:00", to: "24:00" },
];
const OAK = "oak";
const LEO = "@leo:example.org";
const OAK_ROOM = roomIdOf(OAK, "community");
const OAK_STAFF = roomIdOf(OAK, "staff");

const worlds: World[] = [];
function world(...args: ConstructorParameters<typeof World>): World {
  const w = new World(...args);
  worlds.push(w);
  return w;
}
afterEach(() => {
  for (const w of worlds.splice(0)) w.close();
});

const oakwood = () => config([community(OAK, { posting_hours: OAKWOOD_HOURS })]);
const hoursNotices = (w: World, roomId = OAK_ROOM) => w.messages().filter((m) => m.roomId === roomId && m.dedupeKey.startsWith("hours:"));

function place(w: World, roomKey = "community"): CommunityPlace {
  return { community: w.cfg.communities[0], roomKey, roomId: roomIdOf(w.cfg.communities[0].id, roomKey) };
}

describe("a room follows its schedule on a fake clock", () => {
  it("closes and opens an overnight window, announcing each change, and keeps one job due at the next change", async () => {
    // 2 March 2026 is a Monday; London is on GMT (UTC+0) until 29 March.
    const w = world(oakwood(), at("2026-03-03T12:00:00Z"));
    await w.reconcile("start");
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(50);
    expect(w.notices(OAK_ROOM)).toHaveLength(1);
    expect(w.notices(OAK_ROOM)[0]).toContain("is closed for posting for now.");
    expect(w.notices(OAK_ROOM)[0]).toContain("opens again today at 17:00 (United Kingdom Time)");
    expect(w.transitionDue(OAK)).toBe(at("2026-03-03T17:00:00Z"));

    await w.advanceTo(at("2026-03-03T17:00:00Z"));
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(0);
    expect(w.notices(OAK_ROOM)).toHaveLength(2);
    expect(w.notices(OAK_ROOM)[1]).toContain("is open for posting now.");
    expect(w.notices(OAK_ROOM)[1]).toContain("closes tomorrow at 09:00 (United Kingdom Time)");
    expect(w.transitionDue(OAK)).toBe(at("2026-03-04T09:00:00Z"));

    await w.advanceTo(at("2026-03-04T09:00:00Z"));
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(50);
    expect(w.notices(OAK_ROOM)).toHaveLength(3);
    expect(w.transitionDue(OAK)).toBe(at("2026-03-04T17:00:00Z"));

    // Friday evening runs into the weekend: one opening, no change at midnight.
    await w.advanceTo(at("2026-03-06T17:00:00Z"));
    const opened = w.notices(OAK_ROOM).length;
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(0);
    await w.advanceTo(at("2026-03-08T12:00:00Z"));
    expect(w.notices(OAK_ROOM)).toHaveLength(opened);
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(0);
  });

  it("every closing notice says when the room opens and how to get support now", async () => {
    const w = world(oakwood(), at("2026-03-03T08:00:00Z"));
    await w.reconcile("start");
    await w.advanceTo(at("2026-03-03T09:00:00Z"));
    const [closing] = w.notices(OAK_ROOM);
    expect(closing).toContain("oak chat is closed for posting for now.");
    expect(closing).not.toContain("(its posting hours)");
    expect(closing).toContain("It opens again today at 17:00 (United Kingdom Time).");
    expect(closing).toContain("Send !page to me in a direct message");
    // One support block, not two; and no markdown in the plain body.
    expect(closing.match(/If you need support/g)).toEqual(["If you need support"]);
    expect(closing).not.toContain("`");
    expect(closing).toContain(CRISIS);
  });

  it("changes only events_default in the power levels, and back", async () => {
    const w = world(oakwood(), at("2026-03-03T08:00:00Z"));
    const before = structuredClone(w.hs.state(OAK_ROOM, "m.room.power_levels"));
    await w.reconcile("start");
    await w.advanceTo(at("2026-03-03T09:00:00Z"));
    expect(w.hs.state(OAK_ROOM, "m.room.power_levels")).toEqual({ ...before, events_default: 50 });
    await w.advanceTo(at("2026-03-03T17:00:00Z"));
    expect(w.hs.state(OAK_ROOM, "m.room.power_levels")).toEqual(before);
    // Rooms without posting hours were never touched.
    expect(w.hs.callsOf("sendState").every((c) => c.args[0] === OAK_ROOM)).toBe(true);
  });

  it("a room without posting hours is left alone: no job, no notice, no power-level change", async () => {
    const w = world(config([community(OAK, undefined)]), at("2026-03-03T12:00:00Z"));
    await w.reconcile("start");
    expect(w.transitionDue(OAK)).toBeUndefined();
    expect(w.messages()).toEqual([]);
    expect(w.hs.callsOf("sendState")).toEqual([]);
  });
});

describe("daylight saving time", () => {
  const nightly = (from: string, to: string, timezone = "Europe/London") =>
    config([community(OAK, { posting_hours: [{ days: ALL_DAYS, from, to }] }, timezone)]);

  it("Europe/London, spring forward: a closing time in the skipped hour takes effect when the gap ends", async () => {
    // 29 March 2026: 01:00 GMT becomes 02:00 BST, so 01:30 does not exist that night.
    const w = world(nightly("18:00", "01:30"), at("2026-03-28T12:00:00Z"));
    await w.reconcile("start");
    expect(w.transitionDue(OAK)).toBe(at("2026-03-28T18:00:00Z")); // 18:00 GMT
    await w.advanceTo(at("2026-03-28T18:00:00Z"));
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(0);
    expect(w.transitionDue(OAK)).toBe(at("2026-03-29T02:00:00+01:00")); // 02:00 BST, the end of the gap
    await w.advanceTo(at("2026-03-29T01:00:00Z"));
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(50);
    expect(w.transitionDue(OAK)).toBe(at("2026-03-29T18:00:00+01:00")); // 18:00 BST
    await w.advanceTo(at("2026-03-29T18:00:00+01:00"));
    expect(w.transitionDue(OAK)).toBe(at("2026-03-30T01:30:00+01:00"));
    expect(w.notices(OAK_ROOM)).toHaveLength(4); // closed at start, opened, closed, opened
  });

  it("Europe/London, fall back: a closing time in the repeated hour takes effect at its first occurrence", async () => {
    // 25 October 2026: 02:00 BST becomes 01:00 GMT, so 01:30 happens twice.
    const w = world(nightly("18:00", "01:30"), at("2026-10-24T12:00:00+01:00"));
    await w.reconcile("start");
    await w.advanceTo(at("2026-10-24T18:00:00+01:00"));
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(0);
    expect(w.transitionDue(OAK)).toBe(at("2026-10-25T01:30:00+01:00")); // the first 01:30 (BST)
    await w.advanceTo(at("2026-10-25T01:30:00+01:00"));
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(50);
    // The second 01:30 (GMT) is no new boundary: the room stays closed until 18:00 GMT.
    await w.advanceTo(at("2026-10-25T01:30:00Z"));
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(50);
    expect(w.transitionDue(OAK)).toBe(at("2026-10-25T18:00:00Z"));
    expect(w.notices(OAK_ROOM)).toHaveLength(3);
  });

  it("America/New_York, spring forward: an opening in the skipped hour opens when the gap ends", async () => {
    // 8 March 2026: 02:00 EST becomes 03:00 EDT, so 02:30 does not exist that night.
    const w = world(nightly("02:30", "06:00", "America/New_York"), at("2026-03-07T12:00:00-05:00"));
    await w.reconcile("start");
    expect(w.transitionDue(OAK)).toBe(at("2026-03-08T03:00:00-04:00"));
    await w.advanceTo(at("2026-03-08T03:00:00-04:00"));
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(0);
    expect(w.notices(OAK_ROOM)[1]).toContain("closes today at 06:00");
    expect(w.notices(OAK_ROOM)[1]).toContain("(Eastern Time)");
    expect(w.transitionDue(OAK)).toBe(at("2026-03-08T06:00:00-04:00"));
  });

  it("America/New_York, fall back: an overnight window lasts an hour longer in real time", async () => {
    // 1 November 2026: 02:00 EDT becomes 01:00 EST.
    const w = world(nightly("22:00", "06:00", "America/New_York"), at("2026-10-31T12:00:00-04:00"));
    await w.reconcile("start");
    await w.advanceTo(at("2026-10-31T22:00:00-04:00"));
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(0);
    expect(w.transitionDue(OAK)).toBe(at("2026-11-01T06:00:00-05:00"));
    expect(at("2026-11-01T06:00:00-05:00") - at("2026-10-31T22:00:00-04:00")).toBe(9 * 3600 * SEC);
    await w.advanceTo(at("2026-11-01T06:00:00-05:00"));
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(50);
    expect(w.transitionDue(OAK)).toBe(at("2026-11-01T22:00:00-05:00"));
  });
});

describe("dated exceptions", () => {
  it("a closure date skips that day's opening and says why; an extra opening opens with its message", async () => {
    const cfg = config([
      community(OAK, {
        posting_hours: [{ days: ["sat", "sun"], from: "00:00", to: "24:00" }],
        exceptions: [
          { date: "2026-03-07", open: false, message: "Closed for the community trip" },
          { date: "2026-03-11", open: true, from: "18:00", to: "22:00", message: "Open for the film night" },
        ],
      }),
    ]);
    const w = world(cfg, at("2026-03-06T12:00:00Z")); // a Friday
    await w.reconcile("start");
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(50);
    expect(w.transitionDue(OAK)).toBe(at("2026-03-08T00:00:00Z")); // Sunday: Saturday is closed
    await w.advanceTo(at("2026-03-07T12:00:00Z"));
    expect(w.notices(OAK_ROOM)).toHaveLength(1);
    await w.advanceTo(at("2026-03-08T00:00:00Z"));
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(0);
    await w.advanceTo(at("2026-03-09T00:00:00Z"));
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(50);
    expect(w.transitionDue(OAK)).toBe(at("2026-03-11T18:00:00Z"));
    await w.advanceTo(at("2026-03-11T18:00:00Z"));
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(0);
    const opening = w.notices(OAK_ROOM).at(-1)!;
    expect(opening).toContain("closes today at 22:00");
    expect(opening).toContain("Open for the film night.");
    await w.advanceTo(at("2026-03-11T22:00:00Z"));
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(50);
  });

  it("a closure that starts mid-window closes early, with its message and the support information", async () => {
    const cfg = config([
      community(OAK, {
        posting_hours: [{ days: ALL_DAYS, from: "17:00", to: "23:00" }],
        exceptions: [{ date: "2026-03-04", open: false, from: "20:00", to: "23:00", message: "Closed early for the house meeting" }],
      }),
    ]);
    const w = world(cfg, at("2026-03-04T18:00:00Z"));
    await w.reconcile("start");
    expect(w.notices(OAK_ROOM)).toEqual([]); // open, as it already was
    expect(w.transitionDue(OAK)).toBe(at("2026-03-04T20:00:00Z"));
    await w.advanceTo(at("2026-03-04T20:00:00Z"));
    const [closing] = w.notices(OAK_ROOM);
    expectToContainAll(closing, ["Closed early for the house meeting.", "opens again tomorrow at 17:00 (United Kingdom Time)", CRISIS]);
    expect(w.transitionDue(OAK)).toBe(at("2026-03-05T17:00:00Z"));
  });
});

describe("restarts: the state now is applied once, never a burst of stale notices", () => {
  const dbFile = () => path.join(mkdtempSync(path.join(tmpdir(), "carenet-hours-")), "carenet.db");

  /** One database file and one homeserver that outlive carenet: `startAt` runs it again from `iso`, start-up steps done. */
  function restarts() {
    const file = dbFile();
    const hs = new FakeHomeserver();
    const startAt = async (iso: string) => {
      const w = world(oakwood(), at(iso), hs, file);
      await w.reconcile("start");
      return w;
    };
    return { hs, startAt };
  }

  it("killed while open, restarted in the middle of the closed period: closes at start with exactly one notice", async () => {
    const { hs, startAt } = restarts();
    const first = await startAt("2026-03-03T08:00:00Z");
    expect(hs.eventsDefault(OAK_ROOM)).toBe(0);
    expect(first.notices(OAK_ROOM)).toEqual([]);
    expect(first.transitionDue(OAK)).toBe(at("2026-03-03T09:00:00Z"));
    first.close(); // killed: nothing more ran

    const second = await startAt("2026-03-03T12:00:00Z");
    await second.advanceTo(at("2026-03-03T12:00:00Z")); // the scheduler starts after the catch-up
    expect(hs.eventsDefault(OAK_ROOM)).toBe(50);
    expect(hoursNotices(second)).toHaveLength(1);
    expect(hoursNotices(second)[0].body).toContain("is closed for posting for now.");
    expect(hoursNotices(second)[0].body).toContain(CRISIS);
    expect(second.transitionDue(OAK)).toBe(at("2026-03-03T17:00:00Z"));
    second.close();

    // Another restart while still closed says nothing new.
    const third = await startAt("2026-03-03T13:00:00Z");
    await third.advanceTo(at("2026-03-03T13:00:00Z"));
    expect(hoursNotices(third)).toHaveLength(1);
    expect(hs.eventsDefault(OAK_ROOM)).toBe(50);
  });

  it("down across several boundaries: one notice for the state now", async () => {
    const { hs, startAt } = restarts();
    const first = await startAt("2026-03-03T08:00:00Z");
    first.close();
    const second = await startAt("2026-03-05T12:00:00Z"); // Thursday: four boundaries missed
    await second.advanceTo(at("2026-03-05T12:00:00Z"));
    expect(hoursNotices(second)).toHaveLength(1);
    expect(hs.eventsDefault(OAK_ROOM)).toBe(50);
  });

  it("down over a close and a re-open: the room is as it was, and nothing is said", async () => {
    const { hs, startAt } = restarts();
    const first = await startAt("2026-03-03T08:00:00Z");
    first.close();
    const second = await startAt("2026-03-03T18:00:00Z");
    await second.advanceTo(at("2026-03-03T18:00:00Z"));
    expect(hoursNotices(second)).toEqual([]);
    expect(hs.eventsDefault(OAK_ROOM)).toBe(0);
    expect(second.transitionDue(OAK)).toBe(at("2026-03-04T09:00:00Z"));
  });

  it("a crash after the notice was queued but before the power levels changed: the next run only changes them", async () => {
    const { hs, startAt } = restarts();
    const first = await startAt("2026-03-03T08:00:00Z");
    hs.failWith = (method) => (method === "sendState" ? new Error("killed") : undefined);
    await first.advanceTo(at("2026-03-03T09:00:00Z"));
    expect(hs.eventsDefault(OAK_ROOM)).toBe(0);
    first.close();
    hs.failWith = () => undefined;
    const second = await startAt("2026-03-03T09:05:00Z");
    expect(hs.eventsDefault(OAK_ROOM)).toBe(50);
    expect(hoursNotices(second)).toHaveLength(1);
  });
});

describe("config reload", () => {
  it("reschedules, announces a change of state once, and opens a room whose hours were removed", async () => {
    const w = world(oakwood(), at("2026-03-03T12:00:00Z"));
    await w.reconcile("start");
    expect(w.notices(OAK_ROOM)).toHaveLength(1); // closed

    // New hours that make the room open now.
    await w.reload(config([community(OAK, { posting_hours: [{ days: ALL_DAYS, from: "10:00", to: "14:00" }] })]));
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(0);
    expect(w.notices(OAK_ROOM)).toHaveLength(2);
    expect(w.notices(OAK_ROOM)[1]).toContain("closes today at 14:00");
    expect(w.transitionDue(OAK)).toBe(at("2026-03-03T14:00:00Z"));

    // Other hours, same state now: rescheduled, nothing said.
    await w.reload(config([community(OAK, { posting_hours: [{ days: ALL_DAYS, from: "10:00", to: "15:00" }] })]));
    expect(w.notices(OAK_ROOM)).toHaveLength(2);
    expect(w.transitionDue(OAK)).toBe(at("2026-03-03T15:00:00Z"));
    // The job that was due at 14:00 is gone: nothing happens then.
    await w.advanceTo(at("2026-03-03T14:30:00Z"));
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(0);
    await w.advanceTo(at("2026-03-03T15:00:00Z"));
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(50);
    expect(w.notices(OAK_ROOM)).toHaveLength(3);

    // Hours removed while closed: opened, said once, job cancelled, forgotten.
    await w.reload(config([community(OAK, undefined)]));
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(0);
    expect(w.notices(OAK_ROOM)).toHaveLength(4);
    expect(w.notices(OAK_ROOM)[3]).toContain("open at all times");
    expect(w.transitionDue(OAK)).toBeUndefined();
    expect(w.app.jobs.get(`hours:${OAK}:community`)?.state).toBe("cancelled");
    await w.reload(config([community(OAK, undefined), community("elm", undefined)]));
    expect(w.notices(OAK_ROOM)).toHaveLength(4);
  });

  it("a community dropped from the config has its closed rooms opened", async () => {
    const w = world(oakwood(), at("2026-03-03T12:00:00Z"));
    await w.reconcile("start");
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(50);
    await w.reload(config([]));
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(0);
    expect(w.transitionDue(OAK)).toBeUndefined();
  });

  it("a posting level changed by hand is put back at the next reload, without a new notice", async () => {
    const w = world(oakwood(), at("2026-03-03T12:00:00Z"));
    await w.reconcile("start");
    w.hs.state(OAK_ROOM, "m.room.power_levels")!.events_default = 0;
    await w.reload(oakwood());
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(50);
    expect(w.notices(OAK_ROOM)).toHaveLength(1);
    expect(w.logs.records.some((l) => l.msg.includes("changed by hand"))).toBe(true);
  });
});

describe("homeserver failures", () => {
  it("a transition that fails is retried, the staff room is told once, and members get one notice", async () => {
    const w = world(oakwood(), at("2026-03-03T08:00:00Z"));
    await w.reconcile("start");
    let failing = true;
    w.hs.failWith = (method) => (failing && method === "sendState" ? new MatrixError({ errcode: "M_UNKNOWN", error: "boom" }, 500) : undefined);
    await w.advanceTo(at("2026-03-03T09:00:00Z"));
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(0);
    const job = w.app.jobs.get(`hours:${OAK}:community`)!;
    expect(job.state).toBe("pending");
    expect(job.attempts).toBe(1);
    await w.advanceTo(at("2026-03-03T09:00:01Z")); // fails again
    expect(w.notices(OAK_STAFF)).toHaveLength(1);
    expect(w.notices(OAK_STAFF)[0]).toContain("could not close oak chat");
    failing = false;
    await w.advanceTo(at("2026-03-03T09:01:00Z"));
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(50);
    expect(w.notices(OAK_ROOM)).toHaveLength(1);
    expect(w.notices(OAK_STAFF)).toHaveLength(1);
    expect(w.transitionDue(OAK)).toBe(at("2026-03-03T17:00:00Z"));
  });

  it("a room whose hours were removed while it was closed is opened even if the first try fails", async () => {
    const w = world(oakwood(), at("2026-03-03T12:00:00Z"));
    await w.reconcile("start");
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(50); // closed
    let failing = true;
    w.hs.failWith = (method) => (failing && method === "sendState" ? new MatrixError({ errcode: "M_UNKNOWN", error: "boom" }, 502) : undefined);
    await w.reload(config([community(OAK, undefined)]));
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(50);
    expect(w.app.jobs.get(`hours:${OAK}:community`)?.state).toBe("pending"); // not cancelled: a retry
    failing = false;
    await w.advanceTo(at("2026-03-03T12:01:00Z"));
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(0);
    expect(w.notices(OAK_ROOM).at(-1)).toContain("open at all times");
    expect(w.app.jobs.get(`hours:${OAK}:community`)?.state).not.toBe("pending");
  });

  it("after repeated failures the schedule goes on to the next boundary rather than stopping", async () => {
    const w = world(oakwood(), at("2026-03-03T08:00:00Z"));
    await w.reconcile("start");
    w.hs.failWith = (method) => (method === "sendState" ? new MatrixError({ errcode: "M_FORBIDDEN", error: "no power" }, 403) : undefined);
    await w.advanceTo(at("2026-03-03T10:00:00Z"));
    expect(w.transitionDue(OAK)).toBe(at("2026-03-03T17:00:00Z"));
    expect(w.notices(OAK_STAFF)).toHaveLength(1);
  });

  it("an outage at a boundary is retried for as long as it lasts, not given up after a few seconds", async () => {
    const w = world(oakwood(), at("2026-03-03T08:00:00Z"));
    await w.reconcile("start");
    let down = true;
    w.hs.failWith = (method) => (down && method === "sendState" ? new MatrixError({ errcode: "M_UNKNOWN", error: "restarting" }, 502) : undefined);
    await w.advanceTo(at("2026-03-03T09:20:00Z")); // many attempts over 20 minutes
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(0);
    expect(w.app.jobs.get(`hours:${OAK}:community`)?.dueAt).toBeLessThan(at("2026-03-03T17:00:00Z")); // still retrying
    down = false;
    await w.advanceTo(at("2026-03-03T09:22:00Z"));
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(50);
    expect(w.transitionDue(OAK)).toBe(at("2026-03-03T17:00:00Z"));
  });
});

describe("racing posts", () => {
  async function closedAtNine(): Promise<World> {
    const w = world(oakwood(), at("2026-03-03T08:00:00Z"));
    await w.reconcile("start");
    await w.advanceTo(at("2026-03-03T09:00:05Z"));
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(50);
    return w;
  }
  const post = (w: World, sender: string, eventId: string, sentAt: number, isStaff = false) =>
    w.db.transaction(() => {
      for (const hook of w.app.roomMessageHooks) hook({ place: place(w), sender, eventId, isStaff, sentAt });
    })();

  it("a member's message sent after the close is redacted with a reason and they are told kindly, privately", async () => {
    const w = await closedAtNine();
    post(w, MIA, "$late", at("2026-03-03T09:00:01Z"));
    post(w, MIA, "$late", at("2026-03-03T09:00:01Z")); // delivered again
    await w.advanceTo(at("2026-03-03T09:00:06Z"));
    expect(w.hs.callsOf("redact")).toEqual([{ method: "redact", args: [OAK_ROOM, "$late", RACING_POST_REASON, redactionTxnId("$late")] }]);
    const told = w.toldTo(MIA);
    expect(told).toHaveLength(1);
    expectToContainAll(told[0], [
      "after it closed at 09:00 (United Kingdom Time)", "You have done nothing wrong", "opens again today at 17:00 (United Kingdom Time)", "!page",
      CRISIS,
    ]);
    // Nothing of it is said in the room.
    expect(w.notices(OAK_ROOM)).toHaveLength(1);
  });

  it("a burst of posts racing the close gets one private explanation per person, every post removed", async () => {
    const w = await closedAtNine();
    for (let i = 0; i < 15; i++) post(w, MIA, `$burst${i}`, at("2026-03-03T09:00:01Z") + i * 100);
    post(w, LEO, "$leo", at("2026-03-03T09:00:02Z"));
    await w.advanceTo(at("2026-03-03T09:00:06Z"));
    expect(w.hs.callsOf("redact")).toHaveLength(16);
    expect(w.toldTo(MIA)).toHaveLength(1);
    expect(w.toldTo(LEO)).toHaveLength(1);
    // The next closing is another closing: a post racing it is explained again.
    await w.advanceTo(at("2026-03-03T17:00:00Z"));
    await w.advanceTo(at("2026-03-04T09:00:05Z"));
    post(w, MIA, "$next-day", at("2026-03-04T09:00:01Z"));
    await w.advanceTo(at("2026-03-04T09:00:06Z"));
    expect(w.toldTo(MIA)).toHaveLength(2);
  });

  it("messages sent before the close, staff messages and messages in open rooms are left alone", async () => {
    const w = await closedAtNine();
    post(w, MIA, "$early", at("2026-03-03T08:59:59Z"));
    post(w, SAM, "$staff", at("2026-03-03T09:00:02Z"), true);
    await w.advanceTo(at("2026-03-03T17:00:00Z"));
    post(w, MIA, "$open", at("2026-03-03T17:00:01Z"));
    await w.advanceTo(at("2026-03-03T17:00:02Z"));
    expect(w.hs.callsOf("redact")).toEqual([]);
    expect(w.toldTo(MIA)).toEqual([]);
    expect(w.toldTo(SAM)).toEqual([]);
  });

  it("after a restart that closed the room late, what members posted before carenet closed it stays", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "carenet-hours-")), "carenet.db");
    const hs = new FakeHomeserver();
    const first = world(oakwood(), at("2026-03-03T08:00:00Z"), hs, file);
    await first.reconcile("start");
    first.close();
    const w = world(oakwood(), at("2026-03-03T12:00:00Z"), hs, file);
    await w.reconcile("start");
    post(w, MIA, "$during-downtime", at("2026-03-03T10:00:00Z"));
    post(w, MIA, "$after", at("2026-03-03T12:00:01Z"));
    await w.advanceTo(at("2026-03-03T12:00:02Z"));
    expect(hs.callsOf("redact").map((c) => c.args[1])).toEqual(["$after"]);
  });
});

describe("at start, the power levels provisioning has just read", () => {
  /** Leaves the room's levels, as the fake homeserver holds them now, where provisioning leaves what it read. */
  const provisioningRead = (w: World, roomId: string) =>
    w.app.roomSnapshots!.remember(roomId, [{ type: "m.room.power_levels", state_key: "", sender: "@carenet:example.org", content: structuredClone(w.hs.state(roomId, "m.room.power_levels")!) }]);

  it("a restart with the room already as its hours say reads nothing more", async () => {
    const w = world(oakwood(), at("2026-03-03T12:00:00Z"));
    await w.reconcile("start"); // closed at noon on a Tuesday
    const reads = w.hs.callsOf("getStateContent").length;
    provisioningRead(w, OAK_ROOM);
    await w.reconcile("start");
    expect(w.hs.callsOf("getStateContent")).toHaveLength(reads);
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(50);
    expect(w.notices(OAK_ROOM)).toHaveLength(1);
  });

  it("a change is made on levels read afresh, so what changed since provisioning read them is kept", async () => {
    const w = world(oakwood(), at("2026-03-03T12:00:00Z"));
    provisioningRead(w, OAK_ROOM); // open, as created
    // An admin mutes someone after provisioning read the room, before posting hours close it.
    w.hs.setState(OAK_ROOM, "m.room.power_levels", "", { ...w.hs.state(OAK_ROOM, "m.room.power_levels")!, users: { ...(w.hs.state(OAK_ROOM, "m.room.power_levels")!.users as object), "@muted:example.org": -1 } });
    await w.reconcile("start");
    expect(w.hs.eventsDefault(OAK_ROOM)).toBe(50);
    expect((w.hs.state(OAK_ROOM, "m.room.power_levels")!.users as Record<string, number>)["@muted:example.org"]).toBe(-1);
  });
});
