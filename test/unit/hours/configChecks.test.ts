import { parseConfig } from "../../../src/config/load";
import { formatProblem, type ConfigProblem } from "../../../src/config/problems";
import { CONFIG_FILE as FILE, OAKWOOD_OPENING, refusedConfig } from "../../support/configText";


function text(roomLines: string[]): string {
  return [
    "homeserver: { url: http://127.0.0.1:8008, domain: example.org }",
    "crisis_resources: Call 999 in an emergency.",
    ...OAKWOOD_OPENING,
    "        name: Oakwood community",
    ...roomLines.map((l) => `        ${l}`),
    "      staff: { name: Oakwood staff }",
    "      alumni: { name: Oakwood alumni }",
    "",
  ].join("\n");
}

const problemsOf = (t: string): ConfigProblem[] => refusedConfig(t);

test("dated exceptions are checked with file, line, column and path", () => {
  const t = text([
    "posting_hours:",
    '  - { days: [sat], from: "10:00", to: "16:00" }',
    "exceptions:",
    '  - { date: "2026-02-30", open: false }',
    '  - { date: "2026-03-01", open: false, from: "10:00" }',
  ]);
  const problems = problemsOf(t).map(formatProblem);
  expect(problems).toEqual([
    expect.stringMatching(/^\/srv\/carenet\/config\.yaml:14:\d+: communities\[0\]\.rooms\.community\.exceptions\[0\]\.date: "2026-02-30" is not a date/),
    expect.stringMatching(/^\/srv\/carenet\/config\.yaml:15:\d+: communities\[0\]\.rooms\.community\.exceptions\[1\]: give both from and to/),
  ]);
});

test("an extra opening in a room that has no posting hours (always open) is refused as meaningless", () => {
  const problems = problemsOf(text(["exceptions:", '  - { date: "2026-12-25", open: true }']));
  expect(problems.map((p) => p.path)).toEqual(["communities[0].rooms.community.exceptions[0]"]);
  expect(problems[0].message).toContain("no effect");
});

test("a closure date alone is a valid schedule (open at all times except then)", () => {
  expect(() => parseConfig(text(["exceptions:", '  - { date: "2026-12-25", open: false, message: "Closed for Christmas" }']), FILE)).not.toThrow();
});
