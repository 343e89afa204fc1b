import type { RotaRole, Weekday } from "../domain/rota";

export type EntryKind = "weekly" | "once" | "cover";
export type EntryStatus = "proposed" | "approved" | "cancelled";
export type EndReason = "cancelled" | "declined" | "removed";

/** One row of the rota (see migrations/006_rota.sql for what each kind means). */
export interface RotaEntry {
  id: number;
  communityId: string;
  kind: EntryKind;
  /** Who is on call by this entry (for a cover: the person covering). */
  userId: string;
  role: RotaRole;
  backup: boolean;
  /** weekly only */
  day: Weekday | null;
  from: string | null;
  to: string | null;
  /** once and cover only */
  startMs: number | null;
  endMs: number | null;
  /** cover only: whose shifts are taken over. */
  coveredUserId: string | null;
  /** The other half of a swap. */
  swapWith: number | null;
  status: EntryStatus;
  proposedBy: string;
  proposedAt: number;
  agreedAt: number | null;
  approvedBy: string | null;
  approvedAt: number | null;
  endedBy: string | null;
  endedAt: number | null;
  endReason: EndReason | null;
}

export interface NewEntryBase {
  communityId: string;
  userId: string;
  role: RotaRole;
  proposedBy: string;
  /** True when the person on the entry is the one asking for it (or already said yes). */
  agreed: boolean;
  /**
   * Set when staff approval is already given: `{ by: staff }`, or `{ by: null }` when the
   * community does not require approval. Absent: waits for `!rota approve`.
   */
  approved?: { by: string | null };
}

export interface NewWeekly extends NewEntryBase {
  day: Weekday;
  from: string;
  to: string;
  backup?: boolean;
}

export interface NewOnce extends NewEntryBase {
  startMs: number;
  endMs: number;
  backup?: boolean;
}

export interface NewCover extends NewEntryBase {
  coveredUserId: string;
  startMs: number;
  endMs: number;
}

export interface RotaBreak {
  id: number;
  userId: string;
  startedAt: number;
  untilMs: number | null;
  endedAt: number | null;
}
