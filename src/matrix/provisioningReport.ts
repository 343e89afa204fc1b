/** What provisioning did, room by room and in all: the start's handle and the logs report it. */
export type RoomOutcome = "created" | "updated" | "unchanged" | "orphaned" | "failed";

export interface RoomReport {
  communityId: string;
  /** "space", "community", "staff", "alumni" or an extra room's id. */
  roomKey: string;
  alias: string;
  roomId?: string;
  outcome: RoomOutcome;
  /** How carenet knew the room this time. */
  foundBy?: "database" | "alias" | "created";
  /** What was changed, e.g. "name", "topic", "power levels", "space child". */
  changes: string[];
  /** Staff and admins invited this time. */
  invited: string[];
  /** Problems that did not stop the room, e.g. an invitation the homeserver refused. */
  problems: string[];
  /** Why the room failed. */
  error?: string;
}

export interface CommunityReport {
  communityId: string;
  /** False for a community only the database still knows. */
  configured: boolean;
  rooms: RoomReport[];
  /** Set when the whole community could not be provisioned (e.g. its Space failed). */
  error?: string;
}

export interface ReconcileReport {
  startedAt: number;
  finishedAt: number;
  communities: CommunityReport[];
  /** Every room of every community, the Space first in each. */
  rooms: RoomReport[];
  counts: Record<RoomOutcome, number> & { invited: number };
  /** True when nothing failed. */
  ok: boolean;
}

/** A room's report before anything was done to it. */
export function roomReport(communityId: string, roomKey: string, alias: string): RoomReport {
  return { communityId, roomKey, alias, outcome: "unchanged", changes: [], invited: [], problems: [] };
}

/** The whole run's report from each community's, with the counts. */
export function summarise(reports: CommunityReport[], startedAt: number, finishedAt: number): ReconcileReport {
  const rooms = reports.flatMap((c) => c.rooms);
  const counts = { created: 0, updated: 0, unchanged: 0, orphaned: 0, failed: 0, invited: 0 };
  for (const r of rooms) {
    counts[r.outcome]++;
    counts.invited += r.invited.length;
  }
  return { startedAt, finishedAt, communities: reports, rooms, counts, ok: counts.failed === 0 && reports.every((c) => !c.error) };
}
