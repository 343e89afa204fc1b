import { fork } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
// Measures the snapshot as members are added. Run from the repository after `npx tsc -p tsconfig.json` (it uses the test harness's Synapse
// from dist/) and `npm install` in this folder: `node spikes/e2ee/roundtrip.mjs`.
const require = createRequire(import.meta.url);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");
const { startLocalSynapse, findFreePort, registerUser } = require(`${ROOT}/dist/tools/localSynapse.js`);
const { generateRegistration, registrationToYaml } = require(`${ROOT}/dist/src/matrix/registration.js`);
// The member: matrix-js-sdk with its own Rust crypto (wasm), an encrypting client nobody here wrote.
const sdkc = await import("matrix-js-sdk");
const { logger: jsLogger } = await import("matrix-js-sdk/lib/logger.js"); jsLogger.setLevel?.("error");
const log = (...a) => console.log(new Date().toISOString().slice(11, 23), ...a);
const dir = mkdtempSync(path.join(tmpdir(), "e2ee-spike3-"));
const asPort = await findFreePort();
const reg = { ...generateRegistration({ url: `http://127.0.0.1:${asPort}`, domain: "localhost", localpart: "carenet" }),
  receive_ephemeral: true, "de.sorunome.msc2409.push_ephemeral": true, "org.matrix.msc3202": true, "io.element.msc4190": true };
const regPath = path.join(dir, "registration.yaml");
writeFileSync(regPath, registrationToYaml(reg));
const synapse = await startLocalSynapse({ dir: path.join(dir, "synapse"), registrationFiles: [regPath], extraConfig: {
  encryption_enabled_by_default_for_room_type: "all",
  experimental_features: { msc2409_to_device_messages_enabled: true, msc3202_transaction_extensions: true } } });
const BOT = "@carenet:localhost";
await fetch(`${synapse.url}/_matrix/client/v3/register`, { method: "POST", headers: { authorization: `Bearer ${reg.as_token}`, "content-type": "application/json" }, body: JSON.stringify({ type: "m.login.application_service", username: "carenet", inhibit_login: true }) });
const storeFile = path.join(dir, process.env.STORE === "sqlite" ? "crypto-store.sqlite" : "crypto-store.bin");
const keyFile = path.join(dir, "crypto-store.key");
const startBot = () => fork(path.join(HERE, "botproc.mjs"), [synapse.url, reg.as_token, String(asPort), storeFile, keyFile], { stdio: "inherit" });
let child = startBot();

// Scale: N members (env MEMBERS, default 8), each in an encrypted direct chat, each sends one message.
const N = Number(process.env.MEMBERS ?? 8);
const clients = [];
for (let i = 0; i < N; i++) {
  const u = await registerUser(synapse.url, synapse.sharedSecret, `m${i}-${randomBytes(3).toString("hex")}`);
  const client = sdkc.createClient({ baseUrl: synapse.url, userId: u.userId, accessToken: u.accessToken, deviceId: u.deviceId });
  await client.initRustCrypto({ useIndexedDB: false });
  const answers = [];
  client.on(sdkc.MatrixEventEvent.Decrypted, (ev) => { if (ev.getSender() === BOT) answers.push(ev.getContent().body); });
  await client.startClient({ initialSyncLimit: 10 });
  await new Promise((r) => client.once(sdkc.ClientEvent.Sync, r));
  clients.push({ client, answers });
}
const until = async (what, f, ms = 60000) => { const end = Date.now() + ms; while (Date.now() < end) { const v = f(); if (v) return v; await new Promise((r) => setTimeout(r, 100)); } throw new Error(`timed out: ${what}`); };
await new Promise((r) => setTimeout(r, 3000));
const t = Date.now();
await Promise.all(clients.map(async ({ client, answers }, i) => {
  const { room_id: dm } = await client.createRoom({ is_direct: true, preset: "trusted_private_chat", invite: [BOT] });
  await until("bot join", () => client.getRoom(dm)?.getMember(BOT)?.membership === "join");
  await client.sendTextMessage(dm, `!page from ${i}`);
  await until(`answer ${i}`, () => answers.includes(`answer to !page from ${i}`));
}));
const { statSync } = await import("node:fs");
log(`${N} members answered in ${Date.now() - t} ms; store ${statSync(storeFile).size} bytes`);
await new Promise((r) => setTimeout(r, 1200));
for (const { client } of clients) client.stopClient();
child.kill("SIGKILL"); await synapse.stop(); process.exit(0);
