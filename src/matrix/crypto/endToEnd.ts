import type { Logger } from "../../kernel/logger";
import type { EncryptionConfig } from "../../config/types";
import type { IncomingEvent, InboxRow } from "../../store/inbox";
import type { Homeserver } from "../homeserver";
import { ENCRYPTION_REGISTRATION_FLAGS, type Registration } from "../registration";
import { BotDevice, type TransactionCryptoPart } from "./botDevice";

/** homeserver.yaml's settings for the same (Synapse 1.163). */
export const SYNAPSE_SETTINGS = "experimental_features: {msc2409_to_device_messages_enabled: true, msc3202_transaction_extensions: true}";

const ENCRYPTED = "m.room.encrypted";
/** How long a room found unencrypted is believed so before it is read again (anyone may switch it on). */
const UNENCRYPTED_RECHECK_MS = 60_000;
const REGISTER_RETRY_MS = 60_000;

/**
 * carenet as a member of encrypted rooms: what it receives is decrypted before it is
 * recorded (so commands and `!page` work as in any room), and what it sends to an encrypted
 * room is encrypted. Anything it cannot decrypt stays an m.room.encrypted event and gets the
 * answer every unreadable message gets (encryptedRooms.ts): never silence.
 */
export class EndToEnd {
  /** Rooms known encrypted (for good: encryption cannot be turned off), and when others were last read. */
  private readonly encrypted = new Set<string>();
  private readonly checkedPlain = new Map<string, number>();
  private warnedNoMsc3202 = false;
  /** Why the device is not on the homeserver yet (undefined once it is). */
  private notRegistered: string | undefined = "not created yet";
  private retry: NodeJS.Timeout | undefined;

  private constructor(
    private readonly device: BotDevice,
    private readonly homeserver: Homeserver,
    private readonly log: Logger,
    private readonly isOwn: (ev: IncomingEvent) => boolean,
  ) {}

  /** Opens the device's store; `register()` then makes the device on the homeserver. */
  static async open(o: {
    config: EncryptionConfig;
    registration: Registration;
    homeserver: Homeserver;
    log: Logger;
    isOwn: (ev: IncomingEvent) => boolean;
  }): Promise<EndToEnd> {
    const missing = Object.keys(ENCRYPTION_REGISTRATION_FLAGS).filter((k) => o.registration[k] !== true);
    if (missing.length > 0) {
      o.log.error(
        { missing },
        `encryption is on but the registration file lacks ${missing.join(", ")}: add them (each: true), or run generate-registration again, and restart Synapse; Synapse also needs ${SYNAPSE_SETTINGS}`,
      );
    }
    const device = await BotDevice.open({
      homeserverUrl: o.homeserver.url,
      asToken: o.registration.as_token,
      botUserId: o.homeserver.botUserId,
      deviceId: o.config.device_id,
      storeFile: o.config.store,
      keyFile: o.config.key_file,
      log: o.log,
    });
    o.log.info({ deviceId: o.config.device_id, ed25519: device.identityKey, newDevice: device.fresh }, "end-to-end encryption is on");
    return new EndToEnd(device, o.homeserver, o.log, o.isOwn);
  }

  /**
   * Makes the device on the homeserver and uploads its keys (once the homeserver answers).
   * Never throws: a failure is logged, reported by /health and tried again every minute;
   * meanwhile encrypted messages get the "could not read" answer.
   */
  async register(): Promise<void> {
    try {
      await this.device.register();
      this.notRegistered = undefined;
      this.log.info({ deviceId: this.device.deviceId }, "carenet's device is on the homeserver with its keys");
    } catch (err) {
      this.notRegistered = (err as Error).message;
      this.log.error({ err: this.notRegistered }, "end-to-end encryption could not start: encrypted messages get the \"could not read\" answer until it does; trying again in a minute");
      this.retry = setTimeout(() => void this.register(), REGISTER_RETRY_MS);
      this.retry.unref();
    }
  }

  /** For /health: the device, and what is wrong with it if anything. */
  health(): { deviceId: string; ready: boolean; problem?: string } {
    return { deviceId: this.device.deviceId, ready: this.notRegistered === undefined, ...(this.notRegistered ? { problem: `carenet's device is not ready: ${this.notRegistered}` } : {}) };
  }

