/**
 * The national-scale case, as a time-compressed simulation: carenet with 250 communities,
 * check-in answers arriving at the rate of 10,000 members all answering within 10 minutes
 * (about 17 a second, real `!checkin` commands through Synapse), and an hour's 50 pages
 * brought close together (one every 3 s) during that load. Reported: the pages' p99, page
 * → first message to the peer on call in the peer's /sync, against 2 × the two-hop floor.
 */
import type { MatrixUser } from "../../test/e2e/harness/matrixUser";
import { botReplyTo } from "../../test/e2e/harness/carenet";
import { pageRequestAbout } from "../lib/world";
import { command } from "../../test/e2e/harness/rota";
import type { BenchContext } from "../lib/context";
import { mapLimit, sleep } from "../lib/pool";
import type { Row } from "../lib/report";
import { percentile } from "../lib/stats";
import { burstUsers } from "./helpBurst";
import { countingProxy, scaleCommunities } from "./restart";

const MEMBERS = 10_000;
const ANSWER_WINDOW_S = 600;
const PAGE_EVERY_MS = 3000;

export async function measureNational(ctx: BenchContext): Promise<Row[]> {
  const w = await ctx.world();
  const communities = ctx.args.quick ? 25 : 250;
  const pages = ctx.args.quick ? 10 : 50;
  const answersPerSecond = MEMBERS / ANSWER_WINDOW_S;
  const { url } = await countingProxy(ctx);
  await w.carenet.stop();
  w.carenet.writeConfig(await scaleCommunities(ctx, communities), url);
  ctx.say(`national: carenet with ${communities} communities (provisioning any new ones, not timed) …`);
  await w.carenet.start();
  await sleep(3000);

  const { users, dms } = await burstUsers(ctx);
  const pagers: MatrixUser[] = await mapLimit(Array.from({ length: pages }), 10, (_, i) => ctx.hs.user(`national${i}`));
  ctx.say(`national: adding ${pages} members who will page, and ${users.length} who answer check-ins agree to the rights text …`);
  const pagerDms = await w.addMembers(pagers);
  await mapLimit(users, 10, async (u, k) => {
    const r = await command(w.bot, u, dms[k], "!consent agree");
    if (r.reaction !== "✅") throw new Error(`!consent agree: ${r.reply}`);
  });
  while (ctx.floorSamples.length < ctx.args.reps) await ctx.floorSample();

  ctx.say(`national: ${answersPerSecond.toFixed(1)} check-in answers a second, and a page every ${PAGE_EVERY_MS / 1000} s, ${pages} pages …`);
  // Each answer settles true once its reply is seen; false if the send or the wait failed
  // (a homeserver that cannot keep up is a finding, not a reason to stop the run).
  const answers: Array<Promise<boolean>> = [];
  let answering = true;
  let n = 0;
  // The load lasts as long as the pages are being sent, whatever happens to them.
  const loadEnds = setTimeout(() => (answering = false), pages * PAGE_EVERY_MS);
  const load = (async () => {
    const t0 = performance.now();
    while (answering) {
      const k = n % users.length;
      const answer = 3 + (n % 3); // okay, fine, good: never a low answer, which would alert people
      answers.push(
        users[k]
          .sendText(dms[k], `!checkin ${answer}`)
          .then((id) => users[k].waitForEvent(dms[k], botReplyTo(w.bot, id), 180_000))
          .then(
            () => true,
            () => false,
          ),
      );
      n++;
      const due = t0 + (n * 1000) / answersPerSecond;
      await sleep(Math.max(0, due - performance.now()));
    }
  })();

  // The two-hop relay under the same load, halfway between pages: what any appservice's
  // message takes while Synapse carries the check-ins (an informational row; the target is
  // against the quiet floor).
  const relay = await ctx.twoHop();
  const loadedFloor = Promise.all(
    pagers.map(async (_, i) => {
      await sleep(i * PAGE_EVERY_MS + PAGE_EVERY_MS / 2);
      return relay.sample().catch(() => Infinity);
    }),
  );
  const latencies = await Promise.all(
    pagers.map(async (pager, i) => {
      await sleep(i * PAGE_EVERY_MS);
      const t0 = performance.now();
      const seen = w.peer.waitForEvent(w.peerDm, pageRequestAbout(w.bot, pager.userId), 120_000);
      seen.catch(() => undefined); // awaited below; a failed send must not leave it unhandled
      try {
        await pager.sendText(pagerDms[i], "!page");
        await seen;
        return performance.now() - t0;
      } catch (err) {
        ctx.say(`national: page ${i} not seen: ${(err as Error).message}`);
        return Infinity; // counts in the p99 as what it is: a page that never arrived in time
      }
    }),
  );
  clearTimeout(loadEnds);
  answering = false;
  await load;
  ctx.say(`national: ${n} check-in answers sent; waiting for their replies …`);
  const answered = (await Promise.all(answers)).filter(Boolean).length;
  ctx.say(`national: ${answered} of ${n} answers replied to`);
  const floor = ctx.floor();
  const underLoad = await loadedFloor;
  return [
    {
      measure: `national scale (${communities} communities, ${MEMBERS.toLocaleString("en-GB")} members' check-ins): page p99`,
      anchorName: "two-hop floor",
      anchor: floor,
      carenet: percentile(latencies, 99),
      unit: "ms",
      target: { op: "<=", value: 2 },
      note:
        `simulation: ${n} real !checkin answers (${answered} replied to within 3 minutes) at ${answersPerSecond.toFixed(1)}/s (${MEMBERS.toLocaleString("en-GB")} members answering within ` +
        `${ANSWER_WINDOW_S / 60} minutes, carried by ${users.length} members) while ${pages} pages came one every ${PAGE_EVERY_MS / 1000} s ` +
        `(an hour's 50 pages, compressed); p99 of page → first message in the peer's /sync; median ${percentile(latencies, 50).toFixed(0)} ms`,
    },
    {
      measure: "national scale: page p99 against the two-hop relay under the same load (informational)",
      anchorName: "the relay's p99 under the load",
      anchor: percentile(underLoad, 99),
      carenet: percentile(latencies, 99),
      unit: "ms",
      note: `${underLoad.length} relay samples, one between each two pages; relay median ${percentile(underLoad, 50).toFixed(0)} ms, carenet's ${percentile(latencies, 50).toFixed(0)} ms`,
    },
  ];
}
