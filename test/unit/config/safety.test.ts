import { parseConfig } from "../../../src/config/load";
import { formatProblem, type ConfigProblem } from "../../../src/config/problems";
import { CONFIG_FILE as FILE, refusedConfig } from "../../support/configText";

/**
 * Configs that would quietly switch safety off are refused, each with file:line:column and
 * the YAML path; legal but unusual values are warnings (the config still loads).
 */


interface Parts {
  url?: string;
  domain?: string;
  crisis?: string;
  staff?: string;
  admins?: string;
  wait?: string;
  maxAge?: string;
  dbPath?: string;
}

function configText(p: Parts = {}): string {
  return [
    "homeserver:",
    `  url: ${p.url ?? "http://127.0.0.1:8008"}`,
    `  domain: ${p.domain ?? "example.org"}`,
    ...(p.dbPath !== undefined ? ["database:", `  path: ${p.dbPath}`] : []),
    ...(p.maxAge !== undefined ? ["events:", `  max_age: ${p.maxAge}`] : []),
    `crisis_resources: ${p.crisis ?? '"Call 999 in an emergency."'}`,
    "communities:",
    "  - id: oak",
    "    name: Oakwood",
    "    timezone: Europe/London",
    `    staff: ${p.staff ?? '["@sam:example.org"]'}`,
    ...(p.admins !== undefined ? [`    admins: ${p.admins}`] : []),
    "    rooms: { community: { name: a }, staff: { name: b }, alumni: { name: c } }",
    ...(p.wait !== undefined ? ["    paging:", "      escalation:", `        - { notify: on_call_peers, wait: ${p.wait} }`] : []),
    "",
  ].join("\n");
}

const refused = (text: string): ConfigProblem[] => refusedConfig(text).filter((p) => p.severity !== "warning");

function lineOf(text: string, needle: string): number {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`${needle} not in text`);
  return text.slice(0, i).split("\n").length;
}

const cases: Array<[string, Parts, string, string, RegExp]> = [
  ["crisis_resources of only spaces", { crisis: '"   "' }, "crisis_resources", "crisis_resources:", /no visible text/],
  ["crisis_resources of only line breaks", { crisis: '"\\n\\n\\n"' }, "crisis_resources", "crisis_resources:", /no visible text/],
  ["crisis_resources of a zero-width space", { crisis: '"\\u200B"' }, "crisis_resources", "crisis_resources:", /no visible text/],
  ["crisis_resources of 20 MB", { crisis: `"${"9".repeat(20 * 1024 * 1024)}"` }, "crisis_resources", "crisis_resources:", /20971520 characters long; at most 2000/],
  ["a crisis service with an empty label", { crisis: '[{ label: " ", phone: "999" }]' }, "crisis_resources[0].label", "crisis_resources:", /no visible text/],
  ["a crisis service with a 90-character label", { crisis: `[{ label: "${"S".repeat(90)}", phone: "999" }]` }, "crisis_resources[0].label", "crisis_resources:", /at most 80/],
  ["13 crisis resources", { crisis: `[${Array(13).fill('"Call 999"').join(", ")}]` }, "crisis_resources", "crisis_resources:", /at most 12/],
  ["a crisis free-text item of only spaces", { crisis: '["Call 999", "  "]' }, "crisis_resources[1]", "crisis_resources:", /no visible text/],
  ["a community with no staff and no admins", { staff: "[]" }, "communities[0].staff", "staff:", /no staff and no admins/],
  ["an escalation wait of 999999h", { wait: "999999h" }, "communities[0].paging.escalation[0].wait", "wait:", /longer than 2 hours/],
  ["events.max_age: 0s", { maxAge: "0s" }, "events.max_age", "max_age:", /shorter than 10 seconds/],
  ["staff on another homeserver", { staff: '["@sam:evil.example"]' }, "communities[0].staff[0]", "staff:", /another homeserver/],
  ["an admin on another homeserver", { admins: '["@ann:evil.example"]' }, "communities[0].admins[0]", "admins:", /another homeserver/],
  ["homeserver.url with a NUL byte", { url: '"http://127.0.0.1:8008\\0"' }, "homeserver.url", "url:", /control characters/],
  ["homeserver.url of just http://", { url: "http://" }, "homeserver.url", "url:", /not a valid URL|no host/],
  ["database.path ''", { dbPath: "''" }, "database.path", "path:", /is empty/],
];

