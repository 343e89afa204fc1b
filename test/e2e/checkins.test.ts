import { randomBytes } from "node:crypto";
import { DateTime } from "luxon";
import { WEEKDAYS } from "../../src/features/checkins/domain/checkins";
import { botReplyTo, CRISIS, newUser, startCarenet, type RunningCarenet, e2eScene, tempDir, oakwood } from "./harness/carenet";
import type { MatrixEvent, MatrixUser } from "./harness/matrixUser";

/**
 * Check-ins on a real Synapse: members get their prompt in their conversation with the bot
 * and answer it by command, by reply and by reaction; a member changes their plan; a low
 * answer reaches the sponsor only when the member chose that; staff see only what was
 * shared; an alumna gets her periodic check-in.
 *
 * Time: carenet runs on a clock a little ahead of real time when a test moves it (never
 * more than ~2 minutes, well inside events.max_age, so commands sent meanwhile still run).
 * The prompt time is the next whole minute, in a zone where it is around midday (so the
 * test never straddles a local midnight).
 */

const { env, bot } = e2eScene();
const dir = tempDir("checkins");
const OAK = `oak-${randomBytes(3).toString("hex")}`;
const MINUTE = 60_000;

const clock = { offset: 0, now: () => Date.now() + clock.offset };

/** A fixed-offset zone where the local hour is now about 12. */
function middayZone(): string {
  let off = 12 - new Date().getUTCHours();
  if (off > 14) off -= 24;
  if (off < -12) off += 24;
  return off === 0 ? "Etc/GMT" : off > 0 ? `Etc/GMT-${off}` : `Etc/GMT+${-off}`;
}
const ZONE = middayZone();
/** The prompt's moment: set just before carenet starts, to the next whole minute at least a minute away. */
let PROMPT_AT: number;

let running: RunningCarenet;
let alice: MatrixUser; // member
let bob: MatrixUser; // member who keeps the default plan
let carol: MatrixUser; // alumna
let sam: MatrixUser; // staff, and everyone's sponsor
const dms = new Map<string, string>();
const prompt = new Map<string, MatrixEvent>();

const fromBot = (ev: MatrixEvent) => ev.sender === bot && ev.type === "m.room.message";
const body = (ev: MatrixEvent) => String(ev.content.body ?? "");
const staffRoom = () => running.carenet.app.rooms.get(OAK, "staff")!.roomId;

async function openDm(user: MatrixUser): Promise<void> {
  const dm = await user.createDm(bot);
  await user.waitForEvent(dm, (ev) => ev.type === "m.room.member" && ev.state_key === bot && ev.content.membership === "join");
  dms.set(user.userId, dm);
}

/** Sends a command in the user's DM and returns the bot's reply to it. */
async function command(user: MatrixUser, text: string, roomId = dms.get(user.userId)!): Promise<string> {
  const id = await user.sendText(roomId, text);
  return body(await user.waitForEvent(roomId, botReplyTo(bot, id)));
}

/** The next message from the bot in the user's DM whose body contains `words`. */
function botSays(user: MatrixUser, words: string): Promise<MatrixEvent> {
  return user.waitForEvent(dms.get(user.userId)!, (ev) => fromBot(ev) && body(ev).includes(words));
}

/** What carenet queued for a person (sent or not): the outbox is where every message starts. */
function queuedFor(userId: string): string[] {
  const rows = running.carenet.db.prepare("SELECT content_json FROM outbox WHERE to_user = ? ORDER BY id").all(userId) as Array<{ content_json: string }>;
  return rows.map((r) => String((JSON.parse(r.content_json) as { body?: string }).body ?? ""));
}

