import { newUser, openBotDm, startCarenet, type RunningCarenet, e2eScene, tempDir, addMember } from "./harness/carenet";
import { sleep } from "./harness/child";
import type { MatrixUser } from "./harness/matrixUser";
import { body, botSays, supportInvite, pagingCommunity, recordedSupportRoom } from "./harness/paging";

/**
 * Support rooms from the pool of warm rooms, on a real Synapse: the pool is filled at
 * start with private rooms nobody but the bot is in; a page takes one (made before the
 * page, so no room is made while the member waits), names it and invites; the pool is
 * topped up with a new room, and the taken one is never offered again.
 */

const { env, bot, rand } = e2eScene();
const OAK = `oak-${rand}`;
const NOTE = `e2e-warm-note-${rand}`;

let running: RunningCarenet;
let amy: MatrixUser; // member
let sam: MatrixUser; // staff, asked at the ladder's only step

const readyRooms = () =>
  (running.carenet.db.prepare("SELECT room_id FROM warm_rooms WHERE community_id = ? AND state = 'ready' ORDER BY room_id").all(OAK) as Array<{ room_id: string }>).map((r) => r.room_id);

/** Waits (up to a minute) until `cond` holds; a wait, not a measure. */
async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !cond(); i++) await sleep(100);
  if (!cond()) throw new Error(`gave up waiting for ${what}`);
}

beforeAll(async () => {
  [amy, sam] = await Promise.all(["amy", "sam"].map((n) => newUser(env, n)));
  const oak = pagingCommunity(OAK, { staff: [sam.userId], escalation: [{ notify: "all_staff", wait: "10m" }] });
  running = await startCarenet(env, tempDir("warm"), {
    communities: [{ ...oak, paging: { ...oak.paging, warm_rooms: 2 } }],
  });
  addMember(running, OAK, amy, sam);
});

afterAll(async () => {
  for (const u of [amy, sam]) await u?.stop();
  await running?.carenet.stop();
});

test("the pool is filled at start with private rooms named for the community that nobody but the bot is in", async () => {
  await until("two warm rooms", () => readyRooms().length === 2);
  for (const roomId of readyRooms()) {
    const state = await running.carenet.app.homeserver.getRoomState(roomId);
    const content = (type: string) => state.find((e) => e.type === type && e.state_key === "")?.content;
    expect(content("m.room.join_rules")).toMatchObject({ join_rule: "invite" });
    expect(content("m.room.history_visibility")).toMatchObject({ history_visibility: "shared" });
    expect(content("m.room.guest_access")).toMatchObject({ guest_access: "forbidden" });
    expect(content("m.room.name")).toEqual({ name: `Community ${OAK} support room` });
    expect(state.filter((e) => e.type === "m.room.member").map((e) => [e.state_key, e.content.membership])).toEqual([[bot, "join"]]);
  }
});

test("a page takes a warm room (made before the page): invited under the community's name, then named for the member and introduced; the pool is topped up with a new one", async () => {
  await until("two warm rooms", () => readyRooms().length === 2);
  const pool = readyRooms();
  const dm = await openBotDm(amy, bot);
  const sentAt = Date.now();
  await amy.sendText(dm, `!page ${NOTE}`);

  const supportRoom = await supportInvite(sam);
  expect(pool).toContain(supportRoom);
  expect(await supportInvite(amy)).toBe(supportRoom);
  // The invitations showed the community's name, not the member's.
  const inviteName = `Community ${OAK} support room`;
  for (const u of [sam, amy]) {
    expect(await u.waitForInvite((inv) => inv.roomId === supportRoom && inv.state.find((e) => e.type === "m.room.name")?.content.name === inviteName)).toBe(supportRoom);
  }
  expect(await recordedSupportRoom(running.carenet.db, amy.userId)).toBe(supportRoom);

  // No room was made for the page: the support room was created before the member paged.
  await sam.joinRoom(supportRoom);
  const created = await sam.waitForEvent(supportRoom, (ev) => ev.type === "m.room.create");
  expect(created.origin_server_ts).toBeLessThan(sentAt);
  const named = await sam.waitForEvent(supportRoom, (ev) => ev.type === "m.room.name" && String(ev.content.name).startsWith("Support for "));
  expect(named.content).toEqual({ name: `Support for ${amy.userId.slice(1).split(":")[0]}` });
  await sam.waitForEvent(supportRoom, botSays(bot, "This is a private support room"));
  expect(body(await sam.waitForEvent(supportRoom, botSays(bot, NOTE)))).toContain(NOTE);
  const joinRule = await sam.waitForEvent(supportRoom, (ev) => ev.type === "m.room.join_rules");
  expect(joinRule.content).toMatchObject({ join_rule: "invite" });

  // Topped up: two ready again, a new room among them, and never the one the page took.
  await until("the pool topped up", () => readyRooms().length === 2 && !readyRooms().includes(supportRoom));
  expect(readyRooms().filter((r) => !pool.includes(r))).toHaveLength(1);
  expect(running.carenet.db.prepare("SELECT state FROM warm_rooms WHERE room_id = ?").get(supportRoom)).toEqual({ state: "taken" });
});
