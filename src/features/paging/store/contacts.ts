import { createHash, randomInt, timingSafeEqual } from "node:crypto";
import type { Db } from "../../../store/database";

import type { ContactKind } from "../../../ports/offMatrix";
export type { ContactKind };

export interface ContactChannel {
  userId: string;
  kind: ContactKind;
  /** The email address (null for the webhook, which knows people by their Matrix id). */
  address: string | null;
  /** When the person confirmed it (null: a code was sent and is awaited). */
  confirmedAt: number | null;
  createdAt: number;
}

interface Row {
  user_id: string;
  kind: ContactKind;
  address: string | null;
  confirmed_at: number | null;
  code_hash: string | null;
  code_expires_at: number | null;
  wrong_codes: number;
  created_at: number;
}

const toChannel = (r: Row): ContactChannel => ({ userId: r.user_id, kind: r.kind, address: r.address, confirmedAt: r.confirmed_at, createdAt: r.created_at });

/** How long a confirmation code is good for, and how many wrong tries end it. */
export const CODE_TTL_MS = 24 * 60 * 60 * 1000;
export const MAX_WRONG_CODES = 5;

const hash = (code: string) => createHash("sha256").update(code).digest("hex");

export type ConfirmOutcome = "confirmed" | "wrong" | "expired" | "none";

/**
 * The off-Matrix addresses people set for themselves (`!contact`). Personal data: read by
 * `!mydata`, deleted by `!forgetme`. A code sent to an email address is kept only as a hash.
 */
export class ContactsStore {
  constructor(private readonly db: Db) {}

  /** Sets (or replaces) an unconfirmed email address; returns the code to send to it. */
  proposeEmail(userId: string, address: string, now: number): string {
    const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
    this.db
      .prepare(
        `INSERT INTO contact_channels (user_id, kind, address, confirmed_at, code_hash, code_expires_at, wrong_codes, created_at)
         VALUES (?, 'email', ?, NULL, ?, ?, 0, ?)
         ON CONFLICT (user_id, kind) DO UPDATE SET address = excluded.address, confirmed_at = NULL, code_hash = excluded.code_hash,
           code_expires_at = excluded.code_expires_at, wrong_codes = 0, created_at = excluded.created_at`,
      )
      .run(userId, address, hash(code), now + CODE_TTL_MS, now);
    return code;
  }

  confirmEmail(userId: string, code: string, now: number): ConfirmOutcome {
    const row = this.db.prepare("SELECT * FROM contact_channels WHERE user_id = ? AND kind = 'email'").get(userId) as Row | undefined;
    if (!row || row.confirmed_at !== null || row.code_hash === null) return "none";
    if ((row.code_expires_at ?? 0) < now || row.wrong_codes >= MAX_WRONG_CODES) return "expired";
    const given = Buffer.from(hash(code.trim()), "hex");
    if (!timingSafeEqual(given, Buffer.from(row.code_hash, "hex"))) {
      this.db.prepare("UPDATE contact_channels SET wrong_codes = wrong_codes + 1 WHERE user_id = ? AND kind = 'email'").run(userId);
      return "wrong";
    }
    this.db
      .prepare("UPDATE contact_channels SET confirmed_at = ?, code_hash = NULL, code_expires_at = NULL WHERE user_id = ? AND kind = 'email'")
      .run(now, userId);
    return "confirmed";
  }

  /** Opting in to the webhook needs no confirmation: it carries nothing but the person's Matrix id. */
  setWebhook(userId: string, on: boolean, now: number): boolean {
    if (!on) return this.remove(userId, "webhook");
    return (
      this.db
        .prepare("INSERT OR IGNORE INTO contact_channels (user_id, kind, address, confirmed_at, created_at) VALUES (?, 'webhook', NULL, ?, ?)")
        .run(userId, now, now).changes === 1
    );
  }

  remove(userId: string, kind: ContactKind): boolean {
    return this.db.prepare("DELETE FROM contact_channels WHERE user_id = ? AND kind = ?").run(userId, kind).changes === 1;
  }

  /** Everything kept about the person's channels (confirmed or not). */
  of(userId: string): ContactChannel[] {
    return (this.db.prepare("SELECT * FROM contact_channels WHERE user_id = ? ORDER BY kind").all(userId) as Row[]).map(toChannel);
  }

  /** A confirmed channel of this kind, if the person set one. */
  confirmed(userId: string, kind: ContactKind): ContactChannel | undefined {
    const row = this.db.prepare("SELECT * FROM contact_channels WHERE user_id = ? AND kind = ? AND confirmed_at IS NOT NULL").get(userId, kind) as Row | undefined;
    return row && toChannel(row);
  }

  forget(userId: string): number {
    return this.db.prepare("DELETE FROM contact_channels WHERE user_id = ?").run(userId).changes;
  }
}
