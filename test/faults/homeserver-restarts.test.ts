import { randomBytes } from "node:crypto";
import type { LocalSynapse } from "../../tools/localSynapse";
import { botReplyTo, botUserId, newUser, type RunningCarenet } from "../e2e/harness/carenet";
import { sleep, waitUntil } from "../e2e/harness/child";
import { startHomeserverForCarenet } from "../e2e/harness/homeserver";
import { sendThenTakeDown, startGatedCarenet, type HomeserverFall } from "../e2e/harness/lostWindow";
import type { MatrixEvent, MatrixUser } from "../e2e/harness/matrixUser";
import { acceptBotDm, body, pagingCommunity } from "../e2e/harness/paging";
import type { E2eEnv } from "../e2e/harness/paths";
import type { TransactionGate } from "../e2e/harness/transactionGate";

/**
 * Pages sent just before Synapse goes down — gracefully (SIGTERM) or by a crash (SIGKILL) —
 * while Synapse has a transaction to carenet in flight, so the pages sit in its memory only.
 * Every round, three members page within a second of the homeserver going down; it stays
 * down 20–60 s. Every page must be answered once, the on-call peer and the staff member
 * asked once each, and the escalation to staff must come on time after Synapse is back.
 *
 * Short by default (2 graceful rounds and 1 SIGKILL round, down 20 s);
 * CARENET_FAULTS_FULL=1 runs 20 graceful and 10 SIGKILL rounds, down 20–60 s each.
 */

const FULL = process.env.CARENET_FAULTS_FULL === "1";
const ROUNDS: HomeserverFall[] = FULL
  ? [...Array<HomeserverFall>(20).fill("graceful"), ...Array<HomeserverFall>(10).fill("sigkill")]
  : ["graceful", "graceful", "sigkill"];
const downMs = () => (FULL ? 20_000 + Math.floor(Math.random() * 40_000) : 20_000);
/** The ladder: the on-call peer, then (after STEP_MS) all staff, then (after STEP_MS) exhausted. */
const STEP_MS = 5000;
/** How late carenet may take a ladder step and still be on time (two shared cores). */
const STEP_TOLERANCE_MS = 1500;
/** …and how late its message may reach Synapse (the first one opens a DM with the person). */
const DELIVERY_TOLERANCE_MS = 5000;
const MEMBERS = 3;

let synapse: LocalSynapse;
let env: E2eEnv;
let setup: { running: RunningCarenet; gate: TransactionGate } | undefined;
const users: MatrixUser[] = [];

beforeAll(async () => {
  ({ synapse, env } = await startHomeserverForCarenet("carenet-hs-restarts-"));
});

afterAll(async () => {
  for (const u of users) await u.stop();
  await setup?.running.carenet.stop();
  await setup?.gate.close();
  await synapse?.stop();
});

interface PageRow {
  id: number;
  member: string;
  status: string;
  opened_at: number;
  exhausted_at: number | null;
}

