import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ENCRYPTION_SETTING } from "../../src/matrix/encryptedRooms";
import type { LocalSynapse } from "../../tools/localSynapse";
import { botReactionTo, botReplyTo, botUserId, CRISIS, newUser, startCarenet, type RunningCarenet } from "./harness/carenet";
import { sleep } from "./harness/child";
import { startHomeserverForCarenet } from "./harness/homeserver";
import type { MatrixEvent, MatrixUser } from "./harness/matrixUser";
import { body, botSays, supportInvite, pagingCommunity } from "./harness/paging";
import type { E2eEnv } from "./harness/paths";
import { loadRegistration } from "../../src/matrix/registration";

/**
 * A homeserver that encrypts every new room (`encryption_enabled_by_default_for_room_type:
 * all`), as many that hold health conversations do. carenet cannot read encrypted messages,
 * so it must never be silent: every encrypted message is answered (crisis resources first),
 * a reaction in a member's encrypted direct chat pages, the homeserver setting is named in
 * the log and in /health, and staff are told once.
 *
 * The test users send what Element sends in an encrypted room — an m.room.encrypted event
 * (megolm, opaque ciphertext) — without real crypto: carenet receives exactly that either way.
 */

let synapse: LocalSynapse;
let env: E2eEnv;
let bot: string;
let dir: string;
let running: RunningCarenet | undefined;
let alice: MatrixUser; // member
let sam: MatrixUser; // staff
let bob: MatrixUser; // another member
const OAK = `oak-${randomBytes(3).toString("hex")}`;
let community: ReturnType<typeof pagingCommunity>;

function encrypted(): Record<string, unknown> {
  return {
    algorithm: "m.megolm.v1.aes-sha2",
    ciphertext: randomBytes(96).toString("base64").replace(/=+$/, ""),
    device_id: "ELEMENTWEB",
    sender_key: randomBytes(32).toString("base64").replace(/=+$/, ""),
    session_id: randomBytes(32).toString("base64").replace(/=+$/, ""),
  };
}

const saysCannotRead = (ev: MatrixEvent) => ev.sender === bot && ev.type === "m.room.message" && body(ev).includes("cannot read");

async function health(): Promise<{ ok: boolean; encryption?: { homeserverEncryptsNewRooms: boolean; encryptedRooms: number; problem?: string } }> {
  // The details (encryption among them) are for the homeserver's token only.
  const hsToken = loadRegistration(env.registrationPath, { localpart: "carenet" }).hs_token;
  const res = await fetch(`http://127.0.0.1:${env.asPort}/health`, { headers: { authorization: `Bearer ${hsToken}` } });
  return (await res.json()) as never;
}

beforeAll(async () => {
  ({ synapse, env } = await startHomeserverForCarenet("carenet-encryption-", { extraConfig: { [ENCRYPTION_SETTING]: "all" } }));
  bot = botUserId(env);
  dir = mkdtempSync(path.join(tmpdir(), "carenet-encryption-db-"));
  [alice, sam, bob] = await Promise.all([newUser(env, "alice"), newUser(env, "sam"), newUser(env, "bob")]);
  community = pagingCommunity(OAK, { staff: [sam.userId], escalation: [{ notify: "all_staff", wait: "10m" }] });
  running = await startCarenet(env, dir, { communities: [community] });
  for (const member of [alice, bob]) running.carenet.app.members.add({ communityId: OAK, userId: member.userId, sponsor: sam.userId, addedBy: sam.userId }, Date.now());
});

afterAll(async () => {
  for (const u of [alice, sam, bob]) await u?.stop();
  await running?.carenet.stop();
  await synapse?.stop();
});

test("the rooms carenet creates are encrypted by this homeserver: the log names the setting, /health says it, staff are told once", async () => {
  const app = running!.carenet.app;
  const staffRoom = app.rooms.get(OAK, "staff")!.roomId;
  // What the homeserver did to the rooms carenet asked for unencrypted (there is no way to opt out).
  await sam.waitForInvite((inv) => inv.roomId === staffRoom);
  await sam.joinRoom(staffRoom);
  expect(await sam.getState(staffRoom, "m.room.encryption")).toMatchObject({ algorithm: "m.megolm.v1.aes-sha2" });

  const errorLine = running!.logs.records.find((l) => l.level === 50 && String(l.msg).includes(ENCRYPTION_SETTING));
  expect(errorLine).toBeDefined();
  expect(errorLine).toMatchObject({ setting: ENCRYPTION_SETTING, encryptedRooms: 4 });

  const report = await health();
  expect(report.ok).toBe(true); // carenet still works (and answers); it is not a reason to restart it
  expect(report.encryption).toMatchObject({ homeserverEncryptsNewRooms: true, encryptedRooms: 4 });
  expect(report.encryption?.problem).toContain(ENCRYPTION_SETTING);

  const notice = await sam.waitForEvent(staffRoom, botSays(bot, "carenet cannot read these rooms"));
  expect(body(notice)).toContain(`${ENCRYPTION_SETTING}: off`);
  expect(body(notice)).toContain("encrypted by the homeserver when carenet created it");

  // A restart reads the rooms back again and logs it again, but staff were told already.
  await running!.carenet.stop();
  running = await startCarenet(env, dir, { communities: [community] });
  expect(running.logs.records.some((l) => l.level === 50 && String(l.msg).includes(ENCRYPTION_SETTING))).toBe(true);
  expect((await health()).encryption).toMatchObject({ homeserverEncryptsNewRooms: true });
  await sleep(1500);
  expect(sam.eventsSoFar(staffRoom).filter(botSays(bot, "carenet cannot read these rooms"))).toHaveLength(1);
});

