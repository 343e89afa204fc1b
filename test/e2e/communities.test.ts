import { hasCurrentConsent } from "../../src/features/communities/consent";
import { botReactionTo, botReplyTo, CRISIS, newUser, startCarenet, type RunningCarenet, e2eScene, tempDir } from "./harness/carenet";
import { waitUntil } from "./harness/child";
import type { MatrixEvent, MatrixUser } from "./harness/matrixUser";

/**
 * Communities on a real Synapse, with two communities configured: staff add members from
 * their staff room (invited to their own community's rooms only, welcomed by DM with their
 * rights and choices); staff of another community are refused and audited; a member who
 * leaves a room is not invited back, even after a restart, and staff are told; consent is
 * recorded; a discharged member ends up in the alumni room; `!audit` shows all of it.
 */

const { env, bot, rand } = e2eScene();
const dir = tempDir("communities");
const OAK = `oak-${rand}`;
const ELM = `elm-${rand}`;

let running: RunningCarenet | undefined;
let samA: MatrixUser; // staff of oak
let samB: MatrixUser; // staff of elm
let bob: MatrixUser;
let carol: MatrixUser;
let bobDm: string;

function communities(opts: { withGarden?: boolean } = {}): unknown[] {
  return [
    {
      id: OAK,
      name: `Oakwood ${rand}`,
      timezone: "Europe/London",
      staff: [samA.userId],
      rooms: {
        community: { name: "Oakwood community", posting_hours: [{ days: ["mon", "tue", "wed", "thu", "fri"], from: "17:00", to: "09:00" }] },
        staff: { name: "Oakwood staff" },
        alumni: { name: "Oakwood alumni" },
        extra: [{ id: "creative", name: "Oakwood creative corner" }, ...(opts.withGarden ? [{ id: "garden", name: "Oakwood garden" }] : [])],
      },
      rules: ["Be kind to each other.", "Bring it back to the group."],
    },
    {
      id: ELM,
      name: `Elmfield ${rand}`,
      timezone: "Europe/London",
      staff: [samB.userId],
      rooms: { community: { name: "Elmfield community" }, staff: { name: "Elmfield staff" }, alumni: { name: "Elmfield alumni" } },
    },
  ];
}

async function start(opts: Parameters<typeof communities>[0] = {}): Promise<RunningCarenet> {
  await running?.carenet.stop();
  running = await startCarenet(env, dir, { communities: communities(opts) });
  if (!running.carenet.provisioning.ok) throw new Error("provisioning failed");
  return running;
}