test(
  `${ROUNDS.length} rounds of !page just before Synapse stops (${ROUNDS.filter((r) => r === "graceful").length} graceful, ${ROUNDS.filter((r) => r === "sigkill").length} SIGKILL): 0 lost, 0 doubled, escalation on time`,
  async () => {
    const bot = botUserId(env);
    const members = await Promise.all(Array.from({ length: MEMBERS }, (_, i) => newUser(env, `member${i}`)));
    const [bob, sam] = await Promise.all([newUser(env, "bob"), newUser(env, "sam")]);
    users.push(...members, bob, sam);
    const id = `restarts-${randomBytes(3).toString("hex")}`;
    const community = {
      ...pagingCommunity(id, { staff: [sam.userId], escalation: [{ notify: "on_call_peers", wait: `${STEP_MS / 1000}s` }, { notify: "all_staff", wait: `${STEP_MS / 1000}s` }] }),
      rota: { max_pages_per_night: 1000 },
    };
    setup = await startGatedCarenet(env, { communities: [community], standIns: { onCall: () => ({ peers: [bob.userId], backupPeers: [], staff: [] }) } });
    const { running, gate } = setup;
    const app = running.carenet.app;
    const db = running.carenet.db;
    for (const m of members) app.members.add({ communityId: id, userId: m.userId, sponsor: sam.userId, addedBy: sam.userId }, Date.now());
    const dms = await Promise.all(members.map((m) => m.createDm(bot)));
    await Promise.all(members.map((m, i) => m.waitForEvent(dms[i], (ev) => ev.sender === bot && ev.type === "m.room.message", 60_000)));
    const sent: string[][] = members.map(() => []);
    let bobDm: string | undefined;
    let samDm: string | undefined;

    const stats: Array<{ round: number; fall: HomeserverFall; downMs: number; stopTookMs: number; answeredAfterBackMs: number[]; staffLateMs: number[]; stepLateMs: number[] }> = [];
    for (const [r, fall] of ROUNDS.entries()) {
      const before = (db.prepare("SELECT MAX(id) AS id FROM pages").get() as { id: number | null }).id ?? 0;
      const { eventIds, signalAfterLastSendMs, stopTookMs } = await sendThenTakeDown(
        synapse,
        gate,
        members.map((m, i) => ({ user: m, roomId: dms[i], body: "!page" })),
        fall,
      );
      expect(signalAfterLastSendMs).toBeLessThan(1000);
      // A graceful stop that needed the harness's SIGKILL (after 10 s) would not be graceful.
      if (fall === "graceful") expect(stopTookMs).toBeLessThan(9000);
      eventIds.forEach((e, i) => sent[i].push(e));
      const down = downMs();
      await sleep(down);
      await synapse.start();
      const backAt = Date.now();

      // Every member's page is answered, once, after the homeserver is back.
      const replies: MatrixEvent[] = [];
      for (const [i, m] of members.entries()) replies.push(await m.waitForEvent(dms[i], botReplyTo(bot, eventIds[i]), 120_000));
      const pages = await waitUntil(
        `round ${r + 1}: ${MEMBERS} pages ran their ladder`,
        () => {
          const rows = db.prepare("SELECT id, member, status, opened_at, exhausted_at FROM pages WHERE id > ? ORDER BY id").all(before) as PageRow[];
          return rows.length === MEMBERS && rows.every((p) => p.status === "exhausted") && rows;
        },
        120_000,
      );
      expect(new Set(pages.map((p) => p.member))).toEqual(new Set(members.map((m) => m.userId)));

      bobDm ??= await acceptBotDm(bob, bot, 60_000);
      samDm ??= await acceptBotDm(sam, bot, 60_000);
      const staffLateMs: number[] = [];
      const stepLateMs: number[] = [];
      for (const p of pages) {
        expect(p.opened_at).toBeGreaterThanOrEqual(backAt - 1000); // opened only once Synapse was back
        const peerAsk = await bob.waitForEvent(bobDm, asked(bot, p.id), 60_000);
        const staffAsk = await sam.waitForEvent(samDm, asked(bot, p.id), 60_000);
        await sam.waitForEvent(samDm, (ev) => ev.sender === bot && body(ev).includes(`Nobody acknowledged page ${p.id} `), 60_000);
        expect(peerAsk.origin_server_ts).toBeLessThan(staffAsk.origin_server_ts);
        // The staff step is due STEP_MS after the page opened: carenet takes it on time, and
        // the message reaches Synapse soon after (the first one also opens the staff DM).
        const due = p.opened_at + STEP_MS;
        const step = db.prepare("SELECT at FROM page_steps WHERE page_id = ? AND step = 1").get(p.id) as { at: number };
        expect(step.at - due).toBeGreaterThanOrEqual(0);
        expect(step.at - due).toBeLessThan(STEP_TOLERANCE_MS);
        const late = staffAsk.origin_server_ts - due;
        expect(late).toBeGreaterThanOrEqual(-500);
        expect(late).toBeLessThan(DELIVERY_TOLERANCE_MS);
        stepLateMs.push(step.at - due);
        staffLateMs.push(late);
        expect(p.exhausted_at! - p.opened_at).toBeGreaterThanOrEqual(2 * STEP_MS);
      }
      // Each member closes their page, so the next round's !page opens a new one.
      for (const [i, m] of members.entries()) {
        const resolve = await m.sendText(dms[i], "!resolve");
        await m.waitForEvent(dms[i], botReplyTo(bot, resolve), 60_000);
      }
      await waitUntil(`round ${r + 1}: pages resolved`, () => (db.prepare("SELECT COUNT(*) AS n FROM pages WHERE status <> 'resolved'").get() as { n: number }).n === 0, 30_000);
      stats.push({ round: r + 1, fall, downMs: down, stopTookMs, answeredAfterBackMs: replies.map((e) => e.origin_server_ts - backAt), staffLateMs, stepLateMs });
    }

    // Nothing doubled: a duplicate would have shown up by now.
    await waitUntil("the outbox is empty", () => (db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE state <> 'sent'").get() as { n: number }).n === 0, 60_000);
    await sleep(3000);
    const allPages = db.prepare("SELECT id FROM pages ORDER BY id").all() as Array<{ id: number }>;
    expect(allPages).toHaveLength(ROUNDS.length * MEMBERS);
    for (const [i, m] of members.entries()) {
      for (const eventId of sent[i]) expect(m.eventsSoFar(dms[i]).filter(botReplyTo(bot, eventId))).toHaveLength(1);
      const opened = m.eventsSoFar(dms[i]).filter((ev) => ev.sender === bot && body(ev).startsWith("I hear you."));
      expect(opened).toHaveLength(ROUNDS.length);
    }
    for (const p of allPages) {
      expect(bob.eventsSoFar(bobDm!).filter(asked(bot, p.id))).toHaveLength(1);
      expect(sam.eventsSoFar(samDm!).filter(asked(bot, p.id))).toHaveLength(1);
      expect(sam.eventsSoFar(samDm!).filter((ev) => ev.sender === bot && body(ev).includes(`Nobody acknowledged page ${p.id} `))).toHaveLength(1);
    }

    const answered = stats.flatMap((s) => s.answeredAfterBackMs);
    const late = stats.flatMap((s) => s.staffLateMs);
    const stepLate = stats.flatMap((s) => s.stepLateMs);
    const summary = {
      rounds: stats.length,
      graceful: stats.filter((s) => s.fall === "graceful").length,
      sigkill: stats.filter((s) => s.fall === "sigkill").length,
      pages: allPages.length,
      lost: 0,
      doubled: 0,
      downSeconds: { min: Math.min(...stats.map((s) => s.downMs)) / 1000, max: Math.max(...stats.map((s) => s.downMs)) / 1000 },
      gracefulStopTookMs: Math.max(...stats.filter((s) => s.fall === "graceful").map((s) => s.stopTookMs)),
      answeredAfterSynapseBackMs: { median: median(answered), max: Math.max(...answered) },
      staffStepTakenLateMs: { median: median(stepLate), max: Math.max(...stepLate) },
      staffAskDeliveredLateMs: { median: median(late), max: Math.max(...late) },
      foundByCatchUp: (db.prepare("SELECT COUNT(*) AS n FROM inbox WHERE txn_id = 'catch-up' AND type = 'm.room.message' AND sender <> ?").get(bot) as { n: number }).n,
    };
    process.stderr.write(`homeserver-restarts: ${JSON.stringify(summary)}\n`);
  },
  (FULL ? 90 : 6) * 60_000,
);

/** The bot's message asking someone to come to page `pageId` ("… needs support and has paged … (page N)."). */
const asked = (bot: string, pageId: number) => (ev: MatrixEvent) =>
  ev.sender === bot && ev.type === "m.room.message" && body(ev).includes("needs support and has paged") && body(ev).includes(`(page ${pageId})`);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
}
