import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { IdbSqliteStore } from "../../../../src/matrix/crypto/idbSqliteStore";

/* eslint-disable @typescript-eslint/no-explicit-any */
const g = globalThis as any;
const keys = { seal: randomBytes(32), rowId: randomBytes(32) };
let file: string;

beforeEach(() => {
  if (g.IDBFactory) g.indexedDB = new g.IDBFactory(); // each test starts with no databases
  file = path.join(mkdtempSync(path.join(tmpdir(), "carenet-idb-")), "crypto.sqlite");
});

const req = <T = unknown>(r: any): Promise<T> =>
  new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
const done = (tx: any): Promise<void> =>
  new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new Error("aborted"));
  });

/** A database like the crypto library's: one store with in-line keys and an index, one with out-of-line keys. */
async function openDb(): Promise<any> {
  const r = g.indexedDB.open("crypto", 2);
  r.onupgradeneeded = () => {
    const sessions = r.result.createObjectStore("sessions", { keyPath: "id" });
    sessions.createIndex("by_room", "room", { unique: false });
    r.result.createObjectStore("kv");
  };
  return req(r);
}

async function write(db: any, fn: (tx: any) => void): Promise<void> {
  const tx = db.transaction(["sessions", "kv"], "readwrite");
  fn(tx);
  await done(tx);
}

async function everything(db: any): Promise<{ sessions: unknown[]; kv: Array<[unknown, unknown]> }> {
  const tx = db.transaction(["sessions", "kv"], "readonly");
  const sessions = await req<unknown[]>(tx.objectStore("sessions").getAll());
  const kvKeys = await req<unknown[]>(tx.objectStore("kv").getAllKeys());
  const kvValues = await req<unknown[]>(tx.objectStore("kv").getAll());
  return { sessions, kv: kvKeys.map((k, i) => [k, kvValues[i]]) };
}

/** A restart: a new, empty IndexedDB, rebuilt from the file. */
async function restart(store: IdbSqliteStore): Promise<IdbSqliteStore> {
  store.close();
  g.indexedDB = new g.IDBFactory();
  return IdbSqliteStore.open(file, keys);
}

test("every committed write (put, add, delete by key and by range, clear, cursor update and delete) is in the file, and a restart rebuilds the same databases", async () => {
  let store = await IdbSqliteStore.open(file, keys);
  expect(store.isEmpty()).toBe(true);
  const db = await openDb();
  await write(db, (tx) => {
    const s = tx.objectStore("sessions");
    for (let i = 0; i < 6; i++) s.put({ id: `s${i}`, room: i % 2 ? "!a" : "!b", secret: new Uint8Array([i, i, i]) });
    const kv = tx.objectStore("kv");
    kv.add({ n: 1 }, "one");
    kv.put("two", ["compound", 2]);
    kv.put("gone", "x");
  });
  await write(db, (tx) => {
    const s = tx.objectStore("sessions");
    s.delete(g.IDBKeyRange.bound("s1", "s2")); // s1 and s2
    s.put({ id: "s1", room: "!c", secret: new Uint8Array([9]) }); // back, after the range delete
    tx.objectStore("kv").delete("x");
  });
  await write(db, (tx) => {
    const c = tx.objectStore("sessions").openCursor();
    c.onsuccess = () => {
      const cursor = c.result;
      if (!cursor) return;
      if (cursor.value.id === "s3") cursor.delete();
      if (cursor.value.id === "s4") cursor.update({ ...cursor.value, room: "!updated" });
      cursor.continue();
    };
  });
  const before = await everything(db);
  await store.settled();
  db.close();

  store = await restart(store);
  expect(store.isEmpty()).toBe(false);
  const again = await openDb(); // no upgrade: the version is there already
  expect(await everything(again)).toEqual(before);
  expect((before.sessions as Array<{ id: string }>).map((s) => s.id)).toEqual(["s0", "s1", "s4", "s5"]);
  expect(await req(again.transaction(["sessions"]).objectStore("sessions").index("by_room").getAllKeys("!updated"))).toEqual(["s4"]);

  // After the restart writes still go through.
  await write(again, (tx) => tx.objectStore("kv").clear());
  again.close();
  store = await restart(store);
  const third = await openDb();
  expect((await everything(third)).kv).toEqual([]);
  third.close();
  store.close();
});

test("an aborted transaction writes nothing; settled() waits for commits", async () => {
  let store = await IdbSqliteStore.open(file, keys);
  const db = await openDb();
  const tx = db.transaction(["kv"], "readwrite");
  tx.objectStore("kv").put("kept?", "k");
  tx.abort();
  await done(tx).catch(() => undefined);
  const tx2 = db.transaction(["kv"], "readwrite");
  tx2.objectStore("kv").put("kept", "k2");
  await store.settled(); // without waiting for tx2 ourselves
  db.close();
  store = await restart(store);
  const again = await openDb();
  expect((await everything(again)).kv).toEqual([["k2", "kept"]]);
  again.close();
  store.close();
});

test("the file is carenet's alone and shows neither keys nor values; another key cannot open it", async () => {
  let store = await IdbSqliteStore.open(file, keys);
  const db = await openDb();
  await write(db, (tx) => tx.objectStore("kv").put("a-secret-value", "@someone:example.org"));
  await store.settled();
  db.close();
  store.close();
  expect(statSync(file).mode & 0o777).toBe(0o600);
  const bytes = ["", "-wal"].map((s) => { try { return readFileSync(file + s).toString("latin1"); } catch { return ""; } }).join("");
  expect(bytes.includes("kv")).toBe(true); // object-store names are readable
  expect(bytes.includes("a-secret-value")).toBe(false);
  expect(bytes.includes("@someone:example.org")).toBe(false);

  g.indexedDB = new g.IDBFactory();
  await expect(IdbSqliteStore.open(file, { seal: randomBytes(32), rowId: randomBytes(32) })).rejects.toThrow(/cannot be read with this key/);
  store = await IdbSqliteStore.open(file, keys);
  store.close();
});
