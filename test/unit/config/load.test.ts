import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfigFile, parseConfig } from "../../../src/config/load";
import { ConfigError, formatProblem, pathToString, type ConfigProblem } from "../../../src/config/problems";
import { CONFIG_FILE as FILE, refusedConfig } from "../../support/configText";

const REPO = path.resolve(__dirname, "../../..");
const SAMPLE = path.join(REPO, "config/config.sample.yaml");

/** Runs parseConfig and returns the problems it reports (fails the test if it accepts the text). */
const problemsOf = (text: string, file = FILE): ConfigProblem[] => refusedConfig(text, file);

/** 1-based line and column of the first occurrence of `needle` in `text` (after `after`, if given). */
function locate(text: string, needle: string, after?: string): { line: number; col: number } {
  const from = after === undefined ? 0 : text.indexOf(after);
  if (from < 0) throw new Error(`"${after}" not in text`);
  const offset = text.indexOf(needle, from);
  if (offset < 0) throw new Error(`"${needle}" not in text`);
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, col: before[before.length - 1].length + 1 };
}

/** The problem reported for `text`, which must be the only one. */
function onlyProblemIn(text: string): ConfigProblem {
  const problems = problemsOf(text);
  expect(problems).toHaveLength(1);
  return problems[0];
}

function findProblem(problems: ConfigProblem[], p: string): ConfigProblem {
  const found = problems.find((x) => x.path === p);
  if (!found) throw new Error(`no problem at path ${p}; got:\n${problems.map(formatProblem).join("\n")}`);
  return found;
}

interface CommunityOpts {
  id?: string;
  timezone?: string;
  hours?: string;
  extraLines?: string[];
}

function community({ id = "oakwood", timezone = "Europe/London", hours, extraLines = [] }: CommunityOpts = {}): string[] {
  return [
    `  - id: ${id}`,
    `    name: Oakwood`,
    `    timezone: ${timezone}`,
    `    staff: ["@sam:example.org"]`,
    ...extraLines,
    `    rooms:`,
    `      community:`,
    `        name: Oakwood community`,
    ...(hours ? [`        posting_hours:`, hours] : []),
    `      staff: { name: Oakwood staff }`,
    `      alumni: { name: Oakwood alumni }`,
  ];
}

function configText(communities: string[][] = [community()], top: string[] = []): string {
  return [
    "homeserver:",
    "  url: http://127.0.0.1:8008/",
    "  domain: example.org",
    ...top,
    "crisis_resources: |",
    "  Call 999 in an emergency.",
    "communities:",
    ...communities.flat(),
    "",
  ].join("\n");
}

describe("the sample config", () => {
  it("loads without problems and gets its defaults and absolute paths", () => {
    const { config, file } = loadConfigFile(SAMPLE);
    expect(file).toBe(SAMPLE);
    expect(config.appservice.bind).toBe("127.0.0.1");
    expect(config.appservice.port).toBe(9993);
    expect(config.bot.localpart).toBe("carenet");
    expect(config.bot.displayname).toBe("Care Network");
    expect(path.isAbsolute(config.database.path)).toBe(true);
    expect(config.database.path).toBe(path.join(REPO, "config", "data", "carenet.db"));
    expect(config.appservice.registration).toBe(path.join(REPO, "config", "registration.yaml"));
    expect(config.crisis_resources).toContainEqual({ label: "Samaritans", phone: "116 123", url: "https://www.samaritans.org", note: "free, 24/7" });
    expect(JSON.stringify(config.crisis_resources)).toMatch(/999/);
    expect(config.communities.map((c) => c.id)).toEqual(["oakwood"]);
    expect(config.communities[0].timezone).toBe("Europe/London");
    expect(config.communities[0].rooms.extra.map((r) => r.id)).toEqual(["creative"]);
  });

  it("loads from a relative path, resolving against the file's folder rather than the cwd", () => {
    const rel = path.relative(process.cwd(), SAMPLE);
    const { config, file } = loadConfigFile(rel);
    expect(file).toBe(SAMPLE);
    expect(config.database.path).toBe(path.join(path.dirname(SAMPLE), "data", "carenet.db"));
  });
});

