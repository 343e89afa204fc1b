import type { RotaRole, Weekday } from "../domain/rota";
import type { EndReason, EntryKind, EntryStatus, RotaBreak, RotaEntry } from "./rotaRecords";

/** A `rota_entries` row as SQLite returns it. */
export interface EntryRow {
  id: number;
  community_id: string;
  kind: EntryKind;
  user_id: string;
  role: RotaRole;
  backup: number;
  day: Weekday | null;
  from_time: string | null;
  to_time: string | null;
  start_ms: number | null;
  end_ms: number | null;
  covered_user_id: string | null;
  swap_with: number | null;
  status: EntryStatus;
  proposed_by: string;
  proposed_at: number;
  agreed_at: number | null;
  approved_by: string | null;
  approved_at: number | null;
  ended_by: string | null;
  ended_at: number | null;
  end_reason: EndReason | null;
}

export function toEntry(r: EntryRow): RotaEntry {
  return {
    id: r.id,
    communityId: r.community_id,
    kind: r.kind,
    userId: r.user_id,
    role: r.role,
    backup: r.backup === 1,
    day: r.day,
    from: r.from_time,
    to: r.to_time,
    startMs: r.start_ms,
    endMs: r.end_ms,
    coveredUserId: r.covered_user_id,
    swapWith: r.swap_with,
    status: r.status,
    proposedBy: r.proposed_by,
    proposedAt: r.proposed_at,
    agreedAt: r.agreed_at,
    approvedBy: r.approved_by,
    approvedAt: r.approved_at,
    endedBy: r.ended_by,
    endedAt: r.ended_at,
    endReason: r.end_reason,
  };
}

/** A `rota_breaks` row as SQLite returns it. */
export interface BreakRow {
  id: number;
  user_id: string;
  started_at: number;
  until_ms: number | null;
  ended_at: number | null;
}

export function toBreak(r: BreakRow): RotaBreak {
  return { id: r.id, userId: r.user_id, startedAt: r.started_at, untilMs: r.until_ms, endedAt: r.ended_at };
}
