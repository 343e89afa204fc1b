import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import type * as Wasm from "@matrix-org/matrix-sdk-crypto-wasm";
import { MatrixError } from "matrix-bot-sdk";
import type { Logger } from "../../kernel/logger";
import type { IncomingEvent } from "../../store/inbox";
import { IdbSqliteStore } from "./idbSqliteStore";
import { readStoreKeys } from "./keyFile";

/** The IndexedDB name the crypto library's store lives under. */
const STORE_NAME = "carenet-crypto";

export interface BotDeviceOptions {
  homeserverUrl: string;
  asToken: string;
  botUserId: string;
  deviceId: string;
  storeFile: string;
  keyFile: string;
  log: Logger;
}

/** The MSC2409/MSC3202 fields of an appservice transaction that concern the bot's device. */
export interface TransactionCryptoPart {
  toDevice: Array<Record<string, unknown>>;
  changed: string[];
  left: string[];
  oneTimeKeyCounts: Record<string, number> | undefined;
  unusedFallbackKeys: string[] | undefined;
}

/**
 * The bot's one device (docs/encryption.md): the crypto library (matrix-sdk-crypto-wasm)
 * with its store written through into SQLite. Every operation on the machine runs on one
 * queue: it must never run two at once. Nothing resolves before the store writes it made
 * are on disk, and keys are on disk before they are uploaded.
 */
