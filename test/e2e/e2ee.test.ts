import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ENCRYPTION_SETTING } from "../../src/matrix/encryptedRooms";
import { RotaStore } from "../../src/features/rota/store/rota";
import { currentRightsText } from "../../src/features/communities/consent";
import type { LocalSynapse } from "../../tools/localSynapse";
import { registerUser } from "../../tools/localSynapse";
import { botUserId, CRISIS, startCarenet, testConfigYaml } from "./harness/carenet";
import { CarenetProcess } from "./harness/child";
import { EncryptingClient, type SeenEvent } from "./harness/encryptingClient";
import { startHomeserverForCarenet } from "./harness/homeserver";
import { pagingCommunity } from "./harness/paging";
import type { E2eEnv } from "./harness/paths";
import { loadRegistration } from "../../src/matrix/registration";

/**
 * carenet taking part in end-to-end encryption (`encryption.enabled`), on a Synapse that
 * encrypts every room, with members on matrix-js-sdk's Rust crypto — a real encrypting
 * client nobody here wrote. A member's `!help` and `!page` in their encrypted direct chat
 * are read and answered encrypted; the on-call peer's request arrives encrypted and their
 * client decrypts it; after a SIGKILL of carenet (its crypto store is what it wrote to disk
 * before acknowledging) the next encrypted `!page` is still read and answered.
 */

let synapse: LocalSynapse;
let env: E2eEnv;
let bot: string;
let dir: string;
let configPath: string;
let member: EncryptingClient;
let peer: EncryptingClient;
const processes: CarenetProcess[] = [];
const OAK = `oak-${randomBytes(3).toString("hex")}`;

const fromBot = (roomId: string) => (e: SeenEvent) => e.sender === bot && e.roomId === roomId && e.type === "m.room.message";
const replyTo = (roomId: string, eventId: string) => (e: SeenEvent) => fromBot(roomId)(e) && e.inReplyTo === eventId;

beforeAll(async () => {
  ({ synapse, env } = await startHomeserverForCarenet(
    "carenet-e2ee-",
    {
      extraConfig: {
        [ENCRYPTION_SETTING]: "all",
        experimental_features: { msc2409_to_device_messages_enabled: true, msc3202_transaction_extensions: true },
      },
    },
    { encryption: true },
  ));
  bot = botUserId(env);
  dir = mkdtempSync(path.join(tmpdir(), "carenet-e2ee-db-"));
  [member, peer] = await Promise.all([EncryptingClient.start(env, "amy"), EncryptingClient.start(env, "pat")]);
  const staff = await registerUser(env.hsUrl, env.sharedSecret, `sam-${randomBytes(3).toString("hex")}`);
  const community = pagingCommunity(OAK, { staff: [staff.userId], escalation: [{ notify: "on_call_peers", wait: "10m" }] });
  const dbPath = path.join(dir, "carenet.db");

  // The member and the peer belong to the community, and the peer is on call now (agreed
  // to the rights text, shift approved): seeded by carenet itself, run once without encryption.
  const seeding = await startCarenet(env, dir, { communities: [community], dbPath });
  const app = seeding.carenet.app;
  const c = seeding.config.communities[0];
  const now = Date.now();
  for (const u of [member.userId, peer.userId]) app.members.add({ communityId: OAK, userId: u, sponsor: staff.userId, addedBy: staff.userId }, now);
  app.consent.record(peer.userId, currentRightsText(app, c, CRISIS).version, "agreed", {}, now);
  new RotaStore(app.db).addOnce(
    { communityId: OAK, userId: peer.userId, role: "peer", proposedBy: peer.userId, agreed: true, approved: { by: staff.userId }, startMs: now - 60_000, endMs: now + 3 * 3600_000 },
    now,
  );
  expect(seeding.carenet.capabilities.onCall(OAK, Date.now()).peers).toEqual([peer.userId]);
  await seeding.carenet.stop();

  configPath = path.join(dir, "config.yaml");
  writeFileSync(
    configPath,
    testConfigYaml(env, dbPath, [community], { encryption: { enabled: true, key_file: "crypto-store.key", store: "crypto-store.sqlite" } }),
  );
}, 120_000);

afterAll(async () => {
  for (const p of processes) await p.kill("SIGKILL");
  await Promise.all([member?.stop(), peer?.stop()]);
  await synapse?.stop();
});

