import { randomBytes } from "node:crypto";
import { request } from "node:http";
import { newUser, startCarenet, type RunningCarenet, e2eScene, tempDir } from "../e2e/harness/carenet";
import type { MatrixUser } from "../e2e/harness/matrixUser";
import { pagingCommunity } from "../e2e/harness/paging";
import { command } from "../e2e/harness/rota";

/**
 * Hostile requests to the metrics listener and the calendar path, and hostile `!rota
 * calendar` input, against carenet on a real Synapse. Each case: answered plainly, no
 * crash, nothing leaked, the appservice still healthy.
 */

const { env, bot, rand } = e2eScene();
const OAK = `oak-${rand}`;
const TOKEN = `scrape-${randomBytes(12).toString("hex")}`;

let running: RunningCarenet;
let alex: MatrixUser;
let staff: MatrixUser;
let alexDm: string;
let appUrl: string;
let metricsUrl: string;

beforeAll(async () => {
  alex = await newUser(env, "alex");
  staff = await newUser(env, "staff"); // a community needs someone at the end of its ladder
  running = await startCarenet(env, tempDir("faults-mc"), {
    communities: [pagingCommunity(OAK, { staff: [staff.userId], escalation: [] })],
    extraConfig: { metrics: { port: 0, token: TOKEN }, calendar: { public_url: `http://127.0.0.1:${env.asPort}` } },
  });
  running.carenet.app.members.add({ communityId: OAK, userId: alex.userId, sponsor: null, addedBy: "@staff:example.org" }, Date.now());
  appUrl = `http://127.0.0.1:${running.carenet.port}`;
  metricsUrl = `http://127.0.0.1:${running.carenet.metricsPort}/metrics`;
  alexDm = await alex.createDm(bot);
  await alex.waitForEvent(alexDm, (ev) => ev.sender === bot && ev.type === "m.room.message");
});

afterAll(async () => {
  await alex?.stop();
  await staff?.stop();
  await running?.carenet.stop();
});

async function healthy(): Promise<void> {
  expect((await fetch(`${appUrl}/health`)).status).toBe(200);
  expect((await fetch(metricsUrl, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
}

/** A raw GET, so oversized paths and headers reach the server as sent. */
function rawGet(url: string, pathPart: string, headers: Record<string, string> = {}): Promise<number> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const req = request({ host: u.hostname, port: u.port, path: pathPart, method: "GET", headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", () => resolve(-1)); // the server may drop an oversized request: also handled
    req.end();
  });
}

test("calendar: a 60 KB token path is refused, not served", async () => {
  const status = await rawGet(appUrl, `/_carenet/calendar/${"A".repeat(60_000)}.ics`);
  expect(status).not.toBe(200);
  await healthy();
});

test("calendar: traversal, encoded and non-ASCII tokens get 404", async () => {
  for (const p of ["/_carenet/calendar/..%2F..%2Fetc%2Fpasswd", "/_carenet/calendar/%00%00.ics", "/_carenet/calendar/%F0%9F%92%A9.ics", "/_carenet/calendar/", "/_carenet/calendar/.ics"]) {
    expect(await rawGet(appUrl, p)).toBe(404);
  }
  await healthy();
});

test("calendar: a POST with a body is refused with 405", async () => {
  const res = await fetch(`${appUrl}/_carenet/calendar/${"B".repeat(43)}.ics`, { method: "POST", body: "x".repeat(100_000) });
  expect(res.status).toBe(405);
  await healthy();
});

test("calendar: 200 concurrent guesses all get 404 and nothing slows the appservice down", async () => {
  const guesses = await Promise.all(Array.from({ length: 200 }, () => fetch(`${appUrl}/_carenet/calendar/${randomBytes(32).toString("base64url")}.ics`).then((r) => r.status)));
  expect(new Set(guesses)).toEqual(new Set([404]));
  await healthy();
});

test("metrics: no token, a wrong one, Basic auth and a 16 KB header are all refused", async () => {
  expect((await fetch(metricsUrl)).status).toBe(401);
  expect((await fetch(metricsUrl, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
  expect((await fetch(metricsUrl, { headers: { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}` } })).status).toBe(401);
  const big = await rawGet(metricsUrl, "/metrics", { authorization: `Bearer ${"Z".repeat(16_000)}` });
  expect([401, 431, -1]).toContain(big);
  await healthy();
});

test("metrics: 50 concurrent scrapes all succeed with the same series", async () => {
  const bodies = await Promise.all(Array.from({ length: 50 }, () => fetch(metricsUrl, { headers: { authorization: `Bearer ${TOKEN}` } }).then((r) => r.text())));
  const names = (t: string) => t.split("\n").filter((l) => l.startsWith("# TYPE")).join("\n");
  expect(new Set(bodies.map(names)).size).toBe(1);
  expect(bodies[0]).toContain(`carenet_pages_opened_total{community="${OAK}"}`);
});

test("!rota calendar with unknown or oversized arguments gets a usage answer and issues no link", async () => {
  const before = running.carenet.db.prepare("SELECT COUNT(*) AS n FROM calendar_feeds").get() as { n: number };
  const bad = await command(bot, alex, alexDm, `!rota calendar ${"x".repeat(5000)}`);
  expect(bad.reaction).not.toBe("✅");
  expect(bad.reply).toContain("!rota calendar");
  expect(bad.reply.length).toBeLessThan(2000);
  expect(running.carenet.db.prepare("SELECT COUNT(*) AS n FROM calendar_feeds").get()).toEqual(before);
  await healthy();
});
