import { botReactionTo, CRISIS, newUser, startCarenet, type RunningCarenet, e2eScene, tempDir } from "./harness/carenet";
import { sleep } from "./harness/child";
import type { MatrixEvent, MatrixUser } from "./harness/matrixUser";
import { acceptBotDm, body, botSays, supportInvite } from "./harness/paging";
import { command, onCallNow } from "./harness/rota";

/**
 * The whole story on a real Synapse, through Matrix only (nothing written to the store by
 * the test): staff add two people; both are welcomed and agree; one volunteers for a shift
 * covering now and staff approve; `!oncall` names them; the other pages from the community
 * room without the bot repeating the note there; the peer is asked, acknowledges with ✅,
 * the member is told, the page is closed in the support room and the peer is asked how
 * they are; staff see the page (never its note) and the audit; check-ins are recorded
 * only with agreement.
 */

const { env, bot, rand } = e2eScene();
const OAK = `oak-${rand}`;
const NAME = `Oakwood ${rand}`;
const TZ = "Europe/London";
const NOTE = `I am not ok ${rand}`;

let running: RunningCarenet;
let sam: MatrixUser; // staff
let pia: MatrixUser; // member who becomes a peer supporter
let amy: MatrixUser; // member who pages
let carl: MatrixUser; // member who has not agreed
let staffRoom: string;
let communityRoom: string;
let piaDm: string;
let amyDm: string;
let pageNotice: MatrixEvent;
let supportRoom: string;

