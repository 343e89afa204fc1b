import { createLogger } from "../../../src/kernel/logger";
import { retryAdvice } from "../../../src/matrix/homeserver";
import { Scheduler } from "../../../src/scheduler/scheduler";
import { openDatabase, type Db } from "../../../src/store/database";
import { JobsStore, type Job } from "../../../src/store/jobs";
import { MatrixError } from "matrix-bot-sdk";

const T = 1_800_000_000_000;
let db: Db;
let jobs: JobsStore;
let t: number;
let scheduler: Scheduler;

beforeEach(() => {
  db = openDatabase(":memory:");
  jobs = new JobsStore(db);
  t = T;
  scheduler = new Scheduler({ jobs, clock: { now: () => t }, log: createLogger("silent"), retryAdvice });
});
afterEach(async () => {
  await scheduler.stop();
  db.close();
});

describe("Scheduler", () => {
  it("runs each job when due on the injected clock, once", async () => {
    const ran: string[] = [];
    scheduler.on("note", (job: Job) => void ran.push(job.key));
    jobs.schedule({ kind: "note", key: "a", dueAt: T + 1000 }, T);
    jobs.schedule({ kind: "note", key: "b", dueAt: T + 2000 }, T);
    expect(await scheduler.runDue()).toBe(1000);
    expect(ran).toEqual([]);
    t = T + 1500;
    expect(await scheduler.runDue()).toBe(500);
    t = T + 5000;
    expect(await scheduler.runDue()).toBeNull();
    await scheduler.runDue();
    expect(ran).toEqual(["a", "b"]);
    expect(jobs.countByState()).toEqual({ done: 2 });
  });

  it("retries a failing job with backoff, honouring a 429's retry_after_ms, until it succeeds", async () => {
    let calls = 0;
    scheduler.on("flaky", () => {
      calls++;
      if (calls === 1) throw new MatrixError({ errcode: "M_LIMIT_EXCEEDED", error: "slow down", retry_after_ms: 7000 }, 429);
      if (calls === 2) throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    });
    jobs.schedule({ kind: "flaky", key: "x", dueAt: T }, T);
    await scheduler.runDue();
    expect(jobs.get("x")).toMatchObject({ state: "pending", attempts: 1, dueAt: T + 7000 });
    t = T + 6999;
    await scheduler.runDue();
    expect(calls).toBe(1);
    t = T + 7000;
    await scheduler.runDue();
    expect(jobs.get("x")).toMatchObject({ state: "pending", attempts: 2, lastError: "ECONNREFUSED" });
    t = jobs.get("x")!.dueAt;
    await scheduler.runDue();
    expect(calls).toBe(3);
    expect(jobs.get("x")?.state).toBe("done");
  });

  it("parks a job nobody handles instead of looping on it", async () => {
    jobs.schedule({ kind: "unknown", key: "u", dueAt: T }, T);
    await scheduler.runDue();
    expect(jobs.get("u")).toMatchObject({ state: "failed", lastError: "no handler for unknown" });
  });

  it("lets a handler schedule its own next run under the same key", async () => {
    scheduler.on("tick", (job: Job) => jobs.reschedule({ kind: "tick", key: job.key, dueAt: job.dueAt + 60_000 }, t));
    jobs.schedule({ kind: "tick", key: "tick", dueAt: T }, T);
    await scheduler.runDue();
    expect(jobs.get("tick")).toMatchObject({ state: "pending", dueAt: T + 60_000 });
  });

  it("runs jobs by itself once started and woken", async () => {
    const ran: string[] = [];
    scheduler.on("note", (job: Job) => void ran.push(job.key));
    scheduler.start();
    jobs.schedule({ kind: "note", key: "now", dueAt: T }, T);
    scheduler.wake();
    const deadline = Date.now() + 2000;
    while (ran.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(ran).toEqual(["now"]);
  });

  it("a homeserver job that hangs never holds up a job that only needs SQLite (an escalation deadline)", async () => {
    let release!: () => void;
    const hanging = new Promise<void>((r) => (release = r));
    const ran: string[] = [];
    scheduler.on("page.room", async () => {
      ran.push("room: started");
      await hanging;
    }, { usesHomeserver: true });
    scheduler.on("page.deadline", () => void ran.push("deadline"));
    jobs.schedule({ kind: "page.room", key: "room", dueAt: T }, T);
    jobs.schedule({ kind: "page.deadline", key: "deadline", dueAt: T + 1 }, T);
    t = T + 1;
    try {
      scheduler.start();
      const deadline = Date.now() + 2000;
      while (ran.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      // The room job is still hanging, and the deadline (due after it) has run regardless.
      expect(ran.sort()).toEqual(["deadline", "room: started"]);
      expect(jobs.get("deadline")?.state).toBe("done");
      expect(jobs.get("room")?.state).toBe("pending");
    } finally {
      release();
    }
  });
});