beforeAll(async () => {
  [alice, bob, carol, sam] = await Promise.all([newUser(env, "alice"), newUser(env, "bob"), newUser(env, "carol"), newUser(env, "sam")]);
  PROMPT_AT = Math.ceil((Date.now() + MINUTE) / MINUTE) * MINUTE;
  const local = DateTime.fromMillis(PROMPT_AT, { zone: ZONE });
  const HHMM = local.toFormat("HH:mm");
  const TODAY = WEEKDAYS[local.weekday - 1];
  running = await startCarenet(env, dir, {
    clock,
    standIns: { hasConsent: () => true },
    communities: [
      oakwood(OAK, [sam.userId], {
        timezone: ZONE,
        checkins: [{ id: "midday", at: HHMM, prompt: "How is your day going?" }],
        checkin_settings: { alumni: { day: TODAY, at: HHMM } },
      }),
    ],
  });
  if (!running.carenet.provisioning.ok) throw new Error("provisioning failed");
  const app = running.carenet.app;
  const now = clock.now();
  for (const u of [alice, bob, carol]) app.members.add({ communityId: OAK, userId: u.userId, sponsor: sam.userId, addedBy: sam.userId }, now);
  app.members.discharge(OAK, carol.userId, now);
  await sam.waitForInvite((inv) => inv.roomId === staffRoom());
  await sam.joinRoom(staffRoom());
  await Promise.all([alice, bob, carol, sam].map(openDm));
});

afterAll(async () => {
  for (const u of [alice, bob, carol, sam]) await u?.stop();
  await running?.carenet.stop();
});

test("the prompt is a durable job; an alumna chooses weekly check-ins before it comes", async () => {
  const jobs = running.carenet.app.jobs.pending();
  expect(jobs.filter((j) => j.kind === "checkins.prompt").map((j) => j.dueAt)).toEqual([PROMPT_AT]);
  expect(jobs.filter((j) => j.kind === "checkins.alumni").map((j) => j.dueAt)).toEqual([PROMPT_AT]);
  expect(await command(carol, "!checkin alumni weekly")).toContain("Changed alumni check-ins: on, monthly → on, weekly.");
});

test("at the prompt's time each member gets it in their DM, with the answers in words; the alumna gets hers", async () => {
  clock.offset = PROMPT_AT - Date.now() + 1000;
  await running.carenet.runDueJobs();
  for (const u of [alice, bob]) {
    const ev = await botSays(u, "How is your day going?");
    expect(ev.content.msgtype).toBe("m.notice");
    for (const line of ["1️⃣ really struggling", "3️⃣ okay", "5️⃣ good"]) expect(body(ev)).toContain(line);
    prompt.set(u.userId, ev);
  }
  const alumni = await botSays(carol, "the door is always open");
  expect(body(alumni)).toContain("These come weekly");
  expect(body(alumni)).toContain("!page");
  prompt.set(carol.userId, alumni);
  expect(queuedFor(carol.userId).some((b) => b.includes("How is your day going?"))).toBe(false);
});

test("a member answers by command, then changes it by reaction and by reply, the same day", async () => {
  const first = await command(alice, "!checkin 3 long day");
  // The prompt's time, with its zone's label.
  expect(first).toContain(`I have recorded 3 (okay) for your midday check-in (${DateTime.fromMillis(PROMPT_AT, { zone: ZONE }).toFormat("ccc HH:mm")}, `);
  expect(first).toContain("Your note is private");

  const dm = dms.get(alice.userId)!;
  await alice.react(dm, prompt.get(alice.userId)!.event_id, "4️⃣");
  expect(body(await botSays(alice, "to 4 (fine)"))).toContain("from 3 (okay) to 4 (fine)");

  const replyId = await alice.sendEvent(dm, "m.room.message", {
    msgtype: "m.text",
    body: `> <${bot}> How is your day going?\n\n5 better now`,
    "m.relates_to": { "m.in_reply_to": { event_id: prompt.get(alice.userId)!.event_id } },
  });
  expect(body(await alice.waitForEvent(dm, botReplyTo(bot, replyId)))).toContain("from 4 (fine) to 5 (good)");

  const rows = running.carenet.db.prepare("SELECT value, note, via FROM checkin_answers a JOIN checkin_prompts p ON p.id = a.prompt_id WHERE a.user_id = ?").all(alice.userId);
  expect(rows).toEqual([{ value: 5, note: "better now", via: "reply" }]);
});

