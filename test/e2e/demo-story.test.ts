import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { playStory } from "../../tools/demoStory";
import { newUser, openBotDm, startCarenet, type RunningCarenet, e2eScene, tempDir } from "./harness/carenet";
import type { MatrixUser } from "./harness/matrixUser";
import { acceptBotDm } from "./harness/paging";

/**
 * The demo's story on a real Synapse: from nothing, the commands people send leave a member,
 * a peer on call now and a backup peer with the demo's own community settings; a second run
 * changes nothing; and the member's `!page` rings the peer on call at once.
 */

const { env, bot } = e2eScene();
const ID = `oakwood-${randomBytes(3).toString("hex")}`;

let running: RunningCarenet;
let staff: MatrixUser, member: MatrixUser, peer: MatrixUser, backup: MatrixUser;

beforeAll(async () => {
  [staff, member, peer, backup] = await Promise.all(["staff", "member", "peer", "backup"].map((n) => newUser(env, n)));
  const demo = parse(readFileSync(path.join(__dirname, "../../config/demo.yaml"), "utf8")) as { communities: Array<Record<string, unknown>> };
  const community = { ...demo.communities[0], id: ID, staff: [staff.userId], admins: [staff.userId] };
  running = await startCarenet(env, tempDir("demo-story"), { communities: [community] });
});

afterAll(async () => {
  for (const u of [staff, member, peer, backup]) await u?.stop();
  await running?.carenet.stop();
});

test("the story leaves a peer on call and a backup, once; the member's page rings the peer", async () => {
  const people = { staff: staff.userId, member: member.userId, peer: peer.userId, backupPeer: backup.userId };
  const first = await playStory(running.carenet, people, Date.now, ID);
  expect(first.onCall).toEqual([peer.userId]);
  expect(first.backup).toEqual([backup.userId]);
  expect(first.did.length).toBeGreaterThanOrEqual(9);
  const again = await playStory(running.carenet, people, Date.now, ID);
  expect(again).toEqual({ onCall: [peer.userId], backup: [backup.userId], did: [] });

  const peerDm = acceptBotDm(peer, bot, 60_000);
  const dm = await openBotDm(member, bot);
  await member.sendText(dm, "!page");
  const room = await peerDm;
  const request = await peer.waitForEvent(room, (ev) => ev.sender === bot && (ev.content["m.mentions"] as { user_ids?: string[] } | undefined)?.user_ids?.includes(peer.userId) === true);
  expect(request.content.msgtype).toBe("m.text");
});
