import { botReactionTo, botReplyTo, newUser, openBotDm, relatesTo, startCarenet, type RunningCarenet, e2eScene, tempDir } from "./harness/carenet";
import type { MatrixUser } from "./harness/matrixUser";

/**
 * The outbox sends to many rooms at once (sending.concurrency) and one message at a time
 * per room: twenty members sending three commands each at the same moment all get every
 * answer, each in the order of their commands, and every ✅.
 */

const { env, bot } = e2eScene();
const MEMBERS = 20;
const COMMANDS = ["!help", "!help page", "!help ack"];

let running: RunningCarenet;
let people: MatrixUser[] = [];
let dms: string[] = [];

beforeAll(async () => {
  running = await startCarenet(env, tempDir("sending"), { extraConfig: { sending: { concurrency: 4 } } });
  people = await Promise.all(Array.from({ length: MEMBERS }, (_, i) => newUser(env, `m${i}`)));
  dms = await Promise.all(people.map((p) => openBotDm(p, bot)));
});

afterAll(async () => {
  for (const p of people) await p.stop();
  await running?.carenet.stop();
});

test("replies to twenty members at once all arrive, each room's in the order of its commands, with every ✅", async () => {
  // Everyone at once; each person's commands one after another, as a person types them.
  const sent = await Promise.all(
    people.map(async (p, i) => {
      const ids: string[] = [];
      for (const c of COMMANDS) ids.push(await p.sendText(dms[i], c));
      return ids;
    }),
  );
  await Promise.all(
    people.map(async (p, i) => {
      for (const id of sent[i]) {
        await p.waitForEvent(dms[i], botReplyTo(bot, id), 60_000);
        await p.waitForEvent(dms[i], botReactionTo(bot, id), 60_000);
      }
    }),
  );
  for (const [i, p] of people.entries()) {
    // The room's timeline as the person's client shows it: the answers in the order asked.
    const answered = p
      .eventsSoFar(dms[i])
      .filter((ev) => ev.sender === bot && ev.type === "m.room.message" && relatesTo(ev)?.["m.in_reply_to"])
      .map((ev) => relatesTo(ev)!["m.in_reply_to"]!.event_id);
    expect(answered).toEqual(sent[i]);
  }
  expect(running.carenet.app.outbox.countByState()).toMatchObject({ sent: expect.any(Number) });
  expect(running.carenet.app.outbox.pendingStats().pending).toBe(0);
});
