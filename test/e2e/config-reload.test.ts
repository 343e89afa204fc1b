import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { botReplyTo, newUser, startCarenetFromFile, writeTestConfig, type RunningCarenet, e2eScene, tempDir } from "./harness/carenet";
import { CarenetProcess, waitUntil } from "./harness/child";
import type { MatrixUser } from "./harness/matrixUser";

/**
 * Config reload on a real Synapse: an edit that renames a room is applied while carenet
 * runs (file watch in-process, SIGHUP for the CLI); a broken edit is refused, the staff
 * room is told where the problem is (file:line:column), and the service keeps running on
 * the last good config.
 */

const { env, bot, rand } = e2eScene();
const dir = tempDir("reload");
const OAK = `oak-${rand}`;

let running: RunningCarenet | undefined;
let sam: MatrixUser; // staff
let member: MatrixUser;
let configFile: string;

function community(chatName: string, timezone = "Europe/London") {
  return {
    id: OAK,
    name: `Oakwood ${rand}`,
    timezone,
    staff: [sam.userId],
    admins: [],
    rooms: { community: { name: chatName }, staff: { name: "Oakwood staff" }, alumni: { name: "Oakwood alumni" } },
  };
}

/** Rewrites the config file in place with the same database, as an admin's editor would. */
function edit(chatName: string, timezone?: string): void {
  const fresh = writeTestConfig(env, dir, [community(chatName, timezone)]);
  writeFileSync(configFile, readFileSync(fresh, "utf8"));
}

const roomId = (key: string) => running!.carenet.app.rooms.get(OAK, key)!.roomId;

beforeAll(async () => {
  [sam, member] = await Promise.all([newUser(env, "sam"), newUser(env, "member")]);
  configFile = writeTestConfig(env, dir, []);
  edit("Oakwood community");
  running = await startCarenetFromFile(env, configFile, { watchConfig: true });
  for (const key of ["staff", "community"]) {
    await sam.waitForInvite((inv) => inv.roomId === roomId(key));
    await sam.joinRoom(roomId(key));
  }
});

afterAll(async () => {
  await sam?.stop();
  await member?.stop();
  await running?.carenet.stop();
});

test("saving the file with a renamed room renames it on the homeserver, without a restart", async () => {
  edit("Oakwood evening chat");
  await waitUntil("the new config is in force", () => running!.carenet.config.communities[0].rooms.community.name === "Oakwood evening chat");
  let name = "";
  for (let i = 0; i < 100 && name !== "Oakwood evening chat"; i++) {
    name = String((await sam.getState(roomId("community"), "m.room.name").catch((): Record<string, unknown> => ({}))).name ?? "");
    if (name !== "Oakwood evening chat") await new Promise((r) => setTimeout(r, 200));
  }
  expect(name).toBe("Oakwood evening chat");
  const audit = running!.carenet.app.audit.latest(null, 5).map((e) => `${e.action} ${e.detail}`);
  expect(audit).toContain(`config.reload changed ${OAK}`);
});

test("a broken edit is refused: the staff room is told file:line:column, the last good config stays, commands still work", async () => {
  const before = running!.carenet.config;
  edit("Oakwood evening chat", "Mars/Olympus_Mons");
  const notice = await sam.waitForEvent(
    roomId("staff"),
    (ev) => ev.sender === bot && String(ev.content.body ?? "").includes("the change is invalid"),
  );
  const body = String(notice.content.body);
  const line = readFileSync(configFile, "utf8").split("\n").findIndex((l) => l.includes("Mars/Olympus_Mons")) + 1;
  expect(body).toMatch(new RegExp(`${path.basename(configFile).replace(/\./g, "\\.")}:${line}:\\d+: communities\\[0\\]\\.timezone`));
  expect(running!.carenet.config).toBe(before);
  expect(running!.carenet.app.audit.latest(null, 1)[0]).toMatchObject({ action: "config.refused" });

  // Still serving on the last good config.
  const dm = await member.createDm(bot);
  await waitUntil("the bot joined the DM", () => running!.carenet.app.dmRooms.userFor(dm) === member.userId);
  const cmd = await member.sendText(dm, "!help");
  const reply = await member.waitForEvent(dm, botReplyTo(bot, cmd));
  expect(String(reply.content.body)).toContain("If you need support right now:");

  // Fixing the file applies it.
  edit("Oakwood community");
  await waitUntil("the fixed config is in force", () => running!.carenet.config.communities[0].rooms.community.name === "Oakwood community");
});

test("the CLI reloads on SIGHUP (with the file watch off)", async () => {
  await running!.carenet.stop();
  running = undefined;
  const child = new CarenetProcess(configFile, {}, ["--no-watch"]);
  try {
    await child.ready();
    edit("Oakwood after SIGHUP");
    child.child.kill("SIGHUP");
    let name = "";
    for (let i = 0; i < 100 && name !== "Oakwood after SIGHUP"; i++) {
      await new Promise((r) => setTimeout(r, 200));
      name = String((await sam.getState(await roomOf("community"), "m.room.name").catch((): Record<string, unknown> => ({}))).name ?? "");
    }
    expect(name).toBe("Oakwood after SIGHUP");
    expect(child.logs).toContain("SIGHUP: reloading the config");
  } finally {
    await child.kill("SIGTERM");
  }
});

async function roomOf(key: string): Promise<string> {
  const alias = `#carenet_${OAK}_${key}:${env.serverName}`;
  return (await sam.request<{ room_id: string }>("GET", `/_matrix/client/v3/directory/room/${encodeURIComponent(alias)}`)).room_id;
}
