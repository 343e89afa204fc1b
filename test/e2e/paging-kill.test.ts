import { randomBytes } from "node:crypto";
import path from "node:path";
import Database from "better-sqlite3";
import { openDatabase } from "../../src/store/database";
import { MembersStore } from "../../src/features/communities/store/members";
import { botReplyTo, CRISIS, newUser, writeTestConfig, e2eScene, tempDir } from "./harness/carenet";
import { CarenetProcess, sleep } from "./harness/child";
import type { MatrixUser } from "./harness/matrixUser";
import { body, botDmWith, botSays, countSaid, pagingCommunity } from "./harness/paging";

/**
 * carenet's real CLI killed with SIGKILL between two escalation steps, then restarted: the
 * escalation carries on from where it was, on time, and nobody gets any message twice.
 * The ladder asks the whole staff team (from the config), so no rota is needed.
 */

const { env, bot } = e2eScene();
const WAIT_MS = 5000;

const processes: CarenetProcess[] = [];
const users: MatrixUser[] = [];
afterAll(async () => {
  for (const p of processes) await p.kill("SIGKILL");
  for (const u of users) await u.stop();
});

test("SIGKILL mid-escalation: after a restart the escalation continues on time, with no duplicate messages", async () => {
  const dir = tempDir("paging-kill");
  const [amy, sam] = await Promise.all([newUser(env, "amy"), newUser(env, "sam")]);
  users.push(amy, sam);
  const id = `kill-${randomBytes(3).toString("hex")}`;
  const configPath = writeTestConfig(env, dir, [
    pagingCommunity(id, { staff: [sam.userId], escalation: [{ notify: "all_staff", wait: "5s" }, { notify: "all_staff", wait: "5s" }] }),
  ]);
  // The member is seeded in the database before carenet first starts.
  const dbFile = path.join(dir, "carenet.db");
  const seed = openDatabase(dbFile);
  new MembersStore(seed).add({ communityId: id, userId: amy.userId, sponsor: sam.userId, addedBy: sam.userId }, Date.now());
  seed.close();

  const first = new CarenetProcess(configPath);
  processes.push(first);
  await first.ready();
  const dm = await amy.createDm(bot);
  await amy.waitForEvent(dm, (ev) => ev.sender === bot && ev.type === "m.room.message");
  const command = await amy.sendText(dm, "!page");
  const reply = await amy.waitForEvent(dm, botReplyTo(bot, command));
  expect(body(reply)).toContain("I have asked 1 person (the staff team)");

  // Killed between step 1 (taken; its message perhaps not sent yet) and step 2 (due 5 s after the page opened).
  expect(await first.kill("SIGKILL")).toBeNull();
  const killedAt = Date.now();
  const restarted = new CarenetProcess(configPath);
  processes.push(restarted);
  await restarted.ready();
  const readyAt = Date.now();
  // The member's answer and sam's request go out at once, so the kill may come while sam's
  // chat is being opened: sam accepts every chat the bot opens, and the request is in one.
  const samDm = await botDmWith(sam, bot, botSays(bot, "You are asked as one of the staff team"));

  const nobody = await amy.waitForEvent(dm, botSays(bot, "nobody could be reached"), 40_000);
  expect(body(nobody)).toContain(CRISIS);
  await sam.waitForEvent(samDm, botSays(bot, "Nobody acknowledged page"));
  await sleep(3000); // a late duplicate would show up by now

  const db = new Database(dbFile, { readonly: true });
  try {
    const page = db.prepare("SELECT id, status, opened_at, exhausted_at FROM pages").get() as { id: number; status: string; opened_at: number; exhausted_at: number };
    const steps = db.prepare("SELECT step, at, notified FROM page_steps WHERE page_id = ? ORDER BY step").all(page.id) as Array<{ step: number; at: number; notified: number }>;
    expect(page.status).toBe("exhausted");
    expect(steps.map((s) => [s.step, s.notified])).toEqual([
      [0, 1],
      [1, 1],
    ]);
    // Step 2 came when its wait ran out, or as soon as carenet was back if it was still down then.
    expect(killedAt).toBeLessThan(page.opened_at + WAIT_MS);
    expect(steps[1].at).toBeGreaterThanOrEqual(page.opened_at + WAIT_MS);
    expect(steps[1].at).toBeLessThanOrEqual(Math.max(page.opened_at + WAIT_MS, readyAt) + 2000);
    // …and the last step had its full wait.
    expect(page.exhausted_at - steps[1].at).toBeGreaterThanOrEqual(WAIT_MS);
    expect(page.exhausted_at - steps[1].at).toBeLessThan(WAIT_MS + 2000);
  } finally {
    db.close();
  }

  // Each message exactly once, across the kill.
  expect(amy.eventsSoFar(dm).filter(botReplyTo(bot, command))).toHaveLength(1);
  expect(countSaid(amy, dm, bot, "I have now also asked")).toBe(1);
  expect(countSaid(amy, dm, bot, "nobody could be reached")).toBe(1);
  expect(countSaid(sam, samDm, bot, "You are asked as one of the staff team")).toBe(1);
  expect(countSaid(sam, samDm, bot, "Nobody has said they are coming yet")).toBe(1);
  expect(countSaid(sam, samDm, bot, "Nobody acknowledged page")).toBe(1);
  expect(await restarted.kill("SIGTERM")).toBe(0);
});
