import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import Ajv from "ajv";
import { parse } from "yaml";
import { CarenetMetrics } from "../../../src/metrics/registry";

/**
 * The shipped alert rules and dashboard: `promtool check rules` and `promtool test rules`
 * (Debian's prometheus package, provided by scripts/ensure-prometheus.sh), and the Grafana
 * dashboard checked against the shape Grafana imports, with every query naming only
 * metrics carenet really serves.
 */

const ROOT = path.resolve(__dirname, "../../..");
const RULES = path.join(ROOT, "deploy/prometheus/alerts.yml");
const RULE_TESTS = path.join(ROOT, "deploy/prometheus/alerts.test.yml");
const DASHBOARD = path.join(ROOT, "deploy/grafana/carenet.json");

beforeAll(() => {
  execFileSync("bash", [path.join(ROOT, "scripts/ensure-prometheus.sh")], { stdio: "pipe" });
});

function promtool(...args: string[]) {
  return spawnSync("/usr/bin/promtool", args, { cwd: ROOT, encoding: "utf8" });
}

/** Everything carenet's /metrics serves, with every labelled series present. */
async function servedMetricNames(): Promise<Set<string>> {
  const m = new CarenetMetrics();
  m.useSources({
    communities: () => ["oak"],
    outbox: () => ({ pending: 0, oldestCreatedAt: null }),
    jobs: () => ({ overdue: 0, oldestDueAt: null }),
    coverage: () => [{ step: 1, target: "on_call_peers", coveredMs: 0, uncoveredMs: 0 }],
    peerGapNextHourMs: () => 0,
    now: () => Date.now(),
  });
  m.pageEscalated("oak", 2, "all_staff");
  m.jobRan("page.deadline", 1);
  m.homeserverRequest("GET", 1, false);
  m.inboxEventHandled(1);
  const text = await m.render();
  return new Set(text.split("\n").filter((l) => l && !l.startsWith("#")).map((l) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(l)![0]));
}

/** Metric names a PromQL expression reads (carenet's own, and Prometheus's `up`). */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\b(carenet_[a-z0-9_]+|up)\b/g)].map((x) => x[1]);
}

describe("alert rules", () => {
  test("promtool check rules accepts deploy/prometheus/alerts.yml", () => {
    const r = promtool("check", "rules", RULES);
    expect(r.stderr + r.stdout).toContain("SUCCESS");
    expect(r.status).toBe(0);
  });

  test("promtool test rules: every alert fires when it should and not before", () => {
    const r = promtool("test", "rules", RULE_TESTS);
    if (r.status !== 0) throw new Error(r.stdout + r.stderr);
    expect(r.stdout).toContain("SUCCESS");
  });

  test("the four alerts the service manager needs are there, each reading metrics carenet serves", async () => {
    const served = await servedMetricNames();
    const groups = (parse(readFileSync(RULES, "utf8")) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> }).groups;
    const rules = groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual(expect.arrayContaining(["CarenetPageExhausted", "CarenetOutboxStuck", "CarenetNoPeerOnCallSoon", "CarenetDown"]));
    for (const r of rules) for (const name of metricsIn(r.expr)) if (name !== "up") expect(served).toContain(name);
  });
});

describe("the Grafana dashboard", () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8")) as {
    panels: Array<{ id: number; type: string; title: string; gridPos: { x: number; y: number; w: number; h: number }; targets?: Array<{ expr: string; refId: string }> }>;
  };

  test("has the shape Grafana imports: title, uid, schemaVersion, panels with ids, positions and queries", () => {
    const target = { type: "object", required: ["refId", "expr"], properties: { refId: { type: "string", minLength: 1 }, expr: { type: "string", minLength: 1 } } };
    const schema = {
      type: "object",
      required: ["title", "uid", "schemaVersion", "panels", "templating", "time"],
      properties: {
        title: { type: "string", minLength: 1 },
        uid: { type: "string", pattern: "^[a-zA-Z0-9_-]{1,40}$" },
        schemaVersion: { type: "integer", minimum: 30 },
        time: { type: "object", required: ["from", "to"] },
        templating: { type: "object", required: ["list"], properties: { list: { type: "array" } } },
        panels: {
          type: "array",
          minItems: 1,
          items: {
            type: "object",
            required: ["id", "type", "title", "gridPos"],
            properties: {
              id: { type: "integer", minimum: 1 },
              type: { enum: ["row", "timeseries", "stat", "bargauge", "gauge", "table", "text"] },
              title: { type: "string", minLength: 1 },
              gridPos: {
                type: "object",
                required: ["x", "y", "w", "h"],
                properties: { x: { type: "integer", minimum: 0, maximum: 23 }, y: { type: "integer", minimum: 0 }, w: { type: "integer", minimum: 1, maximum: 24 }, h: { type: "integer", minimum: 1 } },
              },
              targets: { type: "array", items: target },
            },
            if: { properties: { type: { not: { const: "row" } } } },
            then: { required: ["targets", "datasource"], properties: { targets: { type: "array", minItems: 1 } } },
          },
        },
      },
    };
    const ajv = new Ajv({ allErrors: true });
    const valid = ajv.validate(schema, dashboard);
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dashboard.panels) expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
  });

  test("covers pages, time to acknowledge, coverage and health", () => {
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)).join("\n");
    for (const name of ["carenet_pages_opened_total", "carenet_pages_exhausted_total", "carenet_page_time_to_acknowledge_seconds_bucket", "carenet_rota_uncovered_hours_next_24h", "carenet_outbox_oldest_pending_age_seconds"]) {
      expect(exprs).toContain(name);
    }
    expect(exprs).toContain('up{job="carenet"}');
  });

  test("every query reads only metrics carenet's /metrics serves", async () => {
    const served = await servedMetricNames();
    const missing: string[] = [];
    for (const p of dashboard.panels) {
      for (const t of p.targets ?? []) for (const name of metricsIn(t.expr)) if (name !== "up" && !served.has(name)) missing.push(`${p.title}: ${name}`);
    }
    expect(missing).toEqual([]);
  });
});