test("a low answer with the default plan reaches nobody, and gives the member !page and the crisis resources", async () => {
  const answer = await command(bob, "!checkin 1");
  // How they are first; what was recorded after.
  expect(answer.startsWith("That sounds hard.")).toBe(true);
  expect(answer).toContain("send !page");
  expect(answer).toContain(CRISIS);
  expect(answer).toContain("Nobody else has been told");
  // The alert would have been queued in the same transaction as the reply: nothing was.
  expect(queuedFor(sam.userId)).toEqual([]);
});

test("a number typed in the DM under an open prompt answers it, and says so (no command, no reply needed)", async () => {
  const answer = await command(bob, "2");
  expect(answer).toContain("I took your message as your new answer to your midday check-in");
  expect(answer).toContain("changed from 1 (really struggling) to 2 (not great)");
  expect(answer).not.toContain("I only understand");
  const rows = running.carenet.db.prepare("SELECT value FROM checkin_answers WHERE user_id = ?").all(bob.userId);
  expect(rows).toEqual([{ value: 2 }]);
});

test("a member changes their plan; then a low answer reaches the sponsor, without the private note", async () => {
  expect(await command(alice, "!checkin plan alerts low sponsor")).toContain("Changed alerts low: nobody → your sponsor.");
  expect(await command(alice, "!checkin plan share answers")).toContain("Changed share: nothing → answers.");
  const plan = await command(alice, "!checkin plan");
  expect(plan).toContain("Who hears about a low answer: your sponsor.");
  expect(plan).toContain("Who hears about a missed check-in: nobody.");

  const answer = await command(alice, "!checkin 1 awful afternoon");
  // People by their display name (here the homeserver's default, the localpart), not their Matrix ID.
  const nameOf = (u: MatrixUser) => u.userId.slice(1).split(":")[0];
  expect(answer).toContain(`As your plan asks, I have let ${nameOf(sam)} know (your sponsor).`);
  expect(answer).not.toContain(sam.userId);
  expect(answer).toContain(CRISIS);
  // Alice's display name is not known to carenet here (she joined no community room), so the plain body
  // falls back to her Matrix ID; the HTML names her with a pill that opens a chat with her.
  const alert = await botSays(sam, "Check-in from");
  expect(body(alert)).toContain(alice.userId);
  expect(String(alert.content.formatted_body)).toContain(`https://matrix.to/#/${alice.userId}`);
  expect(body(alert)).toContain("1 (really struggling)");
  expect(body(alert)).not.toContain("awful");
  // Bob's earlier low answer never reached Sam.
  expect(queuedFor(sam.userId).filter((b) => b.includes(bob.userId))).toEqual([]);
  expect(running.logs.text).not.toContain("awful afternoon");
  expect(running.logs.text).not.toContain("long day");
});

test("staff !checkins shows only what members chose to share", async () => {
  const reply = await command(sam, "!checkins", staffRoom());
  const alicesName = alice.userId; // no display name known to carenet: the Matrix ID
  expect(reply).toContain(`${alicesName}: 1 (really struggling)`);
  expect(reply).not.toContain("awful");
  expect(reply).not.toContain(bob.userId);
  expect(reply).toContain("1 of 3 members share their check-ins with staff");
  const week = await command(sam, "!checkins week", staffRoom());
  expect(week).toMatch(new RegExp(`${alicesName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: (\\w{3} – · ){6}\\w{3} 1`));
  expect(await command(sam, `!checkins ${bob.userId}`, staffRoom())).toContain("keeps their check-ins private");
  // A member cannot use the staff view.
  expect(await command(bob, "!checkins")).toContain("is a staff command");
});

test("the alumna answers her check-in with a reaction", async () => {
  await carol.react(dms.get(carol.userId)!, prompt.get(carol.userId)!.event_id, "4️⃣");
  expect(body(await botSays(carol, "recorded 4 (fine)"))).toContain("your alumni check-in");
});
