import * as ical from "node-ical";
import { newUser, startCarenet, type RunningCarenet, e2eScene, tempDir } from "./harness/carenet";
import type { MatrixUser } from "./harness/matrixUser";
import { pagingCommunity } from "./harness/paging";
import { command } from "./harness/rota";

/**
 * `!rota calendar` on a real Synapse: the link comes by DM, the feed (fetched over HTTP from
 * carenet's appservice listener and parsed with node-ical) lists the person's approved
 * weekly shift at 18:00 London time on both sides of the March DST change, and the link
 * stops working after `!rota calendar reset`.
 *
 * Time: carenet runs on a clock set to Wednesday 25 March 2026 (real time flows on from
 * there), so the feed's window spans the change on Sunday 29 March whatever today is.
 * Events from Synapse then look as if sent in the future, which carenet accepts.
 */

const { env, bot, rand } = e2eScene();
const OAK = `oak-${rand}`;
const START = Date.parse("2026-03-25T12:00:00Z");
const clock = { offset: START - Date.now(), now: () => Date.now() + clock.offset };

let running: RunningCarenet;
let alex: MatrixUser;
let sam: MatrixUser;
let alexDm: string;
let staffRoom: string;

beforeAll(async () => {
  [alex, sam] = await Promise.all(["alex", "sam"].map((n) => newUser(env, n)));
  running = await startCarenet(env, tempDir("calendar"), {
    communities: [pagingCommunity(OAK, { staff: [sam.userId], escalation: [{ notify: "on_call_peers", wait: "10m" }] })],
    extraConfig: { calendar: { public_url: `http://127.0.0.1:${env.asPort}` } },
    clock,
  });
  const app = running.carenet.app;
  app.members.add({ communityId: OAK, userId: alex.userId, sponsor: sam.userId, addedBy: sam.userId }, clock.now());
  staffRoom = app.rooms.get(OAK, "staff")!.roomId;
  await sam.waitForInvite((inv) => inv.roomId === staffRoom);
  await sam.joinRoom(staffRoom);
  alexDm = await alex.createDm(bot);
  await alex.waitForEvent(alexDm, (ev) => ev.sender === bot && ev.type === "m.room.message");
});

afterAll(async () => {
  for (const u of [alex, sam]) await u?.stop();
  await running?.carenet.stop();
});

const URL_IN = /(http:\/\/127\.0\.0\.1:\d+\/_carenet\/calendar\/[A-Za-z0-9_-]{43}\.ics)/;

test("the DM'd link's feed lists the approved shift at the right local times across DST, and stops after reset", async () => {
  expect((await command(bot, alex, alexDm, "!consent agree")).reaction).toBe("✅");
  const offer = await command(bot, alex, alexDm, "!volunteer sun 18:00-22:00");
  expect(offer.reaction).toBe("✅");
  const id = /#(\d+)/.exec(offer.reply)![1];
  // Before approval the feed has nothing: only approved shifts are listed.
  const early = await command(bot, alex, alexDm, "!rota calendar");
  const earlyUrl = URL_IN.exec(early.reply)![1];
  expect(Object.values(ical.sync.parseICS(await (await fetch(earlyUrl)).text())).filter((c) => c?.type === "VEVENT")).toEqual([]);

  expect((await command(bot, sam, staffRoom, `!rota approve ${id}`)).reaction).toBe("✅");

  const asked = await command(bot, alex, alexDm, "!rota calendar");
  expect(asked.reaction).toBe("✅");
  const url = URL_IN.exec(asked.reply)![1];
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/calendar");
  const text = await res.text();
  expect(text).toContain("DTSTART;TZID=Europe/London:20260329T180000");
  const events = Object.values(ical.sync.parseICS(text))
    .filter((c): c is ical.VEvent => c?.type === "VEVENT")
    .map((e) => ({ start: e.start.toISOString(), end: e.end!.toISOString(), tz: (e.start as Date & { tz?: string }).tz }));
  // 18:00–22:00 on the wall: UTC 18–22 in GMT (22 March), 17–21 in BST (29 March, 5 April).
  expect(events).toEqual(
    expect.arrayContaining([
      { start: "2026-03-22T18:00:00.000Z", end: "2026-03-22T22:00:00.000Z", tz: "Europe/London" },
      { start: "2026-03-29T17:00:00.000Z", end: "2026-03-29T21:00:00.000Z", tz: "Europe/London" },
      { start: "2026-04-05T17:00:00.000Z", end: "2026-04-05T21:00:00.000Z", tz: "Europe/London" },
    ]),
  );
  // The earlier link shows the approved shift too now: the feed is built at each request.
  expect(await (await fetch(earlyUrl)).text()).toContain("DTSTART;TZID=Europe/London:20260329T180000");
  // The token is not in the logs.
  expect(running.logs.text).not.toContain(url.split("/").pop()!.slice(0, 43));

  const reset = await command(bot, alex, alexDm, "!rota calendar reset");
  expect(reset.reaction).toBe("✅");
  expect((await fetch(url)).status).toBe(404);
  expect((await fetch(earlyUrl)).status).toBe(404);
});
