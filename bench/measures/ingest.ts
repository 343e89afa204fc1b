/**
 * Ingest: transactions of 50 plain messages in the community room, pushed one after the
 * other at the appservice's port as Synapse would send them (so Synapse is not the
 * bottleneck); events per second acknowledged. Anchor: a bare matrix-bot-sdk Appservice
 * given the same transactions, alternately in the same run.
 */
import { startBare } from "../lib/anchors";
import type { BenchContext } from "../lib/context";
import type { Row } from "../lib/report";
import { pushTransactions } from "../lib/transactions";
import { median } from "../lib/stats";

const PER_TRANSACTION = 50;

export async function measureIngest(ctx: BenchContext): Promise<Row[]> {
  const w = await ctx.world();
  const transactions = ctx.args.quick ? 40 : 100;
  const events = { roomId: w.communityRoom, sender: w.peer.userId };
  const bare = await startBare(ctx.hs);
  const carenetToken = ctx.hs.carenet.registration.hs_token;
  const anchor: number[] = [];
  const ours: number[] = [];
  try {
    // A warm-up round for each (JIT, caches, SQLite pages), then the timed ones.
    for (let i = 0; i <= ctx.args.reps; i++) {
      const a = await pushTransactions(bare.port, bare.hsToken, events, transactions, PER_TRANSACTION);
      const c = await pushTransactions(ctx.hs.carenet.port, carenetToken, events, transactions, PER_TRANSACTION);
      // Whatever carenet still has to handle is not left to slow the next round.
      await w.carenet.drained();
      if (i > 0) {
        anchor.push(a);
        ours.push(c);
      }
      ctx.say(`ingest: round ${i}${i === 0 ? " (warm-up)" : ""}: bare ${a.toFixed(0)} events/s, carenet ${c.toFixed(0)} events/s`);
    }
  } finally {
    await bare.process.stop();
  }
  return [
    {
      measure: `ingest, transactions of ${PER_TRANSACTION} plain messages in a community room`,
      anchorName: "bare matrix-bot-sdk 0.7.1 Appservice, no handlers",
      anchor: median(anchor),
      carenet: median(ours),
      unit: "events/s",
      target: { op: ">=", value: 0.8 },
      note: `${ours.length} rounds of ${transactions} transactions pushed straight at each appservice's port with its hs_token, as Synapse sends them, so Synapse is not the bottleneck; counted when acknowledged`,
    },
  ];
}
