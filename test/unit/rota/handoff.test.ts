import { ALEX, BEA, community, CRISIS, DAY, HOUR, idIn, MIN, MON_NOON, SAM, World, type Where } from "./world";
import { expectToContainAll } from "../../support/expectText";

let w: World;
afterEach(() => w?.close());

const STAFF_ROOM: Where = { community: "oak", room: "staff" };
const at = (iso: string) => Date.parse(iso);
const MON_1730 = at("2026-03-02T17:30:00Z");
const MON_1800 = at("2026-03-02T18:00:00Z");
const NEXT_MON_1800 = MON_1800 + 7 * DAY;

function world(rota: Record<string, unknown> = {}): World {
  const x = new World({ communities: [community("oak", { rota: { approval_required: false, handoff_reminder: "30m", ...rota } }), community("elm")] });
  x.addMember(ALEX);
  x.addMember(BEA);
  return x;
}

const handoffs = (user: string) => w.dmsTo(user).filter((m) => m.includes("on call") || m.includes("backup peer") || m.includes("on-call staff"));

describe("planning handoff jobs", () => {
  it("plans a reminder and a start message per occurrence, eight days ahead, keyed per occurrence", async () => {
    w = world();
    const id = idIn(await w.ok(ALEX, "!volunteer mon 18:00-22:00"));
    expect(w.handoffJobs()).toEqual([
      { key: `rota.handoff:oak:${id}@${MON_1800}:${ALEX}:reminder`, dueAt: MON_1730 },
      { key: `rota.handoff:oak:${id}@${MON_1800}:${ALEX}:start`, dueAt: MON_1800 },
      { key: `rota.handoff:oak:${id}@${NEXT_MON_1800}:${ALEX}:reminder`, dueAt: NEXT_MON_1800 - 30 * MIN },
      { key: `rota.handoff:oak:${id}@${NEXT_MON_1800}:${ALEX}:start`, dueAt: NEXT_MON_1800 },
    ]);
    // Planning again changes nothing.
    await w.reconcile();
    await w.reconcile();
    expect(w.handoffJobs()).toHaveLength(4);
  });

  it("plans nothing for a shift still waiting for approval, and plans it once approved", async () => {
    w = world({ approval_required: true });
    const id = idIn(await w.ok(ALEX, "!volunteer mon 18:00-22:00"));
    expect(w.handoffJobs()).toEqual([]);
    await w.ok(SAM, `!rota approve ${id}`, STAFF_ROOM);
    expect(w.handoffJobs()).toHaveLength(4);
  });

  it("with handoff_reminder 0m there is no reminder, only the start message", async () => {
    w = world({ handoff_reminder: "0m" });
    await w.ok(ALEX, "!volunteer mon 18:00-22:00");
    expect(w.handoffJobs().map((j) => j.key.split(":").pop())).toEqual(["start", "start"]);
  });

  it("the daily plan job keeps extending the horizon", async () => {
    w = world();
    await w.reconcile();
    const id = idIn(await w.ok(ALEX, "!volunteer 2026-03-14 10:00-12:00"));
    expect(w.handoffJobs()).toEqual([]);
    await w.at(MON_NOON + 5 * DAY);
    expect(w.handoffJobs().map((j) => j.key)).toContain(`rota.handoff:oak:${id}@${at("2026-03-14T10:00:00Z")}:${ALEX}:start`);
    expect(w.jobs.get("rota.plan:oak")).toMatchObject({ state: "pending", dueAt: MON_NOON + 6 * DAY });
  });

  it("a community dropped from the config loses its handoffs at the next reconcile", async () => {
    w = world();
    await w.ok(ALEX, "!volunteer mon 18:00-22:00");
    await w.reconcile();
    w.config = { ...w.config, communities: [w.c("elm")] };
    await w.reconcile();
    expect(w.handoffJobs()).toEqual([]);
    expect(w.jobs.get("rota.plan:oak")?.state).toBe("cancelled");
    await w.at(MON_1800);
    expect(w.dmsTo(ALEX)).toEqual([]);
  });
});

