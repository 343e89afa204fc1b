import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { generateRegistration, registrationToYaml } from "../../src/matrix/registration";
import { findFreePort, startLocalSynapse, type LocalSynapse } from "../../tools/localSynapse";
import { botUserId, newUser, startCarenet, type RunningCarenet } from "./harness/carenet";
import type { MatrixEvent, MatrixUser } from "./harness/matrixUser";
import type { E2eEnv } from "./harness/paths";

// This test restarts its homeserver, so it has a Synapse of its own.
let synapse: LocalSynapse;
let env: E2eEnv;
let running: RunningCarenet | undefined;
let alice: MatrixUser | undefined;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "carenet-hs-restart-"));
  const asPort = await findFreePort();
  const registrationPath = path.join(dir, "registration.yaml");
  writeFileSync(
    registrationPath,
    registrationToYaml(generateRegistration({ url: `http://127.0.0.1:${asPort}`, domain: "localhost", localpart: "carenet" })),
  );
  synapse = await startLocalSynapse({ dir: path.join(dir, "synapse"), registrationFiles: [registrationPath], persistentDb: true });
  env = { dir, hsUrl: synapse.url, serverName: synapse.serverName, sharedSecret: synapse.sharedSecret, asPort, registrationPath };
});

afterAll(async () => {
  alice?.stop();
  await running?.carenet.stop();
  await synapse?.stop();
});

const replyTo = (eventId: string) => (ev: MatrixEvent) =>
  ev.sender === botUserId(env) &&
  (ev.content as { "m.relates_to"?: { "m.in_reply_to"?: { event_id?: string } } })["m.relates_to"]?.["m.in_reply_to"]?.event_id === eventId;

test("after the homeserver restarts and reuses transaction ids, new commands are still answered", async () => {
  running = await startCarenet(env, env.dir);
  alice = await newUser(env, "alice");
  const dm = await alice.createDm(botUserId(env));
  await alice.waitForEvent(dm, (ev) => ev.sender === botUserId(env) && ev.type === "m.room.message");
  const before = await alice.sendText(dm, "!help");
  await alice.waitForEvent(dm, replyTo(before));

  // Synapse on SQLite numbers appservice transactions from the highest one still pending,
  // so after a restart it starts again from ids carenet has already seen.
  await synapse.restart();
  const after = await alice.sendText(dm, "!help");
  const reply = await alice.waitForEvent(dm, replyTo(after), 30_000);
  expect(String(reply.content.body)).toContain("If you need support right now:");
});
