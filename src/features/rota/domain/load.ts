import { DateTime } from "luxon";
import { stretchesStartingBetween, zoneOf, type RotaInput } from "./rota";

/*
 * Load caps: how many shifts each person holds in a window (a week), for the rota's
 * `max_shifts_per_week`.
 */

/** The local week (Monday 00:00 to the next Monday 00:00) containing `atMs`. */
export function weekBounds(timezone: string, atMs: number): { startMs: number; endMs: number } {
  const zone = zoneOf(timezone);
  const start = DateTime.fromMillis(atMs, { zone }).startOf("week");
  return { startMs: start.toMillis(), endMs: start.plus({ weeks: 1 }).toMillis() };
}

export interface UserLoad {
  userId: string;
  /** Distinct shifts (occurrences) the user holds some part of, starting in the window. */
  shifts: number;
  /** Total on-call time of those stretches, in ms. */
  durationMs: number;
}

/**
 * Per-user load for shifts starting in [fromMs, toMs), after overrides and breaks
 * (a covered shift counts for the cover, not the scheduled user). Sorted by user id.
 */
export function loadBetween(input: RotaInput, fromMs: number, toMs: number): UserLoad[] {
  const byUser = new Map<string, { keys: Set<string>; durationMs: number }>();
  for (const o of stretchesStartingBetween(input, fromMs, toMs)) {
    const entry = byUser.get(o.userId) ?? { keys: new Set<string>(), durationMs: 0 };
    entry.keys.add(o.key); // stretches of one scheduled occurrence count as one shift
    entry.durationMs += o.endMs - o.startMs;
    byUser.set(o.userId, entry);
  }
  return [...byUser.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([userId, e]) => ({ userId, shifts: e.keys.size, durationMs: e.durationMs }));
}

/** Load for the local week containing `atMs` (see {@link weekBounds}). */
export function weeklyLoad(input: RotaInput, atMs: number): UserLoad[] {
  const { startMs, endMs } = weekBounds(input.timezone, atMs);
  return loadBetween(input, startMs, endMs);
}

/** A cap of `undefined` means no cap; otherwise more than `cap` shifts exceeds it. */
export function exceedsWeeklyCap(occurrences: number, cap: number | undefined): boolean {
  return cap !== undefined && occurrences > cap;
}
