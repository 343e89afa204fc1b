import { botReplyTo, CRISIS, newUser, startCarenet, type RunningCarenet, e2eScene, tempDir, joinStaffRoom, addMember } from "./harness/carenet";
import { sleep } from "./harness/child";
import type { MatrixUser } from "./harness/matrixUser";
import { acceptBotDm, body, botSays, countSaid, supportInvite, pagingCommunity, recordedSupportRoom, shown } from "./harness/paging";
import { onCallNow } from "./harness/rota";

/**
 * Paging on a real Synapse, carenet in-process, with the real rota: the peer on call is an
 * active member who agreed to the rights text and volunteered for a shift covering now,
 * approved by staff in the staff room. OAK has long waits, so nothing escalates while a
 * peer answers; ELM has 2-second waits and nobody answers.
 */

const { env, bot, rand, openDm } = e2eScene();
const OAK = `oak-${rand}`;
const ELM = `elm-${rand}`;
const TZ = "Europe/London";
const NOTE = `e2e-note-${rand} I can't cope tonight`;
const NOTE2 = `e2e-note-${rand} still here, still not ok`;

let running: RunningCarenet;
let amy: MatrixUser; // OAK member
let bob: MatrixUser; // OAK peer on call
let sam: MatrixUser; // OAK staff
let kim: MatrixUser; // ELM member
let pat: MatrixUser; // ELM peer on call, who never answers
let stan: MatrixUser; // ELM staff
let bobDm: string;
let patDm: string;
let elmStaffRoom: string;

beforeAll(async () => {
  [amy, bob, sam, kim, pat, stan] = await Promise.all(["amy", "bob", "sam", "kim", "pat", "stan"].map((n) => newUser(env, n)));
  running = await startCarenet(env, tempDir("paging"), {
    communities: [
      pagingCommunity(OAK, { staff: [sam.userId], escalation: [{ notify: "on_call_peers", wait: "10m" }, { notify: "all_staff", wait: "10m" }] }),
      pagingCommunity(ELM, { staff: [stan.userId], escalation: [{ notify: "on_call_peers", wait: "2s" }, { notify: "all_staff", wait: "2s" }] }),
    ],
  });
  const { capabilities } = running.carenet;
  // The members (added by staff with `!member add` in production; see journey.test.ts).
  addMember(running, OAK, amy, sam);
  addMember(running, OAK, bob, sam);
  addMember(running, ELM, kim, stan);
  addMember(running, ELM, pat, stan);
  const oakStaffRoom = await joinStaffRoom(running, sam, OAK);
  elmStaffRoom = await joinStaffRoom(running, stan, ELM);
  // The peers agree, volunteer for a shift covering now, and staff approve: the real rota.
  [bobDm, patDm] = await Promise.all([openDm(bob), openDm(pat)]);
  await onCallNow({ bot, peer: bob, peerDm: bobDm, staff: sam, staffRoom: oakStaffRoom, timezone: TZ });
  await onCallNow({ bot, peer: pat, peerDm: patDm, staff: stan, staffRoom: elmStaffRoom, timezone: TZ });
  expect(capabilities.onCall(OAK, Date.now()).peers).toEqual([bob.userId]);
  expect(capabilities.onCall(ELM, Date.now()).peers).toEqual([pat.userId]);
});

afterAll(async () => {
  for (const u of [amy, bob, sam, kim, pat, stan]) await u?.stop();
  await running?.carenet.stop();
});