const app = () => running!.carenet.app;
const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** How carenet names someone: by display name (Synapse's default is the localpart), or by Matrix ID before it knows the name. */
const named = (u: MatrixUser) => `(?:${esc(u.userId.slice(1).split(":")[0])}|${esc(u.userId)})`;
const roomOf = (community: string, key: string) => app().rooms.get(community, key)!.roomId;
const roomsOf = (community: string, keys: string[]) => keys.map((k) => roomOf(community, k));

/** Waits until every queued invitation and removal has been carried out. */
const jobsDone = () =>
  waitUntil("the queued invitations and removals are done", () => {
    const { n } = running!.carenet.db.prepare("SELECT COUNT(*) AS n FROM jobs WHERE state = 'pending' AND kind IN ('matrix.invite', 'matrix.kick')").get() as { n: number };
    return n === 0;
  });

async function acceptInvites(user: MatrixUser, roomIds: string[]): Promise<void> {
  for (const roomId of roomIds) {
    await user.waitForInvite((inv) => inv.roomId === roomId);
    await user.joinRoom(roomId);
  }
}

/** Sends a command and waits for the bot's reaction; returns the reaction key and the reply (in the same room). */
async function command(user: MatrixUser, roomId: string, body: string): Promise<{ reaction: string; reply: MatrixEvent }> {
  const eventId = await user.sendText(roomId, body);
  const reaction = await user.waitForEvent(roomId, botReactionTo(bot, eventId));
  const reply = await user.waitForEvent(roomId, botReplyTo(bot, eventId));
  return { reaction: String(reaction.content["m.relates_to"].key), reply };
}

/** `user`'s membership of a room as `viewer` (who is in the room) sees it; undefined if never a member. */
async function membershipOf(viewer: MatrixUser, roomId: string, user: MatrixUser): Promise<string | undefined> {
  try {
    return String((await viewer.getState(roomId, "m.room.member", user.userId)).membership);
  } catch (err) {
    if ((err as { errcode?: string }).errcode === "M_NOT_FOUND") return undefined;
    throw err;
  }
}

beforeAll(async () => {
  [samA, samB, bob, carol] = await Promise.all([newUser(env, "sam"), newUser(env, "sam"), newUser(env, "bob"), newUser(env, "carol")]);
  await start();
  await acceptInvites(samA, roomsOf(OAK, ["space", "community", "staff", "alumni", "creative"]));
  await acceptInvites(samB, roomsOf(ELM, ["space", "community", "staff", "alumni"]));
});

afterAll(async () => {
  for (const u of [samA, samB, bob, carol]) await u?.stop();
  await running?.carenet.stop();
});

test("!member add in A's staff room invites the person to A's rooms only, and they receive their rights by DM", async () => {
  const { reaction, reply } = await command(samA, roomOf(OAK, "staff"), `!member add ${bob.userId}`);
  expect(reaction).toBe("✅");
  expect(reply.content.msgtype).toBe("m.notice");
  expect(String(reply.content.body)).toMatch(new RegExp(`Added ${named(bob)} to Oakwood ${rand}, with you as their sponsor\\.`));

  // The Space, the community chat and the extra room — nothing else.
  for (const roomId of roomsOf(OAK, ["space", "community", "creative"])) await bob.waitForInvite((inv) => inv.roomId === roomId);
  await jobsDone();
  for (const roomId of roomsOf(OAK, ["community", "creative", "space"])) expect(await membershipOf(samA, roomId, bob)).toBe("invite");
  for (const roomId of roomsOf(OAK, ["staff", "alumni"])) expect(await membershipOf(samA, roomId, bob)).toBeUndefined();
  for (const roomId of roomsOf(ELM, ["space", "community", "staff", "alumni"])) expect(await membershipOf(samB, roomId, bob)).toBeUndefined();

  // The bot opens a conversation with them and welcomes them there.
  bobDm = await bob.waitForInvite((inv) => inv.sender === bot && inv.state.some((e) => e.type === "m.room.member" && e.state_key === bob.userId && e.content.is_direct === true));
  await bob.joinRoom(bobDm);
  const welcome = await bob.waitForEvent(bobDm, (ev) => ev.sender === bot && String(ev.content.body).startsWith(`Welcome to Oakwood ${rand}`));
  expect(welcome.content.msgtype).toBe("m.notice");
  const text = String(welcome.content.body);
  // One phone screen: who, the sponsor by name (a pill), support now, what next.
  expect(text.split(/\s+/).length).toBeLessThanOrEqual(120);
  expect(text).toMatch(new RegExp(`Your sponsor is ${named(samA)}: ask them about anything\\.`));
  expect(String(welcome.content.formatted_body)).toContain(`<a href="https://matrix.to/#/${samA.userId}">`);
  for (const words of ["carenet is not a crisis service.", CRISIS, "Send !page here", "To agree, send !consent agree."]) expect(text).toContain(words);
  expect(String(welcome.content.formatted_body)).toContain("<code>!consent agree</code>");
  expect(text).not.toContain("`");
  // Then the rights in short, one line per part with the command that opens it.
  const summary = await bob.waitForEvent(bobDm, (ev) => ev.sender === bot && String(ev.content.body).startsWith(`Oakwood ${rand}: your rights, in short`));
  for (const words of ["More: !rights kept", "More: !rights see", "More: !rights advocacy", "More: !rules", "(Version "]) expect(String(summary.content.body)).toContain(words);
  const see = await command(bob, bobDm, "!rights see");
  expect(String(see.reply.content.body)).toContain("Nothing in carenet is used to monitor whether you follow your treatment");
});

test("!consent agree is recorded with the version of the text the member was shown", async () => {
  expect(hasCurrentConsent(app(), OAK, bob.userId)).toBe(false);
  const { reaction, reply } = await command(bob, bobDm, "!consent agree");
  expect(reaction).toBe("✅");
  const version = /version (\S+)\) on/.exec(String(reply.content.body))?.[1];
  expect(version).toMatch(new RegExp(`^${OAK}@[0-9a-f]{12}$`));
  expect(String(bob.eventsSoFar(bobDm).find((ev) => String(ev.content.body).startsWith(`Oakwood ${rand}: your rights, in short`))?.content.body)).toContain(`(Version ${version}.)`);
  expect(app().consent.current(bob.userId)).toMatchObject({ decision: "agreed", textVersion: version });
  expect(hasCurrentConsent(app(), OAK, bob.userId)).toBe(true);
  expect(hasCurrentConsent(app(), ELM, bob.userId)).toBe(false);
});

