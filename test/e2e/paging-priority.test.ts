import { botReplyTo, newUser, openBotDm, startCarenet, type RunningCarenet, e2eScene, tempDir, addMember } from "./harness/carenet";
import { Message } from "../../src/messaging/message";
import type { MatrixUser } from "./harness/matrixUser";
import { botSays, pagingCommunity } from "./harness/paging";

/**
 * A page is not held up by a backlog (OutboxSender, URGENT): with one send at a time
 * (sending.concurrency 1) and a backlog of ordinary notices queued in three community rooms
 * before the member pages, the request to the person on call and the member's answer both
 * arrive while the backlog is still being sent, and the backlog is still sent in full, each
 * room in its order. Order, not time: nothing here asserts how long anything took.
 */

const { env, bot, rand } = e2eScene();
const OAK = `oak-${rand}`;
const PER_ROOM = 50;

let running: RunningCarenet;
let amy: MatrixUser; // member who pages
let sam: MatrixUser; // staff, asked at the ladder's only step

beforeAll(async () => {
  [amy, sam] = await Promise.all(["amy", "sam"].map((n) => newUser(env, n)));
  running = await startCarenet(env, tempDir("priority"), {
    communities: [pagingCommunity(OAK, { staff: [sam.userId], escalation: [{ notify: "all_staff", wait: "10m" }] })],
    extraConfig: { sending: { concurrency: 1 } },
  });
  addMember(running, OAK, amy, sam);
});

afterAll(async () => {
  for (const u of [amy, sam]) await u?.stop();
  await running?.carenet.stop();
});

test("with a backlog of ordinary sends queued, a page's request and the member's answer arrive before the backlog drains", async () => {
  const app = running.carenet.app;
  const [amyDm, samDm] = await Promise.all([openBotDm(amy, bot), openBotDm(sam, bot)]);
  const rooms = (["community", "alumni", "staff"] as const).map((k) => app.rooms.get(OAK, k)!.roomId);
  const backlogLeft = () =>
    (running.carenet.db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending' AND dedupe_key LIKE 'backlog:%'").get() as { n: number }).n;

  // The backlog: ordinary notices, queued before the page, as a burst of replies would be.
  for (let i = 0; i < PER_ROOM; i++)
    for (const [r, roomId] of rooms.entries())
      app.effects.post(roomId, Message.of(`backlog ${r} ${i}`), `backlog:${r}:${i}`);
  const pageId = await amy.sendText(amyDm, "!page");

  await sam.waitForEvent(samDm, botSays(bot, "needs support and has paged"), 60_000);
  const leftWhenAsked = backlogLeft();
  await amy.waitForEvent(amyDm, botReplyTo(bot, pageId), 60_000);
  const leftWhenAnswered = backlogLeft();
  expect(leftWhenAsked).toBeGreaterThan(0);
  expect(leftWhenAnswered).toBeGreaterThan(0);

  // The backlog is still sent in full, each room's in the order it was queued.
  for (let i = 0; i < 1200 && backlogLeft() > 0; i++) await new Promise((r) => setTimeout(r, 100));
  expect(backlogLeft()).toBe(0);
  for (const r of rooms.keys()) {
    const sent = running.carenet.db
      .prepare("SELECT dedupe_key FROM outbox WHERE dedupe_key LIKE ? ORDER BY sent_at, id")
      .all(`backlog:${r}:%`) as Array<{ dedupe_key: string }>;
    expect(sent.map((s) => s.dedupe_key)).toEqual(Array.from({ length: PER_ROOM }, (_, i) => `backlog:${r}:${i}`));
  }
});
