import { closeSync, openSync } from "node:fs";
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import { deserialize, serialize } from "node:v8";
import Database from "better-sqlite3";

/*
 * The crypto library keeps its store in IndexedDB, which Node does not have. It runs here on
 * fake-indexeddb (in memory), and every IndexedDB transaction that commits is written
 * through into a SQLite file, in one SQLite transaction, with just the records it changed.
 * At start the databases are rebuilt from the file. Each record (its key and value) is
 * v8-serialised and sealed with AES-256-GCM; its row id is an HMAC of its key: only the
 * IndexedDB database and object-store names are readable in the file.
 */

/* eslint-disable @typescript-eslint/no-explicit-any */
type Idb = any;

/** Keys for sealing records and naming rows; both derived from the store key. */
export interface SealKeys {
  seal: Buffer;
  rowId: Buffer;
}

export function sealRecord(key: Buffer, value: unknown): Buffer {
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([c.update(serialize(value)), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), body]);
}

export function openRecord(key: Buffer, sealed: Buffer): unknown {
  const d = createDecipheriv("aes-256-gcm", key, sealed.subarray(0, 12));
  d.setAuthTag(sealed.subarray(12, 28));
  return deserialize(Buffer.concat([d.update(sealed.subarray(28)), d.final()]));
}

const requestDone = <T>(r: Idb): Promise<T> =>
  new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result as T);
    r.onerror = () => reject(r.error);
  });

interface StoreSchema {
  name: string;
  keyPath: string | string[] | null;
  autoIncrement: boolean;
  indexes: Array<{ name: string; keyPath: string | string[]; unique: boolean; multiEntry: boolean }>;
}

/**
 * Installs fake-indexeddb as the global IndexedDB and writes it through into `file`.
 * Only one may be installed per process (it wraps the global IndexedDB classes).
 */
export class IdbSqliteStore {
  private readonly db: Database.Database;
  /** Write transactions not yet committed to SQLite: `settled()` waits for them. */
  private readonly inflight = new Map<Idb, Promise<void>>();
  private rawOpen!: (name: string, version?: number) => Idb;
  private rawPut!: (...args: unknown[]) => Idb;
  /** The last failure to write a committed transaction into SQLite, raised by `settled()`. */
  private failure: Error | undefined;

  private constructor(
    file: string,
    private readonly keys: SealKeys,
  ) {
    // Owner-only from the first byte (SQLite gives its -wal and -shm files the same mode).
    closeSync(openSync(file, "a", 0o600));
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    // An acknowledged transaction's keys must survive a power cut, not just a crash.
    this.db.pragma("synchronous = FULL");
    this.db.exec(`CREATE TABLE IF NOT EXISTS idb_schema (db TEXT PRIMARY KEY, schema BLOB NOT NULL);
      CREATE TABLE IF NOT EXISTS idb_records (db TEXT NOT NULL, store TEXT NOT NULL, id BLOB NOT NULL, record BLOB NOT NULL, PRIMARY KEY (db, store, id))`);
  }

