/**
 * A cheaper way to work on the restart's memory than `--only restart` (which provisions 200
 * communities for every run): provisions `--communities n` once on a bench Synapse, then
 * keeps Synapse running and restarts carenet (the build in dist/, with the systemd unit's
 * flags) each time a line is read on stdin or `--restarts n` times, printing its RSS once
 * it has made no homeserver request for 3 s, beside a bare matrix-bot-sdk appservice's.
 *
 *   npm run build && node dist/bench/memoryRig.js --communities 200 --restarts 3
 *   node dist/bench/memoryRig.js --communities 200 --keep    (Enter: restart again; a rebuilt dist/ is used)
 */
import { registerUser } from "../tools/localSynapse";
import { startBare } from "./lib/anchors";
import { community } from "./lib/carenetConfig";
import { CarenetRunner } from "./lib/carenetProcess";
import { CountingProxy } from "./lib/countingProxy";
import { startBenchHomeserver } from "./lib/homeserver";
import { sleep } from "./lib/pool";
import path from "node:path";
import os from "node:os";
import { createInterface } from "node:readline";

const QUIET_MS = 3000;

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

async function main(): Promise<void> {
  const count = flag("communities", 200);
  const restarts = flag("restarts", 3);
  const keep = process.argv.includes("--keep");
  const started = Date.now();
  const say = (line: string) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
  const hs = await startBenchHomeserver();
  say(`Synapse at ${hs.synapse.url}, files in ${hs.dir}`);
  const proxy = new CountingProxy(hs.synapse.url);
  const url = await proxy.listen();
  const carenet = new CarenetRunner(
    { homeserverUrl: url, domain: hs.domain, asPort: hs.carenet.port, registrationPath: hs.carenet.registrationPath, dbPath: path.join(hs.dir, "carenet.db") },
    hs.dir,
  );
  try {
    const staff = (await registerUser(hs.synapse.url, hs.synapse.sharedSecret, "scale-staff")).userId;
    carenet.writeConfig(Array.from({ length: count }, (_, i) => community(`c${String(i).padStart(3, "0")}`, [staff])));
    say(`provisioning ${count} communities …`);
    await carenet.start();
    await proxy.quiet(QUIET_MS, 600_000);
    say(`provisioned ${carenet.roomCount()} rooms; config ${carenet.configPath}`);
    const restart = async (n: number) => {
      await carenet.stop();
      proxy.reset();
      const p = await carenet.start();
      await proxy.quiet(QUIET_MS, 300_000);
      const rss = p.rssMiB();
      const bare = await startBare(hs);
      await sleep(QUIET_MS);
      const bareRss = bare.process.rssMiB();
      await bare.process.stop();
      const load = os.loadavg().map((l) => l.toFixed(2)).join(" ");
      say(`restart ${n}: ${proxy.total} requests, RSS ${rss.toFixed(0)} MiB (bare ${bareRss.toFixed(0)} MiB), load ${load}`);
    };
    for (let i = 1; i <= restarts; i++) await restart(i);
    if (keep) {
      say("Enter restarts carenet again; end of input stops");
      let n = restarts;
      for await (const _line of createInterface({ input: process.stdin })) await restart(++n);
    }
  } finally {
    await carenet.stop();
    await hs.synapse.stop();
    say("stopped");
  }
  process.exit(0);
}

void main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