describe("defaults", () => {
  it("fills in every optional section of a minimal config", () => {
    const { config } = parseConfig(configText(), FILE);
    expect(config.appservice).toEqual({ bind: "127.0.0.1", port: 9993, registration: "/srv/carenet/registration.yaml" });
    expect(config.database.path).toBe("/srv/carenet/data/carenet.db");
    expect(config.bot).toEqual({ localpart: "carenet", displayname: "Care Network" });
    expect(config.logging.level).toBe("info");
    expect(config.events.max_age).toBe("5m");
    expect(config.communities[0].admins).toEqual([]);
    expect(config.communities[0].checkins).toEqual([]);
    expect(config.communities[0].rooms.extra).toEqual([]);
  });

  it("strips trailing slashes from the homeserver URL", () => {
    expect(parseConfig(configText(), FILE).config.homeserver.url).toBe("http://127.0.0.1:8008");
  });

  it("keeps explicit values and resolves a relative database path against the config folder", () => {
    const text = configText([community()], ["database: { path: ../state/care.db }", "appservice: { port: 8999, bind: 0.0.0.0 }"]);
    const { config } = parseConfig(text, FILE);
    expect(config.database.path).toBe("/srv/state/care.db");
    expect(config.appservice.port).toBe(8999);
    expect(config.appservice.bind).toBe("0.0.0.0");
  });

  it("leaves an absolute database path as it is", () => {
    const { config } = parseConfig(configText([community()], ["database: { path: /var/lib/carenet/c.db }"]), FILE);
    expect(config.database.path).toBe("/var/lib/carenet/c.db");
  });

  it("gives each parse its own default objects", () => {
    const first = parseConfig(configText(), FILE).config;
    first.appservice.bind = "changed";
    first.bot.localpart = "changed";
    const second = parseConfig(configText(), FILE).config;
    expect(second.appservice.bind).toBe("127.0.0.1");
    expect(second.bot.localpart).toBe("carenet");
  });
});

describe("problems are located by line, column and YAML path", () => {
  const text = configText(
    [
      community({
        extraLines: ["    timzone: Europe/Paris"],
        hours: `          - { days: [mon, tue], from: "17:00", to: "25:00" }`,
      }),
    ],
    ["homeservr: { url: http://x }"],
  );

  it("reports the typo'd keys and the bad time, each where it is", () => {
    const problems = problemsOf(text);

    const top = findProblem(problems, "homeservr");
    expect({ line: top.line, col: top.col }).toEqual(locate(text, "homeservr"));
    expect(top.message).toMatch(/unknown key "homeservr"/);
    expect(top.message).toMatch(/did you mean "homeserver"\?/);

    const tz = findProblem(problems, "communities[0].timzone");
    expect({ line: tz.line, col: tz.col }).toEqual(locate(text, "timzone"));
    expect(tz.message).toMatch(/unknown key "timzone"/);
    expect(tz.message).toMatch(/did you mean "timezone"\?/);

    const to = findProblem(problems, "communities[0].rooms.community.posting_hours[0].to");
    expect({ line: to.line, col: to.col }).toEqual(locate(text, '"25:00"'));
    expect(to.message).toContain('"25:00"');
    expect(to.message).toMatch(/HH:MM/);

    for (const p of problems) expect(p.file).toBe(FILE);
  });

  it("formats each problem as file:line:col: path: message", () => {
    const problems = problemsOf(text);
    const to = findProblem(problems, "communities[0].rooms.community.posting_hours[0].to");
    const { line, col } = locate(text, '"25:00"');
    expect(formatProblem(to)).toBe(`${FILE}:${line}:${col}: communities[0].rooms.community.posting_hours[0].to: ${to.message}`);
  });

  it("lists every problem in the error message, not just the first", () => {
    let error: ConfigError | undefined;
    try {
      parseConfig(text, FILE);
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems.length).toBeGreaterThanOrEqual(3);
    expect(error!.message).toContain(`(${error!.problems.length} problems)`);
    for (const p of error!.problems) expect(error!.message).toContain(formatProblem(p));
  });

  it("says a key is unknown without a hint when nothing is close", () => {
    const t = configText([community()], ["zzzzzzzzzzzzzz: 1"]);
    const p = findProblem(problemsOf(t), "zzzzzzzzzzzzzz");
    expect(p.message).toMatch(/unknown key "zzzzzzzzzzzzzz"/);
    expect(p.message).not.toMatch(/did you mean/);
    expect(p.message).toMatch(/known keys: .*homeserver/);
    expect({ line: p.line, col: p.col }).toEqual(locate(t, "zzzzzzzzzzzzzz"));
  });

  it("formats a top-level problem as (top level)", () => {
    expect(formatProblem({ file: "f.yaml", line: 3, col: 7, path: "", message: "m" })).toBe("f.yaml:3:7: (top level): m");
  });
});

