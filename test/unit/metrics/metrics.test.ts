import { CarenetMetrics } from "../../../src/metrics/registry";
import { serveMetrics, startMetricsListener, type MetricsServer } from "../../../src/metrics/server";
import { pageOfPush } from "../../../src/metrics/pushes";
import { createLogger } from "../../../src/kernel/logger";

const T0 = Date.UTC(2026, 2, 1, 12, 0, 0);

function metricsWith(communities = ["oak", "elm"]): CarenetMetrics {
  const m = new CarenetMetrics();
  m.useSources({
    communities: () => communities,
    outbox: () => ({ pending: 3, oldestCreatedAt: T0 - 90_000 }),
    jobs: () => ({ overdue: 1, oldestDueAt: T0 - 5_000 }),
    coverage: (c) => (c === "oak" ? [{ step: 1, target: "on_call_peers", coveredMs: 6 * 3600_000, uncoveredMs: 18 * 3600_000 }] : []),
    peerGapNextHourMs: (c) => (c === "oak" ? 1_800_000 : 0),
    now: () => T0,
  });
  return m;
}

/** The value of one sample line, e.g. `carenet_pages_opened_total{community="oak"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test("every community's counters exist from the first scrape, at zero, and count per community", async () => {
  const m = metricsWith();
  let text = await m.render();
  for (const c of ["oak", "elm"]) {
    for (const name of ["pages_opened", "pages_acknowledged", "pages_declined", "pages_exhausted", "pushes_sent", "pushes_failed", "emails_sent", "emails_failed", "webhooks_sent", "webhooks_failed", "checkin_prompts_sent", "checkin_prompts_answered", "checkin_prompts_missed"]) {
      expect(sample(text, `carenet_${name}_total{community="${c}"}`)).toBe(0);
    }
  }
  m.pageOpened("oak");
  m.pageOpened("oak");
  m.pageAcknowledged("oak", 90_000);
  m.pageEscalated("elm", 2, "all_staff");
  m.pageExhausted("elm");
  m.offMatrixSent("oak", "email");
  m.offMatrixFailed("elm", "webhook");
  m.checkinPromptsSent("oak", 5);
  m.checkinAnswered("oak");
  m.checkinMissed("oak");
  text = await m.render();
  expect(sample(text, 'carenet_pages_opened_total{community="oak"}')).toBe(2);
  expect(sample(text, 'carenet_pages_opened_total{community="elm"}')).toBe(0);
  expect(sample(text, 'carenet_pages_acknowledged_total{community="oak"}')).toBe(1);
  expect(sample(text, 'carenet_page_time_to_acknowledge_seconds_sum{community="oak"}')).toBe(90);
  expect(sample(text, 'carenet_page_time_to_acknowledge_seconds_bucket{le="60",community="oak"}')).toBe(0);
  expect(sample(text, 'carenet_page_time_to_acknowledge_seconds_bucket{le="120",community="oak"}')).toBe(1);
  expect(sample(text, 'carenet_pages_escalated_total{community="elm",step="2",target="all_staff"}')).toBe(1);
  expect(sample(text, 'carenet_pages_exhausted_total{community="elm"}')).toBe(1);
  expect(sample(text, 'carenet_emails_sent_total{community="oak"}')).toBe(1);
  expect(sample(text, 'carenet_webhooks_failed_total{community="elm"}')).toBe(1);
  expect(sample(text, 'carenet_checkin_prompts_sent_total{community="oak"}')).toBe(5);
  expect(sample(text, 'carenet_checkin_prompts_answered_total{community="oak"}')).toBe(1);
  expect(sample(text, 'carenet_checkin_prompts_missed_total{community="oak"}')).toBe(1);
});

test("scrape-time gauges: outbox, overdue jobs, coverage per ladder step, the next hour's gap; process metrics", async () => {
  const text = await metricsWith().render();
  expect(sample(text, "carenet_outbox_pending")).toBe(3);
  expect(sample(text, "carenet_outbox_oldest_pending_age_seconds")).toBe(90);
  expect(sample(text, "carenet_jobs_overdue")).toBe(1);
  expect(sample(text, "carenet_jobs_oldest_overdue_seconds")).toBe(5);
  expect(sample(text, 'carenet_rota_covered_hours_next_24h{community="oak",step="1",target="on_call_peers"}')).toBe(6);
  expect(sample(text, 'carenet_rota_uncovered_hours_next_24h{community="oak",step="1",target="on_call_peers"}')).toBe(18);
  expect(sample(text, 'carenet_rota_open_without_peer_seconds_next_hour{community="oak"}')).toBe(1800);
  expect(sample(text, "carenet_up")).toBe(1);
  expect(text).toContain("carenet_process_resident_memory_bytes");
});

test("labels never carry a person: only community ids, steps, targets, channels, job kinds and methods", async () => {
  const m = metricsWith();
  m.pageAcknowledged("oak", 1000);
  m.jobRan("page.deadline", 250);
  m.homeserverRequest("PUT", 40, false);
  m.inboxEventHandled(120);
  const text = await m.render();
  expect(text).not.toMatch(/@[a-z0-9._=-]+:/i);
  const labelNames = new Set([...text.matchAll(/[{,]([a-z_]+)="/g)].map((x) => x[1]));
  // Node's own process metrics add version/space/type labels of the runtime.
  for (const l of labelNames) expect(["community", "kind", "le", "method", "step", "target", "version", "major", "minor", "patch", "space", "type"]).toContain(l);
  expect(sample(text, 'carenet_homeserver_request_errors_total{method="PUT"}')).toBe(1);
  expect(sample(text, 'carenet_job_lag_seconds_count{kind="page.deadline"}')).toBe(1);
  expect(sample(text, "carenet_inbox_event_age_seconds_count")).toBe(1);
});

test("a page push is an alerting page message; anything else is not", () => {
  const alert = { "m.mentions": { user_ids: ["@bob:example.org"] } };
  expect(pageOfPush({ dedupeKey: "page:12:r1:s0:notice:@bob:example.org", content: alert })).toBe(12);
  expect(pageOfPush({ dedupeKey: "page:12:r1:s0:notice:@bob:example.org", content: { msgtype: "m.notice" } })).toBeUndefined();
  expect(pageOfPush({ dedupeKey: "reply:$abc", content: alert })).toBeUndefined();
});

describe("the metrics listener", () => {
  let server: MetricsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  test("serves /metrics; with a token, refuses a scrape without it and answers one with it", async () => {
    server = await serveMetrics({ bind: "127.0.0.1", port: 0, token: "a-long-scrape-token-1234", metrics: metricsWith(), log: createLogger("silent") });
    const url = `http://127.0.0.1:${server.port}`;
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect((await fetch(`${url}/metrics`, { headers: { authorization: "Bearer wrong-token-wrong-token" } })).status).toBe(401);
    const ok = await fetch(`${url}/metrics`, { headers: { authorization: "Bearer a-long-scrape-token-1234" } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toContain("text/plain");
    expect(await ok.text()).toContain("carenet_pages_opened_total");
    expect((await fetch(`${url}/other`)).status).toBe(404);
    expect((await fetch(`${url}/metrics`, { method: "POST" })).status).toBe(405);
  });

  test("without a token it answers anyone who can reach it (it binds to loopback by default)", async () => {
    server = await serveMetrics({ bind: "127.0.0.1", port: 0, metrics: metricsWith(), log: createLogger("silent") });
    expect((await fetch(`http://127.0.0.1:${server.port}/metrics`)).status).toBe(200);
  });
});

test("a metrics port already taken is logged and carenet goes on without metrics; no config, no listener", async () => {
  const first = await serveMetrics({ bind: "127.0.0.1", port: 0, metrics: metricsWith(), log: createLogger("silent") });
  try {
    const lines: string[] = [];
    const log = createLogger("info", { write: (l: string) => void lines.push(l) });
    expect(await startMetricsListener({ port: first.port }, metricsWith(), log)).toBeUndefined();
    expect(lines.join("")).toContain("the metrics listener could not start");
    expect(await startMetricsListener(undefined, metricsWith(), log)).toBeUndefined();
  } finally {
    await first.close();
  }
});
