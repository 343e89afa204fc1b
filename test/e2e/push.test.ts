import { botReplyTo, newUser, startCarenet, type RunningCarenet, e2eScene, tempDir } from "./harness/carenet";
import { sleep, waitUntil } from "./harness/child";
import type { MatrixUser } from "./harness/matrixUser";
import { body, botSays, pagingCommunity } from "./harness/paging";
import { messageWith, PushGateway } from "./harness/pushGateway";
import { onCallNow } from "./harness/rota";

/**
 * What rings, through Synapse's own push path: every person has an HTTP pusher (as a
 * phone's Matrix app registers one) pointing at a push gateway the test runs, and
 * Synapse's default push rules decide. The page request, each staff member's escalation
 * alert and "… is coming" must reach the gateway; a plain command reply and the quiet
 * notices must not.
 */

const { env, bot, rand, openDm } = e2eScene();
const OAK = `push-${rand}`;
const TZ = "Europe/London";
/** Short enough to wait for in a test; the staff step's own wait is long so nothing else follows. */
const PEER_WAIT_MS = 6000;

let running: RunningCarenet;
let gateway: PushGateway;
let amy: MatrixUser; // member
let bob: MatrixUser; // peer on call, who does not answer in time
let sam: MatrixUser; // staff
let sue: MatrixUser; // staff
let amyDm: string;
let bobDm: string;
let samDm: string;
let sueDm: string;
let staffRoom: string;

beforeAll(async () => {
  gateway = await PushGateway.start();
  [amy, bob, sam, sue] = await Promise.all(["amy", "bob", "sam", "sue"].map((n) => newUser(env, n)));
  running = await startCarenet(env, tempDir("push"), {
    communities: [
      pagingCommunity(OAK, {
        staff: [sam.userId, sue.userId],
        escalation: [
          { notify: "on_call_peers", wait: `${PEER_WAIT_MS / 1000}s` },
          { notify: "all_staff", wait: "30m" },
        ],
      }),
    ],
  });
  const app = running.carenet.app;
  for (const member of [amy, bob]) app.members.add({ communityId: OAK, userId: member.userId, sponsor: sam.userId, addedBy: sam.userId }, Date.now());
  staffRoom = app.rooms.get(OAK, "staff")!.roomId;
  for (const s of [sam, sue]) {
    await s.waitForInvite((inv) => inv.roomId === staffRoom);
    await s.joinRoom(staffRoom);
  }
  [amyDm, bobDm, samDm, sueDm] = await Promise.all([openDm(amy), openDm(bob), openDm(sam), openDm(sue)]);
  await onCallNow({ bot, peer: bob, peerDm: bobDm, staff: sam, staffRoom, timezone: TZ });
  expect(running.carenet.capabilities.onCall(OAK, Date.now()).peers).toEqual([bob.userId]);
  // Pushers last: what came before (invitations, welcomes) is not what is tested.
  for (const u of [amy, bob, sam, sue]) await gateway.register(u);
});

afterAll(async () => {
  for (const u of [amy, bob, sam, sue]) await u?.stop();
  await running?.carenet.stop();
  await gateway?.stop();
});

test("a plain command reply pushes nothing", async () => {
  const help = await amy.sendText(amyDm, "!help");
  const reply = await amy.waitForEvent(amyDm, botReplyTo(bot, help));
  expect(reply.content.msgtype).toBe("m.notice");
  // Synapse pushes within a few hundred milliseconds; give it far longer before saying "nothing".
  await sleep(3000);
  expect(gateway.ofEvent(amy.userId, reply.event_id)).toEqual([]);
  expect(gateway.to(amy.userId).filter((p) => p.notification.type === "m.room.message")).toEqual([]);
});

