// Spike (not wired into carenet; see docs/encryption.md): carenet's bot as one encrypting
// appservice device on @matrix-org/matrix-sdk-crypto-wasm, its IndexedDB store
// (fake-indexeddb) persisted by sealed snapshots.
import "fake-indexeddb/auto";
import * as sdk from "@matrix-org/matrix-sdk-crypto-wasm";
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const idb = require("./idbfile.cjs");
const idbsqlite = require("./idbsqlite.cjs");
const STORE = "carenet-crypto";
const DBS = [STORE, `${STORE}::matrix-sdk-crypto`, `${STORE}::matrix-sdk-crypto-meta`];

export class CryptoBot {
  constructor({ hsUrl, asToken, userId, deviceId, storeFile, storeKey, log = () => {} }) {
    Object.assign(this, { hsUrl, asToken, userId, deviceId, storeFile, storeKey, log });
    this.chain = Promise.resolve();
  }
  async req(method, path, body, asDevice = true) {
    const u = new URL(path, this.hsUrl);
    u.searchParams.set("user_id", this.userId);
    if (asDevice) u.searchParams.set("device_id", this.deviceId);
    const res = await fetch(u, { method, headers: { authorization: `Bearer ${this.asToken}`, "content-type": "application/json" }, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${u.pathname}: ${res.status} ${text.slice(0, 300)}`);
    return text;
  }
  async start() {
    await sdk.initAsync();
    // MSC4190: the appservice creates its bot's device itself (no login).
    await this.req("PUT", `/_matrix/client/v3/devices/${encodeURIComponent(this.deviceId)}`, { display_name: "carenet" }, false);
    // Two ways to keep the store: a sealed snapshot file, or write-through into SQLite (*.sqlite).
    this.writeThrough = this.storeFile.endsWith(".sqlite");
    if (this.writeThrough) {
      this.sqlite = idbsqlite.install(this.storeFile, Buffer.from(this.storeKey));
      await this.sqlite.restore();
    } else await idb.load(this.storeFile, this.storeKey);
    const handle = await sdk.StoreHandle.openWithKey(STORE, this.storeKey);
    this.machine = await sdk.OlmMachine.initFromStore(new sdk.UserId(this.userId), new sdk.DeviceId(this.deviceId), handle);
    await this.flush();
    this.log("device", this.deviceId, this.machine.identityKeys.ed25519.toBase64());
  }
  async persist() {
    if (this.writeThrough) return; // every committed IndexedDB transaction is in SQLite already
    await idb.save(DBS, this.storeFile, this.storeKey);
  }
  /** Sends every outgoing crypto request and marks it sent; persists after. */
  async flush() {
    for (let round = 0; round < 5; round++) {
      const reqs = await this.machine.outgoingRequests();
      if (!reqs.length) break;
      // Keys generated for an upload are on disk before they are uploaded: a crash in between
      // re-uploads the same keys (accepted) rather than new ones under the same ids (refused).
      await this.persist();
      for (const r of reqs) await this.send(r);
    }
    await this.persist();
  }
  async send(r) {
    let res;
    switch (r.type) {
      case sdk.RequestType.KeysUpload: res = await this.req("POST", "/_matrix/client/v3/keys/upload", r.body); break;
      case sdk.RequestType.KeysQuery: res = await this.req("POST", "/_matrix/client/v3/keys/query", r.body); break;
      case sdk.RequestType.KeysClaim: res = await this.req("POST", "/_matrix/client/v3/keys/claim", r.body); break;
      case sdk.RequestType.ToDevice: res = await this.req("PUT", `/_matrix/client/v3/sendToDevice/${encodeURIComponent(r.event_type)}/${encodeURIComponent(r.txn_id)}`, r.body); break;
      case sdk.RequestType.SignatureUpload: res = await this.req("POST", "/_matrix/client/v3/keys/signatures/upload", r.body); break;
      case sdk.RequestType.RoomMessage:
        res = await this.req("PUT", `/_matrix/client/v3/rooms/${encodeURIComponent(r.room_id)}/send/${encodeURIComponent(r.event_type)}/${encodeURIComponent(r.txn_id)}`, r.body); break;
      default: this.log("skip request type", r.type); return;
    }
    if (r.id) await this.machine.markRequestAsSent(r.id, r.type, res);
  }
  /** One appservice transaction's crypto part: to-device, device lists, OTK counts (MSC2409/MSC3202). */
  async onTransaction(body) {
    const toDevice = (body["de.sorunome.msc2409.to_device"] ?? body.to_device ?? []).filter((e) => e.to_user_id === this.userId && (e.to_device_id === this.deviceId || e.to_device_id === "*"));
    const lists = body["org.matrix.msc3202.device_lists"] ?? {};
    const counts = (body["org.matrix.msc3202.device_one_time_keys_count"] ?? {})[this.userId]?.[this.deviceId] ?? {};
    const fallback = (body["org.matrix.msc3202.device_unused_fallback_key_types"] ?? {})[this.userId]?.[this.deviceId];
    const changed = (lists.changed ?? []).map((u) => new sdk.UserId(u));
    const left = (lists.left ?? []).map((u) => new sdk.UserId(u));
    const processed = await this.machine.receiveSyncChanges(JSON.stringify(toDevice), new sdk.DeviceLists(changed, left), new Map(Object.entries(counts)), fallback ? new Set(fallback) : undefined);
    await this.flush();
    return { toDevice: toDevice.length, processed: processed.length };
  }
  async decrypt(ev) {
    const d = await this.machine.decryptRoomEvent(JSON.stringify(ev), new sdk.RoomId(ev.room_id), new sdk.DecryptionSettings(sdk.TrustRequirement.Untrusted));
    await this.persist();
    return JSON.parse(d.event);
  }
  async sendEncrypted(roomId, members, content, txnId) {
    // wasm-bindgen moves the UserId objects passed in an array: a fresh array for each call.
    const users = () => members.map((u) => new sdk.UserId(u));
    await this.machine.updateTrackedUsers(users());
    await this.flush(); // keys query
    const claim = await this.machine.getMissingSessions(users());
    if (claim) await this.send(claim);
    const settings = new sdk.EncryptionSettings();
    const shares = await this.machine.shareRoomKey(new sdk.RoomId(roomId), users(), settings);
    for (const s of shares) await this.send(s);
    const encrypted = await this.machine.encryptRoomEvent(new sdk.RoomId(roomId), "m.room.message", JSON.stringify(content));
    await this.persist();
    return JSON.parse(await this.req("PUT", `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.encrypted/${txnId}`, encrypted, false)).event_id;
  }
}
