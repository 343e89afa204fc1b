import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { e2eEnv, writeTestConfig } from "../e2e/harness/carenet";
import { CarenetProcess } from "../e2e/harness/child";
import type { MatrixUser } from "../e2e/harness/matrixUser";
import { loadRegistration } from "../../src/matrix/registration";
import { ask, flood, peakRssMb, userWithDm } from "./support";

/**
 * Hostile requests to carenet's appservice port (issue 10, items 1 and 9): floods of
 * unauthenticated bodies, paths Synapse never uses, junk JSON. carenet runs as its real
 * CLI, so its memory and its stderr are its own.
 */

const env = e2eEnv();
const base = `http://127.0.0.1:${env.asPort}`;
const hsToken = loadRegistration(env.registrationPath, { localpart: "carenet" }).hs_token;
const MB = 1024 * 1024;
let carenet: CarenetProcess;
let user: MatrixUser;
let dm: string;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "carenet-faults-http-"));
  carenet = new CarenetProcess(writeTestConfig(env, dir));
  await carenet.ready();
  ({ user, dm } = await userWithDm(env, "flood"));
});

afterAll(async () => {
  await user?.stop();
  await carenet?.kill("SIGTERM");
});

test("16 parallel 300 MB unauthenticated POSTs leave carenet under 300 MB RSS, and !help is answered right after", async () => {
  const paths = ["/_matrix/app/v1/nothing", "/_matrix/app/v1/transactions/1", "/_matrix/app/v1/ping", "/_matrix/app/v1/users/%40a%3Alocalhost", "/", "/health", "/transactions/1", "/_matrix/app/unstable/org.matrix.msc3983/keys/claim"];
  const floods = Array.from({ length: 16 }, (_, i) => flood(`${base}${paths[i % paths.length]}`, i % 3 === 0 ? "PUT" : "POST", 300 * MB, {}, i % 2 === 0));
  const results = await Promise.all(floods);
  for (const r of results) {
    expect([401, 404, 405, 413, "reset"]).toContain(r.status);
    expect(r.sentBytes).toBeLessThan(300 * MB); // carenet stopped reading long before the end
  }
  const rss = peakRssMb(carenet.child.pid!);
  expect(rss).toBeLessThan(300);
  expect(await ask(env, user, dm, "!help")).toContain("If you need support right now:");
  process.stderr.write(`http-front: peak RSS ${rss.toFixed(0)} MB after 16 × 300 MB unauthenticated\n`);
});

test("16 parallel 300 MB bodies with the homeserver's token are cut off at the transaction limit; memory stays bounded", async () => {
  const floods = Array.from({ length: 16 }, (_, i) =>
    flood(`${base}/_matrix/app/v1/transactions/big${i}?access_token=${hsToken}`, "PUT", 300 * MB, {}, true),
  );
  for (const r of await Promise.all(floods)) expect([413, 503, "reset"]).toContain(r.status);
  expect(peakRssMb(carenet.child.pid!)).toBeLessThan(400);
  expect(await ask(env, user, dm, "!help")).toContain("If you need support right now:");
});

test("a transaction on a path that differs only in case is 404 M_UNRECOGNIZED, not 200 and dropped", async () => {
  const event = { event_id: "$case-probe", room_id: dm, sender: user.userId, type: "m.room.message", origin_server_ts: Date.now(), content: { msgtype: "m.text", body: "!help" } };
  for (const p of ["/_matrix/app/v1/Transactions/case1", "/_matrix/app/V1/transactions/case1", "/transactions/case1", "/_matrix/app/v1/transactions/case1/"]) {
    const res = await fetch(`${base}${p}`, { method: "PUT", headers: { authorization: `Bearer ${hsToken}`, "content-type": "application/json" }, body: JSON.stringify({ events: [event] }) });
    expect([p, res.status]).toEqual([p, 404]);
    expect(await res.json()).toMatchObject({ errcode: "M_UNRECOGNIZED" });
  }
});

test("junk JSON on any path gets a clean 4xx and nothing of it (or a stack trace) reaches the logs", async () => {
  const junk = '{"events": [JUNK-MARKER-7f3a <script>';
  const paths = ["/_matrix/app/v1/transactions/junk1", "/_matrix/app/v1/ping", "/_matrix/app/v1/users/x", "/_matrix/app/v1/nothing", "/health", "/"];
  for (const p of paths) {
    for (const auth of [{} as Record<string, string>, { authorization: `Bearer ${hsToken}` }]) {
      const res = await fetch(`${base}${p}`, { method: p.includes("transactions") ? "PUT" : "POST", headers: { "content-type": "application/json", ...auth }, body: junk });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(await res.text()).not.toContain("JUNK-MARKER");
    }
  }
  const res = await fetch(`${base}/_matrix/app/v1/transactions/junk2`, { method: "PUT", headers: { authorization: `Bearer ${hsToken}` }, body: junk });
  expect(res.status).toBe(400);
  expect(await res.json()).toMatchObject({ errcode: "M_NOT_JSON" });
  expect(carenet.logs).not.toContain("JUNK-MARKER");
  expect(carenet.logs).not.toMatch(/SyntaxError|\n\s+at /);
  expect(await ask(env, user, dm, "!help")).toContain("If you need support right now:");
});
