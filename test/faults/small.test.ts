import { randomBytes } from "node:crypto";
import path from "node:path";
import { loadRegistration } from "../../src/matrix/registration";
import { openDatabase } from "../../src/store/database";
import { MembersStore } from "../../src/features/communities/store/members";
import { botReplyTo, newUser, startCarenet, type RunningCarenet, e2eScene, tempDir } from "../e2e/harness/carenet";
import type { MatrixUser } from "../e2e/harness/matrixUser";
import { body, pagingCommunity } from "../e2e/harness/paging";
import { ask } from "./support";

/**
 * The smaller findings of issue 10 (item 9), each through Synapse's own push path: a
 * command sent as a reply, events with impossible timestamps, unknown command names that
 * try to make the bot say something, and page numbers asked about by strangers.
 */

const { env, bot } = e2eScene();
const hsToken = loadRegistration(env.registrationPath, { localpart: "carenet" }).hs_token;
const id = `small-${randomBytes(3).toString("hex")}`;
let running: RunningCarenet;
let amy: MatrixUser, sam: MatrixUser, zoe: MatrixUser;
let amyDm: string, zoeDm: string;

beforeAll(async () => {
  const dir = tempDir("faults-small");
  [amy, sam, zoe] = await Promise.all([newUser(env, "amy"), newUser(env, "sam"), newUser(env, "zoe")]);
  const dbPath = path.join(dir, "carenet.db");
  const seed = openDatabase(dbPath);
  new MembersStore(seed).add({ communityId: id, userId: amy.userId, sponsor: sam.userId, addedBy: sam.userId }, Date.now());
  seed.close();
  running = await startCarenet(env, dir, { dbPath, communities: [pagingCommunity(id, { staff: [sam.userId], escalation: [{ notify: "all_staff", wait: "1h" }] })] });
  const dm = async (u: MatrixUser) => {
    const room = await u.createDm(bot);
    await u.waitForEvent(room, (ev) => ev.sender === bot && ev.type === "m.room.message", 60_000);
    return room;
  };
  [amyDm, zoeDm] = await Promise.all([dm(amy), dm(zoe)]);
});

afterAll(async () => {
  for (const u of [amy, sam, zoe]) await u?.stop();
  await running?.carenet.stop();
});

test("a command sent as a reply, behind the quoted fallback, is recognised", async () => {
  const welcome = amy.eventsSoFar(amyDm).find((ev) => ev.sender === bot && ev.type === "m.room.message")!;
  const command = await amy.sendEvent(amyDm, "m.room.message", {
    msgtype: "m.text",
    body: `> <${bot}> ${String(welcome.content.body).split("\n")[0]}\n\n!help`,
    "m.relates_to": { "m.in_reply_to": { event_id: welcome.event_id } },
  });
  const reply = await amy.waitForEvent(amyDm, botReplyTo(bot, command), 30_000);
  expect(body(reply)).toContain("!help all"); // the help itself, not "I only understand commands"
});

test.each([["-8.7e15", -8.7e15], ["NaN (sent as a string)", "NaN"], ["a string", "yesterday"], ["huge", 1e300]])(
  "an event with origin_server_ts %s is answered once, with no 'Invalid time value'",
  async (_name, ts) => {
    const eventId = `$ts-${randomBytes(6).toString("hex")}`;
    const event = { event_id: eventId, room_id: zoeDm, sender: zoe.userId, type: "m.room.message", origin_server_ts: ts, content: { msgtype: "m.text", body: "!help" } };
    // As the homeserver would push it (the appservice endpoint, with its token).
    const res = await fetch(`http://127.0.0.1:${env.asPort}/_matrix/app/v1/transactions/ts-${eventId.slice(4)}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${hsToken}`, "content-type": "application/json" },
      body: JSON.stringify({ events: [event] }),
    });
    expect(res.status).toBe(200);
    const reply = await zoe.waitForEvent(zoeDm, botReplyTo(bot, eventId), 30_000);
    expect(body(reply)).toContain("If you need support right now:");
    await new Promise((r) => setTimeout(r, 1500));
    expect(zoe.eventsSoFar(zoeDm).filter(botReplyTo(bot, eventId))).toHaveLength(1);
    expect(running.logs.text).not.toContain("Invalid time value");
    expect(running.logs.text).not.toContain("handling an event failed");
  },
);

test("an unknown command name is not repeated when it could carry a message (a number, a link, a long text)", async () => {
  for (const text of ["!call-0900-555-1234-for-help", "!visit-evil.example.com", `!${"x".repeat(500)}`]) {
    const reply = await ask(env, zoe, zoeDm, text);
    expect(reply).toContain("I don't know that command.");
    expect(reply).not.toMatch(/0900|evil|xxxxxxxxxxxxxxxxxxxxxxxxx/);
  }
  expect(await ask(env, zoe, zoeDm, "!hlep")).toContain("I don't know the command !hlep. Did you mean !help?");
});

test("`!ack N` / `!resolve N` from a stranger answer the same for no such page, an open page and a closed one", async () => {
  expect(await ask(env, amy, amyDm, "!page")).toContain("(the staff team) to come");
  const pageId = (running.carenet.db.prepare("SELECT id FROM pages WHERE member = ?").get(amy.userId) as { id: number }).id;
  const answers = async (n: number) => [await ask(env, zoe, zoeDm, `!ack ${n}`), await ask(env, zoe, zoeDm, `!resolve ${n}`)].map((t) => t.replace(`page ${n} `, "page N "));
  const open = await answers(pageId);
  const missing = await answers(pageId + 1000);
  expect(await ask(env, amy, amyDm, `!resolve ${pageId}`)).toContain("closed");
  const closed = await answers(pageId);
  expect(open).toEqual(missing);
  expect(closed).toEqual(missing);
});