export class BotDevice {
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly o: BotDeviceOptions,
    private readonly sdk: typeof Wasm,
    private readonly store: IdbSqliteStore,
    private readonly machine: Wasm.OlmMachine,
    /** True when the store was new: the device is made afresh on the homeserver. */
    readonly fresh: boolean,
  ) {}

  /** Loads the crypto library and the device's store (no homeserver needed yet). */
  static async open(o: BotDeviceOptions): Promise<BotDevice> {
    mkdirSync(path.dirname(o.storeFile), { recursive: true });
    const keys = readStoreKeys(o.keyFile, existsSync(o.storeFile));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sdk = require("@matrix-org/matrix-sdk-crypto-wasm") as typeof Wasm;
    await sdk.initAsync();
    const store = await IdbSqliteStore.open(o.storeFile, { seal: keys.seal, rowId: keys.rowId });
    const fresh = store.isEmpty();
    const handle = await sdk.StoreHandle.openWithKey(STORE_NAME, keys.library);
    const machine = await sdk.OlmMachine.initFromStore(new sdk.UserId(o.botUserId), new sdk.DeviceId(o.deviceId), handle);
    await store.settled();
    return new BotDevice(o, sdk, store, machine, fresh);
  }

  get deviceId(): string {
    return this.o.deviceId;
  }

  get identityKey(): string {
    return this.machine.identityKeys.ed25519.toBase64();
  }

  /**
   * Makes the device on the homeserver (MSC4190: an appservice creates its users' devices
   * itself, with no login) and uploads its keys. A new store means new keys: the device of
   * a lost store is deleted first, since the homeserver refuses new one-time keys under ids
   * it holds already.
   */
  async register(): Promise<void> {
    const devicePath = `/_matrix/client/v3/devices/${encodeURIComponent(this.o.deviceId)}`;
    if (this.fresh) {
      await this.request("DELETE", devicePath, {}, false).catch((err: unknown) => {
        if ((err as MatrixError).statusCode !== 404) throw err;
      });
    }
    try {
      await this.request("PUT", devicePath, { display_name: "carenet" }, false);
    } catch (err) {
      throw new Error(
        `could not create carenet's device ${this.o.deviceId} (${(err as Error).message}): the registration needs ` +
          `"io.element.msc4190: true" and Synapse must have loaded it (see docs/encryption.md)`,
      );
    }
    await this.queued(() => this.sendOutgoing());
  }

  /**
   * One transaction's crypto part: room keys and other to-device messages, device-list
   * changes and one-time-key counts. Resolves once the machine has them and they are on disk.
   */
  receive(part: TransactionCryptoPart): Promise<void> {
    return this.queued(async () => {
      const sdk = this.sdk;
      const changed = part.changed.map((u) => new sdk.UserId(u));
      const left = part.left.map((u) => new sdk.UserId(u));
      await this.machine.receiveSyncChanges(
        JSON.stringify(part.toDevice),
        new sdk.DeviceLists(changed, left),
        new Map(Object.entries(part.oneTimeKeyCounts ?? {})),
        part.unusedFallbackKeys ? new Set(part.unusedFallbackKeys) : undefined,
      );
      await this.store.settled();
      // New one-time keys, key queries: sent now, but a failure does not undo what was received.
      await this.sendOutgoing().catch((err: unknown) => this.o.log.warn({ err: (err as Error).message }, "could not send the device's key requests; will retry with the next transaction"));
    });
  }

  /** The event in clear, or undefined (logged) when it cannot be decrypted. */
  decrypt(ev: IncomingEvent): Promise<IncomingEvent | undefined> {
    return this.queued(async () => {
      const sdk = this.sdk;
      try {
        const d = await this.machine.decryptRoomEvent(
          JSON.stringify(ev),
          new sdk.RoomId(String(ev.room_id)),
          // A page from a device nobody verified must still be read.
          new sdk.DecryptionSettings(sdk.TrustRequirement.Untrusted),
        );
        const clear = JSON.parse(d.event) as IncomingEvent;
        const outer = (ev.content as { "m.relates_to"?: unknown } | undefined)?.["m.relates_to"];
        const content = (clear.content ?? {}) as Record<string, unknown>;
        // A relation may stay outside the ciphertext (the spec allows it); the clear event keeps it.
        if (outer && !("m.relates_to" in content)) content["m.relates_to"] = outer;
        return { ...ev, type: clear.type, content };
      } catch (err) {
        this.o.log.warn({ eventId: ev.event_id, roomId: ev.room_id, err: (err as Error).message }, "could not decrypt an event");
        return undefined;
      } finally {
        await this.store.settled();
      }
    });
  }

  /**
   * `content` as an m.room.encrypted event's content for `roomId`, after the room key was
   * shared with every device of `members` (key query, claim of one-time keys, to-device).
   */
  encrypt(roomId: string, members: string[], eventType: string, content: object): Promise<object> {
    return this.queued(async () => {
      const sdk = this.sdk;
      // wasm-bindgen takes ownership of the ids passed in an array: a fresh array for each call.
      const users = () => members.map((u) => new sdk.UserId(u));
      await this.machine.updateTrackedUsers(users());
      await this.sendOutgoing(); // key queries for users whose devices are not known yet
      const claim = await this.machine.getMissingSessions(users());
      if (claim) await this.send(claim);
      const settings = new sdk.EncryptionSettings();
      const shares = await this.machine.shareRoomKey(new sdk.RoomId(roomId), users(), settings);
      await this.store.settled(); // the outbound session is on disk before its key goes out
      for (const share of shares) await this.send(share);
      const encrypted = await this.machine.encryptRoomEvent(new sdk.RoomId(roomId), eventType, JSON.stringify(content));
      await this.store.settled();
      return JSON.parse(encrypted) as object;
    });
  }

  async close(): Promise<void> {
    await this.chain.catch(() => undefined);
    this.store.close();
  }

  private queued<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Sends what the machine wants sent (key uploads, queries, to-device), each after the store is on disk. */
  private async sendOutgoing(): Promise<void> {
    for (let round = 0; round < 5; round++) {
      const requests = await this.machine.outgoingRequests();
      if (requests.length === 0) return;
      // Keys generated for an upload are on disk before they are uploaded: a crash in between
      // re-uploads the same keys (accepted) rather than new ones under the same ids (refused).
      await this.store.settled();
      for (const r of requests) await this.send(r);
    }
  }

  private async send(r: Wasm.OutgoingRequest | Wasm.KeysClaimRequest | Wasm.ToDeviceRequest): Promise<void> {
    const T = this.sdk.RequestType;
    const body = (r as { body: string }).body;
    let res: string;
    switch (r.type) {
      case T.KeysUpload:
        res = await this.request("POST", "/_matrix/client/v3/keys/upload", body);
        break;
      case T.KeysQuery:
        res = await this.request("POST", "/_matrix/client/v3/keys/query", body);
        break;
      case T.KeysClaim:
        res = await this.request("POST", "/_matrix/client/v3/keys/claim", body);
        break;
      case T.ToDevice: {
        const t = r as Wasm.ToDeviceRequest;
        res = await this.request("PUT", `/_matrix/client/v3/sendToDevice/${encodeURIComponent(t.event_type)}/${encodeURIComponent(t.txn_id)}`, body);
        break;
      }
      case T.SignatureUpload:
        res = await this.request("POST", "/_matrix/client/v3/keys/signatures/upload", body);
        break;
      default:
        // Room messages, backup and cross-signing requests: carenet uses none of them.
        this.o.log.debug({ type: r.type }, "skipped a crypto request carenet does not use");
        return;
    }
    if (r.id) await this.machine.markRequestAsSent(r.id, r.type, res);
    await this.store.settled();
  }

  /** A request as the bot, and (unless `asDevice` is false) as its device (MSC3202 device masquerading). */
  private async request(method: string, urlPath: string, body: string | object, asDevice = true): Promise<string> {
    const url = new URL(urlPath, this.o.homeserverUrl);
    url.searchParams.set("user_id", this.o.botUserId);
    if (asDevice) url.searchParams.set("device_id", this.o.deviceId);
    const res = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${this.o.asToken}`, "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    if (!res.ok) {
      let parsed: { errcode?: string; error?: string } = {};
      try {
        parsed = JSON.parse(text) as typeof parsed;
      } catch {
        /* not JSON: the status says enough */
      }
      throw new MatrixError({ errcode: parsed.errcode ?? "M_UNKNOWN", error: `${method} ${url.pathname}: ${parsed.error ?? text.slice(0, 200)}` }, res.status);
    }
    return text;
  }
}
