// Snapshot/restore of fake-indexeddb databases to one file: v8 structured serialisation,
// sealed with AES-256-GCM under a 32-byte key, written to a temp file, fsynced and renamed
// (so a SIGKILL leaves the old snapshot or the new one, never half of one).
const fs = require("node:fs");
const v8 = require("node:v8");
const { createCipheriv, createDecipheriv, randomBytes } = require("node:crypto");
function seal(key, plain) {
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([c.update(plain), c.final()]);
  return Buffer.concat([Buffer.from("CNE1"), iv, c.getAuthTag(), body]);
}
function open(key, sealed) {
  if (sealed.subarray(0, 4).toString() !== "CNE1") throw new Error("not a carenet crypto snapshot");
  const d = createDecipheriv("aes-256-gcm", key, sealed.subarray(4, 16));
  d.setAuthTag(sealed.subarray(16, 32));
  return Buffer.concat([d.update(sealed.subarray(32)), d.final()]);
}
function req(r) { return new Promise((res, rej) => { r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); }); }
async function dump(name) {
  const db = await req(indexedDB.open(name));
  const out = { name, version: db.version, stores: [] };
  const names = [...db.objectStoreNames];
  if (names.length) {
    const tx = db.transaction(names, "readonly");
    for (const s of names) {
      const st = tx.objectStore(s);
      const indexes = [...st.indexNames].map((i) => { const ix = st.index(i); return { name: ix.name, keyPath: ix.keyPath, unique: ix.unique, multiEntry: ix.multiEntry }; });
      const keys = await req(st.getAllKeys());
      const values = await req(st.getAll());
      out.stores.push({ name: s, keyPath: st.keyPath, autoIncrement: st.autoIncrement, indexes, keys: st.keyPath === null ? keys : null, values });
    }
  }
  db.close();
  return out;
}
async function save(names, file, key) {
  const all = [];
  for (const n of names) all.push(await dump(n));
  const tmp = file + ".tmp";
  const fd = fs.openSync(tmp, "w", 0o600);
  fs.writeSync(fd, seal(key, v8.serialize(all)));
  fs.fsyncSync(fd); fs.closeSync(fd);
  fs.renameSync(tmp, file);
}
async function load(file, key) {
  if (!fs.existsSync(file)) return;
  const all = v8.deserialize(open(key, fs.readFileSync(file)));
  for (const d of all) {
    const open = indexedDB.open(d.name, d.version);
    open.onupgradeneeded = () => {
      const db = open.result;
      for (const s of d.stores) {
        const st = db.createObjectStore(s.name, { keyPath: s.keyPath, autoIncrement: s.autoIncrement });
        for (const i of s.indexes) st.createIndex(i.name, i.keyPath, { unique: i.unique, multiEntry: i.multiEntry });
      }
    };
    const db = await req(open);
    const names = d.stores.map((s) => s.name);
    if (names.length) {
      const tx = db.transaction(names, "readwrite");
      for (const s of d.stores) {
        const st = tx.objectStore(s.name);
        s.values.forEach((v, i) => (s.keys ? st.put(v, s.keys[i]) : st.put(v)));
      }
      await new Promise((res, rej) => { tx.oncomplete = res; tx.onerror = () => rej(tx.error); });
    }
    db.close();
  }
}
module.exports = { save, load, dump };
