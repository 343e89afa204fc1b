import { randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { botReplyTo, newUser, startCarenet, type RunningCarenet, e2eScene, tempDir } from "./harness/carenet";
import type { MatrixUser } from "./harness/matrixUser";
import { body, botSays, pagingCommunity } from "./harness/paging";
import { REPO_ROOT } from "./harness/paths";
import { TestPrometheus } from "./harness/prometheus";
import { onCallNow } from "./harness/rota";

/**
 * A real Prometheus scrapes carenet's /metrics (own listener, bearer token) while a member
 * pages and the peer on call acknowledges; the counters are read back through Prometheus's
 * HTTP query API.
 */

const { env, bot, rand, openDm } = e2eScene();
const OAK = `oak-${rand}`;
/** A community with no ladder: every page ends at once with the crisis resources (exhausted). */
const ELM = `elm-${rand}`;
const TOKEN = `scrape-${randomBytes(12).toString("hex")}`;

let running: RunningCarenet;
let prometheus: TestPrometheus;
let amy: MatrixUser, bob: MatrixUser, sam: MatrixUser, kim: MatrixUser;
let bobDm: string;

beforeAll(async () => {
  execFileSync("bash", [path.join(REPO_ROOT, "scripts/ensure-prometheus.sh")], { stdio: "inherit" });
  [amy, bob, sam, kim] = await Promise.all(["amy", "bob", "sam", "kim"].map((n) => newUser(env, n)));
  running = await startCarenet(env, tempDir("metrics"), {
    communities: [
      pagingCommunity(OAK, { staff: [sam.userId], escalation: [{ notify: "on_call_peers", wait: "10m" }, { notify: "all_staff", wait: "10m" }] }),
      pagingCommunity(ELM, { staff: [sam.userId], escalation: [] }),
    ],
    extraConfig: { metrics: { bind: "127.0.0.1", port: 0, token: TOKEN } },
  });
  const app = running.carenet.app;
  for (const m of [amy, bob]) app.members.add({ communityId: OAK, userId: m.userId, sponsor: sam.userId, addedBy: sam.userId }, Date.now());
  app.members.add({ communityId: ELM, userId: kim.userId, sponsor: sam.userId, addedBy: sam.userId }, Date.now());
  const staffRoom = app.rooms.get(OAK, "staff")!.roomId;
  await sam.waitForInvite((inv) => inv.roomId === staffRoom);
  await sam.joinRoom(staffRoom);
  bobDm = await openDm(bob);
  await onCallNow({ bot, peer: bob, peerDm: bobDm, staff: sam, staffRoom, timezone: "Europe/London" });
  // With the shipped alert rules loaded, evaluated every second.
  prometheus = await TestPrometheus.start({ port: running.carenet.metricsPort!, token: TOKEN }, { ruleFiles: [path.join(REPO_ROOT, "deploy/prometheus/alerts.yml")] });
});

afterAll(async () => {
  await prometheus?.stop();
  for (const u of [amy, bob, sam, kim]) await u?.stop();
  await running?.carenet.stop();
});

test("Prometheus scrapes carenet and reads back a page opened and acknowledged, per community, with nobody named", async () => {
  const opened = `carenet_pages_opened_total{community="${OAK}"}`;
  const acked = `carenet_pages_acknowledged_total{community="${OAK}"}`;
  // Scraped (with the token) before anything happened: the series exist at 0.
  await prometheus.waitFor(`up{job="carenet"}`, (v) => v === 1);
  expect(await prometheus.waitFor(opened, (v) => v === 0)).toBe(0);
  // Bob's shift covers now: the next 24 hours are partly covered for the first step.
  await prometheus.waitFor(`carenet_rota_covered_hours_next_24h{community="${OAK}",step="1",target="on_call_peers"}`, (v) => v > 2.5 && v <= 3);

  const dm = await openDm(amy);
  const command = await amy.sendText(dm, "!page");
  expect(body(await amy.waitForEvent(dm, botReplyTo(bot, command)))).toContain("I hear you");
  await bob.waitForEvent(bobDm, botSays(bot, "needs support and has paged"));
  await prometheus.waitFor(opened, (v) => v === 1);
  const ack = await bob.sendText(bobDm, "!ack");
  await bob.waitForEvent(bobDm, botReplyTo(bot, ack));

  expect(await prometheus.waitFor(acked, (v) => v === 1)).toBe(1);
  expect(await prometheus.waitFor(`carenet_page_time_to_acknowledge_seconds_count{community="${OAK}"}`, (v) => v === 1)).toBe(1);
  const secondsToAck = (await prometheus.query(`carenet_page_time_to_acknowledge_seconds_sum{community="${OAK}"}`))[0].value;
  expect(secondsToAck).toBeGreaterThan(0);
  expect(secondsToAck).toBeLessThan(120);
  expect((await prometheus.query(`carenet_pages_exhausted_total{community="${OAK}"}`))[0].value).toBe(0);
  // Health: requests to the homeserver were timed; process metrics are there.
  expect((await prometheus.query("sum(carenet_homeserver_request_duration_seconds_count)"))[0].value).toBeGreaterThan(0);
  expect((await prometheus.query("carenet_process_resident_memory_bytes"))[0].value).toBeGreaterThan(0);

  // No series in Prometheus carries a person: no label value holds a user id.
  const series = (await (await fetch(`${prometheus.url}/api/v1/series?match[]=${encodeURIComponent('{job="carenet"}')}`)).json()) as { data: Array<Record<string, string>> };
  const labelValues = JSON.stringify(series.data);
  for (const u of [amy, bob, sam]) expect(labelValues).not.toContain(u.userId);
  expect(labelValues).not.toMatch(/"@[^"]*:/);

  // Without the token carenet refuses the scrape.
  expect((await fetch(`http://127.0.0.1:${running.carenet.metricsPort}/metrics`)).status).toBe(401);
});

