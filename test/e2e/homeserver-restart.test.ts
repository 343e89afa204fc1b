import type { LocalSynapse } from "../../tools/localSynapse";
import { botReplyTo, botUserId, newUser, startCarenet, type RunningCarenet } from "./harness/carenet";
import { startHomeserverForCarenet } from "./harness/homeserver";
import type { MatrixUser } from "./harness/matrixUser";
import type { E2eEnv } from "./harness/paths";

// This test restarts its homeserver, so it has a Synapse of its own.
let synapse: LocalSynapse;
let env: E2eEnv;
let running: RunningCarenet | undefined;
let alice: MatrixUser | undefined;

beforeAll(async () => {
  ({ synapse, env } = await startHomeserverForCarenet("carenet-hs-restart-"));
});

afterAll(async () => {
  alice?.stop();
  await running?.carenet.stop();
  await synapse?.stop();
});

test("after the homeserver restarts and reuses transaction ids, new commands are still answered", async () => {
  running = await startCarenet(env, env.dir);
  alice = await newUser(env, "alice");
  const dm = await alice.createDm(botUserId(env));
  await alice.waitForEvent(dm, (ev) => ev.sender === botUserId(env) && ev.type === "m.room.message");
  const before = await alice.sendText(dm, "!help");
  await alice.waitForEvent(dm, botReplyTo(botUserId(env), before));

  // Synapse on SQLite numbers appservice transactions from the highest one still pending,
  // so after a restart it starts again from ids carenet has already seen.
  await synapse.restart();
  const after = await alice.sendText(dm, "!help");
  const reply = await alice.waitForEvent(dm, botReplyTo(botUserId(env), after), 30_000);
  expect(String(reply.content.body)).toContain("If you need support right now:");
});
