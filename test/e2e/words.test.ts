import { DateTime } from "luxon";
import { botReplyTo, newUser, startCarenet, type RunningCarenet, e2eScene, tempDir } from "./harness/carenet";
import type { MatrixEvent, MatrixUser } from "./harness/matrixUser";
import { acceptBotDm, body } from "./harness/paging";
import { command, onCallNow } from "./harness/rota";

/**
 * Words for 2 am, read as a member with a real client on a real Synapse: the onboarding
 * message fits a phone screen, `!help` and the `!page` answer are short, people are shown by
 * their display names with pills (never a bare Matrix ID), every crisis number is a tel: or
 * sms: link, times carry the community's zone label, a check-in is answered by typing "3",
 * and after `!language es` the same member reads Spanish.
 */

const { env, bot, rand } = e2eScene();
const OAK = `oak-${rand}`;
const NAME = `Oakwood ${rand}`;
const ZONE = "Europe/London";
const MINUTE = 60_000;
const CRISIS = [
  { label: "Samaritans", phone: "116 123", note: "free, 24/7" },
  { label: "Shout", sms: "85258", note: "text SHOUT" },
];

const clock = { offset: 0, now: () => Date.now() + clock.offset };
let PROMPT_AT: number;

let running: RunningCarenet;
let sam: MatrixUser; // staff, Amy's sponsor
let pia: MatrixUser; // peer on call
let amy: MatrixUser; // member
let staffRoom: string;
let amyDm: string;
let piaDm: string;

/**
 * Words a person reads, not counting the configured crisis lines: those are the admin's
 * text and come on top of every budget (a one-line resource is counted by the unit tests).
 */
const words = (text: string) =>
  text
    .split("\n")
    .filter((line) => !line.includes("116 123") && !line.includes("85258"))
    .join(" ")
    .split(/\s+/)
    .filter(Boolean).length;
const html = (ev: MatrixEvent) => String(ev.content.formatted_body ?? "");
const fromBot = (ev: MatrixEvent) => ev.sender === bot && ev.type === "m.room.message";
const pillFor = (u: MatrixUser) => `href="https://matrix.to/#/${u.userId}"`;

/** Sends `text` in the member's DM and returns the bot's reply event. */
async function ask(user: MatrixUser, roomId: string, text: string): Promise<MatrixEvent> {
  const id = await user.sendText(roomId, text);
  return user.waitForEvent(roomId, botReplyTo(bot, id));
}

function expectTappableCrisisNumbers(ev: MatrixEvent): void {
  expect(html(ev)).toContain('href="tel:116123"');
  expect(html(ev)).toContain('href="sms:85258"');
  expect(body(ev)).toContain("116 123");
}