describe("sending handoffs", () => {
  beforeEach(async () => {
    w = world();
    await w.ok(ALEX, "!volunteer mon 18:00-22:00");
  });

  it("reminds before the shift and says at the start until when, how to hand over, and where support is", async () => {
    await w.at(MON_1730 - 1);
    expect(handoffs(ALEX)).toEqual([]);
    await w.at(MON_1730);
    const [reminder] = handoffs(ALEX);
    expect(reminder).toContain("Reminder: you are on call for Oak TC from 18:00 today until 22:00 today (in 30 minutes; United Kingdom Time).");
    await w.at(MON_1800);
    const [, start] = handoffs(ALEX);
    expect(start).toContain("You are on call for Oak TC now, until 22:00 today (United Kingdom Time).");
    expect(start).not.toContain("late");
    expectToContainAll(start, ["Send !break to step off the rota now, no questions asked", "!rota cover", CRISIS]);
    expect(handoffs(ALEX)).toHaveLength(2);
    expect(w.handoffJobs("done")).toHaveLength(2);
  });

  it("'you are on call now' rings for the person on call alone; the reminder before it stays quiet", async () => {
    await w.at(MON_1730);
    await w.at(MON_1800);
    const rows = (w.db.prepare("SELECT dedupe_key AS key, content_json AS json FROM outbox WHERE to_user = ? ORDER BY id").all(ALEX) as Array<{ key: string; json: string }>)
      .filter((r) => r.key.startsWith("rota.handoff:"))
      .map((r) => ({ stage: r.key.split(":").pop(), content: JSON.parse(r.json) as Record<string, unknown> }));
    expect(rows.map((r) => [r.stage, r.content.msgtype, r.content["m.mentions"]])).toEqual([
      ["reminder", "m.notice", {}],
      ["start", "m.text", { user_ids: [ALEX] }],
    ]);
    expect(String(rows[1].content.body).startsWith(`${ALEX}: You are on call for Oak TC now`)).toBe(true);
  });

  it("sends each message once, even when its job runs again (a crash before it was marked done)", async () => {
    await w.at(MON_1800);
    const start = w.jobs.get(`rota.handoff:oak:1@${MON_1800}:${ALEX}:start`)!;
    w.jobs.reschedule({ kind: start.kind, key: start.key, dueAt: start.dueAt, payload: start.payload }, w.now);
    await w.at(MON_1800 + MIN);
    expect(w.jobs.get(start.key)?.state).toBe("done");
    expect(w.outbox().filter((m) => m.key === start.key)).toHaveLength(1);
    expect(handoffs(ALEX)).toHaveLength(1); // the reminder came too late to be useful: skipped
  });

  it("a shift taken off the rota sends nothing", async () => {
    await w.ok(ALEX, "!volunteer cancel mon");
    expect(w.handoffJobs()).toEqual([]);
    await w.at(MON_1800);
    expect(handoffs(ALEX)).toEqual([]);
  });

  it("a peer on a break gets nothing; when the break ends the messages come back", async () => {
    await w.ok(ALEX, "!break");
    expect(w.handoffJobs()).toEqual([]);
    await w.at(MON_1730);
    expect(handoffs(ALEX)).toEqual([]);
    await w.ok(ALEX, "!break end");
    await w.at(MON_1800);
    expect(handoffs(ALEX)).toHaveLength(1);
    expect(handoffs(ALEX)[0]).toContain("You are on call for Oak TC now");
  });

  it("a job that finds the person on a break, even one it was not told about, drops the message", async () => {
    w.rota.startBreak(ALEX, null, w.now); // bypassing the command: the job still checks
    await w.at(MON_1800);
    expect(handoffs(ALEX)).toEqual([]);
  });

  it("a cover's holder gets the handoff for the covered day, the covered person does not", async () => {
    await w.ok(SAM, `!rota cover ${ALEX} 2026-03-09 ${BEA}`, STAFF_ROOM);
    await w.ok(BEA, "!rota accept 2");
    await w.at(MON_1800);
    await w.at(NEXT_MON_1800 - 30 * MIN);
    expect(w.dmsTo(BEA).join("\n")).toContain("Reminder: you are on call for Oak TC from 18:00 today");
    await w.at(NEXT_MON_1800);
    expect(handoffs(BEA).some((m) => m.includes("You are on call for Oak TC now, until 22:00 today"))).toBe(true);
    expect(handoffs(ALEX).filter((m) => m.includes("now, until"))).toHaveLength(1); // only the first Monday's
  });

  it("says 'backup' to a backup peer and 'on-call staff' to staff", async () => {
    await w.ok(BEA, "!volunteer backup mon 18:00-22:00");
    await w.ok(SAM, "!rota add me mon 18:00-23:00", STAFF_ROOM);
    await w.at(MON_1800);
    expect(w.dmsTo(BEA).join("\n")).toContain("You are a backup peer for Oak TC now, until 22:00 today");
    expect(w.dmsTo(BEA).join("\n")).toContain("asked only if the peers on call do not answer");
    expect(w.dmsTo(SAM).join("\n")).toContain("You are the on-call staff member for Oak TC now, until 23:00 today");
  });

  it("a shift added shortly before it starts still gets its reminder at once", async () => {
    w.now = MON_1730 + 20 * MIN;
    await w.ok(BEA, "!volunteer today 18:00-19:00");
    await w.at(w.now);
    expect(w.dmsTo(BEA).join("\n")).toContain("from 18:00 today until 19:00 today (in 10 minutes");
  });
});

