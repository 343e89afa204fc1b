import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Message } from "../../src/messaging/message";
import { findFreePort, startLocalSynapse, type LocalSynapse } from "../../tools/localSynapse";
import { generateRegistration, registrationToYaml } from "../../src/matrix/registration";
import { botUserId, newUser, startCarenet, type RunningCarenet } from "./harness/carenet";
import { waitUntil } from "./harness/child";
import type { MatrixUser } from "./harness/matrixUser";
import type { E2eEnv } from "./harness/paths";

/**
 * The one test against Synapse's real rate limits (every other test raises them). Even
 * with `rate_limited: true` in the registration, Synapse 1.163 does not throttle the
 * appservice's own sender (observed here: a normal user's 10th message in a burst gets a
 * 429, the bot's 13 do not), so a burst larger than a user's allowance reaches the member
 * in full, once each, in order. carenet's handling of a 429 (waiting retry_after_ms, never
 * giving up) is covered against a scripted homeserver in the outbox and scheduler unit tests.
 */

let synapse: LocalSynapse;
let env: E2eEnv;
let running: RunningCarenet | undefined;
let alice: MatrixUser | undefined;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "carenet-ratelimits-"));
  const asPort = await findFreePort();
  const registrationPath = path.join(dir, "registration.yaml");
  const registration = { ...generateRegistration({ url: `http://127.0.0.1:${asPort}`, domain: "localhost", localpart: "carenet" }), rate_limited: true };
  writeFileSync(registrationPath, registrationToYaml(registration));
  synapse = await startLocalSynapse({ dir: path.join(dir, "synapse"), registrationFiles: [registrationPath], realRateLimits: true });
  env = { dir, hsUrl: synapse.url, serverName: synapse.serverName, sharedSecret: synapse.sharedSecret, asPort, registrationPath };
});

afterAll(async () => {
  await alice?.stop();
  await running?.carenet.stop();
  await synapse?.stop();
});

test("with real limits, a burst beyond a person's allowance from carenet arrives in full, once each, in order; the same burst from a person is throttled", async () => {
  running = await startCarenet(env, env.dir);
  alice = await newUser(env, "alice");
  const bot = botUserId(env);
  const dm = await alice.createDm(bot);
  await alice.waitForEvent(dm, (ev) => ev.sender === bot && ev.type === "m.room.message"); // the welcome

  // Synapse's default rc_message allows a burst of 10, then one message every 5 s.
  const COUNT = 13;
  running.carenet.app.atomically(() => {
    for (let i = 1; i <= COUNT; i++) running!.carenet.app.effects.post(dm, Message.of(`burst ${i}`), `burst:${i}`);
  });
  await waitUntil(
    "alice saw the whole burst",
    () => alice!.eventsSoFar(dm).filter((ev) => ev.sender === bot && String(ev.content.body).startsWith("burst ")).length >= COUNT,
    90_000,
  );
  const bodies = alice.eventsSoFar(dm).filter((ev) => ev.sender === bot && String(ev.content.body).startsWith("burst ")).map((ev) => ev.content.body);
  expect(bodies).toEqual(Array.from({ length: COUNT }, (_, i) => `burst ${i + 1}`));
  expect(running.carenet.app.outbox.countByState()).not.toHaveProperty("failed");

  // The limits are real: the same burst from a person is cut off by the homeserver.
  const statuses: number[] = [];
  for (let i = 0; i < COUNT; i++) {
    statuses.push(await alice.sendText(dm, `person ${i}`).then(() => 200, (err: { status?: number; statusCode?: number }) => err.status ?? err.statusCode ?? 0));
  }
  expect(statuses).toContain(429);
}, 180_000);
