import path from "node:path";
import Database from "better-sqlite3";
import { loadRegistration } from "../../src/matrix/registration";
import { botReactionTo, botReplyTo, newUser, relatesTo, startCarenet, writeTestConfig, e2eScene, tempDir } from "./harness/carenet";
import { CarenetProcess, sleep, waitUntil } from "./harness/child";
import type { MatrixEvent, MatrixUser } from "./harness/matrixUser";

const { env, bot, openDm } = e2eScene();

/** Waits a little past the first answer, then counts, so a late duplicate would be seen. */
async function countAfterSettling(user: MatrixUser, roomId: string, match: (ev: MatrixEvent) => boolean): Promise<number> {
  await user.waitForEvent(roomId, match);
  await sleep(3000);
  return user.eventsSoFar(roomId).filter(match).length;
}

const processes: CarenetProcess[] = [];
const users: MatrixUser[] = [];
afterEach(async () => {
  for (const p of processes.splice(0)) await p.kill("SIGKILL");
  for (const u of users.splice(0)) u.stop();
});

test("carenet killed with SIGKILL after the homeserver delivered a command, before answering it, answers exactly once after restart", async () => {
  const dir = tempDir("kill");
  const configPath = writeTestConfig(env, dir);
  const alice = await newUser(env, "alice");
  users.push(alice);

  const first = new CarenetProcess(configPath);
  processes.push(first);
  await first.ready();
  const dm = await openDm(alice);
  expect(await first.kill("SIGTERM")).toBe(0);

  // This run records what the homeserver delivers but handles nothing, then is killed.
  const holding = new CarenetProcess(configPath, { CARENET_FAILPOINTS: "hold-inbox" });
  processes.push(holding);
  await holding.ready();
  const command = await alice.sendText(dm, "!help");
  const db = new Database(path.join(dir, "carenet.db"), { readonly: true });
  try {
    const recorded = await waitUntil("the command is recorded in the inbox", () =>
      db.prepare("SELECT state, txn_id FROM inbox WHERE event_id = ?").get(command) as { state: string; txn_id: string } | undefined,
    );
    expect(recorded.state).toBe("pending");
    // The homeserver has its acknowledgement: the transaction is marked complete.
    expect(db.prepare("SELECT 1 AS ok FROM appservice_transactions WHERE txn_id = ?").get(recorded.txn_id)).toEqual({ ok: 1 });
  } finally {
    db.close();
  }
  await holding.kill("SIGKILL");
  expect(alice.eventsSoFar(dm).filter(botReplyTo(bot, command))).toHaveLength(0);

  const restarted = new CarenetProcess(configPath);
  processes.push(restarted);
  await restarted.ready();
  expect(await countAfterSettling(alice, dm, botReplyTo(bot, command))).toBe(1);
  expect(alice.eventsSoFar(dm).filter(botReactionTo(bot, command))).toHaveLength(1);
  expect(await restarted.kill("SIGTERM")).toBe(0);
});

test("a reply that reached the homeserver but was not recorded as sent is resent with the same transaction id and shows once", async () => {
  const dir = tempDir("resend");
  const bob = await newUser(env, "bob");
  users.push(bob);
  let running = await startCarenet(env, dir, { failpoints: new Set(["fail-after-send"]) });
  const dm = await openDm(bob);
  const command = await bob.sendText(dm, "!help");
  await bob.waitForEvent(dm, botReplyTo(bot, command));
  // Every attempt reaches the homeserver and then "fails": wait for at least one resend.
  const db = running.carenet.db;
  await waitUntil("the reply has been retried", () => {
    const row = db.prepare("SELECT attempts FROM outbox WHERE dedupe_key = ?").get(`reply:${command}`) as { attempts: number } | undefined;
    return !!row && row.attempts >= 2;
  });
  await running.carenet.stop();

  running = await startCarenet(env, dir);
  try {
    await waitUntil("the reply is recorded as sent", () => {
      const row = running.carenet.db.prepare("SELECT state FROM outbox WHERE dedupe_key = ?").get(`reply:${command}`) as { state: string };
      return row.state === "sent";
    });
    expect(await countAfterSettling(bob, dm, botReplyTo(bot, command))).toBe(1);
    expect(bob.eventsSoFar(dm).filter((ev) => ev.sender === bot && ev.type === "m.room.message" && !relatesTo(ev))).toHaveLength(1); // one welcome
  } finally {
    await running.carenet.stop();
  }
});

test("a transaction the homeserver replays, or an event delivered again in another transaction, is handled once", async () => {
  const dir = tempDir("replay");
  const carol = await newUser(env, "carol");
  users.push(carol);
  const running = await startCarenet(env, dir);
  try {
    const dm = await openDm(carol);
    const command = await carol.sendText(dm, "!help");
    await carol.waitForEvent(dm, botReplyTo(bot, command));
    const event = await carol.request("GET", `/_matrix/client/v3/rooms/${encodeURIComponent(dm)}/event/${encodeURIComponent(command)}`);
    const { hs_token } = loadRegistration(env.registrationPath, { localpart: "carenet" });
    const put = (txnId: string) =>
      fetch(`http://127.0.0.1:${env.asPort}/_matrix/app/v1/transactions/${txnId}`, {
        method: "PUT",
        headers: { authorization: `Bearer ${hs_token}`, "content-type": "application/json" },
        body: JSON.stringify({ events: [{ ...event, room_id: dm }] }),
      });
    const txn = `replay-${Date.now()}`;
    expect((await put(txn)).status).toBe(200);
    expect((await put(txn)).status).toBe(200);
    expect((await put(`${txn}-again`)).status).toBe(200);
    expect(await countAfterSettling(carol, dm, botReplyTo(bot, command))).toBe(1);
  } finally {
    await running.carenet.stop();
  }
});
