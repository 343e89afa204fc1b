import { CarenetMetrics } from "../../../src/metrics/registry";
import { AMY, BOB, community, type Harness, ladder, MIN, startHarness, T0 } from "./harness";

/** What the paging capability tells the metrics: per community, never a person. */

const LADDER = ladder("on_call_peers 10m", "on_call_staff 15m");

let h: Harness;
let metrics: CarenetMetrics;
afterEach(() => h?.close());

function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function scrape(): Promise<string> {
  metrics.useSources({
    communities: () => ["oak"],
    outbox: () => ({ pending: 0, oldestCreatedAt: null }),
    jobs: () => ({ overdue: 0, oldestDueAt: null }),
    coverage: () => [],
    peerGapNextHourMs: () => 0,
    now: () => h.clock.now(),
  });
  return metrics.render();
}

beforeEach(() => {
  metrics = new CarenetMetrics();
  h = startHarness({ community: community(LADDER), metrics });
});

test("a page opened and acknowledged after 4 minutes: opened 1, acknowledged 1, time to acknowledge 240 s; no person in the output", async () => {
  await h.command(AMY, "!page");
  await h.flush();
  await h.at(T0 + 4 * MIN);
  await h.command(BOB, "!ack 1");
  await h.flush();
  // A second acknowledgement of the same page is not another first acknowledgement.
  await h.command(BOB, "!ack 1");
  const text = await scrape();
  expect(sample(text, 'carenet_pages_opened_total{community="oak"}')).toBe(1);
  expect(sample(text, 'carenet_pages_acknowledged_total{community="oak"}')).toBe(1);
  expect(sample(text, 'carenet_page_time_to_acknowledge_seconds_sum{community="oak"}')).toBe(240);
  expect(sample(text, 'carenet_pages_exhausted_total{community="oak"}')).toBe(0);
  expect(text).not.toContain(AMY);
  expect(text).not.toContain(BOB);
  // The deadline job ran on time: its lag is recorded under its kind.
  expect(text).toMatch(/carenet_job_lag_seconds_count\{kind="page\.room"\} [1-9]/);
});

test("nobody acknowledges: escalated to step 2 (on-call staff), then exhausted", async () => {
  await h.command(AMY, "!page");
  await h.flush();
  await h.at(T0 + 10 * MIN);
  await h.at(T0 + 25 * MIN);
  const text = await scrape();
  expect(sample(text, 'carenet_pages_escalated_total{community="oak",step="2",target="on_call_staff"}')).toBe(1);
  expect(sample(text, 'carenet_pages_exhausted_total{community="oak"}')).toBe(1);
  expect(sample(text, 'carenet_pages_acknowledged_total{community="oak"}')).toBe(0);
});
