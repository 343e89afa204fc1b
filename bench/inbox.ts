/**
 * How fast carenet can durably record what the homeserver delivers, and how much memory
 * that takes: the step that sits between Synapse and its acknowledgement.
 * Synapse sends at most 100 events per transaction, one transaction at a time.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/inbox.js [transactions=500]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openDatabase } from "../src/store/database";
import { InboxStore, type IncomingEvent } from "../src/store/inbox";

const transactions = Number(process.argv[2] ?? 500);
const perTxn = 100;
const dir = mkdtempSync(path.join(tmpdir(), "carenet-bench-"));
const db = openDatabase(path.join(dir, "bench.db"));
const inbox = new InboxStore(db);

const event = (n: number): IncomingEvent => ({
  event_id: `$bench-${n}`,
  room_id: "!room:localhost",
  sender: "@member:localhost",
  type: "m.room.message",
  origin_server_ts: Date.now(),
  content: { msgtype: "m.text", body: "!help ".padEnd(200, "x") },
});

const heapBefore = process.memoryUsage().heapUsed;
const latencies: number[] = [];
const started = process.hrtime.bigint();
for (let t = 0; t < transactions; t++) {
  const events = Array.from({ length: perTxn }, (_, i) => event(t * perTxn + i));
  const t0 = process.hrtime.bigint();
  inbox.recordTransaction(`txn-${t}`, events, Date.now());
  latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))].toFixed(2);

console.log(
  JSON.stringify({
    transactions,
    eventsPerTransaction: perTxn,
    eventsPerSecond: Math.round((transactions * perTxn) / seconds),
    transactionMs: { p50: pct(50), p95: pct(95), p99: pct(99) },
    heapGrowthMiB: +((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20).toFixed(1),
    rssMiB: +(process.memoryUsage().rss / 2 ** 20).toFixed(1),
    synchronous: db.pragma("synchronous", { simple: true }),
  }),
);
db.close();
rmSync(dir, { recursive: true, force: true });
