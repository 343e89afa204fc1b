import { DateTime } from "luxon";
import { botReplyTo, newUser, startCarenet, type RunningCarenet, e2eScene, tempDir } from "./harness/carenet";
import type { MatrixEvent, MatrixUser } from "./harness/matrixUser";
import { body, botSays, pagingCommunity } from "./harness/paging";
import { onCallNow } from "./harness/rota";

/**
 * The weekly report on a real Synapse: a member pages with a note, the peer on call
 * acknowledges; at the report's time (carenet's clock moved there) the staff room gets the
 * numbers and a PNG chart uploaded to Synapse's media repository, and neither names anyone
 * or shows the note.
 */

const { env, bot, rand, openDm } = e2eScene();
const OAK = `oak-${rand}`;
const TZ = "Europe/London";
const NOTE = `weekly-note-${rand} please come`;
const clock = { offset: 0, now: () => Date.now() + clock.offset };
// Tomorrow's weekday at 09:00 London time: the first report is due then.
const tomorrow = DateTime.now().setZone(TZ).plus({ days: 1 });
const DAY = (["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const)[tomorrow.weekday - 1];
const REPORT_AT = tomorrow.set({ hour: 9, minute: 0, second: 0, millisecond: 0 }).toMillis();

let running: RunningCarenet;
let amy: MatrixUser;
let bob: MatrixUser;
let sam: MatrixUser;
let staffRoom: string;

beforeAll(async () => {
  [amy, bob, sam] = await Promise.all(["amy", "bob", "sam"].map((n) => newUser(env, n)));
  running = await startCarenet(env, tempDir("weekly"), {
    communities: [{ ...pagingCommunity(OAK, { staff: [sam.userId], escalation: [{ notify: "on_call_peers", wait: "10m" }] }), weekly_report: { day: DAY, at: "09:00" } }],
    clock,
  });
  const app = running.carenet.app;
  for (const m of [amy, bob]) app.members.add({ communityId: OAK, userId: m.userId, sponsor: sam.userId, addedBy: sam.userId }, clock.now());
  staffRoom = app.rooms.get(OAK, "staff")!.roomId;
  await sam.waitForInvite((inv) => inv.roomId === staffRoom);
  await sam.joinRoom(staffRoom);
  const bobDm = await openDm(bob);
  await onCallNow({ bot, peer: bob, peerDm: bobDm, staff: sam, staffRoom, timezone: TZ });
  // A page with a note, acknowledged by the peer.
  const dm = await openDm(amy);
  const cmd = await amy.sendText(dm, `!page ${NOTE}`);
  await amy.waitForEvent(dm, botReplyTo(bot, cmd));
  await bob.waitForEvent(bobDm, botSays(bot, "needs support and has paged"));
  const ack = await bob.sendText(bobDm, "!ack");
  await bob.waitForEvent(bobDm, botReplyTo(bot, ack));
});

afterAll(async () => {
  for (const u of [amy, bob, sam]) await u?.stop();
  await running?.carenet.stop();
});

test("at its time the staff room gets the week's numbers and a chart image; no name, no note", async () => {
  const app = running.carenet.app;
  const job = app.jobs.pending("report.weekly").find((j) => j.payload.communityId === OAK)!;
  expect(job.dueAt).toBe(REPORT_AT);
  const isReport = (ev: MatrixEvent) => ev.sender === bot && ev.type === "m.room.message" && body(ev).includes("Weekly picture");
  const isChart = (ev: MatrixEvent) => ev.sender === bot && ev.type === "m.room.message" && ev.content.msgtype === "m.image";
  // Nothing before its time.
  expect(sam.eventsSoFar(staffRoom).filter((ev) => isReport(ev) || isChart(ev))).toEqual([]);

  clock.offset = REPORT_AT - Date.now() + 1000;
  app.scheduler.wake();
  const report = await sam.waitForEvent(staffRoom, isReport, 60_000);
  const chart = await sam.waitForEvent(staffRoom, isChart, 60_000);

  const text = body(report);
  expect(text).toContain("Opened: 1");
  expect(text).toContain("Acknowledged: 1");
  expect(text).toMatch(/Median time to acknowledge: (under a minute|\d+ min) \(over 1\)/);
  expect(text).toContain("Step 1 (on call peers): covered");
  expect(text).toContain("Prompts sent: 0");
  expect(text).toContain("Shift requests declined: 0");

  expect(chart.content.info).toMatchObject({ mimetype: "image/png" });
  const url = String(chart.content.url);
  expect(url).toMatch(/^mxc:\/\//);
  // The image is really on the homeserver, and is a PNG.
  const [serverName, mediaId] = url.slice("mxc://".length).split("/");
  const res = await fetch(`${env.hsUrl}/_matrix/client/v1/media/download/${serverName}/${mediaId}`, { headers: { authorization: `Bearer ${sam.accessToken}` } });
  expect(res.status).toBe(200);
  const png = Buffer.from(await res.arrayBuffer());
  expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");

  // Neither the numbers nor the image event name anyone or show the note.
  const both = JSON.stringify([report.content, chart.content]);
  for (const u of [amy, bob, sam]) {
    expect(both).not.toContain(u.userId);
    expect(both).not.toContain(u.userId.slice(1).split(":")[0]);
  }
  expect(both).not.toContain(`weekly-note-${rand}`);
  // Exactly one report, and the next one is scheduled a week later.
  expect(sam.eventsSoFar(staffRoom).filter(isReport)).toHaveLength(1);
  expect(app.jobs.pending("report.weekly").map((j) => j.dueAt)).toContain(DateTime.fromMillis(REPORT_AT, { zone: TZ }).plus({ weeks: 1 }).toMillis());
});