  /**
   * A transaction before it is recorded: its crypto part goes to the device, and each
   * encrypted event that can be decrypted is replaced by its clear event. Resolves once the
   * store is on disk, so the transaction may be acknowledged.
   */
  readonly prepareTransaction = async (body: Record<string, unknown>, events: IncomingEvent[]): Promise<IncomingEvent[]> => {
    const part = this.cryptoPartOf(body);
    if (part.toDevice.length || part.changed.length || part.left.length || part.oneTimeKeyCounts || part.unusedFallbackKeys) {
      await this.device.receive(part);
    }
    const out: IncomingEvent[] = [];
    for (const ev of events) {
      if (ev?.type === "m.room.encryption" && ev.state_key === "" && typeof ev.room_id === "string") this.encrypted.add(ev.room_id);
      out.push(await this.decrypted(ev));
    }
    return out;
  };

  /** An event read from the inbox: one still encrypted (its key came later, or catch-up read it) is tried again. */
  readonly beforeHandle = async (row: InboxRow): Promise<void> => {
    row.event = await this.decrypted(row.event);
  };

  /** What to send to `roomId`: encrypted when the room is. Reactions stay in clear, as Element sends them. */
  readonly forSend = async (roomId: string, eventType: string, content: object): Promise<{ eventType: string; content: object }> => {
    if (eventType === "m.reaction" || eventType === ENCRYPTED || !(await this.isEncrypted(roomId))) return { eventType, content };
    const members = await this.membersOf(roomId);
    try {
      return { eventType: ENCRYPTED, content: await this.device.encrypt(roomId, members, eventType, content) };
    } catch (err) {
      // Not the homeserver refusing the message: the outbox retries it (never in clear) rather than give it up.
      throw new Error(`could not encrypt for the room: ${(err as Error).message}`);
    }
  };

  close(): Promise<void> {
    clearTimeout(this.retry);
    return this.device.close();
  }

  private async decrypted(ev: IncomingEvent): Promise<IncomingEvent> {
    if (ev?.type !== ENCRYPTED || typeof ev.room_id !== "string" || this.isOwn(ev)) return ev;
    this.encrypted.add(ev.room_id);
    return (await this.device.decrypt(ev)) ?? ev;
  }

  private cryptoPartOf(body: Record<string, unknown>): TransactionCryptoPart {
    const bot = this.homeserver.botUserId;
    const deviceId = this.device.deviceId;
    const toDevice = ((body["de.sorunome.msc2409.to_device"] ?? body["to_device"] ?? []) as Array<Record<string, unknown>>).filter(
      (e) => e && e.to_user_id === bot && (e.to_device_id === deviceId || e.to_device_id === "*"),
    );
    const lists = (body["org.matrix.msc3202.device_lists"] ?? body["device_lists"] ?? {}) as { changed?: string[]; left?: string[] };
    const countsField = body["org.matrix.msc3202.device_one_time_keys_count"] ?? body["device_one_time_keys_count"];
    const counts = (countsField as Record<string, Record<string, Record<string, number>>> | undefined)?.[bot]?.[deviceId];
    const fallbackField = body["org.matrix.msc3202.device_unused_fallback_key_types"] ?? body["device_unused_fallback_key_types"];
    const fallback = (fallbackField as Record<string, Record<string, string[]>> | undefined)?.[bot]?.[deviceId];
    if (countsField === undefined && !this.warnedNoMsc3202) {
      this.warnedNoMsc3202 = true;
      this.log.warn(`a transaction came without one-time-key counts: Synapse needs ${SYNAPSE_SETTINGS}, and the registration "org.matrix.msc3202: true"`);
    }
    return {
      toDevice,
      changed: (lists.changed ?? []).filter((u) => typeof u === "string"),
      left: (lists.left ?? []).filter((u) => typeof u === "string"),
      oneTimeKeyCounts: counts,
      unusedFallbackKeys: Array.isArray(fallback) ? fallback : undefined,
    };
  }

  private async isEncrypted(roomId: string): Promise<boolean> {
    if (this.encrypted.has(roomId)) return true;
    const checked = this.checkedPlain.get(roomId);
    if (checked !== undefined && Date.now() - checked < UNENCRYPTED_RECHECK_MS) return false;
    const state = await this.homeserver.getStateContent(roomId, "m.room.encryption");
    if (state && typeof state.algorithm === "string") {
      this.encrypted.add(roomId);
      this.checkedPlain.delete(roomId);
      return true;
    }
    this.checkedPlain.set(roomId, Date.now());
    return false;
  }

  /** Everyone joined or invited: the room key is shared with each of their devices. */
  private async membersOf(roomId: string): Promise<string[]> {
    const members = await this.homeserver.roomMembers(roomId);
    return members.filter((m) => m !== this.homeserver.botUserId);
  }
}
