import { randomBytes } from "node:crypto";
import path from "node:path";
import type { LocalSynapse } from "../../tools/localSynapse";
import { botReplyTo, botUserId, newUser, type RunningCarenet } from "./harness/carenet";
import { sleep, waitUntil } from "./harness/child";
import { startHomeserverForCarenet } from "./harness/homeserver";
import { sendThenTakeDown, startGatedCarenet } from "./harness/lostWindow";
import type { MatrixUser } from "./harness/matrixUser";
import { acceptBotDm, body, countSaid, pagingCommunity } from "./harness/paging";
import type { E2eEnv } from "./harness/paths";
import type { TransactionGate } from "./harness/transactionGate";

/**
 * Synapse keeps the events it has not yet pushed to an appservice in memory only. A
 * `!page` sent while a transaction is in flight, just before Synapse stops, never reaches
 * carenet by push: without catch-up it is lost (first test), with it it is answered once
 * (second test). This test stops its homeserver, so it has a Synapse of its own.
 */

let synapse: LocalSynapse;
let env: E2eEnv;
const started: Array<{ running: RunningCarenet; gate: TransactionGate }> = [];
const users: MatrixUser[] = [];

beforeAll(async () => {
  ({ synapse, env } = await startHomeserverForCarenet("carenet-catch-up-"));
});

afterAll(async () => {
  for (const u of users) await u.stop();
  for (const s of started) {
    await s.running.carenet.stop();
    await s.gate.close();
  }
  await synapse?.stop();
});

async function scenario(failpoints: Array<"no-catch-up">) {
  const bot = botUserId(env);
  const [amy, bob, sam] = await Promise.all([newUser(env, "amy"), newUser(env, "bob"), newUser(env, "sam")]);
  users.push(amy, bob, sam);
  const id = `catchup-${randomBytes(3).toString("hex")}`;
  const s = await startGatedCarenet(env, {
    communities: [pagingCommunity(id, { staff: [sam.userId], escalation: [{ notify: "on_call_peers", wait: "1m" }, { notify: "all_staff", wait: "1m" }] })],
    failpoints,
    standIns: { onCall: () => ({ peers: [bob.userId], backupPeers: [], staff: [] }) },
    dbPath: path.join(env.dir, `carenet-${id}.db`),
  });
  started.push(s);
  const app = s.running.carenet.app;
  app.members.add({ communityId: id, userId: amy.userId, sponsor: sam.userId, addedBy: sam.userId }, Date.now());
  const dm = await amy.createDm(bot);
  await amy.waitForEvent(dm, (ev) => ev.sender === bot && ev.type === "m.room.message");

  const { eventIds } = await sendThenTakeDown(
    synapse,
    s.gate,
    [
      { user: amy, roomId: dm, body: "checking in before I page" }, // held in flight
      { user: amy, roomId: dm, body: "!page" }, // queued in Synapse's memory
    ],
    "graceful",
  );
  await sleep(3000);
  await synapse.start();
  // Something sent after the restart is pushed as usual: carenet is listening.
  const probe = await amy.sendText(dm, "!help");
  await amy.waitForEvent(dm, botReplyTo(bot, probe), 60_000);
  return { ...s, amy, bob, dm, pageEvent: eventIds[1], bot };
}

test("without catch-up, a !page Synapse held in memory when it stopped is lost", async () => {
  const { running, amy, dm, pageEvent, bot } = await scenario(["no-catch-up"]);
  await sleep(10_000);
  expect(amy.eventsSoFar(dm).filter(botReplyTo(bot, pageEvent))).toHaveLength(0);
  expect(running.carenet.db.prepare("SELECT COUNT(*) AS n FROM pages").get()).toEqual({ n: 0 });
  expect(running.carenet.db.prepare("SELECT COUNT(*) AS n FROM inbox WHERE event_id = ?").get(pageEvent)).toEqual({ n: 0 });
  const s = started.pop()!;
  await s.running.carenet.stop();
  await s.gate.close();
});

test("with catch-up, the same !page is found in the timeline and answered once, and the peer is asked once", async () => {
  const { running, amy, bob, dm, pageEvent, bot } = await scenario([]);
  const reply = await amy.waitForEvent(dm, botReplyTo(bot, pageEvent), 60_000);
  expect(body(reply)).toContain("page");
  const db = running.carenet.db;
  expect(db.prepare("SELECT txn_id FROM inbox WHERE event_id = ?").get(pageEvent)).toEqual({ txn_id: "catch-up" });
  const bobDm = await acceptBotDm(bob, bot, 60_000);
  await bob.waitForEvent(bobDm, (ev) => ev.sender === bot && body(ev).includes("needs support and has paged"), 60_000);
  await waitUntil("the outbox is empty", () => (db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE state <> 'sent'").get() as { n: number }).n === 0, 60_000);
  await sleep(3000); // a duplicate would show by now
  expect(amy.eventsSoFar(dm).filter(botReplyTo(bot, pageEvent))).toHaveLength(1);
  expect(countSaid(bob, bobDm, bot, "needs support and has paged")).toBe(1);
  expect(db.prepare("SELECT COUNT(*) AS n FROM pages").get()).toEqual({ n: 1 });
  expect(running.logs.text).toContain("catch-up found events the homeserver had not delivered");
});
