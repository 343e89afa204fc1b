import { openDatabase } from "../../../src/store/database";
import { JobsStore } from "../../../src/store/jobs";
import { withMemoryDb } from "../../support/fixtures";

let jobs: JobsStore;
withMemoryDb((db) => (jobs = new JobsStore(db)));

const T = 1_800_000_000_000;

describe("JobsStore", () => {
  it("schedules once per key: a second schedule of the same key changes nothing", () => {
    expect(jobs.schedule({ kind: "k", key: "a", dueAt: T + 10, payload: { n: 1 } }, T)).toBe(true);
    expect(jobs.schedule({ kind: "k", key: "a", dueAt: T + 99, payload: { n: 2 } }, T)).toBe(false);
    expect(jobs.get("a")).toMatchObject({ dueAt: T + 10, payload: { n: 1 }, state: "pending" });
  });

  it("returns due jobs in due order and nothing early", () => {
    jobs.schedule({ kind: "k", key: "late", dueAt: T + 20 }, T);
    jobs.schedule({ kind: "k", key: "early", dueAt: T + 10 }, T);
    expect(jobs.due(T + 9)).toEqual([]);
    expect(jobs.due(T + 20).map((j) => j.key)).toEqual(["early", "late"]);
    expect(jobs.nextDueAt()).toBe(T + 10);
  });

  it("reschedule moves a pending job and revives a finished one", () => {
    jobs.schedule({ kind: "k", key: "a", dueAt: T }, T);
    const [job] = jobs.due(T);
    jobs.markDone(job.id, job.dueAt, T);
    expect(jobs.due(T + 100)).toEqual([]);
    jobs.reschedule({ kind: "k", key: "a", dueAt: T + 50, payload: { again: true } }, T);
    expect(jobs.due(T + 50)).toEqual([expect.objectContaining({ key: "a", payload: { again: true }, attempts: 0 })]);
  });

  it("markDone leaves a job that was rescheduled while it ran", () => {
    jobs.schedule({ kind: "k", key: "a", dueAt: T }, T);
    const [job] = jobs.due(T);
    jobs.reschedule({ kind: "k", key: "a", dueAt: T + 1000 }, T); // the handler set up the next run
    jobs.markDone(job.id, job.dueAt, T);
    expect(jobs.get("a")).toMatchObject({ state: "pending", dueAt: T + 1000 });
  });

  it("markFailed retries later, or parks the job when permanent", () => {
    jobs.schedule({ kind: "k", key: "a", dueAt: T }, T);
    jobs.schedule({ kind: "k", key: "b", dueAt: T }, T);
    const [a, b] = jobs.due(T);
    jobs.markFailed(a.id, "502", T + 5000, false, T);
    jobs.markFailed(b.id, "403 M_FORBIDDEN", T + 5000, true, T);
    expect(jobs.get("a")).toMatchObject({ state: "pending", attempts: 1, dueAt: T + 5000, lastError: "502" });
    expect(jobs.get("b")).toMatchObject({ state: "failed", attempts: 1 });
    expect(jobs.due(T + 4999)).toEqual([]);
    expect(jobs.due(T + 5000).map((j) => j.key)).toEqual(["a"]);
  });

  it("cancels by key and by prefix, pending jobs only", () => {
    jobs.schedule({ kind: "k", key: "page:1:step:0", dueAt: T }, T);
    jobs.schedule({ kind: "k", key: "page:1:step:1", dueAt: T }, T);
    jobs.schedule({ kind: "k", key: "page:10:step:0", dueAt: T }, T);
    expect(jobs.cancelPrefix("page:1:", T)).toBe(2);
    expect(jobs.cancel("page:10:step:0", T)).toBe(true);
    expect(jobs.cancel("page:10:step:0", T)).toBe(false);
    expect(jobs.due(T)).toEqual([]);
    expect(jobs.countByState()).toEqual({ cancelled: 3 });
  });

  it("prunes finished jobs only", () => {
    jobs.schedule({ kind: "k", key: "done", dueAt: T }, T);
    jobs.schedule({ kind: "k", key: "waiting", dueAt: T + 10_000 }, T);
    const [done] = jobs.due(T);
    jobs.markDone(done.id, done.dueAt, T);
    expect(jobs.prune(T + 1)).toBe(1);
    expect(jobs.pending().map((j) => j.key)).toEqual(["waiting"]);
  });

  it("survives a restart: pending jobs are there when the database is opened again", () => {
    const dir = require("node:fs").mkdtempSync(require("node:path").join(require("node:os").tmpdir(), "jobs-"));
    const file = `${dir}/carenet.db`;
    const first = openDatabase(file);
    new JobsStore(first).schedule({ kind: "page.deadline", key: "page:7:step:1", dueAt: T + 60_000, payload: { pageId: 7 } }, T);
    first.close();
    const again = openDatabase(file);
    expect(new JobsStore(again).due(T + 60_000)).toEqual([expect.objectContaining({ kind: "page.deadline", payload: { pageId: 7 } })]);
    again.close();
  });
});
