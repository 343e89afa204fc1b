import { parseConfig } from "../../../src/config/load";
import { ConfigError, type ConfigProblem } from "../../../src/config/problems";
import { withoutReplyFallback } from "../../../src/matrix/eventRouter";

const FILE = "/srv/carenet/config.yaml";

function text(checkinLines: string[]): string {
  return [
    "homeserver: { url: http://127.0.0.1:8008, domain: example.org }",
    "crisis_resources: Call 999.",
    "communities:",
    "  - id: oak",
    "    name: Oakwood",
    "    timezone: Europe/London",
    '    staff: ["@sam:example.org"]',
    "    rooms:",
    "      community: { name: Chat }",
    "      staff: { name: Staff }",
    "      alumni: { name: Alumni }",
    "      extra: [{ id: creative, name: Creative }]",
    ...checkinLines,
    "",
  ].join("\n");
}

function problems(lines: string[]): ConfigProblem[] {
  try {
    parseConfig(text(lines), FILE);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe("check-in config", () => {
  it("fills in the defaults: dm delivery, a five-word scale, 2 and below low, 2h grace, 8-weekly reviews, monthly alumni", () => {
    const { config } = parseConfig(text(["    checkins:", '      - { id: evening, at: "20:00", prompt: How are you? }']), FILE);
    const c = config.communities[0];
    expect(c.checkins[0].delivery).toBe("dm");
    expect(c.checkin_settings).toEqual({
      scale: ["really struggling", "not great", "okay", "fine", "good"],
      low_at_or_below: 2,
      grace: "2h",
      missed_after: "3h",
      review_every: "8w",
      alumni: {
        enabled: true,
        every: "monthly",
        day: "sun",
        at: "18:00",
        prompt: "How are things with you? There is no need to answer — the door is always open.",
        delivery: "dm",
      },
    });
  });

  it("accepts prompts in a member room and alumni check-ins in the alumni room", () => {
    expect(
      problems([
        "    checkins:",
        '      - { id: group, at: "12:00", prompt: Lunch, delivery: creative }',
        "    checkin_settings:",
        "      alumni: { delivery: alumni, every: weekly }",
      ]),
    ).toEqual([]);
  });

  it("refuses what would go wrong, each with its line and YAML path", () => {
    const found = problems([
      "    checkins:",
      '      - { id: evening, at: "20:00", prompt: A, delivery: staff }',
      '      - { id: evening, at: "24:00", prompt: B, delivery: garden }',
      '      - { id: alumni, at: "09:00", prompt: C, delivery: community, times: ["10:00"] }',
      "    checkin_settings:",
      "      scale: [bad, good]",
      "      low_at_or_below: 2",
      "      review_every: 8 weeks",
      "      grace: soon",
    ]);
    const byPath = Object.fromEntries(found.map((p) => [p.path, p.message]));
    expect(byPath["communities[0].checkins[0].delivery"]).toMatch(/never asked in the staff room/);
    expect(byPath["communities[0].checkins[1].id"]).toMatch(/used twice/);
    expect(byPath["communities[0].checkins[1].at"]).toMatch(/cannot be at 24:00/);
    expect(byPath["communities[0].checkins[1].delivery"]).toMatch(/"garden" is not one of this community's rooms/);
    expect(byPath["communities[0].checkins[2].id"]).toMatch(/alumni/);
    expect(byPath["communities[0].checkins[2].times"]).toMatch(/one time for everyone/);
    expect(byPath["communities[0].checkin_settings.low_at_or_below"]).toMatch(/every answer low/);
    expect(byPath["communities[0].checkin_settings.review_every"]).toBeDefined();
    expect(byPath["communities[0].checkin_settings.grace"]).toBeDefined();
    expect(found.find((p) => p.path === "communities[0].checkins[1].at")?.line).toBe(15);
  });
});

describe("replies to a prompt", () => {
  it("drop the quoted fallback older clients put first", () => {
    expect(withoutReplyFallback("> <@carenet:example.org> How are you this evening?\n> more\n\n3 long day")).toBe("3 long day");
    expect(withoutReplyFallback("okay")).toBe("okay");
    expect(withoutReplyFallback("> just a quote")).toBe("");
  });
});
