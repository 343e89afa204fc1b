import path from "node:path";
import { loadConfigFile, parseConfig } from "../../../src/config/load";
import { ConfigError } from "../../../src/config/problems";
import { rotaSettings } from "../../../src/features/rota/service";

const SAMPLE = path.resolve(__dirname, "../../../config/config.sample.yaml");

function yamlWith(rotaLines: string[] = []): string {
  return [
    "homeserver: { url: http://127.0.0.1:8008, domain: example.org }",
    "crisis_resources: Call 999.",
    "communities:",
    "  - id: oak",
    "    name: Oak",
    "    timezone: Europe/London",
    "    staff: [\"@sam:example.org\"]",
    "    rooms: { community: { name: c }, staff: { name: s }, alumni: { name: a } }",
    ...rotaLines,
    "",
  ].join("\n");
}

describe("communities[].rota in the config", () => {
  it("the sample spells out every rota setting", () => {
    const { config } = loadConfigFile(SAMPLE);
    expect(config.communities[0].rota).toEqual({ approval_required: true, max_shifts_per_week: 3, max_pages_per_night: 2, handoff_reminder: "30m" });
  });

  it("a community without a rota section gets the defaults from the schema", () => {
    const { config } = parseConfig(yamlWith(), "/x/config.yaml");
    expect(config.communities[0].rota).toEqual({ approval_required: true, max_shifts_per_week: 3, max_pages_per_night: 2, handoff_reminder: "30m" });
    expect(rotaSettings(config.communities[0])).toEqual({ approvalRequired: true, maxShiftsPerWeek: 3, maxPagesPerNight: 2, handoffReminderMs: 30 * 60_000 });
  });

  it("reads the community's own choices", () => {
    const { config } = parseConfig(yamlWith(["    rota: { approval_required: false, max_shifts_per_week: 5, handoff_reminder: 1h }"]), "/x/config.yaml");
    expect(rotaSettings(config.communities[0])).toMatchObject({ approvalRequired: false, maxShiftsPerWeek: 5, handoffReminderMs: 3_600_000 });
  });

  it.each([
    ["    rota: { handoff_reminder: soon }", "communities[0].rota.handoff_reminder"],
    ["    rota: { max_shifts_per_week: 0 }", "communities[0].rota.max_shifts_per_week"],
    ["    rota: { approval_requred: false }", "communities[0].rota.approval_requred"],
  ])("refuses %s with its path", (line, where) => {
    try {
      parseConfig(yamlWith([line]), "/x/config.yaml");
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.map((p) => p.path)).toContain(where);
      return;
    }
    throw new Error("expected the config to be refused");
  });
});