  /** Opens (or creates) the file, installs the write-through and rebuilds the databases from it. */
  static async open(file: string, keys: SealKeys): Promise<IdbSqliteStore> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require("fake-indexeddb/auto");
    const store = new IdbSqliteStore(file, keys);
    store.install();
    await store.restore();
    return store;
  }

  /** True when the file holds nothing yet (a new device). */
  isEmpty(): boolean {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM idb_schema").get() as { n: number }).n === 0;
  }

  /** Resolves once every IndexedDB write started so far is committed in SQLite. */
  async settled(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight.values()]);
    if (this.failure) {
      const err = this.failure;
      this.failure = undefined;
      throw err;
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private rowId(db: string, store: string, key: unknown): Buffer {
    return createHmac("sha256", this.keys.rowId).update(serialize([db, store, key])).digest();
  }

  private install(): void {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    const g = globalThis as Idb;
    const P = g.IDBObjectStore.prototype;
    const C = g.IDBCursor.prototype;
    const putRow = this.db.prepare("INSERT OR REPLACE INTO idb_records (db, store, id, record) VALUES (?, ?, ?, ?)");
    const delRow = this.db.prepare("DELETE FROM idb_records WHERE db = ? AND store = ? AND id = ?");
    const clearRows = this.db.prepare("DELETE FROM idb_records WHERE db = ? AND store = ?");
    const putSchema = this.db.prepare("INSERT OR REPLACE INTO idb_schema (db, schema) VALUES (?, ?)");
    const dropOrphans = this.db.prepare("DELETE FROM idb_records WHERE db = ? AND store NOT IN (SELECT value FROM json_each(?))");
    const pending = new WeakMap<Idb, Array<() => void>>();

    // The ops of one IndexedDB transaction, written in one SQLite transaction when it commits.
    const opsOf = (tx: Idb): Array<() => void> => {
      let ops = pending.get(tx);
      if (ops) return ops;
      const list: Array<() => void> = [];
      ops = list;
      pending.set(tx, ops);
      let done!: () => void;
      this.inflight.set(tx, new Promise<void>((r) => (done = r)));
      const finish = () => {
        this.inflight.delete(tx);
        done();
      };
      tx.addEventListener("complete", () => {
        try {
          this.db.transaction(() => {
            for (const op of list) op();
          })();
        } catch (err) {
          this.failure = err as Error;
        }
        finish();
      });
      tx.addEventListener("abort", finish);
      return ops;
    };
    const where = (store: Idb) => ({ dbName: store.transaction.db.name as string, storeName: store.name as string });
    // Each op is recorded when its request succeeds, so ops run in the order IndexedDB ran them.
    const onSuccess = (r: Idb, ops: Array<() => void>, op: () => (() => void) | undefined) =>
      r.addEventListener("success", () => {
        const f = op();
        if (f) ops.push(f);
      });

    for (const name of ["put", "add"] as const) {
      const orig = P[name];
      if (name === "put") this.rawPut = orig;
      P[name] = function (this: Idb, value: unknown, key?: unknown) {
        const copy = structuredClone(value); // as IndexedDB itself does, at the call
        const ops = opsOf(this.transaction);
        const r = orig.call(this, value, key);
        const { dbName, storeName } = where(this);
        onSuccess(r, ops, () => {
          const rec = sealRecord(self.keys.seal, [r.result, copy]); // r.result: the key it was stored under
          const id = self.rowId(dbName, storeName, r.result);
          return () => putRow.run(dbName, storeName, id, rec);
        });
        return r;
      };
    }
    const origDelete = P.delete;
    P.delete = function (this: Idb, query: unknown) {
      const ops = opsOf(this.transaction);
      const { dbName, storeName } = where(this);
      if (query instanceof g.IDBKeyRange) {
        // A range: its keys are read first, in the same transaction, so exactly those go.
        const keysReq = this.getAllKeys(query);
        onSuccess(keysReq, ops, () => {
          const ids = (keysReq.result as unknown[]).map((k) => self.rowId(dbName, storeName, k));
          return () => ids.forEach((id) => delRow.run(dbName, storeName, id));
        });
      }
      const r = origDelete.call(this, query);
      if (!(query instanceof g.IDBKeyRange)) onSuccess(r, ops, () => () => delRow.run(dbName, storeName, self.rowId(dbName, storeName, query)));
      return r;
    };
    const origClear = P.clear;
    P.clear = function (this: Idb) {
      const ops = opsOf(this.transaction);
      const { dbName, storeName } = where(this);
      const r = origClear.call(this);
      onSuccess(r, ops, () => () => clearRows.run(dbName, storeName));
      return r;
    };
    // Writes through a cursor: the record under the cursor's primary key.
    const storeOfCursor = (cursor: Idb): Idb => (cursor.source?.objectStore ?? cursor.source);
    const origUpdate = C.update;
    C.update = function (this: Idb, value: unknown) {
      const store = storeOfCursor(this);
      const copy = structuredClone(value);
      const key = this.primaryKey;
      const ops = opsOf(store.transaction);
      const { dbName, storeName } = where(store);
      const r = origUpdate.call(this, value);
      onSuccess(r, ops, () => {
        const rec = sealRecord(self.keys.seal, [store.keyPath === null ? key : r.result, copy]);
        const id = self.rowId(dbName, storeName, r.result);
        return () => putRow.run(dbName, storeName, id, rec);
      });
      return r;
    };
    const origCursorDelete = C.delete;
    C.delete = function (this: Idb) {
      const store = storeOfCursor(this);
      const key = this.primaryKey;
      const ops = opsOf(store.transaction);
      const { dbName, storeName } = where(store);
      const r = origCursorDelete.call(this);
      onSuccess(r, ops, () => () => delRow.run(dbName, storeName, self.rowId(dbName, storeName, key)));
      return r;
    };
    // Schema changes (object stores, indexes) are saved when a version change commits.
    const factory = g.indexedDB;
    this.rawOpen = factory.open.bind(factory);
    factory.open = (name: string, version?: number) => {
      const r = this.rawOpen(name, version);
      r.addEventListener("upgradeneeded", () => {
        // Saved with the records the upgrade wrote, when the version change commits.
        opsOf(r.transaction).push(() => {
          const idb = r.result;
          const stores: StoreSchema[] = [...idb.objectStoreNames].map((s: string) => {
            const st = idb.transaction([s], "readonly").objectStore(s);
            return {
              name: s,
              keyPath: st.keyPath,
              autoIncrement: st.autoIncrement,
              indexes: [...st.indexNames].map((i: string) => {
                const ix = st.index(i);
                return { name: i, keyPath: ix.keyPath, unique: ix.unique, multiEntry: ix.multiEntry };
              }),
            };
          });
          putSchema.run(name, sealRecord(this.keys.seal, { version: idb.version, stores }));
          dropOrphans.run(name, JSON.stringify(stores.map((s) => s.name)));
        });
      });
      return r;
    };
  }

  private async restore(): Promise<void> {
    for (const { db: name, schema } of this.db.prepare("SELECT db, schema FROM idb_schema").all() as Array<{ db: string; schema: Buffer }>) {
      const s = openRecord(this.keys.seal, schema) as { version: number; stores: StoreSchema[] };
      const r = this.rawOpen(name, s.version);
      r.onupgradeneeded = () => {
        for (const st of s.stores) {
          const os = r.result.createObjectStore(st.name, { keyPath: st.keyPath, autoIncrement: st.autoIncrement });
          for (const i of st.indexes) os.createIndex(i.name, i.keyPath, { unique: i.unique, multiEntry: i.multiEntry });
        }
      };
      const idb = await requestDone<Idb>(r);
      const names = s.stores.map((x) => x.name);
      if (names.length) {
        const tx = idb.transaction(names, "readwrite");
        const rows = this.db.prepare("SELECT store, record FROM idb_records WHERE db = ?").iterate(name) as Iterable<{ store: string; record: Buffer }>;
        for (const row of rows) {
          const [k, value] = openRecord(this.keys.seal, row.record) as [unknown, unknown];
          const st = tx.objectStore(row.store);
          // The unwrapped put, so restoring writes nothing back.
          if (st.keyPath === null) this.rawPut.call(st, value, k);
          else this.rawPut.call(st, value);
        }
        await new Promise((resolve, reject) => {
          tx.oncomplete = resolve;
          tx.onerror = () => reject(tx.error);
        });
      }
      idb.close();
    }
  }
}
