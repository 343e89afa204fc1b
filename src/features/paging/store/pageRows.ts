import type { EscalationStep, PageState, PageStatus } from "../domain/escalation";
import type { PageRecord } from "./pageRecords";

/** A `pages` row as SQLite returns it. */
export interface PageRow {
  id: number;
  community_id: string;
  member: string;
  status: PageStatus;
  step: number;
  round: number;
  ladder_json: string;
  opened_at: number;
  next_deadline_at: number | null;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
  resolved_by: string | null;
  resolved_at: number | null;
  exhausted_at: number | null;
  repeat_count: number;
  support_room_id: string | null;
  staff_told: number;
  digested_at: number | null;
}

function toState(r: PageRow): PageState {
  const s: PageState = {
    status: r.status,
    step: r.step,
    openedAtMs: r.opened_at,
    nextDeadlineMs: r.next_deadline_at,
    repeatCount: r.repeat_count,
  };
  if (r.acknowledged_by !== null) s.acknowledgedBy = r.acknowledged_by;
  if (r.acknowledged_at !== null) s.acknowledgedAtMs = r.acknowledged_at;
  if (r.resolved_by !== null) s.resolvedBy = r.resolved_by;
  if (r.resolved_at !== null) s.resolvedAtMs = r.resolved_at;
  if (r.exhausted_at !== null) s.exhaustedAtMs = r.exhausted_at;
  return s;
}

export function toRecord(r: PageRow): PageRecord {
  return {
    id: r.id,
    communityId: r.community_id,
    member: r.member,
    state: toState(r),
    round: r.round,
    ladder: JSON.parse(r.ladder_json) as EscalationStep[],
    supportRoomId: r.support_room_id,
    staffTold: r.staff_told === 1,
    digestedAt: r.digested_at,
  };
}

/** The state columns, in the order `stateValues` gives them. */
export const STATE_SET = `status = ?, step = ?, opened_at = ?, next_deadline_at = ?, acknowledged_by = ?, acknowledged_at = ?,
  resolved_by = ?, resolved_at = ?, exhausted_at = ?, repeat_count = ?`;


export function stateValues(s: PageState): Array<string | number | null> {
  return [
    s.status,
    s.step,
    s.openedAtMs,
    s.nextDeadlineMs,
    s.acknowledgedBy ?? null,
    s.acknowledgedAtMs ?? null,
    s.resolvedBy ?? null,
    s.resolvedAtMs ?? null,
    s.exhaustedAtMs ?? null,
    s.repeatCount,
  ];
}
