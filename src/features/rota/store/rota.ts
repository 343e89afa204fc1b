import type { Db } from "../../../store/database";
import type { Weekday } from "../domain/rota";
import type { EndReason, EntryKind, EntryStatus, NewCover, NewEntryBase, NewOnce, NewWeekly, RotaBreak, RotaEntry } from "./rotaRecords";
import { toBreak, toEntry, type BreakRow, type EntryRow } from "./rotaRows";
import { RotaBreaksStore } from "./breaks";

export type * from "./rotaRecords";

const LIVE: EntryStatus[] = ["proposed", "approved"];

/**
 * The rota's state: entries (weekly slots, one-off shifts, covers and swaps) with who
 * proposed, agreed to and approved each, and breaks. Knows nothing of time zones: the
 * caller turns entries into the domain's shifts (see src/features/rota/domain/rota.ts).
 */
export class RotaStore extends RotaBreaksStore {
  constructor(db: Db) {
    super(db);
  }

  addWeekly(e: NewWeekly, now: number): RotaEntry {
    return this.insert(e, { kind: "weekly", day: e.day, from: e.from, to: e.to, backup: !!e.backup }, now);
  }

  addOnce(e: NewOnce, now: number): RotaEntry {
    return this.insert(e, { kind: "once", startMs: e.startMs, endMs: e.endMs, backup: !!e.backup }, now);
  }

  addCover(e: NewCover, now: number): RotaEntry {
    return this.insert(e, { kind: "cover", startMs: e.startMs, endMs: e.endMs, coveredUserId: e.coveredUserId, backup: false }, now);
  }

  /** Two covers that stand or fall together: each only counts once both people agreed. */
  addSwap(a: NewCover, b: NewCover, now: number): [RotaEntry, RotaEntry] {
    return this.db.transaction((): [RotaEntry, RotaEntry] => {
      // Inserted as proposed so neither half is live before it points at the other.
      const first = this.addCover({ ...a, approved: undefined }, now);
      const second = this.addCover({ ...b, approved: undefined }, now);
      this.db.prepare("UPDATE rota_entries SET swap_with = ? WHERE id = ?").run(second.id, first.id);
      this.db.prepare("UPDATE rota_entries SET swap_with = ? WHERE id = ?").run(first.id, second.id);
      if (a.approved) this.approve(first.id, a.approved.by, now);
      if (b.approved) this.approve(second.id, b.approved.by, now);
      this.promote(first.id);
      return [this.get(first.id)!, this.get(second.id)!];
    })();
  }

