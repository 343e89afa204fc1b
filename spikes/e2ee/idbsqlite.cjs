// Write-through persistence of fake-indexeddb into SQLite (better-sqlite3, carenet's own
// database library): every committed IndexedDB transaction writes just the records it
// changed, in one SQLite transaction; at start the databases are rebuilt from the table.
// Values and keys are v8-serialised and sealed with AES-256-GCM under the store key.
const v8 = require("node:v8");
const { createCipheriv, createDecipheriv, randomBytes, createHmac } = require("node:crypto");
const path = require("node:path");
const Database = require(path.resolve(__dirname, "../../node_modules/better-sqlite3"));

function seal(key, value) {
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([c.update(v8.serialize(value)), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), body]);
}
function open(key, sealed) {
  const d = createDecipheriv("aes-256-gcm", key, sealed.subarray(0, 12));
  d.setAuthTag(sealed.subarray(12, 28));
  return v8.deserialize(Buffer.concat([d.update(sealed.subarray(28)), d.final()]));
}
const req = (r) => new Promise((res, rej) => { r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });

function install(file, key) {
  // Owner-only from the first byte (SQLite gives its -wal and -shm files the same mode).
  require("node:fs").closeSync(require("node:fs").openSync(file, "a", 0o600));
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.exec(`CREATE TABLE IF NOT EXISTS idb_schema (db TEXT PRIMARY KEY, schema BLOB NOT NULL);
           CREATE TABLE IF NOT EXISTS idb_records (db TEXT NOT NULL, store TEXT NOT NULL, id BLOB NOT NULL, record BLOB NOT NULL, PRIMARY KEY (db, store, id))`);
  // The row id of a record: an HMAC of its key, so keys are not readable in the table either.
  const idOf = (dbName, store, k) => createHmac("sha256", key).update(v8.serialize([dbName, store, k])).digest();
  const putRow = db.prepare("INSERT OR REPLACE INTO idb_records (db, store, id, record) VALUES (?, ?, ?, ?)");
  const delRow = db.prepare("DELETE FROM idb_records WHERE db = ? AND store = ? AND id = ?");
  const clearRows = db.prepare("DELETE FROM idb_records WHERE db = ? AND store = ?");
  const putSchema = db.prepare("INSERT OR REPLACE INTO idb_schema (db, schema) VALUES (?, ?)");
  const stats = { commits: 0, rows: 0, ms: [] };

  const P = globalThis.IDBObjectStore.prototype;
  const T = globalThis.IDBTransaction.prototype;
  const pending = new WeakMap(); // transaction -> ops
  const opsOf = (tx) => {
    let ops = pending.get(tx);
    if (!ops) {
      ops = [];
      pending.set(tx, ops);
      tx.addEventListener("complete", () => {
        const t0 = Date.now();
        db.transaction(() => {
          for (const op of ops) op();
        })();
        stats.commits++; stats.rows += ops.length; stats.ms.push(Date.now() - t0);
      });
    }
    return ops;
  };
  const wrapWrite = (name) => {
    const orig = P[name];
    P[name] = function (value, k) {
      const copy = structuredClone(value); // as IndexedDB itself does, at the call
      const r = orig.call(this, value, k);
      const store = this, dbName = store.transaction.db.name;
      r.addEventListener("success", () => {
        const effectiveKey = r.result; // the key the record was stored under
        const rec = seal(key, [effectiveKey, copy]);
        opsOf(store.transaction).push(() => putRow.run(dbName, store.name, idOf(dbName, store.name, effectiveKey), rec));
      });
      return r;
    };
  };
  wrapWrite("put");
  wrapWrite("add");
  const origDelete = P.delete;
  P.delete = function (query) {
    const store = this, dbName = store.transaction.db.name;
    // Deleting by a key range would need the keys first: the wasm store deletes by key.
    if (query instanceof globalThis.IDBKeyRange) throw new Error("spike: delete by key range is not persisted");
    opsOf(store.transaction).push(() => delRow.run(dbName, store.name, idOf(dbName, store.name, query)));
    return origDelete.call(this, query);
  };
  const origClear = P.clear;
  P.clear = function () {
    const store = this, dbName = store.transaction.db.name;
    opsOf(store.transaction).push(() => clearRows.run(dbName, store.name));
    return origClear.call(this);
  };
  // Schema changes (object stores, indexes) are saved when a version change commits.
  const origOpen = globalThis.indexedDB.open.bind(globalThis.indexedDB);
  globalThis.indexedDB.open = (name, version) => {
    const r = origOpen(name, version);
    r.addEventListener("upgradeneeded", () => {
      const tx = r.transaction;
      tx.addEventListener("complete", () => {
        const idb = r.result;
        const stores = [...idb.objectStoreNames].map((s) => {
          const st = idb.transaction([s], "readonly").objectStore(s);
          return { name: s, keyPath: st.keyPath, autoIncrement: st.autoIncrement, indexes: [...st.indexNames].map((i) => { const ix = st.index(i); return { name: i, keyPath: ix.keyPath, unique: ix.unique, multiEntry: ix.multiEntry }; }) };
        });
        putSchema.run(name, seal(key, { version: idb.version, stores }));
      });
    });
    return r;
  };
  return { stats, restore: () => restore(db, key, origOpen), close: () => db.close() };
}

async function restore(db, key, rawOpen) {
  for (const { db: name, schema } of db.prepare("SELECT db, schema FROM idb_schema").all()) {
    const s = open(key, schema);
    const r = rawOpen(name, s.version);
    r.onupgradeneeded = () => {
      for (const st of s.stores) {
        const os = r.result.createObjectStore(st.name, { keyPath: st.keyPath, autoIncrement: st.autoIncrement });
        for (const i of st.indexes) os.createIndex(i.name, i.keyPath, { unique: i.unique, multiEntry: i.multiEntry });
      }
    };
    const idb = await req(r);
    const names = s.stores.map((x) => x.name);
    if (names.length) {
      const tx = idb.transaction(names, "readwrite");
      for (const row of db.prepare("SELECT store, record FROM idb_records WHERE db = ?").iterate(name)) {
        const [k, value] = open(key, row.record);
        const st = tx.objectStore(row.store);
        // The raw prototype methods, so restoring writes nothing back.
        (st.keyPath === null ? rawPut.call(st, value, k) : rawPut.call(st, value));
      }
      await new Promise((res, rej) => { tx.oncomplete = res; tx.onerror = () => rej(tx.error); });
    }
    idb.close();
  }
}
const rawPut = globalThis.IDBObjectStore ? globalThis.IDBObjectStore.prototype.put : undefined;
module.exports = { install };