function expectNoMarkup(ev: MatrixEvent): void {
  expect(body(ev)).not.toMatch(/`|\*\*|<[a-z]/);
}

beforeAll(async () => {
  [sam, pia, amy] = await Promise.all(["sam", "pia", "amy"].map((n) => newUser(env, n)));
  // Names as people choose them, set before carenet sees them join anything.
  await Promise.all(
    [
      [sam, "Sam Okafor"],
      [pia, "Pia Lind"],
      [amy, "Amy Rivers"],
    ].map(([u, name]) => (u as MatrixUser).request("PUT", `/_matrix/client/v3/profile/${encodeURIComponent((u as MatrixUser).userId)}/displayname`, { displayname: name })),
  );
  PROMPT_AT = Math.ceil((Date.now() + 2 * MINUTE) / MINUTE) * MINUTE;
  running = await startCarenet(env, tempDir("words"), {
    clock,
    extraConfig: { crisis_resources: CRISIS },
    communities: [
      {
        id: OAK,
        name: NAME,
        timezone: ZONE,
        time_label: "UK time",
        staff: [sam.userId],
        rooms: { community: { name: "Oakwood community" }, staff: { name: "Oakwood staff" }, alumni: { name: "Oakwood alumni" } },
        checkins: [{ id: "evening", at: DateTime.fromMillis(PROMPT_AT, { zone: ZONE }).toFormat("HH:mm"), prompt: "How are you doing?" }],
        paging: { escalation: [{ notify: "on_call_peers", wait: "10m" }, { notify: "all_staff", wait: "10m" }] },
      },
    ],
  });
  if (!running.carenet.provisioning.ok) throw new Error("provisioning failed");
  staffRoom = running.carenet.app.rooms.get(OAK, "staff")!.roomId;
  await sam.waitForInvite((inv) => inv.roomId === staffRoom);
  await sam.joinRoom(staffRoom);
  for (const u of [pia, amy]) expect((await command(bot, sam, staffRoom, `!member add ${u.userId}`)).reaction).toBe("✅");
  [piaDm, amyDm] = await Promise.all([acceptBotDm(pia, bot), acceptBotDm(amy, bot)]);
  await onCallNow({ bot, peer: pia, peerDm: piaDm, staff: sam, staffRoom, timezone: ZONE });
});

afterAll(async () => {
  for (const u of [sam, pia, amy]) await u?.stop();
  await running?.carenet.stop();
});

test("the first onboarding message fits a phone screen, names the sponsor with a pill and makes every crisis number tappable", async () => {
  const first = amy.eventsSoFar(amyDm).find(fromBot)!;
  expect(first).toBeDefined();
  expect(words(body(first))).toBeLessThanOrEqual(120);
  expect(body(first)).toContain("!page");
  expect(body(first)).toContain("!consent agree");
  expect(body(first)).toContain("Sam Okafor");
  expect(body(first)).not.toContain(sam.userId);
  expect(html(first)).toContain(pillFor(sam));
  expectTappableCrisisNumbers(first);
  expectNoMarkup(first);
  expect((await command(bot, amy, amyDm, "!consent agree")).reaction).toBe("✅");
});

test("!help is short, puts !page first, and has the tappable numbers", async () => {
  const help = await ask(amy, amyDm, "!help");
  expect(words(body(help))).toBeLessThanOrEqual(80);
  expect(body(help).indexOf("!page")).toBeLessThan(body(help).indexOf("!help all"));
  expectTappableCrisisNumbers(help);
  expectNoMarkup(help);
});

test("a page: a short answer for the member; the peer is asked about the member by name, with a pill", async () => {
  const answer = await ask(amy, amyDm, "!page");
  expect(words(body(answer))).toBeLessThanOrEqual(60);
  expectTappableCrisisNumbers(answer);
  expectNoMarkup(answer);
  const request = await pia.waitForEvent(piaDm, (ev) => fromBot(ev) && body(ev).includes("Amy Rivers"));
  expect(body(request)).not.toContain(amy.userId);
  expect(html(request)).toContain(pillFor(amy));
  const ack = await ask(pia, piaDm, "!ack");
  expect(body(ack)).toContain("Amy Rivers");
  const coming = await amy.waitForEvent(amyDm, (ev) => fromBot(ev) && body(ev).includes("Pia Lind"));
  expect(body(coming)).not.toContain(pia.userId);
  expect(html(coming)).toContain(pillFor(pia));
  await ask(pia, piaDm, "!resolve");
});

test("times carry the community's zone label", async () => {
  const mine = await ask(pia, piaDm, "!rota mine");
  expect(body(mine)).toContain("UK time");
});

test("a check-in prompt is answered by typing 3, and the reply says so", async () => {
  clock.offset = PROMPT_AT - Date.now() + 1000;
  await running.carenet.runDueJobs();
  await amy.waitForEvent(amyDm, (ev) => fromBot(ev) && body(ev).includes("How are you doing?"));
  const reply = await ask(amy, amyDm, "3");
  expect(body(reply)).toContain("I took your message as your answer");
  expect(body(reply)).not.toContain("I only understand");
  const rows = running.carenet.db.prepare("SELECT value FROM checkin_answers WHERE user_id = ?").all(amy.userId);
  expect(rows).toEqual([{ value: 3 }]);
});

test("after !language es the same member reads Spanish, still with tappable numbers", async () => {
  const set = await ask(amy, amyDm, "!language es");
  expect(body(set)).toContain("A partir de ahora te escribo en Español");
  const help = await ask(amy, amyDm, "!help");
  expect(body(help)).not.toEqual(expect.stringContaining("If you need"));
  expect(body(help)).toMatch(/apoyo|ayuda/i);
  expect(words(body(help))).toBeLessThanOrEqual(80);
  expectTappableCrisisNumbers(help);
  const answer = await ask(amy, amyDm, "!page");
  expect(body(answer)).toMatch(/apoyo|aviso|guardia/i);
  expect(words(body(answer))).toBeLessThanOrEqual(60);
});
