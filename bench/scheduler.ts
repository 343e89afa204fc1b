/**
 * How many durable jobs carenet's scheduler gets through per second, how late they run,
 * and what a large backlog costs in memory — e.g. after downtime, when a whole evening's
 * escalation deadlines, hours transitions and check-in prompts come due at once.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/scheduler.js [jobs=20000]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createLogger } from "../src/kernel/logger";
import { retryAdvice } from "../src/matrix/homeserver";
import { Scheduler } from "../src/scheduler/scheduler";
import { openDatabase } from "../src/store/database";
import { JobsStore } from "../src/store/jobs";

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 20_000);
  const dir = mkdtempSync(path.join(tmpdir(), "carenet-bench-"));
  const db = openDatabase(path.join(dir, "bench.db"));
  const jobs = new JobsStore(db);
  const base = Date.now();

  const scheduleStart = process.hrtime.bigint();
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      jobs.schedule({ kind: "bench", key: `bench:${i}`, dueAt: base + (i % 1000), payload: { pageId: i, step: i % 3 } }, base);
    }
  })();
  const scheduleSeconds = Number(process.hrtime.bigint() - scheduleStart) / 1e9;

  let ran = 0;
  const heapBefore = process.memoryUsage().heapUsed;
  const scheduler = new Scheduler({ jobs, clock: { now: () => base + 1000 }, log: createLogger("silent"), retryAdvice });
  // An empty handler: this measures the loop and its bookkeeping (one UPDATE per job, synchronous=FULL).
  scheduler.on("bench", () => {
    ran++;
  });
  const runStart = process.hrtime.bigint();
  await scheduler.runDue();
  const runSeconds = Number(process.hrtime.bigint() - runStart) / 1e9;

  console.log(
    JSON.stringify({
      jobs: count,
      scheduledPerSecond: Math.round(count / scheduleSeconds),
      runPerSecond: Math.round(ran / runSeconds),
      backlogSeconds: +runSeconds.toFixed(2),
      heapGrowthMiB: +((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20).toFixed(1),
      rssMiB: +(process.memoryUsage().rss / 2 ** 20).toFixed(1),
    }),
  );
  if (ran !== count) throw new Error(`ran ${ran} of ${count} jobs`);
  db.close();
  rmSync(dir, { recursive: true, force: true });
}

void main();
