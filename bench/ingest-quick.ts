/**
 * A quick look at carenet's ingest path on a real Synapse: transactions of 50 plain
 * messages in a community room, PUT one after another (as Synapse sends them) straight to
 * carenet's transaction route. Prints acknowledged and handled events per second.
 * `npm run bench` is the full comparison against a bare appservice; this is for iterating.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/ingest-quick.js [transactions=200] [--cpu-prof]
 */
import { mkdtempSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseConfig } from "../src/config/load";
import { start } from "../src/app/start";
import { loadRegistration } from "../src/matrix/registration";
import { startHomeserverForCarenet } from "../test/e2e/harness/homeserver";
import { testConfigYaml } from "../test/e2e/harness/carenet";

const transactions = Number(process.argv[2] ?? 200);
const perTxn = 50;

function put(port: number, token: string, txnId: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, method: "PUT", path: `/_matrix/app/v1/transactions/${txnId}`, headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) }, agent: false },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function main(): Promise<void> {
  const { synapse, env } = await startHomeserverForCarenet("carenet-ingest-quick-");
  const dir = mkdtempSync(path.join(tmpdir(), "carenet-ingest-db-"));
  const community = {
    id: "bench",
    name: "Bench",
    timezone: "Europe/London",
    staff: ["@staff:localhost"],
    rooms: {
      community: { name: "bench chat", posting_hours: [{ days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], from: "00:00", to: "23:59" }] },
      staff: { name: "bench staff" },
      alumni: { name: "bench alumni" },
    },
  };
  const { config } = parseConfig(
    testConfigYaml(env, path.join(dir, "carenet.db"), [community]).replace("level: info", "level: warn"),
    path.join(dir, "config.yaml"),
  );
  const registration = loadRegistration(env.registrationPath, { localpart: "carenet" });
  const carenet = await start(config, { registration });
  try {
    const room = carenet.db.prepare("SELECT room_id FROM community_rooms WHERE community_id = 'bench' AND room_key = 'community'").get() as { room_id: string };
    const now = Date.now();
    const bodies = Array.from({ length: transactions }, (_, t) =>
      JSON.stringify({
        events: Array.from({ length: perTxn }, (_, i) => ({
          event_id: `$q${t}-${i}-${now}`,
          room_id: room.room_id,
          sender: `@member${i}:localhost`,
          type: "m.room.message",
          origin_server_ts: now,
          content: { msgtype: "m.text", body: `hello from member ${i}, message ${t}` },
        })),
      }),
    );
    const pending = () => (carenet.db.prepare("SELECT COUNT(*) AS n FROM inbox WHERE state = 'pending'").get() as { n: number }).n;
    const acks: number[] = [];
    const t0 = performance.now();
    for (let t = 0; t < transactions; t++) {
      const a = performance.now();
      const status = await put(carenet.port, registration.hs_token, `quick-${now}-${t}`, bodies[t]);
      if (status !== 200) throw new Error(`transaction ${t} answered ${status}`);
      acks.push(performance.now() - a);
    }
    const acked = performance.now() - t0;
    while (pending() > 0) await new Promise((r) => setTimeout(r, 2));
    const handled = performance.now() - t0;
    acks.sort((a, b) => a - b);
    console.log(
      JSON.stringify({
        transactions,
        eventsPerTransaction: perTxn,
        ackedEventsPerSecond: Math.round((transactions * perTxn) / (acked / 1000)),
        handledEventsPerSecond: Math.round((transactions * perTxn) / (handled / 1000)),
        ackMs: { p50: +acks[Math.floor(acks.length / 2)].toFixed(2), p95: +acks[Math.floor(acks.length * 0.95)].toFixed(2) },
        rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
      }),
    );
  } finally {
    await carenet.stop();
    await synapse.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