test("an encrypted message in a member's direct chat is answered within 5 s with the crisis resources; a reaction to the answer pages", async () => {
  const dm = await alice.createDm(bot);
  expect(await alice.getState(dm, "m.room.encryption")).toMatchObject({ algorithm: "m.megolm.v1.aes-sha2" });
  const welcome = await alice.waitForEvent(dm, (ev) => ev.sender === bot && ev.type === "m.room.message");
  expect(body(welcome)).toContain("This chat is end-to-end encrypted");
  expect(body(welcome)).toContain(CRISIS);

  // What Element sends for "!page" in this chat: carenet cannot read it.
  const sentAt = Date.now();
  const message = await alice.sendEvent(dm, "m.room.encrypted", encrypted());
  const answer = await alice.waitForEvent(dm, botReplyTo(bot, message));
  const tookMs = Date.now() - sentAt;
  expect(tookMs).toBeLessThan(5000);
  expect(answer.content.msgtype).toBe("m.notice");
  expect(body(answer).startsWith("If you need support right now:")).toBe(true);
  expect(body(answer)).toContain(CRISIS);
  expect(body(answer)).toContain("carenet cannot read encrypted messages yet");
  expect(body(answer)).toContain("react to this message");
  console.log(`encrypted message answered in ${tookMs} ms`);

  // Again at once: no second answer (the rate limit), but a 🔒 shows it was seen.
  const second = await alice.sendEvent(dm, "m.room.encrypted", encrypted());
  const lock = await alice.waitForEvent(dm, botReactionTo(bot, second));
  expect(lock.content["m.relates_to"].key).toBe("🔒");
  await sleep(1000);
  expect(alice.eventsSoFar(dm).filter(saysCannotRead).filter((ev) => ev.event_id !== welcome.event_id)).toHaveLength(1);

  // One tap: a reaction (not encrypted, as Element sends it) to the answer pages.
  await alice.react(dm, answer.event_id, "🆘");
  const opened = await alice.waitForEvent(dm, botSays(bot, "I hear you"));
  expect(body(opened)).toContain(CRISIS);
  const page = running!.carenet.db.prepare("SELECT id, support_room_id FROM pages WHERE member = ?").get(alice.userId) as { id: number } | undefined;
  expect(page).toBeDefined();

  // The support room is encrypted too: a member's encrypted message there is answered, and the staff asked are woken.
  const supportRoom = await supportInvite(alice);
  await alice.joinRoom(supportRoom);
  await sam.joinRoom(await supportInvite(sam));
  const inSupport = await alice.sendEvent(supportRoom, "m.room.encrypted", encrypted());
  const told = await sam.waitForEvent(supportRoom, botReplyTo(bot, inSupport));
  // It leads with the support block, after the names of the peers it wakes ("Sam: …").
  const lead = body(told).indexOf("If you need support right now:");
  expect(lead).toBeGreaterThanOrEqual(0);
  expect(body(told).slice(0, lead)).toMatch(/^(.+: )?$/);
  expect(body(told)).toContain("Peers: you can read it in your own app");
  expect(told.content["m.mentions"]).toEqual({ user_ids: [sam.userId] });
});

test("an encrypted command in the staff room is answered too, and a reaction there pages nobody", async () => {
  const staffRoom = running!.carenet.app.rooms.get(OAK, "staff")!.roomId;
  const message = await sam.sendEvent(staffRoom, "m.room.encrypted", encrypted());
  const answer = await sam.waitForEvent(staffRoom, botReplyTo(bot, message));
  expect(body(answer)).toContain("staff commands sent here do not reach me");
  expect(body(answer)).toContain(CRISIS);
  const pagesBefore = (running!.carenet.db.prepare("SELECT COUNT(*) AS n FROM pages").get() as { n: number }).n;
  await sam.react(staffRoom, answer.event_id, "🆘");
  await sleep(1500);
  expect((running!.carenet.db.prepare("SELECT COUNT(*) AS n FROM pages").get() as { n: number }).n).toBe(pagesBefore);
});

test("a member who has not written yet can page with one reaction to carenet's welcome in their encrypted chat", async () => {
  const dm = await bob.createDm(bot);
  const welcome = await bob.waitForEvent(dm, botSays(bot, "This chat is end-to-end encrypted"));
  await bob.react(dm, welcome.event_id, "🆘");
  const opened = await bob.waitForEvent(dm, botSays(bot, "I hear you"));
  expect(body(opened)).toContain(CRISIS);
  expect(running!.carenet.db.prepare("SELECT COUNT(*) AS n FROM pages WHERE member = ?").get(bob.userId)).toEqual({ n: 1 });
});
