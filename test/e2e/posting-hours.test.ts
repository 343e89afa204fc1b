import { randomBytes } from "node:crypto";
import path from "node:path";
import Database from "better-sqlite3";
import { DateTime } from "luxon";
import type { Clock } from "../../src/kernel/clock";
import { loadRegistration } from "../../src/matrix/registration";
import { botReplyTo, CRISIS, newUser, startCarenet, writeTestConfig, type RunningCarenet, e2eScene, tempDir } from "./harness/carenet";
import { CarenetProcess, sleep, waitUntil } from "./harness/child";
import { MatrixError, type MatrixEvent, type MatrixUser } from "./harness/matrixUser";

/**
 * Posting hours on a real Synapse. carenet runs on a clock the test can move forward, so a
 * room closes a few seconds after the test asks, at a minute boundary of its schedule (times
 * in the community's zone). The homeserver itself refuses a member's message while closed.
 */

const { env, bot } = e2eScene();
const ZONE = "Europe/London";
const MINUTE = 60_000;
const rand = randomBytes(3).toString("hex");
const ALL_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/** The real time now plus an offset the test sets; the scheduler is woken after each jump. */
class MovableClock implements Clock {
  offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
  /** From now on, the clock reads `msBefore` ms before `target`. */
  jumpTo(target: number, msBefore: number): void {
    this.offset = target - msBefore - Date.now();
  }
}

const hhmm = (ms: number) => DateTime.fromMillis(ms, { zone: ZONE }).toFormat("HH:mm");
/** The first whole minute at least `ms` from now. */
const minuteAfter = (ms: number) => Math.ceil((Date.now() + ms) / MINUTE) * MINUTE;

function communityWithHours(id: string, staff: string, windows: Array<{ from: number; to: number }>): unknown {
  return {
    id,
    name: `Hours ${id}`,
    timezone: ZONE,
    staff: [staff],
    rooms: {
      community: {
        name: `${id} chat`,
        posting_hours: windows.map((w) => ({ days: ALL_DAYS, from: hhmm(w.from), to: hhmm(w.to) })),
      },
      staff: { name: `${id} staff` },
      alumni: { name: `${id} alumni` },
    },
  };
}

/** Invites someone with the bot's own power (the appservice token), as member commands would. */
async function inviteAsBot(roomId: string, userId: string): Promise<void> {
  const { as_token } = loadRegistration(env.registrationPath, { localpart: "carenet" });
  const res = await fetch(`${env.hsUrl}/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/invite`, {
    method: "POST",
    headers: { authorization: `Bearer ${as_token}`, "content-type": "application/json" },
    body: JSON.stringify({ user_id: userId }),
  });
  if (!res.ok) throw new Error(`invite failed: ${res.status} ${await res.text()}`);
}

async function join(user: MatrixUser, roomId: string): Promise<void> {
  await user.waitForInvite((inv) => inv.roomId === roomId);
  await user.joinRoom(roomId);
}

const postingLevel = (level: number) => (ev: MatrixEvent) =>
  ev.type === "m.room.power_levels" && ev.sender === bot && ev.content.events_default === level;
const notice = (text: string) => (ev: MatrixEvent) =>
  ev.sender === bot && ev.type === "m.room.message" && ev.content.msgtype === "m.notice" && String(ev.content.body).includes(text);

async function expectForbidden(send: Promise<unknown>): Promise<void> {
  const err = await send.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MatrixError);
  expect((err as MatrixError).status).toBe(403);
  expect((err as MatrixError).errcode).toBe("M_FORBIDDEN");
}

const users: MatrixUser[] = [];
const processes: CarenetProcess[] = [];
let running: RunningCarenet | undefined;
afterEach(async () => {
  for (const p of processes.splice(0)) await p.kill("SIGKILL");
  await running?.carenet.stop();
  running = undefined;
  for (const u of users.splice(0)) await u.stop();
});

