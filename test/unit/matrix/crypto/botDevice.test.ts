import { chmodSync, mkdtempSync, renameSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pino from "pino";
import { BotDevice } from "../../../../src/matrix/crypto/botDevice";

/* eslint-disable @typescript-eslint/no-explicit-any */
const g = globalThis as any;
const log = pino({ level: "silent" });

function options(dir: string) {
  return {
    homeserverUrl: "http://127.0.0.1:9", // nothing here talks to a homeserver
    asToken: "unused",
    botUserId: "@carenet:example.org",
    deviceId: "CARENET",
    storeFile: path.join(dir, "data", "crypto-store.sqlite"),
    keyFile: path.join(dir, "data", "crypto-store.key"),
    log,
  };
}

/** A new process, as far as IndexedDB is concerned: nothing in memory, all from the file. */
function restart(): void {
  if (g.IDBFactory) g.indexedDB = new g.IDBFactory();
}
beforeEach(restart);

test("the device keeps its identity across restarts: its keys come back from the sealed store", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "carenet-device-"));
  const first = await BotDevice.open(options(dir));
  expect(first.fresh).toBe(true);
  const identity = first.identityKey;
  await first.close();
  // The key file was made on first start, for carenet's user only.
  expect(statSync(options(dir).keyFile).mode & 0o777).toBe(0o600);
  expect(statSync(options(dir).keyFile).size).toBe(32);

  restart();
  const second = await BotDevice.open(options(dir));
  expect(second.fresh).toBe(false);
  expect(second.identityKey).toBe(identity);
  await second.close();
}, 60_000);

test("a store whose key file is missing, or a key file others can read, is refused with what to do", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "carenet-device-"));
  const o = options(dir);
  await (await BotDevice.open(o)).close();

  restart();
  chmodSync(o.keyFile, 0o640);
  await expect(BotDevice.open(o)).rejects.toThrow(/can be read by other users.*chmod 600/);

  chmodSync(o.keyFile, 0o600);
  renameSync(o.keyFile, `${o.keyFile}.moved`);
  await expect(BotDevice.open(o)).rejects.toThrow(/key file .* is missing but the crypto store exists/);
}, 60_000);