test("a member asks for no sponsor with !sponsor; staff are told in the staff room, decide there, and the member is told", async () => {
  const staffA = roomOf(OAK, "staff");
  const shown = await command(bob, bobDm, "!sponsor");
  expect(String(shown.reply.content.body)).toMatch(new RegExp(`your sponsor is ${named(samA)}`));
  expect(String(shown.reply.content.formatted_body)).toContain(`<a href="https://matrix.to/#/${samA.userId}">`);

  const asked = await command(bob, bobDm, "!sponsor none");
  expect(asked.reaction).toBe("✅");
  expect(String(asked.reply.content.body)).toContain("that you would like to have no sponsor");
  await samA.waitForEvent(staffA, (ev) => ev.sender === bot && new RegExp(`^${named(bob)} asks for no sponsor`).test(String(ev.content.body)));
  expect(app().members.get(OAK, bob.userId)?.sponsor).toBe(samA.userId);

  const decided = await command(samA, staffA, `!member sponsor ${bob.userId} none`);
  expect(decided.reaction).toBe("✅");
  expect(app().members.get(OAK, bob.userId)?.sponsor).toBeNull();
  await bob.waitForEvent(bobDm, (ev) => ev.sender === bot && String(ev.content.body).includes("you have no sponsor now"));
});

test("a staff member of B cannot add members to A: refused with a reason, and audited", async () => {
  const staffA = roomOf(OAK, "staff");
  // An A staff member lets B's staff member into A's staff room (staff may invite)...
  await samA.request("POST", `/_matrix/client/v3/rooms/${encodeURIComponent(staffA)}/invite`, { user_id: samB.userId });
  await acceptInvites(samB, [staffA]);
  // ...which gives them no authority over A.
  const { reaction, reply } = await command(samB, staffA, `!member add ${carol.userId}`);
  expect(reaction).toBe("⛔");
  // Standing in A's staff room: told who they are not, not where to go.
  expect(reply.content.body).toBe(`!member is for the staff of Oakwood ${rand}, and you are not staff of Oakwood ${rand}.`);
  expect(app().members.get(OAK, carol.userId)).toBeUndefined();
  expect(app().audit.latest(OAK, 5)).toContainEqual(expect.objectContaining({ actor: samB.userId, action: "command.refused" }));
  await samA.request("POST", `/_matrix/client/v3/rooms/${encodeURIComponent(staffA)}/kick`, { user_id: samB.userId, reason: "test over" });
});