/** An m.room.encrypted event from the member whose megolm session carenet never received. */
async function sendUndecryptable(roomId: string): Promise<string> {
  const b64 = (n: number) => randomBytes(n).toString("base64").replace(/=+$/, "");
  const content = { algorithm: "m.megolm.v1.aes-sha2", ciphertext: b64(96), device_id: "NOKEY", sender_key: b64(32), session_id: b64(32) };
  const url = `${env.hsUrl}/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.encrypted/nokey-${randomBytes(4).toString("hex")}`;
  const res = await fetch(url, { method: "PUT", headers: { authorization: `Bearer ${member.accessToken}`, "content-type": "application/json" }, body: JSON.stringify(content) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { event_id: string }).event_id;
}

async function startCarenetProcess(): Promise<CarenetProcess> {
  const p = new CarenetProcess(configPath);
  processes.push(p);
  await p.ready(60_000);
  return p;
}

test("an encrypted !help and !page are read and answered encrypted; the on-call peer's request arrives encrypted; after SIGKILL the next !page is still read", async () => {
  const first = await startCarenetProcess();
  // /health (for the homeserver's token) says the device is ready and the encrypted rooms are no problem.
  const hsToken = loadRegistration(env.registrationPath, { localpart: "carenet" }).hs_token;
  const health = (await (await fetch(`http://127.0.0.1:${env.asPort}/health`, { headers: { authorization: `Bearer ${hsToken}` } })).json()) as {
    encryption: { device?: { deviceId: string; ready: boolean; problem?: string }; problem?: string };
  };
  expect(health.encryption.device).toEqual({ deviceId: "CARENET", ready: true });
  expect(health.encryption.problem).toBeUndefined();

  // The member opens a direct chat with carenet; the homeserver encrypts it.
  const dm = await member.createDm(bot);
  for (let i = 0; i < 200 && (await member.membership(dm, bot)) !== "join"; i++) await new Promise((r) => setTimeout(r, 100));
  expect(await member.membership(dm, bot)).toBe("join");
  expect(await member.isEncrypted(dm)).toBe(true);

  const help = await member.send(dm, "!help");
  const helpAnswer = await member.waitFor("the answer to !help", replyTo(dm, help));
  expect(helpAnswer).toMatchObject({ encrypted: true, undecryptable: false });
  expect(helpAnswer.body).toContain("!page");
  expect(helpAnswer.body).not.toContain("cannot read");

  const page = await member.send(dm, "!page");
  const pageAnswer = await member.waitFor("the answer to !page", replyTo(dm, page));
  expect(pageAnswer).toMatchObject({ encrypted: true, undecryptable: false });
  expect(pageAnswer.body).toContain("I hear you. I have asked");
  expect(pageAnswer.body).toContain(CRISIS);

  // The peer on call is asked in their own direct chat with carenet, encrypted too.
  const request = await peer.waitFor("the page request", (e) => e.sender === bot && (e.body ?? "").includes("needs support and has paged"));
  expect(request).toMatchObject({ encrypted: true, undecryptable: false, type: "m.room.message" });
  expect(request.body).toContain("You are asked as one of the peer supporters on call");

  // A message whose key never reaches carenet is still answered (encrypted), never met with silence.
  const unreadable = await sendUndecryptable(dm);
  const unreadableAnswer = await member.waitFor("the answer to a message carenet has no key for", replyTo(dm, unreadable));
  expect(unreadableAnswer).toMatchObject({ encrypted: true, undecryptable: false });
  expect(unreadableAnswer.body).toContain(CRISIS);
  expect(unreadableAnswer.body).toContain("I could not read your message");

  // Killed outright; the member pages again while carenet is down.
  expect(await first.kill("SIGKILL")).toBeNull();
  const again = await member.send(dm, "!page");
  await startCarenetProcess();
  const againAnswer = await member.waitFor("the answer to !page after the restart", replyTo(dm, again), 60_000);
  expect(againAnswer).toMatchObject({ encrypted: true, undecryptable: false });
  expect(againAnswer.body).toMatch(/still open \(page 1\)|paged again \(page 1\)/); // whether or not the peer has come yet

  // And the next one, with carenet running again.
  const next = await member.send(dm, "!page");
  const nextAnswer = await member.waitFor("the answer to the next !page", replyTo(dm, next));
  expect(nextAnswer).toMatchObject({ encrypted: true, undecryptable: false });
  expect(nextAnswer.body).toMatch(/still open \(page 1\)|paged again \(page 1\)/); // whether or not the peer has come yet

  // Nothing was answered with "cannot read": every message reached carenet in clear.
  expect(member.seen.filter((e) => e.sender === bot && (e.body ?? "").includes("cannot read"))).toEqual([]);
}, 240_000);

test("the crypto store and its key are carenet's alone, and the store holds no readable ids", () => {
  for (const f of ["crypto-store.key", "crypto-store.sqlite"]) expect(statSync(path.join(dir, f)).mode & 0o777).toBe(0o600);
  expect(statSync(path.join(dir, "crypto-store.key")).size).toBe(32);
  // The store and its write-ahead log (where a running carenet's latest writes are).
  const files = ["crypto-store.sqlite", "crypto-store.sqlite-wal"].map((f) => path.join(dir, f)).filter((f) => existsSync(f));
  const raw = files.map((f) => readFileSync(f).toString("latin1")).join("");
  expect(raw.length).toBeGreaterThan(10_000);
  for (const text of [member.userId, peer.userId, "localhost", "megolm", "m.room"]) expect(raw).not.toContain(text);
});
