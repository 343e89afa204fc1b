import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { botReplyTo, newUser, startCarenet, type RunningCarenet, e2eScene, tempDir, addMember, openBotDm } from "../e2e/harness/carenet";
import type { MatrixUser } from "../e2e/harness/matrixUser";
import { waitUntil } from "../e2e/harness/child";
import { botSays, supportInvite, pagingCommunity } from "../e2e/harness/paging";

/**
 * Fault area "erasure": what carenet deletes leaves the file. A page note shown in the
 * support room (then deleted), a plain message in a DM (its content cleared once handled)
 * and check-in notes erased by `!forgetme confirm` are absent from carenet.db and its
 * write-ahead log while it runs and after a restart, and from a backup made afterwards.
 */

const { env, bot, rand } = e2eScene();
const dir = tempDir("faults-erasure");
const dbPath = path.join(dir, "carenet.db");
const OAK = `oak${rand}`;
const NOTE_MARKER = `NOTEMARK${randomBytes(6).toString("hex")}`;
const DM_MARKER = `DMTEXTMARK${randomBytes(6).toString("hex")}`;
const CHECKIN_MARKER = `CHECKINMARK${randomBytes(6).toString("hex")}`;

let running: RunningCarenet;
let amy: MatrixUser;
let sam: MatrixUser;
let dm: string;

const communities = () => [{ ...pagingCommunity(OAK, { staff: [sam.userId], escalation: [{ notify: "all_staff", wait: "10m" }] }), checkins: [{ id: "evening", at: "20:00", prompt: "How are you?" }] }];

function fileBytes(): Buffer {
  return Buffer.concat([dbPath, `${dbPath}-wal`].filter(existsSync).map((f) => readFileSync(f)));
}

async function command(roomId: string, text: string): Promise<string> {
  const id = await amy.sendText(roomId, text);
  return String((await amy.waitForEvent(roomId, botReplyTo(bot, id), 30_000)).content.body);
}

beforeAll(async () => {
  [amy, sam] = await Promise.all([newUser(env, "amy"), newUser(env, "sam")]);
  running = await startCarenet(env, dir, { dbPath, communities: communities() });
  addMember(running, OAK, amy, sam);
  dm = await openBotDm(amy, bot, 30_000);
});

afterAll(async () => {
  for (const u of [amy, sam]) await u?.stop();
  await running?.carenet.stop();
});

it("a page note, once shown in the support room, is gone from the database and its log", async () => {
  expect(await command(dm, `!page ${NOTE_MARKER} please come`)).toContain("I hear you. I have asked");
  const supportRoom = await supportInvite(amy);
  await amy.joinRoom(supportRoom);
  await amy.waitForEvent(supportRoom, botSays(bot, NOTE_MARKER), 30_000);
  await waitUntil("the note is gone from the file", () => !fileBytes().includes(NOTE_MARKER), 15_000);
  // Staff close the page, so the member may ask to be forgotten below.
  const samInvite = await supportInvite(sam);
  await sam.joinRoom(samInvite);
  const resolve = await sam.sendText(samInvite, "!resolve 1");
  await sam.waitForEvent(samInvite, botReplyTo(bot, resolve), 30_000);
  await waitUntil("the page is closed", () => (running.carenet.db.prepare("SELECT status FROM pages WHERE id = 1").get() as { status: string }).status === "resolved", 15_000);
});

it("a plain message in a DM is gone once handled", async () => {
  await amy.sendText(dm, `${DM_MARKER} just saying hello`);
  await amy.waitForEvent(dm, botSays(bot, "To reach a person now"), 30_000);
  await waitUntil("the DM text is gone from the file", () => !fileBytes().includes(DM_MARKER), 15_000);
});

it("check-in notes erased by !forgetme confirm are gone, also after a restart and from a backup made then", async () => {
  expect(await command(dm, "!consent agree")).toContain("I have recorded that you agree");
  expect(await command(dm, `!checkin 2 ${CHECKIN_MARKER}`)).toContain("I have recorded 2");
  const ask = await command(dm, "!forgetme");
  if (!/confirm/.test(ask)) throw new Error(`!forgetme did not ask for confirmation: ${ask}`);
  const done = await command(dm, "!forgetme confirm");
  expect(done).not.toMatch(/page.*open/i);
  await waitUntil("the check-in note is gone from the file", () => !fileBytes().includes(CHECKIN_MARKER), 15_000);

  await running.carenet.stop();
  running = await startCarenet(env, dir, { dbPath, communities: communities() });
  for (const marker of [NOTE_MARKER, DM_MARKER, CHECKIN_MARKER]) expect([marker, fileBytes().includes(marker)]).toEqual([marker, false]);
  const backup = path.join(dir, "backup.db");
  await running.carenet.db.backup(backup);
  const b = readFileSync(backup);
  for (const marker of [NOTE_MARKER, DM_MARKER, CHECKIN_MARKER]) expect([marker, b.includes(marker)]).toEqual([marker, false]);
});