test("a member who leaves the community room is not invited back, even after a restart, and staff are told once", async () => {
  const chat = roomOf(OAK, "community");
  const staffA = roomOf(OAK, "staff");
  await bob.joinRoom(chat);
  await samA.waitForEvent(chat, (ev) => ev.type === "m.room.member" && ev.state_key === bob.userId && ev.content.membership === "join");
  await bob.leaveRoom(chat);
  const isLeftNotice = (ev: MatrixEvent) =>
    ev.sender === bot && ev.type === "m.room.message" && new RegExp(`^${named(bob)} left “Oakwood community” on their own\\.`).test(String(ev.content.body));
  await samA.waitForEvent(staffA, isLeftNotice);

  // A restart with a new room in the config: bob is invited to the new room, not back to the chat.
  await start({ withGarden: true });
  const garden = roomOf(OAK, "garden");
  await bob.waitForInvite((inv) => inv.roomId === garden);
  await jobsDone();
  expect(await membershipOf(samA, chat, bob)).toBe("leave");
  const invitesToChat = running!.carenet.db
    .prepare("SELECT COUNT(*) AS n FROM jobs WHERE kind = 'matrix.invite' AND payload_json LIKE ? AND payload_json LIKE ?")
    .get(`%${chat}%`, `%${bob.userId}%`) as { n: number };
  expect(invitesToChat.n).toBe(1); // the one from !member add, before he left
  expect(app().members.hasLeft(OAK, bob.userId, "community")).toBe(true);
  expect(samA.eventsSoFar(staffA).filter(isLeftNotice)).toHaveLength(1);
});

test("a discharged member ends up in the alumni room only (and keeps the Space)", async () => {
  const staffA = roomOf(OAK, "staff");
  await acceptInvites(samA, [roomOf(OAK, "garden")]);
  expect((await command(samA, staffA, `!member add ${carol.userId}`)).reaction).toBe("✅");
  await acceptInvites(carol, roomsOf(OAK, ["space", "community", "creative", "garden"]));

  const { reaction, reply } = await command(samA, staffA, `!member discharge ${carol.userId}`);
  expect(reaction).toBe("✅");
  expect(String(reply.content.body)).toMatch(new RegExp(`${named(carol)} is now one of the alumni of Oakwood ${rand}\\.`));
  await acceptInvites(carol, [roomOf(OAK, "alumni")]);
  await jobsDone();

  for (const key of ["community", "creative", "garden"]) {
    const roomId = roomOf(OAK, key);
    expect(await membershipOf(samA, roomId, carol)).toBe("leave");
    const ev = await samA.getState(roomId, "m.room.member", carol.userId);
    expect(ev.reason).toContain(`Discharged from Oakwood ${rand}`);
  }
  expect(await membershipOf(samA, roomOf(OAK, "alumni"), carol)).toBe("join");
  expect(await membershipOf(samA, roomOf(OAK, "space"), carol)).toBe("join");
  expect(await membershipOf(samA, staffA, carol)).toBeUndefined();
  expect(app().members.get(OAK, carol.userId)).toMatchObject({ status: "discharged", role: "alumni", sponsor: samA.userId });
});

test("!audit in the staff room shows what happened, in words, by name, in the community's time", async () => {
  const { reaction, reply } = await command(samA, roomOf(OAK, "staff"), "!audit 50");
  expect(reaction).toBe("✅");
  const body = String(reply.content.body);
  for (const words of [
    `${named(samA)} added ${named(bob)} as a member`,
    `${named(bob)} agreed to the rights text`,
    `${named(samB)}: !member add refused: !member is for the staff of Oakwood ${rand}`,
    `${named(bob)} left a room on their own \\(left “Oakwood community” on their own\\)`,
    `${named(samA)} discharged ${named(carol)} to the alumni`,
  ]) {
    expect(body).toMatch(new RegExp(words));
  }
  expect(body).toContain("(times in United Kingdom Time)");
  expect(body).toMatch(/- [A-Z][a-z]{2}, [A-Z][a-z]{2} \d{1,2}, \d{2}:\d{2}: /);
  expect(body).not.toContain("UTC");
  // Each add once: no "ran !member add" beside "added … as a member".
  expect(body).not.toContain("ran !member add");
  // Nothing of the other community.
  expect(body).not.toMatch(new RegExp(`${named(samB)} added`));
});