  private insert(
    e: NewEntryBase,
    shape: {
      kind: EntryKind;
      day?: Weekday;
      from?: string;
      to?: string;
      startMs?: number;
      endMs?: number;
      coveredUserId?: string;
      backup: boolean;
    },
    now: number,
  ): RotaEntry {
    const status: EntryStatus = e.agreed && e.approved ? "approved" : "proposed";
    const result = this.db
      .prepare(
        `INSERT INTO rota_entries (community_id, kind, user_id, role, backup, day, from_time, to_time, start_ms, end_ms,
           covered_user_id, status, proposed_by, proposed_at, agreed_at, approved_by, approved_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        e.communityId,
        shape.kind,
        e.userId,
        e.role,
        shape.backup ? 1 : 0,
        shape.day ?? null,
        shape.from ?? null,
        shape.to ?? null,
        shape.startMs ?? null,
        shape.endMs ?? null,
        shape.coveredUserId ?? null,
        status,
        e.proposedBy,
        now,
        e.agreed ? now : null,
        e.approved ? e.approved.by : null,
        e.approved ? now : null,
      );
    return this.get(Number(result.lastInsertRowid))!;
  }

  get(id: number): RotaEntry | undefined {
    const row = this.db.prepare("SELECT * FROM rota_entries WHERE id = ?").get(id) as EntryRow | undefined;
    return row && toEntry(row);
  }

  /** A community's entries by id; proposed and approved unless other statuses are asked for. */
  list(communityId: string, statuses: EntryStatus[] = LIVE): RotaEntry[] {
    const rows = this.db
      .prepare(`SELECT * FROM rota_entries WHERE community_id = ? AND status IN (${statuses.map(() => "?").join(", ")}) ORDER BY id`)
      .all(communityId, ...statuses) as EntryRow[];
    return rows.map(toEntry);
  }

  /** Entries a person is on (or is being asked to take), every community, by id. */
  ofUser(userId: string, statuses: EntryStatus[] = LIVE): RotaEntry[] {
    const rows = this.db
      .prepare(`SELECT * FROM rota_entries WHERE user_id = ? AND status IN (${statuses.map(() => "?").join(", ")}) ORDER BY id`)
      .all(userId, ...statuses) as EntryRow[];
    return rows.map(toEntry);
  }

  /** Live covers and swaps that take over this person's shifts, by id. */
  coveringFor(userId: string): RotaEntry[] {
    const rows = this.db
      .prepare("SELECT * FROM rota_entries WHERE covered_user_id = ? AND status IN ('proposed', 'approved') ORDER BY id")
      .all(userId) as EntryRow[];
    return rows.map(toEntry);
  }

  /** Communities with entries in any state (to tidy up after one leaves the config). */
  communities(): string[] {
    return (this.db.prepare("SELECT DISTINCT community_id FROM rota_entries ORDER BY community_id").all() as Array<{ community_id: string }>).map(
      (r) => r.community_id,
    );
  }

  /** The person on the entry says yes. Returns the entry as it is now (approved when staff already were). */
  agree(id: number, now: number): RotaEntry | undefined {
    this.db.prepare("UPDATE rota_entries SET agreed_at = ? WHERE id = ? AND status = 'proposed' AND agreed_at IS NULL").run(now, id);
    this.promote(id);
    return this.get(id);
  }

  /** Staff approve (or `by: null`: no approval was required). */
  approve(id: number, by: string | null, now: number): RotaEntry | undefined {
    this.db
      .prepare("UPDATE rota_entries SET approved_by = ?, approved_at = ? WHERE id = ? AND status = 'proposed' AND approved_at IS NULL")
      .run(by, now, id);
    this.promote(id);
    return this.get(id);
  }

  /** Puts an entry (and its swap partner) on the rota once everyone has said yes. */
  private promote(id: number): void {
    const entry = this.get(id);
    if (!entry || entry.status !== "proposed") return;
    const group = [entry, ...(entry.swapWith !== null ? [this.get(entry.swapWith)!] : [])];
    if (!group.every((e) => e.status === "proposed" && e.agreedAt !== null && e.approvedAt !== null)) return;
    for (const e of group) this.db.prepare("UPDATE rota_entries SET status = 'approved' WHERE id = ?").run(e.id);
  }

  /**
   * Takes an entry off the rota (and the other half of a swap with it). Returns the
   * entries that ended now; an entry already ended is left as it was.
   */
  end(id: number, by: string, reason: EndReason, now: number): RotaEntry[] {
    return this.db.transaction((): RotaEntry[] => {
      const entry = this.get(id);
      if (!entry || entry.status === "cancelled") return [];
      const ids = [entry.id, ...(entry.swapWith !== null ? [entry.swapWith] : [])];
      const ended: RotaEntry[] = [];
      for (const i of ids) {
        const changed = this.db
          .prepare(
            "UPDATE rota_entries SET status = 'cancelled', ended_by = ?, ended_at = ?, end_reason = ? WHERE id = ? AND status <> 'cancelled'",
          )
          .run(by, now, reason, i).changes;
        if (changed) ended.push(this.get(i)!);
      }
      return ended;
    })();
  }

  // -------------------------------------------------------------------------
  // A person's own data (`!mydata`, `!forgetme`, retention)

  /**
   * Every entry the person is on or whose shifts it covers (any status, every community,
   * by id), and every break they took, oldest first.
   */
  aboutPerson(userId: string): { entries: RotaEntry[]; breaks: RotaBreak[] } {
    const entries = (this.db.prepare("SELECT * FROM rota_entries WHERE user_id = ? OR covered_user_id = ? ORDER BY id").all(userId, userId) as EntryRow[]).map(
      toEntry,
    );
    const breaks = (this.db.prepare("SELECT id, user_id, started_at, until_ms, ended_at FROM rota_breaks WHERE user_id = ? ORDER BY id").all(userId) as BreakRow[]).map(
      toBreak,
    );
    return { entries, breaks };
  }

  /**
   * Deletes the entries the person is on or that cover their shifts (with the other half of
   * any swap they are part of), in one community or all, and — when no community is named —
   * their breaks. Returns how many rows went.
   */
  forget(userId: string, communityId?: string): { entries: number; breaks: number } {
    return this.db.transaction(() => {
      const ids = this.entryIdsOf(userId, communityId);
      const entries = this.deleteEntries(ids);
      const breaks = communityId === undefined ? this.db.prepare("DELETE FROM rota_breaks WHERE user_id = ?").run(userId).changes : 0;
      // Their rota calendar links (`!rota calendar`) go with the rest of their rota.
      if (communityId === undefined) this.db.prepare("DELETE FROM calendar_feeds WHERE user_id = ?").run(userId);
      return { entries, breaks };
    })();
  }

  /** Entries that ended, and breaks that ended, before `beforeMs`. */
  deleteEndedBefore(beforeMs: number): { entries: number; breaks: number } {
    return this.db.transaction(() => {
      const rows = this.db.prepare("SELECT id FROM rota_entries WHERE status = 'cancelled' AND ended_at < ?").all(beforeMs) as Array<{ id: number }>;
      const entries = this.deleteEntries(rows.map((r) => r.id));
      const breaks = this.db
        .prepare("DELETE FROM rota_breaks WHERE (ended_at IS NOT NULL AND ended_at < ?) OR (ended_at IS NULL AND until_ms IS NOT NULL AND until_ms < ?)")
        .run(beforeMs, beforeMs).changes;
      return { entries, breaks };
    })();
  }

  private entryIdsOf(userId: string, communityId?: string): number[] {
    const rows = (
      communityId === undefined
        ? this.db.prepare("SELECT id, swap_with FROM rota_entries WHERE user_id = ? OR covered_user_id = ?").all(userId, userId)
        : this.db
            .prepare("SELECT id, swap_with FROM rota_entries WHERE community_id = ? AND (user_id = ? OR covered_user_id = ?)")
            .all(communityId, userId, userId)
    ) as Array<{ id: number; swap_with: number | null }>;
    return [...new Set(rows.flatMap((r) => (r.swap_with === null ? [r.id] : [r.id, r.swap_with])))];
  }

  /** Deletes entries by id; a swap partner left behind stops pointing at a deleted half. */
  private deleteEntries(ids: number[]): number {
    let deleted = 0;
    const unlink = this.db.prepare("UPDATE rota_entries SET swap_with = NULL WHERE swap_with = ?");
    const del = this.db.prepare("DELETE FROM rota_entries WHERE id = ?");
    for (const id of ids) unlink.run(id);
    for (const id of ids) deleted += del.run(id).changes;
    return deleted;
  }
}
