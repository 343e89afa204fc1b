import { randomBytes } from "node:crypto";
import { botReactionTo, botReplyTo, CRISIS, newUser, startCarenet, type RunningCarenet, e2eScene, tempDir, oakwood } from "./harness/carenet";
import type { MatrixEvent, MatrixUser } from "./harness/matrixUser";

/**
 * Rights and data on a real Synapse: a member with some data (consent, a check-in with a
 * note, a rota shift) asks `!mydata` in the community room and gets it by direct message
 * only, without another member's data; `!forgetme` then `!forgetme confirm` erases it
 * (staff are told she asked to leave, the bot leaves the conversation); `!mydata`
 * afterwards, in a new conversation, shows only what docs/data.md says remains: the audit
 * log's entries about her.
 */

const { env, bot } = e2eScene();
const dir = tempDir("data");
const OAK = `oak-${randomBytes(3).toString("hex")}`;

let running: RunningCarenet;
let amy: MatrixUser; // the member whose data it is
let cat: MatrixUser; // another member
let sam: MatrixUser; // staff
const dms = new Map<string, string>();

const app = () => running.carenet.app;
const roomOf = (key: string) => app().rooms.get(OAK, key)!.roomId;
const body = (ev: MatrixEvent) => String(ev.content.body ?? "");
const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** How carenet names someone: by display name (Synapse's default is the localpart), or by Matrix ID before it knows the name. */
const named = (u: MatrixUser) => `(?:${esc(u.userId.slice(1).split(":")[0])}|${esc(u.userId)})`;
const count = (sql: string, ...args: unknown[]) => (running.carenet.db.prepare(sql).get(...args) as { n: number }).n;

/** Sends a command and returns the bot's reply in the same room. */
async function command(user: MatrixUser, roomId: string, text: string): Promise<string> {
  const id = await user.sendText(roomId, text);
  return body(await user.waitForEvent(roomId, botReplyTo(bot, id)));
}

/** Waits for the bot to open a direct conversation with `user` (other than `except`), joins it, returns it. */
async function acceptDm(user: MatrixUser, except?: string): Promise<string> {
  const roomId = await user.waitForInvite(
    (inv) => inv.roomId !== except && inv.sender === bot && inv.state.some((e) => e.type === "m.room.member" && e.state_key === user.userId && e.content.is_direct === true),
  );
  await user.joinRoom(roomId);
  return roomId;
}

beforeAll(async () => {
  [amy, cat, sam] = await Promise.all([newUser(env, "amy"), newUser(env, "cat"), newUser(env, "sam")]);
  running = await startCarenet(env, dir, {
    communities: [
      oakwood(OAK, [sam.userId], {
        checkins: [{ id: "evening", at: "20:00", prompt: "How are you this evening?" }],
        rota: { approval_required: false },
      }),
    ],
  });
  if (!running.carenet.provisioning.ok) throw new Error("provisioning failed");
  await sam.waitForInvite((inv) => inv.roomId === roomOf("staff"));
  await sam.joinRoom(roomOf("staff"));
  for (const u of [amy, cat]) {
    expect(await command(sam, roomOf("staff"), `!member add ${u.userId}`)).toMatch(new RegExp(`Added ${named(u)} to Oakwood`));
    dms.set(u.userId, await acceptDm(u));
    await u.waitForInvite((inv) => inv.roomId === roomOf("community"));
    await u.joinRoom(roomOf("community"));
  }
  for (const [u, note] of [[amy, "amy-e2e-note"], [cat, "cat-e2e-note"]] as const) {
    const dm = dms.get(u.userId)!;
    expect(await command(u, dm, "!consent agree")).toContain("I have recorded that you agree");
    expect(await command(u, dm, `!checkin 2 ${note}`)).toContain("I have recorded 2 (not great)");
  }
  expect(await command(amy, dms.get(amy.userId)!, "!volunteer mon 18:00-22:00")).toContain("every Monday");
});

afterAll(async () => {
  for (const u of [amy, cat, sam]) await u?.stop();
  await running?.carenet.stop();
});

test("!mydata in the community room: the room gets only ✅, the data comes by DM, and none of another member's", async () => {
  const room = roomOf("community");
  const id = await amy.sendText(room, "!mydata");
  const reaction = await amy.waitForEvent(room, botReactionTo(bot, id));
  expect(reaction.content["m.relates_to"].key).toBe("✅");
  const reply = await amy.waitForEvent(dms.get(amy.userId)!, (ev) => ev.sender === bot && body(ev).startsWith("Everything carenet keeps about you"));
  expect(reply.content.msgtype).toBe("m.notice");
  // The one reply went to her conversation: nothing answered the command in the room.
  expect(amy.eventsSoFar(room).filter(botReplyTo(bot, id))).toEqual([]);
  expect(running.carenet.db.prepare("SELECT to_user FROM outbox WHERE dedupe_key = ?").get(`reply:${id}`)).toEqual({ to_user: amy.userId });

  const text = body(reply);
  expect(text).toMatch(new RegExp(`Everything carenet keeps about you \\(${named(amy)}\\), as of`));
  // Times in the community's zone, with its label; never UTC.
  expect(text).toContain("Times are in United Kingdom Time.");
  expect(text).not.toContain("UTC");
  expect(text).toMatch(new RegExp(`status: active; role: peer supporter; sponsor: ${named(sam)}`));
  expect(text).toMatch(new RegExp(`agreed \\(version ${OAK}@[0-9a-f]{12}\\)`));
  expect(text).toContain("2 (not great), your note: “amy-e2e-note”");
  expect(text).toMatch(/every Monday, 18:00.22:00: on the rota/);
  expect(text).toContain("The audit log's entries about you");
  expect(text).not.toContain(cat.userId);
  expect(text).not.toContain("cat-e2e-note");
});

test("!forgetme, then !forgetme confirm, erases her data; staff are told she asked to leave; the bot leaves the conversation", async () => {
  const dm = dms.get(amy.userId)!;
  const asked = await command(amy, dm, "!forgetme");
  // First, before anything else: confirming stops paging from this account.
  expect(asked.split("\n")[0]).toBe("If you confirm, !page from this account will no longer reach the people on call: it will give you the crisis numbers only.");
  expect(asked).toContain("send !forgetme confirm within 10 minutes");
  expect(asked).toContain("The audit log:");
  expect(asked).toContain(CRISIS);
  expect(count("SELECT COUNT(*) AS n FROM members WHERE user_id = ?", amy.userId)).toBe(1);

  const done = await command(amy, dm, "!forgetme confirm");
  expect(done).toContain("Done: carenet has erased what it kept about you");
  expect(done).toContain("It is append-only by design and never deleted");
  expect(done).toContain("Oakwood: its staff have been told that you asked to leave.");
  expect(done).toContain("I will leave our conversation once this message is sent");

  const told = await sam.waitForEvent(roomOf("staff"), (ev) => ev.sender === bot && new RegExp(`${named(amy)} has asked to leave Oakwood`).test(body(ev)));
  expect(body(told)).toContain("whether and when to take them out is your decision");
  await sam.waitForEvent(roomOf("staff"), (ev) => ev.sender === bot && body(ev).startsWith("Rota of Oakwood: a shift is now uncovered."));

  for (const table of ["members", "consent", "checkin_answers", "checkin_plans", "rota_entries", "dm_rooms", "forget_requests"]) {
    expect([table, count(`SELECT COUNT(*) AS n FROM ${table} WHERE user_id = ?`, amy.userId)]).toEqual([table, 0]);
  }
  expect(count("SELECT COUNT(*) AS n FROM checkin_answers WHERE user_id = ?", cat.userId)).toBe(1);
  expect(count("SELECT COUNT(*) AS n FROM audit_log WHERE subject = ? AND action = 'data.erased'", amy.userId)).toBe(1);

  await amy.waitForEvent(dm, (ev) => ev.type === "m.room.member" && ev.state_key === bot && ev.content.membership === "leave");
});

test("!mydata afterwards, in a new conversation, shows nothing left but the audit log's entries", async () => {
  const room = roomOf("community");
  const id = await amy.sendText(room, "!mydata");
  expect((await amy.waitForEvent(room, botReactionTo(bot, id))).content["m.relates_to"].key).toBe("✅");
  const dm = await acceptDm(amy, dms.get(amy.userId));
  const reply = await amy.waitForEvent(dm, (ev) => ev.sender === bot && body(ev).startsWith("Everything carenet keeps about you"));
  const text = body(reply);
  expect(text).toContain("carenet keeps nothing else about you");
  expect(text).toContain("The audit log's entries about you");
  expect(text).toContain("asked carenet to erase what it kept about them, and it did");
  expect(text).not.toMatch(/Your membership|Your rota entries|Your check-in|amy-e2e-note|Your conversations/);
  expect(running.logs.text).not.toMatch(/amy-e2e-note|cat-e2e-note/);
});