test("a page rings the peer within 2 s, each staff member within 2 s of the step's deadline, and the member for '… is coming'", async () => {
  const sentAt = Date.now();
  const command = await amy.sendText(amyDm, "!page");
  const opened = await amy.waitForEvent(amyDm, botReplyTo(bot, command));
  expect(body(opened)).toContain("I hear you");

  // The on-call peer: the request rings, highlighted (a mention), within 2 s of the !page.
  const request = await gateway.waitFor(bob.userId, messageWith("needs support and has paged"), 10_000);
  const peerLatency = request.at - sentAt;
  expect(peerLatency).toBeLessThanOrEqual(2000);
  expect(request.notification.room_id).toBe(bobDm);
  expect(request.notification.content?.msgtype).toBe("m.text");
  expect(request.notification.devices[0].tweaks?.highlight).toBe(true);
  expect(request.notification.prio).toBe("high");

  // Nobody answers: at the step's deadline both staff members are asked, each in their own chat.
  const deadline = (
    running.carenet.db.prepare("SELECT due_at AS dueAt FROM jobs WHERE kind = 'page.deadline' ORDER BY due_at LIMIT 1").get() as { dueAt: number }
  ).dueAt;
  const staffLatency: Record<string, number> = {};
  for (const [s, dm] of [
    [sam, samDm],
    [sue, sueDm],
  ] as const) {
    const alert = await gateway.waitFor(s.userId, messageWith("needs support and has paged"), PEER_WAIT_MS + 15_000);
    staffLatency[s.userId] = alert.at - deadline;
    expect(alert.notification.room_id).toBe(dm);
    expect(alert.notification.devices[0].tweaks?.highlight).toBe(true);
    expect(alert.at - deadline).toBeLessThanOrEqual(2000);
  }
  // The staff room's record of the escalation is quiet: it pushes to nobody.
  const roomCopy = await sam.waitForEvent(staffRoom, botSays(bot, "has not been acknowledged"));
  expect(roomCopy.content.msgtype).toBe("m.notice");
  // The member's "I have now also asked …" is news, not an alarm.
  const escalated = await amy.waitForEvent(amyDm, botSays(bot, "so I have now also asked"));

  // Sam comes: the member's "… is coming" rings for her.
  const ackAt = Date.now();
  await sam.sendText(samDm, "!ack");
  const coming = await gateway.waitFor(amy.userId, messageWith("is coming"), 10_000);
  expect(coming.notification.room_id).toBe(amyDm);
  expect(coming.notification.devices[0].tweaks?.highlight).toBe(true);
  const comingLatency = coming.at - ackAt;
  // Sue is told it is taken: quiet.
  const taken = await sue.waitForEvent(sueDm, botSays(bot, "nothing more is needed from you"));

  await sleep(3000);
  expect(gateway.ofEvent(sam.userId, roomCopy.event_id)).toEqual([]);
  expect(gateway.ofEvent(sue.userId, roomCopy.event_id)).toEqual([]);
  expect(gateway.ofEvent(amy.userId, escalated.event_id)).toEqual([]);
  expect(gateway.ofEvent(amy.userId, opened.event_id)).toEqual([]);
  expect(gateway.ofEvent(sue.userId, taken.event_id)).toEqual([]);
  // Every message push was exactly one of the alerts above, once.
  // (Bob's "You are on call now" rings too, by design, whenever the rota job that sends it
  // runs — on a loaded machine that can be after the pushers were registered: not counted.)
  const messagePushes = (u: MatrixUser) =>
    gateway.to(u.userId).filter((p) => p.notification.type === "m.room.message" && !String(p.notification.content?.body ?? "").includes(" now, until ")).length;
  await waitUntil("no further pushes", () => messagePushes(bob) === 1 && messagePushes(sam) === 1 && messagePushes(sue) === 1 && messagePushes(amy) === 1, 5000);
  // For the report: how long each took (docs/testing.md quotes these).
  console.log(`push latency: peer ${peerLatency} ms after !page; staff ${JSON.stringify(staffLatency)} ms after the deadline; member ${comingLatency} ms after !ack`);
});

test("display names address the people asked, as pills", async () => {
  // Synapse gives every new user their localpart as display name; the join to the staff
  // room carried it to carenet, which addressed Sam by it.
  const alert = await sam.waitForEvent(samDm, botSays(bot, "needs support and has paged"));
  const localpart = sam.userId.slice(1, sam.userId.indexOf(":"));
  expect(body(alert).startsWith(`${localpart}: `)).toBe(true);
  expect(String(alert.content.formatted_body)).toContain(`<a href="https://matrix.to/#/${sam.userId}">${localpart}</a>: `);
  expect(alert.content["m.mentions"]).toEqual({ user_ids: [sam.userId] });
});