describe("configs that would switch safety off are refused with file:line:column", () => {
  it.each(cases)("%s", (_name, parts, path, key, message) => {
    const text = configText(parts);
    const problems = refused(text);
    const p = problems.find((x) => x.path === path);
    if (!p) throw new Error(`no problem at ${path}; got:\n${problems.map(formatProblem).join("\n")}`);
    expect(p.message).toMatch(message);
    expect(p.file).toBe(FILE);
    expect(p.line).toBe(lineOf(text, key));
    expect(p.col).toBeGreaterThan(1);
    // The message stays short however large the value was.
    expect(formatProblem(p).length).toBeLessThan(400);
  });

  it("a YAML alias bomb (billion laughs) is refused with the location of its first alias, without expanding it", () => {
    const bomb = [
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
      "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
      "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
      "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
      "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]",
      "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]",
    ].join("\n");
    const started = Date.now();
    const problems = refused(configText() + bomb + "\n");
    expect(Date.now() - started).toBeLessThan(2000);
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toMatch(/aliases expand too much/);
    expect(formatProblem(problems[0])).toMatch(/^\/srv\/carenet\/config\.yaml:\d+:\d+: /);
    expect(problems[0].line).toBe(lineOf(configText() + bomb, "b: &b") );
  });

  it("a few aliases used as YAML intends are fine", () => {
    const text = configText().replace('staff: ["@sam:example.org"]', 'staff: &team ["@sam:example.org"]') .replace("    rooms:", "    admins: *team\n    rooms:");
    expect(() => parseConfig(text, FILE)).not.toThrow();
  });

  it("every duration has an upper bound, even one not listed (a week)", () => {
    const text = configText().replace("    rooms:", "    rota: { handoff_reminder: 9999h }\n    rooms:");
    const p = refused(text).find((x) => x.path === "communities[0].rota.handoff_reminder");
    expect(p?.message).toMatch(/longer than 7 days/);
  });

  it("retention periods stop at ten years", () => {
    const text = configText() + "retention: { checkins: 99999d }\n";
    expect(refused(text).find((x) => x.path === "retention.checkins")?.message).toMatch(/3650 days/);
  });

  it("legal but unusual values are warnings: the config loads and says so", () => {
    const { warnings } = parseConfig(configText({ wait: "90m", maxAge: "20s", crisis: '"Ask a member of staff."', url: "http://matrix.example.org" }), FILE);
    expect(warnings.map((w) => w.path).sort()).toEqual(["communities[0].paging.escalation[0].wait", "crisis_resources", "events.max_age", "homeserver.url"]);
    expect(warnings.every((w) => formatProblem(w).includes(": warning: "))).toBe(true);
  });

  it("crisis resources load as free text or as a list of services, and a service needs a number or a site", () => {
    expect(parseConfig(configText(), FILE).config.crisis_resources).toBe("Call 999 in an emergency.");
    const list = '[ "In an emergency call 999.", { label: Samaritans, phone: "116 123", url: "https://www.samaritans.org" }, { label: Shout, sms: "85258" } ]';
    const { config, warnings } = parseConfig(configText({ crisis: list }), FILE);
    expect(warnings).toEqual([]);
    expect(config.crisis_resources).toEqual(["In an emergency call 999.", { label: "Samaritans", phone: "116 123", url: "https://www.samaritans.org" }, { label: "Shout", sms: "85258" }]);
    expect(refused(configText({ crisis: "[{ label: Samaritans }]" })).map((p) => p.path)).toContain("crisis_resources");
    expect(refused(configText({ crisis: '[{ label: Samaritans, phone: "call us" }]' })).length).toBeGreaterThan(0);
    const noNumber = parseConfig(configText({ crisis: '[{ label: "Ask staff", url: "https://example.org/help" }]' }), FILE).warnings;
    expect(noNumber.map((w) => w.path)).toEqual(["crisis_resources"]);
  });

  it("a sound config has neither problems nor warnings", () => {
    expect(parseConfig(configText({ wait: "10m", maxAge: "5m" }), FILE).warnings).toEqual([]);
  });
});

describe("a problem with a secret never quotes the secret", () => {
  const secrets: Array<[string, string, string]> = [
    ["a short metrics.token", "metrics: { token: shortsecret42 }\n", "metrics.token"],
    ["a short off_matrix.webhook.secret", "off_matrix: { webhook: { url: https://hook.example.org, secret: hunter2x } }\n", "off_matrix.webhook.secret"],
    [
      "a numeric off_matrix.email.auth.pass",
      "off_matrix: { email: { host: smtp.example.org, from: c@example.org, auth: { user: c, pass: 73190552 } } }\n",
      "off_matrix.email.auth.pass",
    ],
  ];
  it.each(secrets)("%s", (_name, extra, path) => {
    const problems = refused(configText() + extra);
    const p = problems.find((x) => x.path === path);
    if (!p) throw new Error(`no problem at ${path}; got:\n${problems.map(formatProblem).join("\n")}`);
    expect(p.message).toMatch(/^\(hidden\) /);
    const all = problems.map(formatProblem).join("\n");
    for (const value of ["shortsecret42", "hunter2x", "73190552"]) expect(all).not.toContain(value);
  });

  it("other values are still quoted", () => {
    const p = refused(configText() + "metrics: { bind: '' }\n").find((x) => x.path === "metrics.bind");
    expect(p?.message).toMatch(/^"" /);
  });
});