describe("schema and meaning problems together", () => {
  it("reports a typo'd key and an unknown time zone in one go", () => {
    const text = configText([community({ timezone: "Europe/Lundon", extraLines: ["    admns: []"] })]);
    const problems = problemsOf(text);
    expect(findProblem(problems, "communities[0].admns").message).toMatch(/did you mean "admins"/);
    expect(findProblem(problems, "communities[0].timezone").message).toMatch(/not a known IANA time zone/);
  });
});

describe("meaning checks", () => {
  it("refuses an unknown IANA time zone", () => {
    const text = configText([community({ timezone: "Mars/Olympus_Mons" })]);
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0].path).toBe("communities[0].timezone");
    expect(problems[0].message).toMatch(/"Mars\/Olympus_Mons" is not a known IANA time zone/);
    expect({ line: problems[0].line, col: problems[0].col }).toEqual(locate(text, "Mars/Olympus_Mons"));
  });

  it("accepts real zones other than the sample's", () => {
    const text = configText([community({ id: "a", timezone: "America/St_Johns" }), community({ id: "b", timezone: "UTC" })]);
    expect(parseConfig(text, FILE).config.communities.map((c) => c.timezone)).toEqual(["America/St_Johns", "UTC"]);
  });

  it("refuses a community id used twice, pointing at the second", () => {
    const text = configText([community({ id: "oakwood" }), community({ id: "elm" }), community({ id: "oakwood" })]);
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0].path).toBe("communities[2].id");
    expect(problems[0].message).toMatch(/"oakwood" is used twice/);
    expect({ line: problems[0].line, col: problems[0].col }).toEqual(locate(text, "oakwood", "- id: elm"));
  });

  it("refuses a window whose from equals its to, but allows 00:00–24:00", () => {
    const hours = [
      `          - { days: [mon], from: "10:00", to: "10:00" }`,
      `          - { days: [tue], from: "00:00", to: "24:00" }`,
    ].join("\n");
    const text = configText([community({ hours })]);
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0].path).toBe("communities[0].rooms.community.posting_hours[0]");
    expect(problems[0].message).toMatch(/both 10:00/);
    expect({ line: problems[0].line, col: problems[0].col }).toEqual(locate(text, "{ days: [mon]"));
  });

  it("refuses a window that starts at 24:00", () => {
    const text = configText([community({ hours: `          - { days: [mon], from: "24:00", to: "02:00" }` })]);
    const problems = problemsOf(text);
    expect(problems.map((p) => p.path)).toEqual(["communities[0].rooms.community.posting_hours[0].from"]);
    expect({ line: problems[0].line, col: problems[0].col }).toEqual(locate(text, '"24:00"'));
  });

  it("refuses an extra room reusing a built-in room id", () => {
    const lines = community();
    const alumniAt = lines.findIndex((l) => l.includes("alumni:"));
    lines.splice(alumniAt + 1, 0, "      extra:", "        - { id: staff, name: Another staff room }");
    const problems = problemsOf(configText([lines]));
    expect(problems.map((p) => p.path)).toEqual(["communities[0].rooms.extra[0].id"]);
    expect(problems[0].message).toMatch(/"staff" is already used/);
  });

  it("reports several meaning problems together", () => {
    const text = configText([
      community({ id: "a", timezone: "Nowhere/Land", hours: `          - { days: [mon], from: "09:00", to: "09:00" }` }),
      community({ id: "a" }),
    ]);
    const paths = problemsOf(text).map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining(["communities[0].timezone", "communities[0].rooms.community.posting_hours[0]", "communities[1].id"]),
    );
    expect(paths).toHaveLength(3);
  });
});

