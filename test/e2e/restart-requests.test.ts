import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CATCH_UP_LIMITS } from "../../src/matrix/catchUp";
import { e2eEnv, newUser, startCarenet, type RunningCarenet } from "./harness/carenet";
import { sleep } from "./harness/child";
import { CountingProxy } from "./harness/countingProxy";
import type { MatrixUser } from "./harness/matrixUser";

/**
 * A restart with nothing to change: catch-up asks `GET /initialSync` once, which gives
 * every joined room's state and newest events; provisioning, posting hours, the encryption
 * check and member invitations use those states, and catch-up reads no room whose newest
 * events reach back to where it last read. So no request names a provisioned room, the
 * whole restart asks fewer requests than there are rooms, and never many at once. Counted
 * by a proxy in front of the real Synapse.
 */

const env = e2eEnv();
const rand = randomBytes(3).toString("hex");
const dir = mkdtempSync(path.join(tmpdir(), "carenet-restart-requests-"));
const ALL_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

let staff: MatrixUser;
let member: MatrixUser;
let running: RunningCarenet | undefined;
let proxy: CountingProxy | undefined;

afterAll(async () => {
  await running?.carenet.stop();
  await proxy?.stop();
  staff?.stop();
  member?.stop();
});

const communities = () =>
  ["oak", "elm"].map((name) => ({
    id: `${name}-${rand}`,
    name: `${name} ${rand}`,
    timezone: "Europe/London",
    staff: [staff.userId],
    rooms: {
      // Open all day, every day: a restart finds the room as its hours say.
      community: { name: `${name} chat`, posting_hours: [{ days: ALL_DAYS, from: "00:00", to: "23:59" }] },
      staff: { name: `${name} staff` },
      alumni: { name: `${name} alumni` },
    },
  }));

test("a restart with nothing to change asks GET /initialSync once and nothing about any provisioned room", async () => {
  [staff, member] = await Promise.all([newUser(env, "staff"), newUser(env, "member")]);
  running = await startCarenet(env, dir, { communities: communities() });
  expect(running.carenet.provisioning.ok).toBe(true);
  const oak = `oak-${rand}`;
  running.carenet.app.members.add({ communityId: oak, userId: member.userId, sponsor: staff.userId, addedBy: staff.userId }, Date.now());
  // The member's invitations go out now, so the restart finds nothing left to do.
  await running.carenet.reconcile();
  await running.carenet.catchUp.idle();
  await sleep(2000);
  await running.carenet.stop();

  proxy = new CountingProxy(env.hsUrl);
  const proxied = await proxy.start();
  running = await startCarenet({ ...env, hsUrl: proxied }, dir, { communities: communities() });
  expect(running.carenet.provisioning.counts).toMatchObject({ created: 0, updated: 0, failed: 0, invited: 0 });
  await running.carenet.catchUp.idle();
  await sleep(2000);

  const rooms = running.carenet.provisioning.rooms.map((r) => r.roomId!);
  expect(rooms).toHaveLength(8); // two Spaces and six rooms
  for (const roomId of rooms) expect({ roomId, asked: proxy.forRoom(roomId) }).toEqual({ roomId, asked: [] });
  const asked = proxy.seen.filter((r) => r.path !== "/_matrix/client/versions").map((r) => `${r.method} ${r.path}`);
  expect(asked.filter((r) => r.endsWith("/initialSync"))).toHaveLength(1);
  expect(running.carenet.catchUp.last).toMatchObject({ reason: "start", paged: 0, failed: 0 });
  // Everything else at start (registration, display name, ping) is a handful of requests.
  expect(asked.length).toBeLessThanOrEqual(rooms.length);
  // Catch-up reads a few rooms at a time at most, and little else is asked at start.
  expect(proxy.maxInFlight).toBeLessThanOrEqual(CATCH_UP_LIMITS.concurrency + 2);
});