test("a member pages; the on-call peer gets the DM and the support-room invite, acks, the member is told, and the page resolves", async () => {
  const dm = await openDm(amy);
  const command = await amy.sendText(dm, `!page ${NOTE}`);
  const reply = await amy.waitForEvent(dm, botReplyTo(bot, command));
  expect(body(reply)).toMatch(/^I hear you\./);
  expect(body(reply)).toContain(CRISIS);
  // The crisis numbers are tappable; the plain body has no markdown.
  expect(String(reply.content.formatted_body)).toContain('<a href="tel:116123">116 123</a>');
  expect(body(reply)).not.toMatch(/[`*]/);

  // The peer on call: a direct message naming the member, and an invitation to the support room.
  const notice = await bob.waitForEvent(bobDm, botSays(bot, "needs support and has paged"));
  expect(body(notice)).toContain(amy.userId);
  expect(body(notice)).not.toContain(NOTE);
  const supportRoom = await supportInvite(bob);
  expect(await recordedSupportRoom(running.carenet.db, amy.userId)).toBe(supportRoom);

  // The peer acknowledges in their DM; the member is told who is coming.
  const ack = await bob.sendText(bobDm, "!ack");
  expect(body(await bob.waitForEvent(bobDm, botReplyTo(bot, ack)))).toContain("has been told you are coming");
  // By display name, a pill in HTML; the member's DM has a tappable crisis number.
  const coming = await amy.waitForEvent(dm, botSays(bot, " is coming"));
  expect(String(coming.content.formatted_body)).toMatch(new RegExp(`<a href="https://matrix.to/#/${bob.userId}">(${shown(bob)}|${bob.userId})</a> is coming`));

  // In the support room: the introduction and the member's note, shown there only.
  await bob.joinRoom(supportRoom);
  await bob.waitForEvent(supportRoom, botSays(bot, "This is a private support room"));
  await bob.waitForEvent(supportRoom, botSays(bot, NOTE));
  const amyInvite = await supportInvite(amy);
  expect(amyInvite).toBe(supportRoom);

  // The member pages again: never swallowed. The peer is asked to confirm, the support room
  // is told and shows the new note; a ✅ on the request confirms, and the member is told.
  const again = await amy.sendText(dm, `!page ${NOTE2}`);
  expect(body(await amy.waitForEvent(dm, botReplyTo(bot, again)))).toContain("said they were coming");
  const request = await bob.waitForEvent(bobDm, botSays(bot, "has paged again"));
  expect(body(request)).not.toContain(NOTE2);
  await bob.waitForEvent(supportRoom, botSays(bot, "has paged again."));
  await bob.waitForEvent(supportRoom, botSays(bot, NOTE2));
  await bob.react(bobDm, request.event_id, "✅");
  await amy.waitForEvent(dm, botSays(bot, "has seen that you paged again"));
  await bob.waitForEvent(bobDm, botSays(bot, "told you are still there for them"));

  // The peer closes the page in the support room; the member is told, the peer gets a debrief.
  const resolve = await bob.sendText(supportRoom, "!resolve");
  await bob.waitForEvent(supportRoom, botReplyTo(bot, resolve));
  const closed = await amy.waitForEvent(dm, botSays(bot, "has closed your page"));
  expect(body(closed)).toContain(CRISIS);
  await bob.waitForEvent(bobDm, botSays(bot, "How are you?"));
  await bob.waitForEvent(supportRoom, botSays(bot, "This room stays here for everyone in it to read"));
  expect(await bob.getJoinedMembers(supportRoom)).toContain(bob.userId);

  // The note was never logged and is stored nowhere now that it was shown.
  expect(running.logs.text).not.toContain(`e2e-note-${rand}`);
  const db = running.carenet.db;
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((t) => t.name);
  for (const table of tables) expect(JSON.stringify(db.prepare(`SELECT * FROM "${table}"`).all())).not.toContain(`e2e-note-${rand}`);
  // Nothing was said twice.
  await sleep(1000);
  expect(countSaid(amy, dm, bot, "is coming")).toBe(1);
  expect(countSaid(bob, bobDm, bot, "needs support and has paged")).toBe(1);
});

test("with nobody acknowledging, the page reaches the staff (and the staff room), then the member gets the crisis resources", async () => {
  const dm = await openDm(kim);
  const command = await kim.sendText(dm, "!page");
  const reply = await kim.waitForEvent(dm, botReplyTo(bot, command));
  expect(body(reply)).toContain("1 person (the peer supporters on call)");

  await pat.waitForEvent(patDm, botSays(bot, "needs support and has paged"));

  // After the peers' 2 seconds: the whole staff team, directly and in the staff room.
  const stanDm = await acceptBotDm(stan, bot);
  const staffNotice = await stan.waitForEvent(stanDm, botSays(bot, "needs support and has paged"));
  expect(String(staffNotice.content.formatted_body)).toContain(`<a href="https://matrix.to/#/${kim.userId}">`);
  await stan.waitForEvent(elmStaffRoom, botSays(bot, "has not been acknowledged"));
  await kim.waitForEvent(dm, botSays(bot, "I have now also asked 1 person (the staff team)"));

  // After the staff's 2 seconds: nobody came, so the member gets the crisis resources; staff are alerted.
  const nobody = await kim.waitForEvent(dm, botSays(bot, "nobody could be reached"));
  expect(body(nobody)).toContain(CRISIS);
  expect(nobody.origin_server_ts - reply.origin_server_ts).toBeGreaterThanOrEqual(4000 - 1000);
  await stan.waitForEvent(elmStaffRoom, botSays(bot, "Nobody acknowledged page"));
  // The staff alert says how to reach the member at once: a link that opens a direct chat.
  const exhausted = await stan.waitForEvent(stanDm, botSays(bot, "Nobody acknowledged page"));
  expect(body(exhausted)).toContain(`https://matrix.to/#/${kim.userId}`);
  const page = running.carenet.db.prepare("SELECT status, opened_at, exhausted_at FROM pages WHERE member = ?").get(kim.userId) as {
    status: string;
    opened_at: number;
    exhausted_at: number;
  };
  expect(page.status).toBe("exhausted");
  expect(page.exhausted_at - page.opened_at).toBeGreaterThanOrEqual(4000);
  expect(page.exhausted_at - page.opened_at).toBeLessThan(4000 + 3000);
});
