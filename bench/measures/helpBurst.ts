/**
 * Fifty members send `!help` at once, each in their DM with the bot; the 95th percentile of
 * command → reply seen in the member's own /sync. Anchor (the burst floor): the same fifty
 * send a plain message at once in a room of their own, seen in their own /sync — Synapse's
 * cost of fifty messages at once, with no appservice in the way.
 *
 * Informational, in the same repetitions: the same fifty ping the bare matrix-bot-sdk relay
 * (bench/anchors/echoAppservice.ts) at once, each in a room of their own with it, and wait
 * for its pong. Any appservice that replies makes Synapse persist twice the events of the
 * floor; the relay's burst shows what that costs, and carenet's against it what carenet adds.
 */
import { randomBytes } from "node:crypto";
import type { MatrixUser } from "../../test/e2e/harness/matrixUser";
import { botReactionTo, botReplyTo } from "../../test/e2e/harness/carenet";
import type { BenchContext } from "../lib/context";
import { mapLimit, sleep } from "../lib/pool";
import type { Row } from "../lib/report";
import { median, percentile } from "../lib/stats";
import { roomWithRelay } from "../lib/twoHop";

export const BURST = 50;

export interface BurstUsers {
  users: MatrixUser[];
  dms: string[];
  ownRooms: string[];
}

let made: Promise<BurstUsers> | undefined;

/**
 * Fifty members (added by staff; the bot opens a DM with each), each also with a room of
 * their own. Made once; national.ts uses them too.
 */
export function burstUsers(ctx: BenchContext): Promise<BurstUsers> {
  return (made ??= (async () => {
    const w = await ctx.world();
    ctx.say(`help-burst: staff add ${BURST} members …`);
    const users = await mapLimit(Array.from({ length: BURST }), 10, (_, i) => ctx.hs.user(`burst${i}`));
    const dms = await w.addMembers(users);
    const ownRooms = await mapLimit(users, 10, (u) => u.createRoom({ preset: "private_chat" }));
    return { users, dms, ownRooms };
  })());
}

/** Everyone sends at once; each waits in their own /sync for what `seen` names. */
async function burst(users: MatrixUser[], send: (u: MatrixUser, i: number) => Promise<string>, seen: (u: MatrixUser, i: number, eventId: string) => Promise<unknown>): Promise<Array<{ ms: number; id: string }>> {
  return Promise.all(
    users.map(async (u, i) => {
      const t0 = performance.now();
      const id = await send(u, i);
      await seen(u, i, id);
      return { ms: performance.now() - t0, id };
    }),
  );
}

/** Each burst member's private room with the relay (which this starts, if nothing has yet). */
async function relayRooms(ctx: BenchContext, users: MatrixUser[]): Promise<{ relay: string; rooms: string[] }> {
  const { relay } = await ctx.twoHop();
  ctx.say(`help-burst: ${BURST} members each open a room with the relay …`);
  return { relay, rooms: await mapLimit(users, 10, (u) => roomWithRelay(u, relay)) };
}

export async function measureHelpBurst(ctx: BenchContext): Promise<Row[]> {
  const w = await ctx.world();
  const { users, dms, ownRooms } = await burstUsers(ctx);
  const { relay, rooms } = await relayRooms(ctx, users);
  const [floorP95, relayP95, oursP95]: number[][] = [[], [], []];
  for (let i = 0; i <= ctx.args.reps; i++) {
    const tag = randomBytes(3).toString("hex");
    const floor = await burst(
      users,
      (u, k) => u.sendText(ownRooms[k], `an ordinary message ${tag}`),
      (u, k, id) => u.waitForEvent(ownRooms[k], (ev) => ev.event_id === id, 120_000),
    );
    await sleep(1000);
    // The relay answers in the room the ping names: here the ping's own room.
    const relayed = await burst(
      users,
      (u, k) => u.sendText(rooms[k], `ping ${rooms[k]} ${tag}-${k}`),
      (u, k) => u.waitForEvent(rooms[k], (ev) => ev.sender === relay && ev.content.body === `pong ${tag}-${k}`, 120_000),
    );
    await sleep(1000);
    const ours = await burst(
      users,
      (u, k) => u.sendText(dms[k], "!help"),
      (u, k, id) => u.waitForEvent(dms[k], botReplyTo(w.bot, id), 120_000),
    );
    // Every ✅ too, so the next burst starts with carenet's outbox empty.
    await Promise.all(users.map((u, k) => u.waitForEvent(dms[k], botReactionTo(w.bot, ours[k].id), 120_000)));
    const [f, r, c] = [floor, relayed, ours].map((b) => percentile(b.map((x) => x.ms), 95));
    if (i > 0) {
      floorP95.push(f);
      relayP95.push(r);
      oursP95.push(c);
    }
    ctx.say(`help-burst: burst ${i}${i === 0 ? " (warm-up)" : ""}: p95 floor ${f.toFixed(0)} ms, relay ${r.toFixed(0)} ms, carenet ${c.toFixed(0)} ms`);
    await sleep(2000);
  }
  return helpBurstRows(median(floorP95), median(relayP95), median(oursP95), oursP95.length);
}

/** The measured row, and two informational ones (no target) that split its ratio in two. */
function helpBurstRows(floor: number, relay: number, ours: number, bursts: number): Row[] {
  const how = `median over ${bursts} bursts of each burst's p95`;
  return [
    {
      measure: `${BURST} members send !help at once, p95 reply`,
      anchorName: `Synapse's p95 for ${BURST} plain messages at once`,
      anchor: floor,
      carenet: ours,
      unit: "ms",
      target: { op: "<=", value: 1.5 },
      note: `${how}; reply and plain message are both timed from send to the sender's own /sync`,
    },
    {
      measure: `${BURST} members' pings answered by a bare matrix-bot-sdk relay, p95 (informational: what any replying appservice costs)`,
      anchorName: `Synapse's p95 for ${BURST} plain messages at once`,
      anchor: floor,
      carenet: relay,
      unit: "ms",
      note: `${how}; the "carenet" column is the relay's figure; ping and plain message are both timed from send to the sender's own /sync`,
    },
    {
      measure: `carenet's !help burst p95 against the relay's reply burst (informational: near 1 means carenet adds little beyond replying)`,
      anchorName: `the relay's p95 for ${BURST} pings at once`,
      anchor: relay,
      carenet: ours,
      unit: "ms",
      note: how,
    },
  ];
}