const fromBot = (text: string) => botSays(bot, text);
const room = (key: string) => running.carenet.app.rooms.get(OAK, key)!.roomId;
const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** How carenet names someone: by display name (Synapse's default is the localpart), or by Matrix ID before it knows the name. */
const named = (u: MatrixUser) => `(?:${esc(u.userId.slice(1).split(":")[0])}|${esc(u.userId)})`;

beforeAll(async () => {
  [sam, pia, amy, carl] = await Promise.all(["sam", "pia", "amy", "carl"].map((n) => newUser(env, n)));
  running = await startCarenet(env, tempDir("journey"), {
    communities: [
      {
        id: OAK,
        name: NAME,
        timezone: TZ,
        staff: [sam.userId],
        rooms: { community: { name: "Oakwood community" }, staff: { name: "Oakwood staff" }, alumni: { name: "Oakwood alumni" } },
        rules: ["Be kind to each other."],
        rota: { approval_required: true },
        // Long waits: nothing escalates while the peer answers.
        paging: { escalation: [{ notify: "on_call_peers", wait: "10m" }, { notify: "all_staff", wait: "10m" }] },
      },
    ],
  });
  if (!running.carenet.provisioning.ok) throw new Error("provisioning failed");
  staffRoom = room("staff");
  communityRoom = room("community");
  await sam.waitForInvite((inv) => inv.roomId === staffRoom);
  await sam.joinRoom(staffRoom);
});

afterAll(async () => {
  for (const u of [sam, pia, amy, carl]) await u?.stop();
  await running?.carenet.stop();
});

test("staff add two people in the staff room; both are welcomed by DM and agree", async () => {
  for (const person of [pia, amy]) {
    const added = await command(bot, sam, staffRoom, `!member add ${person.userId}`);
    expect(added.reaction).toBe("✅");
    expect(added.reply).toMatch(new RegExp(`Added ${named(person)} to ${NAME}`));
  }
  [piaDm, amyDm] = await Promise.all([acceptBotDm(pia, bot), acceptBotDm(amy, bot)]);
  for (const [person, dm] of [
    [pia, piaDm],
    [amy, amyDm],
  ] as const) {
    const welcome = await person.waitForEvent(dm, fromBot(`Welcome to ${NAME}`));
    expect(body(welcome)).toContain("To agree, send !consent agree.");
    expect(body(welcome)).toContain(CRISIS);
  }
  const agreed = await command(bot, amy, amyDm, "!consent agree");
  expect(agreed.reaction).toBe("✅");
  expect(agreed.reply).toContain(`you agree to ${NAME}'s text`);
});

test("one volunteers for a shift covering now (after agreeing), staff approve, and !oncall in the community room names them", async () => {
  const shift = await onCallNow({ bot, peer: pia, peerDm: piaDm, staff: sam, staffRoom, timezone: TZ });
  expect(shift).toBeGreaterThan(0);
  // The shift started a few minutes before it was approved: the start message comes now, and is not "late".
  const onCall = await pia.waitForEvent(piaDm, fromBot(`You are on call for ${NAME} now`));
  expect(body(onCall)).not.toContain("late");

  await amy.waitForInvite((inv) => inv.roomId === communityRoom);
  await amy.joinRoom(communityRoom);
  const oncall = await command(bot, amy, communityRoom, "!oncall");
  expect(oncall.reaction).toBe("✅");
  expect(oncall.reply).toContain(`On call in ${NAME} now`);
  expect(oncall.reply).toMatch(new RegExp(`Peers: ${named(pia)} until`));
});

test("the other member pages from the community room: the note is not echoed there; the peer gets a DM and a support-room invite", async () => {
  const pageEvent = await amy.sendText(communityRoom, `!page ${NOTE}`);
  // In the room: only the bot's ✅.
  const reaction = await amy.waitForEvent(communityRoom, botReactionTo(bot, pageEvent));
  expect(reaction.content["m.relates_to"].key).toBe("✅");
  // The answer comes by DM, with the crisis resources.
  const reply = await amy.waitForEvent(amyDm, fromBot("I hear you"));
  expect(body(reply)).toContain("1 person (the peer supporters on call)");
  expect(body(reply)).toContain(CRISIS);

  pageNotice = await pia.waitForEvent(piaDm, fromBot("needs support and has paged"));
  expect(body(pageNotice)).toMatch(new RegExp(`${named(amy)} needs support`));
  expect(body(pageNotice)).not.toContain(NOTE);
  supportRoom = await supportInvite(pia);
});

test("the peer reacts ✅ to the page message; the member is told who is coming", async () => {
  await pia.react(piaDm, pageNotice.event_id, "✅");
  // The peer is thanked and told where to go, as `!ack` would be.
  await pia.waitForEvent(piaDm, fromBot("has been told you are coming (page"));
  const coming = await amy.waitForEvent(amyDm, fromBot("is coming"));
  expect(body(coming)).toContain("support room");
});

test("!resolve in the support room closes the page; the peer gets a debrief prompt", async () => {
  expect(await supportInvite(amy)).toBe(supportRoom);
  await amy.joinRoom(supportRoom);
  await pia.joinRoom(supportRoom);
  // The note is shown in the support room, and only there.
  await amy.waitForEvent(supportRoom, fromBot(NOTE));
  const resolved = await command(bot, amy, supportRoom, "!resolve");
  expect(resolved.reaction).toBe("✅");
  expect(resolved.reply).toContain("closed");
  const debrief = await pia.waitForEvent(piaDm, fromBot("How are you?"));
  expect(body(debrief)).toContain("Thank you for being there for");
  await pia.waitForEvent(supportRoom, fromBot("This room stays here for everyone in it to read"));

  // By now everything the page caused has been sent: the bot said nothing in the community room but ✅s.
  await sleep(1000);
  const saidInRoom = amy.eventsSoFar(communityRoom).filter((ev) => ev.sender === bot && ev.type === "m.room.message");
  expect(saidInRoom.map(body).join("\n")).not.toContain(NOTE);
  expect(saidInRoom.map(body).join("\n")).not.toContain("I hear you");
  expect(pia.eventsSoFar(piaDm).filter(fromBot("needs support and has paged"))).toHaveLength(1);
  expect(amy.eventsSoFar(amyDm).filter(fromBot("is coming"))).toHaveLength(1);
});

test("staff !pages shows the page's metadata and never the note; !audit lists the member adds and the rota approval", async () => {
  const pages = await command(bot, sam, staffRoom, "!pages");
  expect(pages.reaction).toBe("✅");
  expect(pages.reply).toContain(`Pages in ${NAME} since`);
  expect(pages.reply).toMatch(new RegExp(named(amy)));
  expect(pages.reply).toMatch(new RegExp(named(pia)));
  expect(pages.reply).not.toContain(NOTE);
  expect(pages.reply).not.toContain(rand + "\n"); // nothing of the note, which ends with the run's id

  const audit = await command(bot, sam, staffRoom, "!audit 50");
  expect(audit.reaction).toBe("✅");
  for (const words of [
    `${named(sam)} added ${named(pia)} as a member`,
    `${named(sam)} added ${named(amy)} as a member`,
    `${named(pia)} agreed to the rights text`,
    `${named(sam)} ran !rota approve \\(about ${named(pia)}\\)`,
    `${named(amy)} paged for support`,
    `${named(pia)} said they are coming to ${named(amy)}`,
    `${named(amy)} closed their own page`,
  ]) {
    expect(audit.reply).toMatch(new RegExp(words));
  }
  expect(audit.reply).not.toContain("UTC");
  expect(audit.reply).not.toContain(NOTE);

  // The note is stored nowhere and was never logged.
  expect(running.logs.text).not.toContain(NOTE);
  const db = running.carenet.db;
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((t) => t.name);
  for (const table of tables) expect(JSON.stringify(db.prepare(`SELECT * FROM "${table}"`).all())).not.toContain(NOTE);
});

test("!checkin 4 is recorded for the member who agreed, and refused kindly to one who has not", async () => {
  const recorded = await command(bot, amy, amyDm, "!checkin 4");
  expect(recorded.reaction).toBe("✅");
  expect(recorded.reply).toContain("I have recorded");

  expect((await command(bot, sam, staffRoom, `!member add ${carl.userId}`)).reaction).toBe("✅");
  const carlDm = await acceptBotDm(carl, bot);
  await carl.waitForEvent(carlDm, fromBot(`Welcome to ${NAME}`));
  const refused = await command(bot, carl, carlDm, "!checkin 4");
  expect(refused.reaction).toBe("⛔");
  expect(refused.reply).toContain("Check-ins are recorded only for members who have agreed");
  expect(refused.reply).toContain("I have not recorded anything");
  expect(refused.reply).toContain("!consent agree");
  expect(refused.reply).toContain(CRISIS);
});

test("!help reads as it should for a member in their DM and for staff in the staff room", async () => {
  const member = await command(bot, amy, amyDm, "!help");
  expect(member.reply.startsWith("Need a person now? Send !page")).toBe(true);
  expect(member.reply).toContain(CRISIS);
  expect(member.reply.split(/\s+/).length).toBeLessThanOrEqual(80);
  expect(member.reply).not.toContain("For staff");
  expect(member.reply).not.toContain("!member");
  const all = await command(bot, amy, amyDm, "!help all");
  expect(all.reply).toContain("!page [what is happening]");
  expect(all.reply).not.toContain("!member");

  const staff = await command(bot, sam, staffRoom, "!help");
  expect(staff.reply).toContain("For staff, in this room:");
  expect(staff.reply).toContain("!rota add|remove|cover|swap|show|approve …");
  expect(staff.reply).toContain("!pages [since]");
});
