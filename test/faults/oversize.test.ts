import { botReactionTo, botReplyTo, newUser, startCarenet, type RunningCarenet, e2eScene, tempDir, addMember, openBotDm } from "../e2e/harness/carenet";
import type { MatrixEvent, MatrixUser } from "../e2e/harness/matrixUser";
import { botSays, supportInvite, pagingCommunity } from "../e2e/harness/paging";

/**
 * Fault area "oversize": messages that would not fit Synapse's 64 KiB event limit. A page
 * note of about 60 KB and a later short note both reach the support room (the long one in
 * parts, in order); unknown commands of 14,000 '<' or 60,000 letters get an answer, not
 * only ⛔.
 */

const { env, bot, rand } = e2eScene();
const dir = tempDir("faults-oversize");
const OAK = `oak${rand}`;

let running: RunningCarenet;
let amy: MatrixUser;
let sam: MatrixUser;
let dm: string;

beforeAll(async () => {
  [amy, sam] = await Promise.all([newUser(env, "amy"), newUser(env, "sam")]);
  running = await startCarenet(env, dir, { communities: [pagingCommunity(OAK, { staff: [sam.userId], escalation: [{ notify: "all_staff", wait: "10m" }] })] });
  addMember(running, OAK, amy, sam);
  dm = await openBotDm(amy, bot, 30_000);
});

afterAll(async () => {
  for (const u of [amy, sam]) await u?.stop();
  await running?.carenet.stop();
});

const bodyOf = (ev: MatrixEvent) => String(ev.content.body ?? "");

it("a 60 KB page note and a later short note both reach the support room, in order", async () => {
  const words = Array.from({ length: 7000 }, (_, i) => `n${String(i).padStart(5, "0")}`);
  const note = words.join(" ").slice(0, 58_000); // about 60 KB with the command around it
  const last = note.match(/n\d{5}/g)!.pop()!;
  const cmd = await amy.sendText(dm, `!page ${note}`);
  expect(bodyOf(await amy.waitForEvent(dm, botReplyTo(bot, cmd), 30_000))).toContain("I hear you. I have asked");
  const room = await supportInvite(amy);
  await amy.joinRoom(room);
  const later = await amy.sendText(dm, "!page and-a-short-note-after-it");
  await amy.waitForEvent(dm, botReplyTo(bot, later), 30_000);
  await amy.waitForEvent(room, botSays(bot, "and-a-short-note-after-it"), 60_000);
  const said = amy.eventsSoFar(room).filter((ev) => ev.sender === bot && ev.type === "m.room.message").map(bodyOf);
  const seen = said.join(" ").match(/n\d{5}/g)!;
  expect(seen).toEqual(note.match(/n\d{5}/g)!); // every word, once, in order
  expect(said.findIndex((b) => b.includes("and-a-short-note-after-it"))).toBeGreaterThan(said.findIndex((b) => b.includes(last)));
});

it.each([
  ["14,000 '<'", `!${"<".repeat(14_000)}`],
  ["60,000 letters", `!${"a".repeat(60_000)}`],
])("an unknown command of %s gets an answer, not only ⛔", async (_name, text) => {
  const cmd = await amy.sendText(dm, text);
  await amy.waitForEvent(dm, botReactionTo(bot, cmd), 30_000);
  const reply = await amy.waitForEvent(dm, botReplyTo(bot, cmd), 30_000);
  expect(bodyOf(reply).length).toBeGreaterThan(0);
});
