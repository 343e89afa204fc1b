import { hkdfSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

/** The keys the crypto store is sealed with, all derived from the one in the key file. */
export interface StoreKeys {
  /** Seals each record written to the SQLite file (AES-256-GCM). */
  seal: Buffer;
  /** Names each record's row (HMAC-SHA-256 of its key), so keys are not readable either. */
  rowId: Buffer;
  /** Given to the crypto library, which encrypts the values it stores with it as well. */
  library: Uint8Array;
}

const derive = (key: Buffer, label: string) => Buffer.from(hkdfSync("sha256", key, Buffer.alloc(0), `carenet crypto store: ${label}`, 32));

/**
 * Reads the store key: 32 random bytes in a file only carenet's user may read. A missing
 * file is made (0600) only when there is no store yet: a store whose key is gone cannot be
 * read, and making a new key would hide that.
 */
export function readStoreKeys(keyFile: string, storeExists: boolean): StoreKeys {
  if (!existsSync(keyFile)) {
    if (storeExists) {
      throw new Error(
        `the encryption key file ${keyFile} is missing but the crypto store exists: restore the key file from the backup, ` +
          `or move the store aside to start a new device (members' clients then start new sessions with it)`,
      );
    }
    mkdirSync(path.dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, randomBytes(32), { mode: 0o600, flag: "wx" });
  }
  const mode = statSync(keyFile).mode;
  if ((mode & 0o077) !== 0) {
    throw new Error(`the encryption key file ${keyFile} can be read by other users (mode ${(mode & 0o777).toString(8)}): run chmod 600 on it`);
  }
  const key = readFileSync(keyFile);
  if (key.length !== 32) throw new Error(`the encryption key file ${keyFile} must hold exactly 32 bytes (it holds ${key.length})`);
  return { seal: derive(key, "seal"), rowId: derive(key, "row id"), library: new Uint8Array(derive(key, "library")) };
}
