import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { parse } from "yaml";
import { loadMigrations } from "../../../src/store/database";
import { expectToContainAll } from "../../support/expectText";
import { OAKWOOD_OPENING } from "../../support/configText";
import { freshDir, removeDir } from "../../support/tempDirs";

const REPO = path.resolve(__dirname, "../../..");
const CLI = path.join(REPO, "dist", "src", "cli.js");
const SAMPLE = path.join(REPO, "config", "config.sample.yaml");

jest.setTimeout(60_000);

/**
 * Builds dist/ once. tsc still emits when some other file in the tree has a type error
 * (noEmitOnError is off), so a non-zero exit is tolerated as long as cli.js was rewritten.
 */
beforeAll(() => {
  const before = fs.existsSync(CLI) ? fs.statSync(CLI).mtimeMs : -1;
  try {
    execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json"], {
      cwd: REPO,
      stdio: "pipe",
      timeout: 180_000,
    });
  } catch (err) {
    const after = fs.existsSync(CLI) ? fs.statSync(CLI).mtimeMs : -1;
    if (after <= before) throw err;
  }
}, 200_000);

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function carenet(args: string[], cwd = REPO): Run {
  const env = { ...process.env };
  delete env.CARENET_CONFIG;
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env, encoding: "utf8", timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let tmp: string;
beforeEach(() => (tmp = freshDir("carenet-cli-")));
afterEach(() => removeDir(tmp));

function writeConfig(name: string, lines: string[]): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

const GOOD = [
  "homeserver: { url: http://127.0.0.1:8008, domain: example.org }",
  "database: { path: state/carenet.db }",
  "crisis_resources: Call 999.",
  ...OAKWOOD_OPENING,
  "        name: C",
  "        posting_hours:",
  '          - { days: [mon], from: "17:00", to: "09:00" }',
  "      staff: { name: S }",
  "      alumni: { name: A }",
];

describe("validate-config", () => {
  it("accepts the sample with a one-line summary and exit 0", () => {
    const r = carenet(["validate-config", "-c", SAMPLE]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/config\.sample\.yaml is valid: homeserver example\.org, 1 community \(oakwood\)/);
  });

  it("refuses a broken file with exit 1 and one file:line:col: path: message line per problem", () => {
    const lines = [...GOOD];
    lines[0] = "homeservr: { url: http://127.0.0.1:8008, domain: example.org }";
    lines[6] = "    timzone: Europe/London";
    lines[12] = '          - { days: [mon], from: "17:00", to: "25:00" }';
    const file = writeConfig("broken.yaml", lines);
    const r = carenet(["validate-config", "-c", file]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    const toCol = lines[12].indexOf('"25:00"') + 1;
    const timzoneCol = lines[6].indexOf("timzone") + 1;
    expectToContainAll(r.stderr, [
      `${file}:1:1: homeservr: unknown key "homeservr" (did you mean "homeserver"?)`,
      `${file}:7:${timzoneCol}: communities[0].timzone: unknown key "timzone" (did you mean "timezone"?)`,
      `${file}:13:${toCol}: communities[0].rooms.community.posting_hours[0].to: "25:00" is not valid`,
    ]);
    expect(r.stderr).toMatch(/did not start: fix the problems above/);
    const problemLines = r.stderr.split("\n").filter((l) => l.trim().startsWith(`${file}:`));
    for (const l of problemLines) expect(l.trim()).toMatch(/^\/.+:\d+:\d+: \S.*: .+$/);
    expect(problemLines.length).toBeGreaterThanOrEqual(3);
  });

  it("reports a missing config file without a stack trace", () => {
    const file = path.join(tmp, "missing.yaml");
    const r = carenet(["validate-config", "-c", file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${file}:1:1: (top level): cannot read the file`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("generate-registration", () => {
  it("writes a registration with fresh distinct tokens and exclusive namespaces", () => {
    const out = path.join(tmp, "reg.yaml");
    const r = carenet(["generate-registration", "--url", "http://127.0.0.1:9993", "-o", out, "-c", "config/config.sample.yaml"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`wrote ${out}`);
    const reg = parse(fs.readFileSync(out, "utf8"));
    expect(reg.url).toBe("http://127.0.0.1:9993");
    expect(reg.as_token).toMatch(/^[0-9a-f]{64}$/);
    expect(reg.hs_token).toMatch(/^[0-9a-f]{64}$/);
    expect(reg.as_token).not.toBe(reg.hs_token);
    expect(reg.sender_localpart).toBe("carenet");
    expect(reg.rate_limited).toBe(false);
    expect(reg.namespaces.users).toHaveLength(1);
    expect(reg.namespaces.users[0].exclusive).toBe(true);
    expect(new RegExp(`^${reg.namespaces.users[0].regex}$`).test("@carenet_x:example.org")).toBe(true);
    expect(reg.namespaces.aliases).toHaveLength(1);
    expect(reg.namespaces.aliases[0].exclusive).toBe(true);
    expect(new RegExp(`^${reg.namespaces.aliases[0].regex}$`).test("#carenet_oakwood_community:example.org")).toBe(true);
    // The tokens are secrets: owner-only.
    expect(fs.statSync(out).mode & 0o077).toBe(0);
  });

  it("makes new tokens every time", () => {
    const a = path.join(tmp, "a.yaml");
    const b = path.join(tmp, "b.yaml");
    expect(carenet(["generate-registration", "-u", "http://127.0.0.1:9993", "-o", a, "-c", SAMPLE]).status).toBe(0);
    expect(carenet(["generate-registration", "-u", "http://127.0.0.1:9993", "-o", b, "-c", SAMPLE]).status).toBe(0);
    const ra = parse(fs.readFileSync(a, "utf8"));
    const rb = parse(fs.readFileSync(b, "utf8"));
    expect(ra.as_token).not.toBe(rb.as_token);
    expect(ra.hs_token).not.toBe(rb.hs_token);
  });

  it("refuses to overwrite an existing file without --force, and replaces it with --force", () => {
    const out = path.join(tmp, "reg.yaml");
    fs.writeFileSync(out, "precious: true\n", { mode: 0o644 });
    const refused = carenet(["generate-registration", "--url", "http://127.0.0.1:9993", "-o", out, "-c", SAMPLE]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/exists already; pass --force/);
    expect(fs.readFileSync(out, "utf8")).toBe("precious: true\n");

    const forced = carenet(["generate-registration", "--url", "http://127.0.0.1:9993", "-o", out, "-c", SAMPLE, "--force"]);
    expect(forced.status).toBe(0);
    expect(parse(fs.readFileSync(out, "utf8")).as_token).toMatch(/^[0-9a-f]{64}$/);
    // The file existed with open permissions; the secrets in it must still be owner-only.
    expect(fs.statSync(out).mode & 0o077).toBe(0);
  });

  it("rejects a --url that is not an http(s) URL and writes nothing", () => {
    const out = path.join(tmp, "reg.yaml");
    for (const url of ["127.0.0.1:9993", "ftp://host", "not a url"]) {
      const r = carenet(["generate-registration", "--url", url, "-o", out, "-c", SAMPLE]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/--url must be an http\(s\) URL/);
      expect(fs.existsSync(out)).toBe(false);
    }
  });

  it("uses the bot localpart from the config", () => {
    const cfg = writeConfig("c.yaml", [...GOOD, "bot: { localpart: helper }"]);
    const out = path.join(tmp, "reg.yaml");
    const r = carenet(["generate-registration", "--url", "https://as.example.org", "-o", out, "-c", cfg]);
    expect(r.status).toBe(0);
    const reg = parse(fs.readFileSync(out, "utf8"));
    expect(reg.sender_localpart).toBe("helper");
    expect(reg.namespaces.aliases[0].regex).toContain("helper_");
  });

  it("refuses when the config is invalid", () => {
    const cfg = writeConfig("bad.yaml", ["homeserver: { url: x }"]);
    const out = path.join(tmp, "reg.yaml");
    const r = carenet(["generate-registration", "--url", "http://127.0.0.1:9993", "-o", out, "-c", cfg]);
    expect(r.status).toBe(1);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe("migrate", () => {
  it("creates the database next to the config, then reports it up to date", () => {
    const cfg = writeConfig("carenet.yaml", GOOD);
    const dbFile = path.join(tmp, "state", "carenet.db");
    const latest = loadMigrations().length;
    expect(latest).toBeGreaterThan(0);

    const first = carenet(["migrate", "-c", cfg], os.tmpdir());
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    expect(first.stdout.trim()).toBe(`${dbFile}: schema version 0 → ${latest}, up to date`);
    expect(fs.existsSync(dbFile)).toBe(true);

    const second = carenet(["migrate", "-c", cfg], os.tmpdir());
    expect(second.status).toBe(0);
    expect(second.stdout.trim()).toBe(`${dbFile}: schema version ${latest}, up to date`);

    const db = new BetterSqlite3(dbFile, { readonly: true });
    try {
      expect(db.pragma("user_version", { simple: true })).toBe(latest);
    } finally {
      db.close();
    }
  });

  it("refuses a database written by a newer carenet and leaves it alone", () => {
    const cfg = writeConfig("carenet.yaml", GOOD);
    const dbFile = path.join(tmp, "state", "carenet.db");
    fs.mkdirSync(path.dirname(dbFile));
    const future = loadMigrations().length + 5;
    const db = new BetterSqlite3(dbFile);
    db.pragma(`user_version = ${future}`);
    db.close();

    const r = carenet(["migrate", "-c", cfg]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`schema version ${future}`));
    expect(r.stderr).toMatch(/nothing was changed/);
    const after = new BetterSqlite3(dbFile, { readonly: true });
    try {
      expect(after.pragma("user_version", { simple: true })).toBe(future);
      expect(after.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()).toEqual([]);
    } finally {
      after.close();
    }
  });
});