it("a shift approved after it started gets its start message at once, without saying it is late", async () => {
  w = world({ approval_required: true });
  w.now = at("2026-03-02T19:00:00Z");
  const id = idIn(await w.ok(ALEX, "!volunteer today 18:50-22:00"));
  w.now = at("2026-03-02T19:20:00Z");
  await w.ok(SAM, `!rota approve ${id}`, { community: "oak", room: "staff" });
  await w.at(w.now);
  const sent = handoffs(ALEX);
  expect(sent).toHaveLength(1);
  expect(sent[0]).toContain("You are on call for Oak TC now, until 22:00 today");
  expect(sent[0]).not.toContain("late");
});

describe("handoffs after downtime", () => {
  beforeEach(async () => {
    w = world();
    await w.ok(ALEX, "!volunteer mon 18:00-22:00");
  });

  it("a start missed while down is sent late while the shift still runs; the stale reminder is skipped", async () => {
    w.now = at("2026-03-02T19:00:00Z"); // carenet was down from noon to 19:00
    await w.reconcile();
    await w.at(w.now);
    const sent = handoffs(ALEX);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain("You are on call for Oak TC now, until 22:00 today");
    expect(sent[0]).toContain("This message is late");
    expect(w.handoffJobs("done").map((j) => j.key.split(":").pop()).sort()).toEqual(["reminder", "start"]);
  });

  it("a shift that ended while carenet was down is skipped, not announced", async () => {
    w.now = at("2026-03-02T23:00:00Z");
    await w.reconcile();
    await w.at(w.now);
    expect(handoffs(ALEX)).toEqual([]);
    // Next week's are still planned.
    expect(w.handoffJobs().map((j) => j.dueAt)).toEqual([NEXT_MON_1800 - 30 * MIN, NEXT_MON_1800]);
  });

  it("after a long outage the old jobs are cancelled at reconcile and nothing stale is sent", async () => {
    w.now = at("2026-03-04T12:00:00Z");
    await w.reconcile();
    expect(w.jobs.get(`rota.handoff:oak:1@${MON_1800}:${ALEX}:start`)?.state).toBe("cancelled");
    await w.at(w.now);
    expect(handoffs(ALEX)).toEqual([]);
    await w.at(NEXT_MON_1800 - 30 * MIN);
    await w.at(NEXT_MON_1800);
    expect(handoffs(ALEX)).toHaveLength(2);
  });

  it("an overnight shift across the spring DST change says its wall-clock end", async () => {
    w.now = at("2026-03-23T12:00:00Z");
    await w.ok(BEA, "!volunteer sat 23:00-07:00");
    await w.at(at("2026-03-28T23:00:00Z"));
    expect(w.dmsTo(BEA).join("\n")).toContain("You are on call for Oak TC now, until 07:00 tomorrow (United Kingdom Time).");
    expect(HOUR).toBe(60 * MIN);
  });
});