test("every query of the shipped Grafana dashboard is valid PromQL that Prometheus evaluates against carenet's series", async () => {
  const dashboard = JSON.parse(readFileSync(path.join(REPO_ROOT, "deploy/grafana/carenet.json"), "utf8")) as { panels: Array<{ title: string; targets?: Array<{ expr: string }> }> };
  const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr.replace(/\$community/g, ".*")));
  expect(exprs.length).toBeGreaterThan(10);
  for (const expr of exprs) await expect(prometheus.query(expr)).resolves.toBeDefined();
  // A query that reads carenet's own series returns data for the community.
  const opened = await prometheus.query(exprs.find((e) => e.includes("carenet_pages_opened_total"))!);
  expect(opened.map((r) => r.metric.community)).toContain(OAK);
});

test("the shipped alert fires in Prometheus when a page is exhausted, for that community only", async () => {
  await prometheus.waitFor(`carenet_pages_exhausted_total{community="${ELM}"}`, (v) => v === 0);
  const dm = await openDm(kim);
  const command = await kim.sendText(dm, "!page");
  expect(body(await kim.waitForEvent(dm, botReplyTo(bot, command)))).toContain("nobody is on call to ask");
  await prometheus.waitFor(`carenet_pages_exhausted_total{community="${ELM}"}`, (v) => v === 1);
  await prometheus.waitFor(`ALERTS{alertname="CarenetPageExhausted",alertstate="firing",community="${ELM}"}`, (v) => v === 1);
  expect(await prometheus.query(`ALERTS{alertname="CarenetPageExhausted",community="${OAK}"}`)).toEqual([]);
  // The rest of the rules loaded and are healthy against carenet's real series.
  const rules = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as { data: { groups: Array<{ rules: Array<{ name: string; health: string }> }> } };
  const loaded = rules.data.groups.flatMap((g) => g.rules);
  expect(loaded.map((r) => r.name)).toEqual(expect.arrayContaining(["CarenetPageExhausted", "CarenetOutboxStuck", "CarenetNoPeerOnCallSoon", "CarenetDown"]));
  for (const r of loaded) expect(r.health).not.toBe("err");
});