test("a member can post before the close, is refused by the homeserver while closed, and can post again after re-opening; staff can post while closed", async () => {
  const [sam, mia] = await Promise.all([newUser(env, "sam"), newUser(env, "mia")]);
  users.push(sam, mia);
  const close = minuteAfter(2 * MINUTE);
  const reopen = close + MINUTE;
  const id = `hrs-${rand}`;
  const clock = new MovableClock();
  running = await startCarenet(env, tempDir("hours"), {
    clock,
    communities: [
      communityWithHours(id, sam.userId, [
        { from: close - 60 * MINUTE, to: close },
        { from: reopen, to: reopen + 60 * MINUTE },
      ]),
    ],
  });
  const app = running.carenet.app;
  const roomId = app.rooms.get(id, "community")!.roomId;
  await join(sam, roomId);
  await inviteAsBot(roomId, mia.userId);
  await join(mia, roomId);

  // Open: the member posts, and nothing was announced (the room was simply open).
  await mia.sendText(roomId, "hello, anyone around?");
  const hours = await mia.sendText(roomId, "!hours");
  const reply = await mia.waitForEvent(roomId, botReplyTo(bot, hours));
  expect(String(reply.content.body)).toMatch(new RegExp(`Open now\\. It closes (today|tomorrow) at ${hhmm(close)} \\(`));
  expect(mia.eventsSoFar(roomId).filter(notice("for posting"))).toEqual([]);

  // Three seconds before the close.
  clock.jumpTo(close, 3000);
  app.scheduler.wake();
  await mia.waitForEvent(roomId, postingLevel(50), 30_000);
  const closing = await mia.waitForEvent(roomId, notice("is closed for posting for now"));
  const body = String(closing.content.body);
  expect(body).toMatch(new RegExp(`It opens again (today|tomorrow) at ${hhmm(reopen)} \\(`));
  expect(body).toContain("Send !page to me");
  expect(body).not.toContain("`");
  expect(body.match(/If you need support/g)).toHaveLength(1);
  expect(body).toContain(CRISIS);
  expect(closing.origin_server_ts).toBeGreaterThanOrEqual(close - clock.offset - 1000);

  await expectForbidden(mia.sendText(roomId, "is it closed?"));
  await sam.sendText(roomId, "Staff here: the room is closed until this evening.");

  // Three seconds before the re-opening.
  clock.jumpTo(reopen, 3000);
  app.scheduler.wake();
  await mia.waitForEvent(roomId, postingLevel(0), 30_000);
  const opening = await mia.waitForEvent(roomId, notice("is open for posting now"));
  expect(String(opening.content.body)).toMatch(new RegExp(`closes (today|tomorrow) at ${hhmm(reopen + 60 * MINUTE)}`));
  await mia.sendText(roomId, "back again");

  // Only events_default moved: the staff member kept their level throughout.
  const levels = await sam.getState(roomId, "m.room.power_levels");
  expect(levels.events_default).toBe(0);
  expect(levels.users[sam.userId]).toBe(50);
  expect(mia.eventsSoFar(roomId).filter(notice("for posting"))).toHaveLength(2);
});

test("carenet killed while the room is open and restarted after the closing time closes it at start, with a single notice", async () => {
  const [sam, mia] = await Promise.all([newUser(env, "sam"), newUser(env, "mia")]);
  users.push(sam, mia);
  const dir = tempDir("hours-kill");
  const close = minuteAfter(60_000);
  const id = `hrk-${rand}`;
  const communities = [communityWithHours(id, sam.userId, [{ from: close - 60 * MINUTE, to: close }])];
  const configPath = writeTestConfig(env, dir, communities);

  const child = new CarenetProcess(configPath);
  processes.push(child);
  await child.ready();
  const db = new Database(path.join(dir, "carenet.db"), { readonly: true });
  let roomId: string;
  try {
    roomId = (db.prepare("SELECT room_id FROM community_rooms WHERE community_id = ? AND room_key = 'community'").get(id) as { room_id: string })
      .room_id;
    const state = await waitUntil("the room's hours are recorded", () =>
      db.prepare("SELECT open FROM room_hours WHERE community_id = ?").get(id) as { open: number } | undefined,
    );
    expect(state.open).toBe(1);
  } finally {
    db.close();
  }
  await inviteAsBot(roomId, mia.userId);
  await join(mia, roomId);
  await mia.sendText(roomId, "evening all");
  expect(Date.now()).toBeLessThan(close); // still open when it dies
  await child.kill("SIGKILL");

  // Back after the closing time (the clock reads five seconds past it).
  const clock = new MovableClock();
  clock.jumpTo(close, -5000);
  running = await startCarenet(env, dir, { clock, communities });
  await mia.waitForEvent(roomId, postingLevel(50), 30_000);
  const closing = await mia.waitForEvent(roomId, notice("is closed for posting for now"));
  expect(String(closing.content.body)).toContain(CRISIS);
  await expectForbidden(mia.sendText(roomId, "still open?"));

  // Settle, then count: one notice, not one per start or per retry.
  await sleep(3000);
  expect(mia.eventsSoFar(roomId).filter(notice("for posting"))).toHaveLength(1);
  // The next transition is the window's next opening, a day later.
  const job = running.carenet.app.jobs.get(`hours:${id}:community`)!;
  expect(job.state).toBe("pending");
  expect(job.dueAt).toBeGreaterThan(close + 22 * 60 * MINUTE);
});
