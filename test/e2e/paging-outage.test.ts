import { randomBytes } from "node:crypto";
import type { LocalSynapse } from "../../tools/localSynapse";
import { botReplyTo, botUserId, CRISIS, newUser, startCarenet, type RunningCarenet } from "./harness/carenet";
import { sleep, waitUntil } from "./harness/child";
import { startHomeserverForCarenet } from "./harness/homeserver";
import type { MatrixUser } from "./harness/matrixUser";
import type { E2eEnv } from "./harness/paths";
import { acceptBotDm, body, botSays, countSaid, supportInvite, pagingCommunity, recordedSupportRoom } from "./harness/paging";

/**
 * The homeserver goes away in the middle of a page. carenet's escalation keeps time on its
 * own clock while nothing can be sent; when the homeserver is back, every message is
 * delivered, once. This test stops its homeserver, so it has a Synapse of its own.
 */

let synapse: LocalSynapse;
let env: E2eEnv;
let running: RunningCarenet | undefined;
const users: MatrixUser[] = [];

beforeAll(async () => {
  ({ synapse, env } = await startHomeserverForCarenet("carenet-paging-outage-"));
});

afterAll(async () => {
  for (const u of users) await u.stop();
  await running?.carenet.stop();
  await synapse?.stop();
});

test("Synapse stopped during a page: the page escalates meanwhile and is delivered when it is back, nothing lost or doubled", async () => {
  const bot = botUserId(env);
  const [amy, bob, sam] = await Promise.all([newUser(env, "amy"), newUser(env, "bob"), newUser(env, "sam")]);
  users.push(amy, bob, sam);
  const id = `outage-${randomBytes(3).toString("hex")}`;
  running = await startCarenet(env, env.dir, {
    communities: [pagingCommunity(id, { staff: [sam.userId], escalation: [{ notify: "on_call_peers", wait: "3s" }, { notify: "all_staff", wait: "3s" }] })],
    standIns: { onCall: () => ({ peers: [bob.userId], backupPeers: [], staff: [] }) },
  });
  const app = running.carenet.app;
  app.members.add({ communityId: id, userId: amy.userId, sponsor: sam.userId, addedBy: sam.userId }, Date.now());
  const db = running.carenet.db;

  const dm = await amy.createDm(bot);
  await amy.waitForEvent(dm, (ev) => ev.sender === bot && ev.type === "m.room.message");
  const command = await amy.sendText(dm, "!page");
  await waitUntil("the page is recorded", () => db.prepare("SELECT id FROM pages").get());
  await synapse.stop();

  // While the homeserver is away the ladder keeps time: the staff step, then exhaustion.
  const page = await waitUntil(
    "the page has run its ladder without the homeserver",
    () => db.prepare("SELECT status, opened_at, exhausted_at FROM pages WHERE status = 'exhausted'").get() as { opened_at: number; exhausted_at: number } | undefined,
    30_000,
  );
  expect(page.exhausted_at - page.opened_at).toBeGreaterThanOrEqual(6000);
  expect(page.exhausted_at - page.opened_at).toBeLessThan(6000 + 3000);
  const waiting = db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending'").get() as { n: number };
  expect(waiting.n).toBeGreaterThan(0);
  await sleep(2000);
  await synapse.restart();

  // Back: everything arrives.
  const reply = await amy.waitForEvent(dm, botReplyTo(bot, command), 90_000);
  expect(body(reply)).toContain(CRISIS);
  const nobody = await amy.waitForEvent(dm, botSays(bot, "nobody could be reached"), 90_000);
  expect(body(nobody)).toContain(CRISIS);
  const bobDm = await acceptBotDm(bob, bot, 90_000);
  await bob.waitForEvent(bobDm, botSays(bot, "needs support and has paged"), 90_000);
  const samDm = await acceptBotDm(sam, bot, 90_000);
  await sam.waitForEvent(samDm, botSays(bot, "needs support and has paged"), 90_000);
  await sam.waitForEvent(samDm, botSays(bot, "Nobody acknowledged page"), 90_000);
  const supportRoom = await supportInvite(bob, 90_000);
  expect(await recordedSupportRoom(db)).toBe(supportRoom);
  const unsent = () => db.prepare("SELECT room_id, to_user, event_type, state, attempts, next_attempt_at, last_error FROM outbox WHERE state <> 'sent'").all();
  await waitUntil("the outbox is empty", () => unsent().length === 0, 90_000).catch((err: Error) => {
    // Name what is still waiting, so a failure here says which message and why.
    throw new Error(`${err.message}; still unsent: ${JSON.stringify(unsent())}`);
  });
  await sleep(3000); // a late duplicate would show up by now

  expect(amy.eventsSoFar(dm).filter(botReplyTo(bot, command))).toHaveLength(1);
  expect(countSaid(amy, dm, bot, "I have now also asked")).toBe(1);
  expect(countSaid(amy, dm, bot, "nobody could be reached")).toBe(1);
  expect(countSaid(bob, bobDm, bot, "needs support and has paged")).toBe(1);
  expect(countSaid(bob, bobDm, bot, "Nobody acknowledged page")).toBe(0); // peers are not alerted as staff
  expect(countSaid(sam, samDm, bot, "needs support and has paged")).toBe(1);
  expect(countSaid(sam, samDm, bot, "Nobody acknowledged page")).toBe(1);
  // One support room, one direct room each: nothing was made twice on a retry.
  const rooms = db.prepare("SELECT COUNT(*) AS n FROM pages WHERE support_room_id IS NOT NULL").get() as { n: number };
  expect(rooms.n).toBe(1);
  expect(db.prepare("SELECT user_id, COUNT(*) AS n FROM dm_rooms GROUP BY user_id HAVING n > 1").all()).toEqual([]);
});
