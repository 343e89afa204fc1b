import { DateTime } from "luxon";
import type { NotifyTarget } from "./domain/escalation";

/**
 * A peer supporter's "night", for the rota's `max_pages_per_night`: from midday to the next
 * midday in the community's time zone. An evening or overnight shift (say 18:00–08:00) falls
 * in one night however late the pages come; pages the next afternoon start a new one.
 * Midday is never skipped or repeated by a clock change, so the bounds are always real times.
 */
export const NIGHT_STARTS_AT_HOUR = 12;

export function nightBounds(timezone: string, atMs: number): { startMs: number; endMs: number } {
  const local = DateTime.fromMillis(atMs, { zone: timezone });
  let start = local.set({ hour: NIGHT_STARTS_AT_HOUR, minute: 0, second: 0, millisecond: 0 });
  if (start.toMillis() > atMs) start = start.minus({ days: 1 });
  return { startMs: start.toMillis(), endMs: start.plus({ days: 1 }).toMillis() };
}

/** The ladder steps that ask peer supporters (the nightly cap applies to them; staff are not capped). */
export function asksPeers(target: NotifyTarget): boolean {
  return target === "on_call_peers" || target === "backup_peers";
}

/**
 * Splits the peers a step would ask into those still under the nightly cap and those who
 * already have been asked `cap` other pages this night. `pagesTonight(user)` counts the
 * other pages (not this one) the person was asked to this night.
 */
export function underNightlyCap(users: readonly string[], cap: number, pagesTonight: (userId: string) => number): { asked: string[]; rested: string[] } {
  const asked: string[] = [];
  const rested: string[] = [];
  for (const u of users) (pagesTonight(u) < cap ? asked : rested).push(u);
  return { asked, rested };
}
