import type { Db } from "../../../store/database";
import type { ConsentDecision, ConsentChoices, ConsentRecord, Consents } from "../../../ports/communities";
export type { ConsentDecision, ConsentChoices, ConsentRecord } from "../../../ports/communities";

interface ConsentRow {
  id: number;
  user_id: string;
  text_version: string;
  decision: ConsentDecision;
  choices_json: string;
  decided_at: number;
}

const COLUMNS = "id, user_id, text_version, decision, choices_json, decided_at";

function toRecord(r: ConsentRow): ConsentRecord {
  return {
    id: r.id,
    userId: r.user_id,
    textVersion: r.text_version,
    decision: r.decision,
    choices: JSON.parse(r.choices_json) as ConsentChoices,
    decidedAt: r.decided_at,
  };
}

/**
 * Consent decisions, appended and never rewritten. The current decision is the latest
 * one recorded (by insertion, so a clock step backwards cannot resurrect an older one).
 */
export class ConsentStore implements Consents {
  constructor(private readonly db: Db) {}

  record(userId: string, textVersion: string, decision: ConsentDecision, choices: ConsentChoices, now: number): ConsentRecord {
    const result = this.db
      .prepare("INSERT INTO consent (user_id, text_version, decision, choices_json, decided_at) VALUES (?, ?, ?, ?, ?)")
      .run(userId, textVersion, decision, JSON.stringify(choices), now);
    // Read back rather than echo the input, so the caller sees exactly what was stored.
    return toRecord(this.db.prepare(`SELECT ${COLUMNS} FROM consent WHERE id = ?`).get(result.lastInsertRowid) as ConsentRow);
  }

  current(userId: string): ConsentRecord | undefined {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM consent WHERE user_id = ? ORDER BY id DESC LIMIT 1`).get(userId) as
      | ConsentRow
      | undefined;
    return row && toRecord(row);
  }

  /**
   * True only when the latest decision is "agreed" to exactly this text version: a changed
   * text asks again, and a later decline or withdrawal undoes an earlier agreement.
   */
  hasAgreedTo(userId: string, textVersion: string): boolean {
    const c = this.current(userId);
    return c !== undefined && c.decision === "agreed" && c.textVersion === textVersion;
  }

  /**
   * Deletes the person's decisions: every one, or those about versions starting with
   * `versionPrefix` (one community's text, `<id>@`). Returns how many went.
   */
  forget(userId: string, versionPrefix?: string): number {
    if (versionPrefix === undefined) return this.db.prepare("DELETE FROM consent WHERE user_id = ?").run(userId).changes;
    return this.db
      .prepare("DELETE FROM consent WHERE user_id = ? AND substr(text_version, 1, ?) = ?")
      .run(userId, versionPrefix.length, versionPrefix).changes;
  }

  /** Every decision the user made, oldest first (for `!mydata`). */
  history(userId: string): ConsentRecord[] {
    const rows = this.db.prepare(`SELECT ${COLUMNS} FROM consent WHERE user_id = ? ORDER BY id`).all(userId) as ConsentRow[];
    return rows.map(toRecord);
  }
}
