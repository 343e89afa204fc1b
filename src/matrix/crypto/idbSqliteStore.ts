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
type Op = () => void;

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

interface StoreSchema {
  name: string;
  keyPath: string | string[] | null;
  autoIncrement: boolean;
  indexes: Array<{ name: string; keyPath: string | string[]; unique: boolean; multiEntry: boolean }>;
}

/** The store writes go to; IndexedDB's classes are wrapped once per process and write to it. */
let active: IdbSqliteStore | undefined;
/** IndexedDB's own methods, for restoring (which must not write back). */
let raw: { open: (this: Idb, name: string, version?: number) => Idb; put: (this: Idb, value: unknown, key?: unknown) => Idb } | undefined;

/**
 * The write-through store. Open one per process at a time (`open`); IndexedDB is global.
 */
export class IdbSqliteStore {
  private readonly db: Database.Database;
  private readonly pending = new WeakMap<Idb, Op[]>();
  /** Write transactions not yet committed to SQLite: `settled()` waits for them. */
  private readonly inflight = new Map<Idb, Promise<void>>();
  /** The last failure to write a committed transaction into SQLite, raised by `settled()`. */
  private failure: Error | undefined;
  private readonly sql: Record<"put" | "del" | "clear" | "schema" | "orphans", Database.Statement>;

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
    this.sql = {
      put: this.db.prepare("INSERT OR REPLACE INTO idb_records (db, store, id, record) VALUES (?, ?, ?, ?)"),
      del: this.db.prepare("DELETE FROM idb_records WHERE db = ? AND store = ? AND id = ?"),
      clear: this.db.prepare("DELETE FROM idb_records WHERE db = ? AND store = ?"),
      schema: this.db.prepare("INSERT OR REPLACE INTO idb_schema (db, schema) VALUES (?, ?)"),
      orphans: this.db.prepare("DELETE FROM idb_records WHERE db = ? AND store NOT IN (SELECT value FROM json_each(?))"),
    };
  }

  /**
   * Opens (or creates) the file, makes fake-indexeddb the global IndexedDB (if it is not
   * yet), rebuilds the databases from the file and writes every later change through.
   */
  static async open(file: string, keys: SealKeys): Promise<IdbSqliteStore> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (!(globalThis as Idb).indexedDB) require("fake-indexeddb/auto");
    patchOnce();
    const store = new IdbSqliteStore(file, keys);
    try {
      await store.restore();
    } catch (err) {
      store.db.close();
      throw new Error(`the crypto store ${file} cannot be read with this key (${(err as Error).message}): was the key file replaced?`);
    }
    active = store;
    return store;
  }

  /** True when the file holds nothing yet (a new device). */
  isEmpty(): boolean {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM idb_schema").get() as { n: number }).n === 0;
  }

  /** Resolves once every IndexedDB write started so far is committed in SQLite (throws if one could not be). */
  async settled(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight.values()]);
    if (this.failure) {
      const err = this.failure;
      this.failure = undefined;
      throw err;
    }
  }

  close(): void {
    if (active === this) active = undefined;
    if (this.db.open) this.db.close();
  }

  // --- called by the wrapped IndexedDB methods --------------------------------------------

  /** The ops of one IndexedDB transaction, written in one SQLite transaction when it commits. */
  opsOf(tx: Idb): Op[] {
    const known = this.pending.get(tx);
    if (known) return known;
    const ops: Op[] = [];
    this.pending.set(tx, ops);
    let done!: () => void;
    this.inflight.set(tx, new Promise<void>((r) => (done = r)));
    const finish = () => {
      this.inflight.delete(tx);
      done();
    };
    tx.addEventListener("complete", () => {
      try {
        if (this.db.open) {
          this.db.transaction(() => {
            for (const op of ops) op();
          })();
        }
      } catch (err) {
        this.failure = err as Error;
      }
      finish();
    });
    tx.addEventListener("abort", finish);
    return ops;
  }

  putOp(dbName: string, storeName: string, key: unknown, value: unknown): Op {
    const rec = sealRecord(this.keys.seal, [key, value]);
    const id = this.rowId(dbName, storeName, key);
    return () => this.sql.put.run(dbName, storeName, id, rec);
  }

  deleteOp(dbName: string, storeName: string, keys: unknown[]): Op {
    const ids = keys.map((k) => this.rowId(dbName, storeName, k));
    return () => ids.forEach((id) => this.sql.del.run(dbName, storeName, id));
  }

  clearOp(dbName: string, storeName: string): Op {
    return () => this.sql.clear.run(dbName, storeName);
  }

  /** Saves a database's object stores and indexes (after a version change), dropping records of stores it no longer has. */
  schemaOp(idb: Idb): Op {
    return () => {
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
      this.sql.schema.run(idb.name, sealRecord(this.keys.seal, { version: idb.version, stores }));
      this.sql.orphans.run(idb.name, JSON.stringify(stores.map((s) => s.name)));
    };
  }

  private rowId(db: string, store: string, key: unknown): Buffer {
    return createHmac("sha256", this.keys.rowId).update(serialize([db, store, key])).digest();
  }

  private async restore(): Promise<void> {
    const factory = (globalThis as Idb).indexedDB;
    for (const { db: name, schema } of this.db.prepare("SELECT db, schema FROM idb_schema").all() as Array<{ db: string; schema: Buffer }>) {
      const s = openRecord(this.keys.seal, schema) as { version: number; stores: StoreSchema[] };
      const r = raw!.open.call(factory, name, s.version);
      r.onupgradeneeded = () => {
        for (const st of s.stores) {
          const os = r.result.createObjectStore(st.name, { keyPath: st.keyPath, autoIncrement: st.autoIncrement });
          for (const i of st.indexes) os.createIndex(i.name, i.keyPath, { unique: i.unique, multiEntry: i.multiEntry });
        }
      };
      const idb = await new Promise<Idb>((resolve, reject) => {
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      const names = s.stores.map((x) => x.name);
      if (names.length) {
        const tx = idb.transaction(names, "readwrite");
        const rows = this.db.prepare("SELECT store, record FROM idb_records WHERE db = ?").iterate(name) as Iterable<{ store: string; record: Buffer }>;
        for (const row of rows) {
          const [k, value] = openRecord(this.keys.seal, row.record) as [unknown, unknown];
          const st = tx.objectStore(row.store);
          if (st.keyPath === null) raw!.put.call(st, value, k);
          else raw!.put.call(st, value);
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

/**
 * Wraps IndexedDB's writing methods, once per process: each records, when its request
 * succeeds (so in the order IndexedDB ran them), what to write into the active store.
 */
function patchOnce(): void {
  if (raw) return;
  const g = globalThis as Idb;
  raw = { open: g.IDBFactory.prototype.open, put: g.IDBObjectStore.prototype.put };
  patchObjectStore(g);
  patchCursor(g);
  patchOpen(g);
}

const where = (store: Idb) => ({ dbName: store.transaction.db.name as string, storeName: store.name as string });

/** Records `op()` in `ops` once request `r` succeeds (nothing when no store is active). */
function onSuccess(r: Idb, ops: Op[] | undefined, op: () => Op): void {
  if (ops) r.addEventListener("success", () => ops.push(op()));
}

/** put, add, delete and clear on an object store. */
function patchObjectStore(g: Idb): void {
  const proto = g.IDBObjectStore.prototype;
  for (const name of ["put", "add"] as const) {
    const orig = proto[name];
    proto[name] = function (this: Idb, value: unknown, key?: unknown) {
      const s = active;
      const ops = s?.opsOf(this.transaction);
      const copy = ops && structuredClone(value); // as IndexedDB itself does, at the call
      const r = orig.call(this, value, key);
      const { dbName, storeName } = where(this);
      // r.result: the key the record was stored under.
      onSuccess(r, ops, () => s!.putOp(dbName, storeName, r.result, copy));
      return r;
    };
  }
  const origDelete = proto.delete;
  proto.delete = function (this: Idb, query: unknown) {
    const s = active;
    const ops = s?.opsOf(this.transaction);
    const { dbName, storeName } = where(this);
    if (ops && query instanceof g.IDBKeyRange) {
      // A range: its keys are read first, in the same transaction, so exactly those go.
      const keysReq = this.getAllKeys(query);
      onSuccess(keysReq, ops, () => s!.deleteOp(dbName, storeName, keysReq.result as unknown[]));
      return origDelete.call(this, query);
    }
    const r = origDelete.call(this, query);
    onSuccess(r, ops, () => s!.deleteOp(dbName, storeName, [query]));
    return r;
  };
  const origClear = proto.clear;
  proto.clear = function (this: Idb) {
    const s = active;
    const ops = s?.opsOf(this.transaction);
    const { dbName, storeName } = where(this);
    const r = origClear.call(this);
    onSuccess(r, ops, () => s!.clearOp(dbName, storeName));
    return r;
  };
}

/** Writes through a cursor: the record under the cursor's primary key. */
function patchCursor(g: Idb): void {
  const C = g.IDBCursor.prototype;
  const storeOfCursor = (cursor: Idb): Idb => cursor.source?.objectStore ?? cursor.source;
  const origUpdate = C.update;
  C.update = function (this: Idb, value: unknown) {
    const store = storeOfCursor(this);
    const s = active;
    const ops = s?.opsOf(store.transaction);
    const copy = ops && structuredClone(value);
    const key = this.primaryKey;
    const { dbName, storeName } = where(store);
    const r = origUpdate.call(this, value);
    onSuccess(r, ops, () => s!.putOp(dbName, storeName, key, copy));
    return r;
  };
  const origCursorDelete = C.delete;
  C.delete = function (this: Idb) {
    const store = storeOfCursor(this);
    const s = active;
    const ops = s?.opsOf(store.transaction);
    const key = this.primaryKey;
    const { dbName, storeName } = where(store);
    const r = origCursorDelete.call(this);
    onSuccess(r, ops, () => s!.deleteOp(dbName, storeName, [key]));
    return r;
  };
}

/** Schema changes (object stores, indexes) are saved when a version change commits. */
function patchOpen(g: Idb): void {
  g.IDBFactory.prototype.open = function (this: Idb, name: string, version?: number) {
    const r = raw!.open.call(this, name, version);
    r.addEventListener("upgradeneeded", () => {
      const store = active;
      store?.opsOf(r.transaction).push(store.schemaOp(r.result));
    });
    return r;
  };
}
