import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import { CRISIS, newUser, startCarenetFromFile, type RunningCarenet, e2eScene, tempDir, oakwood } from "../e2e/harness/carenet";
import type { MatrixUser } from "../e2e/harness/matrixUser";
import { REPO_ROOT } from "../e2e/harness/paths";

/**
 * Fault area "config": configs that would switch safety off are refused with
 * file:line:column, both by `carenet validate-config` (the real CLI) and by a live reload
 * of a carenet running on a real Synapse, which keeps its last good config and tells the
 * staff room (an alias bomb too).
 */

const { env, bot } = e2eScene();
const dir = tempDir("faults-config");
const file = path.join(dir, "config.yaml");
const CLI = path.join(REPO_ROOT, "dist", "src", "cli.js");
const OAK = `oak${Date.now().toString(36)}`;
const HUGE_MB = process.env.CARENET_FAULTS_FULL === "1" ? 20 : 2;

let running: RunningCarenet;
let sam: MatrixUser;
let staffRoom: string;

type Doc = Record<string, any>;

function good(): Doc {
  return {
    homeserver: { url: env.hsUrl, domain: env.serverName },
    appservice: { bind: "127.0.0.1", port: env.asPort, registration: env.registrationPath },
    database: { path: path.join(dir, "carenet.db") },
    crisis_resources: CRISIS,
    communities: [oakwood(OAK, [sam.userId])],
  };
}

const BOMB = [
  'lol1: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  "lol2: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
  "lol3: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
  "lol4: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
  "lol5: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
  "lol6: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]",
  "lol7: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]",
  "lol8: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]",
].join("\n");

/** Each case: a name, the file text, and the YAML path its refusal must name. */
function cases(): Array<[string, () => string, string]> {
  const edit = (fn: (d: Doc) => void) => () => {
    const d = good();
    fn(d);
    return stringify(d);
  };
  return [
    ["crisis_resources of only whitespace", edit((d) => (d.crisis_resources = "   \t  ")), "crisis_resources"],
    ["crisis_resources of only newlines", edit((d) => (d.crisis_resources = "\n\n\n")), "crisis_resources"],
    ["crisis_resources of a zero-width space", edit((d) => (d.crisis_resources = "\u200b")), "crisis_resources"],
    // 20 MB with CARENET_FAULTS_FULL=1; 2 MB otherwise (a thousand times the bound either way).
    [`crisis_resources of ${HUGE_MB} MB`, edit((d) => (d.crisis_resources = "Call 999. ".repeat((HUGE_MB * 1024 * 1024) / 10))), "crisis_resources"],
    ["a community with no staff and no admins", edit((d) => (d.communities[0].staff = [])), "communities[0].staff"],
    ["an escalation wait of 999999h", edit((d) => (d.communities[0].paging = { escalation: [{ notify: "all_staff", wait: "999999h" }] })), "communities[0].paging.escalation[0].wait"],
    ["events.max_age: 0s", edit((d) => (d.events = { max_age: "0s" })), "events.max_age"],
    ["staff on another homeserver", edit((d) => (d.communities[0].staff = ["@sam:elsewhere.example"])), "communities[0].staff[0]"],
    ["admins on another homeserver", edit((d) => (d.communities[0].admins = ["@ann:elsewhere.example"])), "communities[0].admins[0]"],
    ["homeserver.url with NUL bytes", edit((d) => (d.homeserver.url = `${env.hsUrl}\u0000\u0000`)), "homeserver.url"],
    ["homeserver.url of just http://", edit((d) => (d.homeserver.url = "http://")), "homeserver.url"],
    ["database.path ''", edit((d) => (d.database.path = "")), "database.path"],
    ["a YAML alias bomb", () => `${stringify(good())}${BOMB}\n`, ""],
  ];
}

const LOCATED = (f: string, p: string) => new RegExp(`${f.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:\\d+:\\d+: ${p ? p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") : "\\(top level\\)"}: `);

beforeAll(async () => {
  sam = await newUser(env, "sam");
  writeFileSync(file, stringify(good()));
  running = await startCarenetFromFile(env, file);
  staffRoom = running.carenet.app.rooms.get(OAK, "staff")!.roomId;
  await sam.waitForInvite((inv) => inv.roomId === staffRoom);
  await sam.joinRoom(staffRoom);
});

afterAll(async () => {
  writeFileSync(file, stringify(good()));
  await sam?.stop();
  await running?.carenet.stop();
});

describe("validate-config refuses, with file:line:column", () => {
  it.each(cases())("%s", (_name, text, yamlPath) => {
    const bad = path.join(dir, `bad-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(bad, text());
    const started = Date.now();
    const r = spawnSync(process.execPath, [CLI, "validate-config", "-c", bad], { encoding: "utf8", timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(LOCATED(bad, yamlPath));
    expect(r.stderr.length).toBeLessThan(10_000); // a 20 MB value is not echoed back
  });
});

describe("a live reload refuses, keeps the last good config, and tells the staff room", () => {
  it.each(cases())("%s", async (name, text, yamlPath) => {
    writeFileSync(file, text());
    const result = await running.carenet.reload();
    expect(result.outcome).toBe("refused");
    if (result.outcome !== "refused") return;
    const p = result.problems.find((x) => x.path === yamlPath);
    expect(p).toBeDefined();
    expect(p!.line).toBeGreaterThan(0);
    expect(p!.col).toBeGreaterThan(0);
    expect(running.carenet.config.crisis_resources).toBe(CRISIS);
    expect(running.carenet.config.communities[0].staff).toEqual([sam.userId]);
    if (name === "a YAML alias bomb") {
      await sam.waitForEvent(staffRoom, (ev) => ev.sender === bot && /aliases expand too much/.test(String(ev.content.body)) && LOCATED(file, "").test(String(ev.content.body)), 30_000);
    }
  });

  it("the good config is accepted again afterwards", async () => {
    writeFileSync(file, stringify({ ...good(), crisis_resources: `${CRISIS} Text SHOUT to 85258.` }));
    const result = await running.carenet.reload();
    expect(result.outcome).toBe("applied");
  });
});
