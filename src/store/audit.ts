import type { Db } from "./database";

export interface AuditEvent {
  /** Null for events about the whole service, such as a config reload. */
  communityId: string | null;
  /** A Matrix user id, or "carenet" for the service itself. */
  actor: string;
  /** What happened, e.g. "member.add", "config.reload", "command.refused". */
  action: string;
  /** Who or what it was done to, usually a user id. */
  subject?: string | null;
  /** A short description. Never message content. */
  detail?: string | null;
}

export interface AuditEntry {
  id: number;
  at: number;
  communityId: string | null;
  actor: string;
  action: string;
  subject: string | null;
  detail: string | null;
}

/** `latest` never returns more than this, whatever `!audit n` asked for. */
export const AUDIT_LATEST_MAX = 100;
/** Longer details are cut: the log records what happened, not what was said. */
export const AUDIT_DETAIL_MAX = 500;

interface AuditRow {
  id: number;
  at: number;
  community_id: string | null;
  actor: string;
  action: string;
  subject: string | null;
  detail: string | null;
}

const COLUMNS = "id, at, community_id, actor, action, subject, detail";

const toEntry = (r: AuditRow): AuditEntry => ({
  id: r.id,
  at: r.at,
  communityId: r.community_id,
  actor: r.actor,
  action: r.action,
  subject: r.subject,
  detail: r.detail,
});

/** The append-only record of staff actions and service events (SQLite triggers refuse edits). */
export class AuditLog {
  constructor(private readonly db: Db) {}

  /** Returns the new entry's id. */
  append(e: AuditEvent, now: number): number {
    const detail = e.detail == null ? null : shorten(e.detail, AUDIT_DETAIL_MAX);
    const result = this.db
      .prepare("INSERT INTO audit_log (at, community_id, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?, ?)")
      .run(now, e.communityId, e.actor, e.action, e.subject ?? null, detail);
    return Number(result.lastInsertRowid);
  }

  /**
   * The community's latest `n` entries, newest first (by insertion order). `n` is capped at
   * {@link AUDIT_LATEST_MAX}; `null` asks for the service-wide entries.
   */
  latest(communityId: string | null, n: number): AuditEntry[] {
    const limit = Number.isNaN(n) ? 0 : Math.max(0, Math.min(AUDIT_LATEST_MAX, Math.floor(n)));
    const rows = this.db
      .prepare(`SELECT ${COLUMNS} FROM audit_log WHERE community_id IS ? ORDER BY id DESC LIMIT ?`)
      .all(communityId, limit) as AuditRow[];
    return rows.map(toEntry);
  }

  /**
   * True if an entry with exactly these fields was ever appended, e.g. "was this person
   * already asked about this version of the text?" (the log is the durable record of it).
   */
  has(e: Required<Pick<AuditEvent, "communityId" | "action" | "subject" | "detail">>): boolean {
    return !!this.db
      .prepare("SELECT 1 FROM audit_log WHERE community_id IS ? AND action = ? AND subject IS ? AND detail IS ? LIMIT 1")
      .get(e.communityId, e.action, e.subject, e.detail);
  }

  /** Every entry whose subject is the person, oldest first (for `!mydata`: what remains after `!forgetme`). */
  aboutPerson(userId: string): AuditEntry[] {
    const rows = this.db.prepare(`SELECT ${COLUMNS} FROM audit_log WHERE subject = ? ORDER BY id`).all(userId) as AuditRow[];
    return rows.map(toEntry);
  }

  count(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM audit_log").get() as { n: number }).n;
  }
}

/** Cuts by code point, so an emoji is never split into half a surrogate pair. */
function shorten(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}