describe("syntax and shape problems", () => {
  it("reports a YAML syntax error with its line and column", () => {
    const text = "homeserver:\n  url: [unclosed\n  domain: example.org\ncrisis_resources: x\ncommunities: []\n";
    const problems = problemsOf(text);
    expect(problems.length).toBeGreaterThanOrEqual(1);
    expect(problems[0].message).toMatch(/^YAML syntax: /);
    expect(problems[0].line).toBeGreaterThanOrEqual(2);
    expect(problems[0].line).toBeLessThanOrEqual(3);
    expect(problems[0].col).toBeGreaterThanOrEqual(1);
    expect(problems[0].message).not.toContain("\n");
  });

  it("reports a duplicated key as a syntax problem at the second key", () => {
    const text = configText([community()], ["homeserver: { url: http://other, domain: other.org }"]);
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toMatch(/YAML syntax: .*unique/i);
    expect({ line: problems[0].line, col: problems[0].col }).toEqual(locate(text, "homeserver", "domain: example.org"));
  });

  it("reports a missing required key at the map that lacks it", () => {
    const text = "homeserver:\n  url: http://x\ncrisis_resources: x\ncommunities: []\n";
    expect(onlyProblemIn(text)).toMatchObject({ path: "homeserver", message: '"domain" is required here', ...locate(text, "url:") });
  });

  it("reports a missing required key inside a community", () => {
    const lines = community().filter((l) => !l.includes("timezone"));
    const text = configText([lines]);
    const p = findProblem(problemsOf(text), "communities[0]");
    expect(p.message).toBe('"timezone" is required here');
    expect({ line: p.line, col: p.col }).toEqual(locate(text, "id: oakwood"));
  });

  it("reports a wrong type with the value and the expected type", () => {
    const text = configText([community()], ['appservice: { port: "abc" }']);
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0].path).toBe("appservice.port");
    expect(problems[0].message).toBe('"abc" must be integer');
    expect({ line: problems[0].line, col: problems[0].col }).toEqual(locate(text, '"abc"'));
  });

  it("reports an out-of-range port and a bad enum value", () => {
    const text = configText([community()], ["appservice: { port: 70000 }", "logging: { level: verbose }"]);
    const problems = problemsOf(text);
    expect(findProblem(problems, "appservice.port").message).toMatch(/70000/);
    expect(findProblem(problems, "logging.level").message).toMatch(/"verbose" is not one of "trace", .*"fatal"/);
  });

  it("refuses communities that are not a list", () => {
    const text = "homeserver: { url: http://x, domain: d }\ncrisis_resources: x\ncommunities: {}\n";
    expect(onlyProblemIn(text)).toMatchObject({ path: "communities", message: "{} must be array", ...locate(text, "{}") });
  });

  it("refuses an empty file, naming every required key", () => {
    for (const text of ["", "# only a comment\n"]) {
      const problems = problemsOf(text);
      expect(problems.map((p) => p.message).sort()).toEqual(
        ['"communities" is required here', '"crisis_resources" is required here', '"homeserver" is required here'],
      );
      for (const p of problems) expect(p).toMatchObject({ line: 1, col: 1, path: "" });
    }
  });

  it("refuses a file that is not a map", () => {
    const problems = problemsOf("just some text\n");
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toMatch(/must be object/);
  });

  it("reports every schema problem in one go, across the file", () => {
    const text = configText(
      [
        community({ hours: `          - { days: [mon, funday], from: "7pm", to: "09:00" }` }),
        community({ id: "Bad Id!" }),
      ],
      ["bot: { localpart: Not Valid }", "events: { max_age: soon }"],
    );
    const paths = problemsOf(text).map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "bot.localpart",
        "events.max_age",
        "communities[0].rooms.community.posting_hours[0].days[1]",
        "communities[0].rooms.community.posting_hours[0].from",
        "communities[1].id",
      ]),
    );
  });

  it("does not repeat the same problem", () => {
    const text = configText([community()], ["homeservr: 1", "crisis_resource: x"]);
    const keys = problemsOf(text).map((p) => `${p.line}:${p.col}:${p.path}:${p.message}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe("loadConfigFile", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "carenet-config-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("reads a file and resolves its paths against the file's folder", () => {
    const file = path.join(dir, "sub", "carenet.yaml");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, configText([community()], ["database: { path: db/x.db }"]));
    const { config, file: loaded } = loadConfigFile(file);
    expect(loaded).toBe(file);
    expect(config.database.path).toBe(path.join(dir, "sub", "db", "x.db"));
  });

  it("reports problems against the absolute file name", () => {
    const file = path.join(dir, "broken.yaml");
    fs.writeFileSync(file, configText([community({ timezone: "Not/AZone" })]));
    try {
      loadConfigFile(path.relative(process.cwd(), file));
      throw new Error("accepted");
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems[0].file).toBe(file);
    }
  });

  it("turns a missing file into a ConfigError rather than a crash", () => {
    const file = path.join(dir, "does-not-exist.yaml");
    try {
      loadConfigFile(file);
      throw new Error("accepted");
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems;
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ file, line: 1, col: 1 });
      expect(problems[0].message).toMatch(/cannot read the file/);
    }
  });
});

describe("pathToString", () => {
  it("joins keys with dots and indexes with brackets", () => {
    expect(pathToString([])).toBe("");
    expect(pathToString(["communities", 0, "rooms", "extra", 2, "id"])).toBe("communities[0].rooms.extra[2].id");
    expect(pathToString([3, "a"])).toBe("[3].a");
  });
});
