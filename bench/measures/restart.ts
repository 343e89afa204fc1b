/**
 * A no-op restart at scale: carenet with 200 communities (each a Space and three rooms,
 * provisioned once beforehand) is stopped and started again with nothing changed. Counted
 * by a proxy between carenet and Synapse: homeserver requests per room until carenet falls
 * quiet; then its RSS. Memory anchor: a bare matrix-bot-sdk Appservice, started alike.
 */
import { registerUser } from "../../tools/localSynapse";
import { startBare } from "../lib/anchors";
import { community } from "../lib/carenetConfig";
import type { BenchContext } from "../lib/context";
import { CountingProxy } from "../lib/countingProxy";
import { sleep } from "../lib/pool";
import type { Row } from "../lib/report";
import { median } from "../lib/stats";

/** Quiet this long after "carenet is running" = the restart's work is done. */
const QUIET_MS = 3000;

let proxyP: Promise<{ proxy: CountingProxy; url: string }> | undefined;

/** The counting proxy, shared with national.ts (which grows the same config). */
export function countingProxy(ctx: BenchContext): Promise<{ proxy: CountingProxy; url: string }> {
  return (proxyP ??= (async () => {
    const proxy = new CountingProxy(ctx.hs.synapse.url);
    return { proxy, url: await proxy.listen() };
  })());
}

let scaleStaff: Promise<string> | undefined;

/** `count` communities: the bench community and others like it, with one staff member who never signs in. */
export async function scaleCommunities(ctx: BenchContext, count: number): Promise<Array<Record<string, unknown>>> {
  const w = await ctx.world();
  const staff = await (scaleStaff ??= registerUser(ctx.hs.synapse.url, ctx.hs.synapse.sharedSecret, "scale-staff").then((u) => u.userId));
  return [w.communityConfig, ...Array.from({ length: count - 1 }, (_, i) => community(`c${String(i + 1).padStart(3, "0")}`, [staff]))];
}

export async function measureRestart(ctx: BenchContext): Promise<Row[]> {
  const w = await ctx.world();
  const count = ctx.args.quick ? 20 : 200;
  const { proxy, url } = await countingProxy(ctx);
  await w.carenet.stop();
  w.carenet.writeConfig(await scaleCommunities(ctx, count), url);
  ctx.say(`restart: provisioning ${count} communities (once, not timed) …`);
  const t0 = Date.now();
  await w.carenet.start();
  await proxy.quiet(QUIET_MS, 600_000);
  ctx.say(`restart: provisioned ${w.carenet.roomCount()} rooms in ${((Date.now() - t0) / 1000).toFixed(0)} s`);

  const perRoom: number[] = [];
  const rss: number[] = [];
  const bareRss: number[] = [];
  let kinds: Array<[string, number]> = [];
  for (let i = 0; i < ctx.args.reps; i++) {
    await w.carenet.stop();
    proxy.reset();
    const p = await w.carenet.start();
    await proxy.quiet(QUIET_MS, 300_000);
    const rooms = w.carenet.roomCount();
    perRoom.push(proxy.total / rooms);
    rss.push(p.rssMiB());
    kinds = proxy.breakdown();
    const bare = await startBare(ctx.hs);
    await sleep(QUIET_MS);
    bareRss.push(bare.process.rssMiB());
    await bare.process.stop();
    ctx.say(`restart ${i + 1}: ${proxy.total} requests for ${rooms} rooms, RSS ${rss.at(-1)!.toFixed(0)} MiB (bare ${bareRss.at(-1)!.toFixed(0)} MiB)`);
  }
  const top = kinds.slice(0, 4).map(([k, n]) => `${n} × ${k}`).join(", ");
  return [
    {
      measure: `RSS at ${count} communities after a no-op restart`,
      anchorName: "bare matrix-bot-sdk Appservice",
      anchor: median(bareRss),
      carenet: median(rss),
      unit: "MiB",
      target: { op: "<=", value: 150, absolute: true },
      note: `${rss.length} restarts, RSS read from /proc once carenet had made no homeserver request for ${QUIET_MS / 1000} s`,
    },
    {
      measure: `homeserver requests per room on a no-op restart (${count} communities)`,
      anchorName: "none",
      carenet: median(perRoom),
      unit: "requests/room",
      target: { op: "<=", value: 1, absolute: true },
      note: `counted by a proxy between carenet and Synapse, from start until ${QUIET_MS / 1000} s without a request, leaving out carenet's GET /versions liveness probe; last restart's most frequent: ${top || "none"}`,
    },
  ];
}
