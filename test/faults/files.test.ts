import { chmodSync, existsSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { e2eEnv, startCarenet, type RunningCarenet } from "../e2e/harness/carenet";

/**
 * Fault area "files": carenet's database holds health data, so its folder is 0700 and
 * carenet.db, -wal and -shm are 0600 after a start on a real Synapse — and after a restart
 * over files an older carenet left 0644, which are narrowed with a log line.
 */

const env = e2eEnv();
const base = mkdtempSync(path.join(tmpdir(), "carenet-faults-files-"));
const dataDir = path.join(base, "data");
const dbPath = path.join(dataDir, "carenet.db");
const modeOf = (f: string) => statSync(f).mode & 0o777;
const FILES = [dbPath, `${dbPath}-wal`, `${dbPath}-shm`];

let running: RunningCarenet | undefined;
afterEach(async () => {
  await running?.carenet.stop();
  running = undefined;
});

it("a first start creates the data folder 0700 and the database files 0600", async () => {
  expect(existsSync(dataDir)).toBe(false);
  running = await startCarenet(env, base, { dbPath });
  expect(modeOf(dataDir)).toBe(0o700);
  for (const f of FILES) expect([f, modeOf(f)]).toEqual([f, 0o600]);
});

it("a restart over files left 0644 narrows them to 0600 and says so in the log", async () => {
  running = await startCarenet(env, base, { dbPath });
  running.carenet.db.prepare("SELECT 1").get();
  await running.carenet.stop();
  running = undefined;
  for (const f of FILES) if (existsSync(f)) chmodSync(f, 0o644);
  expect(modeOf(dbPath)).toBe(0o644);
  running = await startCarenet(env, base, { dbPath });
  for (const f of FILES) expect([f, modeOf(f)]).toEqual([f, 0o600]);
  expect(running.logs.text).toContain("readable by carenet's user only");
});
