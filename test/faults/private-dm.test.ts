import { botReactionTo, newUser, startCarenet, type RunningCarenet, e2eScene, tempDir } from "../e2e/harness/carenet";
import type { MatrixEvent, MatrixUser } from "../e2e/harness/matrixUser";
import { sleep } from "../e2e/harness/child";
import { pagingCommunity } from "../e2e/harness/paging";

/**
 * Fault area "private-dm": a "direct" chat that others can read never gets anything
 * private. A member makes a public, world-readable room marked is_direct, invites the bot
 * and sends `!mydata`: the export goes to a new private chat (invite only, just the two of
 * them), never to that room. And a proper DM made world-readable later is caught when the
 * next private message is sent.
 */

const { env, bot, rand } = e2eScene();
const dir = tempDir("faults-private");
const OAK = `oak${rand}`;

let running: RunningCarenet;
let sam: MatrixUser;

const EXPORT = "Everything carenet keeps about you";

beforeAll(async () => {
  sam = await newUser(env, "sam");
  running = await startCarenet(env, dir, { communities: [{ ...pagingCommunity(OAK, { staff: [sam.userId], escalation: [{ notify: "all_staff", wait: "10m" }] }), name: "Oakwood" }] });
});

afterAll(async () => {
  await sam?.stop();
  await running?.carenet.stop();
});

/** Waits for the bot's invitation to a new direct chat, joins it, and checks it is private. */
async function newPrivateChat(user: MatrixUser, except: string): Promise<string> {
  const roomId = await user.waitForInvite(
    (inv) => inv.roomId !== except && inv.sender === bot && inv.state.some((e) => e.type === "m.room.member" && e.state_key === user.userId && e.content.is_direct === true),
    30_000,
  );
  await user.joinRoom(roomId);
  expect((await user.getState(roomId, "m.room.join_rules")).join_rule).toBe("invite");
  expect((await user.getState(roomId, "m.room.history_visibility")).history_visibility).not.toBe("world_readable");
  expect(await user.getJoinedMembers(roomId)).toEqual([bot, user.userId].sort());
  return roomId;
}

async function member(name: string): Promise<MatrixUser> {
  const u = await newUser(env, name);
  running.carenet.app.members.add({ communityId: OAK, userId: u.userId, sponsor: sam.userId, addedBy: sam.userId }, Date.now());
  return u;
}

it("a public, world-readable 'DM' never receives the export: the member gets it in a new private chat", async () => {
  const amy = await member("amy");
  try {
    const open = await amy.createRoom({ preset: "public_chat", is_direct: true, invite: [bot], initial_state: [{ type: "m.room.history_visibility", state_key: "", content: { history_visibility: "world_readable" } }] });
    await amy.waitForEvent(open, (ev) => ev.sender === bot && ev.type === "m.room.message", 30_000);
    const cmd = await amy.sendText(open, "!mydata");
    await amy.waitForEvent(open, botReactionTo(bot, cmd), 30_000);
    const priv = await newPrivateChat(amy, open);
    const exported = await amy.waitForEvent(priv, (ev) => ev.sender === bot && String(ev.content.body).includes(EXPORT), 30_000);
    expect(String(exported.content.body)).toContain(amy.userId);
    await sleep(1500);
    // Nothing the bot said in the open room mentions the member's data.
    const said = amy.eventsSoFar(open).filter((ev) => ev.sender === bot && ev.type === "m.room.message").map((ev) => String(ev.content.body));
    expect(said.filter((b) => b.includes(amy.userId) || b.includes(EXPORT))).toEqual([]);
    // And what anyone can read there without joining holds none of it.
    const eve = await newUser(env, "eve");
    const peek = await eve.request<{ chunk: MatrixEvent[] }>("GET", `/_matrix/client/v3/rooms/${encodeURIComponent(open)}/messages?dir=b&limit=100`);
    expect(peek.chunk.filter((ev) => ev.sender === bot && String(ev.content?.body ?? "").includes(amy.userId))).toEqual([]);
    await eve.stop();
  } finally {
    await amy.stop();
  }
});

it("a proper DM made world-readable afterwards is checked when the next private message is sent", async () => {
  const bea = await member("bea");
  try {
    const dm = await bea.createDm(bot);
    await bea.waitForEvent(dm, (ev) => ev.sender === bot && ev.type === "m.room.message", 30_000);
    expect(running.carenet.app.dmRooms.userFor(dm)).toBe(bea.userId);
    await bea.sendState(dm, "m.room.history_visibility", "", { history_visibility: "world_readable" });
    const cmd = await bea.sendText(dm, "!mydata");
    await bea.waitForEvent(dm, botReactionTo(bot, cmd), 30_000);
    const priv = await newPrivateChat(bea, dm);
    await bea.waitForEvent(priv, (ev) => ev.sender === bot && /opened this private chat/.test(String(ev.content.body)), 30_000);
    await bea.waitForEvent(priv, (ev) => ev.sender === bot && String(ev.content.body).includes(EXPORT), 30_000);
    await sleep(1500);
    expect(bea.eventsSoFar(dm).filter((ev) => ev.sender === bot && String(ev.content.body ?? "").includes(EXPORT))).toEqual([]);
  } finally {
    await bea.stop();
  }
});
