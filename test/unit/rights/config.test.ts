import path from "node:path";
import { loadConfigFile, parseConfig } from "../../../src/config/load";
import { formatProblem } from "../../../src/config/problems";
import { retentionOf } from "../../../src/config/retention";
import { CONFIG_FILE as FILE, refusedConfig } from "../../support/configText";

const SAMPLE = path.resolve(__dirname, "../../../config/config.sample.yaml");

const text = (retention: string) =>
  [
    "homeserver: { url: http://127.0.0.1:8008, domain: example.org }",
    retention,
    "crisis_resources: Call 999.",
    "communities:",
    "  - id: oak",
    "    name: Oak",
    "    timezone: Europe/London",
    '    staff: ["@sam:example.org"]',
    "    rooms: { community: { name: chat }, staff: { name: staff }, alumni: { name: alumni } }",
    "",
  ].join("\n");

const problems = (t: string): string[] => refusedConfig(t).map(formatProblem);

describe("retention in the config", () => {
  it("defaults to a year for check-ins, pages and the rota, and 90 days for removed members", () => {
    const { config } = parseConfig(text(""), FILE);
    expect(config.retention).toEqual({ checkins: "365d", pages: "365d", rota: "365d", removed_members: "90d" });
    expect(retentionOf(config)).toEqual({
      checkins: { days: 365, ms: 365 * 86_400_000 },
      pages: { days: 365, ms: 365 * 86_400_000 },
      rota: { days: 365, ms: 365 * 86_400_000 },
      removed_members: { days: 90, ms: 90 * 86_400_000 },
    });
  });

  it("takes whole days per kind of record", () => {
    const { config } = parseConfig(text("retention: { checkins: 30d, removed_members: 7d }"), FILE);
    expect(retentionOf(config).checkins.days).toBe(30);
    expect(retentionOf(config).removed_members.days).toBe(7);
    expect(retentionOf(config).pages.days).toBe(365);
  });

  it("refuses what is not a number of days, and unknown kinds, saying where", () => {
    expect(problems(text("retention: { checkins: 1y, pages: 0d }"))).toEqual([
      `${FILE}:2:24: retention.checkins: "1y" is not valid: expected a number of days, such as 90d or 365d.`,
      `${FILE}:2:35: retention.pages: "0d" is not valid: expected a number of days, such as 90d or 365d.`,
    ]);
    expect(problems(text("retention: { notes: 30d }"))[0]).toContain('retention.notes: unknown key "notes" (known keys: checkins, pages, rota, removed_members)');
  });

  it("is in the sample config, with its defaults", () => {
    expect(loadConfigFile(SAMPLE).config.retention).toEqual({ checkins: "365d", pages: "365d", rota: "365d", removed_members: "90d" });
  });
});
