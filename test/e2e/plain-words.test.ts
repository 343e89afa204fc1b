import { botReplyTo, CRISIS, newUser, startCarenet, type RunningCarenet, e2eScene, tempDir, addMember } from "./harness/carenet";
import type { MatrixUser } from "./harness/matrixUser";
import { body, botSays, pagingCommunity } from "./harness/paging";

/**
 * Plain words lead to a person: whatever someone writes to carenet that is not a command,
 * the first line of the answer is how to reach a person now (`!page`); `!sos` and the
 * other words people reach for open a page exactly as `!page` does.
 */

const { env, bot, rand, openDm } = e2eScene();
const OAK = `words-${rand}`;
const WORDS = `i can't do this anymore ${rand}`;

let running: RunningCarenet;
let amy: MatrixUser, sam: MatrixUser;
let amyDm: string, samDm: string;

beforeAll(async () => {
  [amy, sam] = await Promise.all(["amy", "sam"].map((n) => newUser(env, n)));
  running = await startCarenet(env, tempDir("words"), {
    communities: [pagingCommunity(OAK, { staff: [sam.userId], escalation: [{ notify: "all_staff", wait: "30m" }] })],
  });
  addMember(running, OAK, amy, sam);
  [amyDm, samDm] = await Promise.all([openDm(amy), openDm(sam)]);
});

afterAll(async () => {
  for (const u of [amy, sam]) await u?.stop();
  await running?.carenet.stop();
});

test("plain words in the DM get !page in the first line, then the crisis resources, then !help; nothing of them is kept or logged", async () => {
  const sent = await amy.sendText(amyDm, WORDS);
  const reply = await amy.waitForEvent(amyDm, botReplyTo(bot, sent));
  const lines = body(reply).split("\n");
  expect(lines[0]).toContain("send !page");
  expect(String(reply.content.formatted_body)).toContain("<code>!page</code>");
  expect(body(reply).indexOf(CRISIS)).toBeGreaterThan(0);
  expect(body(reply).indexOf("!help for everything else")).toBeGreaterThan(body(reply).indexOf(CRISIS));
  expect(body(reply)).not.toContain("anymore");
  // Plain words open no page by themselves, and leave no trace.
  expect(running.carenet.db.prepare("SELECT COUNT(*) AS n FROM pages").get()).toEqual({ n: 0 });
  expect(running.logs.text).not.toContain("anymore");
  const db = running.carenet.db;
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((t) => t.name);
  for (const table of tables) expect(JSON.stringify(db.prepare(`SELECT * FROM "${table}"`).all())).not.toContain(`anymore ${rand}`);
});

test("!sos opens a page exactly as !page does; !help me joins it", async () => {
  const sos = await amy.sendText(amyDm, "!sos");
  const opened = await amy.waitForEvent(amyDm, botReplyTo(bot, sos));
  expect(body(opened)).toMatch(/^I hear you\..*\(page 1\)/);
  expect(body(opened)).toContain(CRISIS);
  await sam.waitForEvent(samDm, botSays(bot, "needs support and has paged"));
  const helpMe = await amy.sendText(amyDm, "!help me");
  expect(body(await amy.waitForEvent(amyDm, botReplyTo(bot, helpMe)))).toContain("Your page is still open (page 1)");
  expect(running.carenet.db.prepare("SELECT COUNT(*) AS n FROM pages WHERE member = ?").get(amy.userId)).toEqual({ n: 1 });
});
