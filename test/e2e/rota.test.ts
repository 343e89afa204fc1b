import { DateTime } from "luxon";
import { botReactionTo, botReplyTo, CRISIS, newUser, startCarenet, type RunningCarenet, e2eScene, tempDir } from "./harness/carenet";
import { sleep } from "./harness/child";
import type { MatrixEvent, MatrixUser } from "./harness/matrixUser";

/**
 * The rota on a real Synapse: a member who agreed to the rights text volunteers in their DM with the bot, staff approve
 * in the staff room, the member is reminded and then told at the start of the shift that
 * they are on call, and `!oncall` names them to members only.
 *
 * carenet runs on a clock the test moves forward by a few minutes (less than the age after
 * which a command counts as late), so the shift can start during the test.
 */

const { env, bot, rand, openDm } = e2eScene();
const OAK = `oak-${rand}`;
const TZ = "Europe/London";

let offsetMs = 0;
const clock = { now: () => Date.now() + offsetMs };
let running: RunningCarenet;
let sam: MatrixUser; // staff
let alex: MatrixUser; // member who volunteers
let bob: MatrixUser; // nobody's member
let staffRoom: string;
let alexDm: string;

const body = (ev: MatrixEvent) => String(ev.content.body ?? "");
const fromBot = (text: string) => (ev: MatrixEvent) => ev.sender === bot && ev.type === "m.room.message" && body(ev).includes(text);

async function command(user: MatrixUser, roomId: string, text: string): Promise<{ reply: string; reaction: string }> {
  const id = await user.sendText(roomId, text);
  const reply = await user.waitForEvent(roomId, botReplyTo(bot, id));
  const reaction = await user.waitForEvent(roomId, botReactionTo(bot, id));
  return { reply: body(reply), reaction: String(reaction.content["m.relates_to"].key) };
}

beforeAll(async () => {
  [sam, alex, bob] = await Promise.all([newUser(env, "sam"), newUser(env, "alex"), newUser(env, "bob")]);
  running = await startCarenet(env, tempDir("rota"), {
    clock,
    communities: [
      {
        id: OAK,
        name: `Oakwood ${rand}`,
        timezone: TZ,
        staff: [sam.userId],
        rooms: { community: { name: "Oakwood community" }, staff: { name: "Oakwood staff" }, alumni: { name: "Oakwood alumni" } },
        rota: { approval_required: true, handoff_reminder: "30m" },
      },
    ],
  });
  if (!running.carenet.provisioning.ok) throw new Error("provisioning failed");
  staffRoom = running.carenet.app.rooms.get(OAK, "staff")!.roomId;
  await sam.waitForInvite((inv) => inv.roomId === staffRoom);
  await sam.joinRoom(staffRoom);
  // Member commands live elsewhere; the member is put in the table directly.
  running.carenet.app.members.add({ communityId: OAK, userId: alex.userId, sponsor: sam.userId, addedBy: sam.userId }, clock.now());
  alexDm = await openDm(alex);
  // A shift is recorded only with the member's agreement to the community's rights text.
  expect((await command(alex, alexDm, "!consent agree")).reaction).toBe("✅");
});

afterAll(async () => {
  for (const u of [sam, alex, bob]) await u?.stop();
  await running?.carenet.stop();
});

test("a member volunteers, staff approve, the member is reminded, is on call at the start and is named by !oncall", async () => {
  // A shift starting two to three minutes from now, for two hours, in the community's time.
  const start = DateTime.fromMillis(clock.now(), { zone: TZ }).startOf("minute").plus({ minutes: 3 });
  const end = start.plus({ hours: 2 });
  const [from, to] = [start.toFormat("HH:mm"), end.toFormat("HH:mm")];

  const offer = await command(alex, alexDm, `!volunteer ${start.toISODate()} ${from}-${to}`);
  expect(offer.reaction).toBe("✅");
  expect(offer.reply).toContain("waiting for staff");
  const id = Number(/#(\d+)/.exec(offer.reply)![1]);

  const notice = await sam.waitForEvent(staffRoom, fromBot(`volunteered: #${id}`));
  expect(body(notice)).toContain(alex.userId);
  expect(notice.content.msgtype).toBe("m.notice");

  // Not on call before staff approve.
  expect((await command(alex, alexDm, "!oncall")).reply).toContain("Nobody is on the rota right now");

  const approval = await command(sam, staffRoom, `!rota approve ${id}`);
  expect(approval.reaction).toBe("✅");
  await alex.waitForEvent(alexDm, fromBot(`approved #${id}`));
  // The reminder is due 30 minutes before the start, already past: it comes at once.
  const reminder = await alex.waitForEvent(alexDm, fromBot("Reminder: you are on call"));
  expect(body(reminder)).toContain(`until ${to}`);

  const show = await command(sam, staffRoom, "!rota show");
  expect(show.reply).toContain(`${from}–`);
  expect(show.reply).toContain(alex.userId);

  // The shift starts.
  offsetMs = start.toMillis() - Date.now() + 5_000;
  await running.carenet.runDueJobs();
  const handoff = await alex.waitForEvent(alexDm, fromBot("You are on call for"));
  expect(body(handoff)).toContain(`now, until ${to}`);
  expect(body(handoff)).toContain("!break");
  expect(body(handoff)).toContain(CRISIS);

  const oncall = await command(alex, alexDm, "!oncall");
  expect(oncall.reaction).toBe("✅");
  expect(oncall.reply).toContain(`Peers: ${alex.userId} until ${to}`);
  expect(running.carenet.capabilities.onCall(OAK, clock.now())).toEqual({ peers: [alex.userId], backupPeers: [], staff: [] });

  // Someone who is not a member gets no names, but does get the crisis resources.
  const bobDm = await openDm(bob);
  const refused = await command(bob, bobDm, "!oncall");
  expect(refused.reaction).toBe("⛔");
  expect(refused.reply).toContain(CRISIS);
  expect(refused.reply).not.toContain(alex.userId);

  // Running the jobs again sends nothing twice.
  await running.carenet.runDueJobs();
  await sleep(2000);
  expect(alex.eventsSoFar(alexDm).filter(fromBot("You are on call for"))).toHaveLength(1);
  expect(alex.eventsSoFar(alexDm).filter(fromBot("Reminder: you are on call"))).toHaveLength(1);
});
