/** Durations ("10m", "90s", "1h30m") as the config and commands write them, and in plain words. */

const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 } as const;

/**
 * Parses "90s", "10m", "1h", "1h30m", "2d" (units d, h, m, s, each at most once, largest
 * first, whole numbers, no spaces). Returns milliseconds, or null when not a duration.
 */
export function parseDuration(s: string): number | null {
  if (typeof s !== "string") return null;
  const m = DURATION.exec(s.trim().toLowerCase());
  if (!m || m[0] === "") return null;
  const [, d, h, min, sec] = m;
  const ms =
    Number(d ?? 0) * UNIT_MS.d +
    Number(h ?? 0) * UNIT_MS.h +
    Number(min ?? 0) * UNIT_MS.m +
    Number(sec ?? 0) * UNIT_MS.s;
  return Number.isSafeInteger(ms) ? ms : null;
}

/** Plain words: 5_400_000 → "1 hour 30 minutes"; under a second rounds down to "0 seconds". */
export function describeDuration(ms: number): string {
  let rest = Number.isFinite(ms) && ms > 0 ? Math.floor(ms / 1000) : 0;
  const parts: string[] = [];
  for (const [unit, secs] of [
    ["day", 86_400],
    ["hour", 3_600],
    ["minute", 60],
    ["second", 1],
  ] as const) {
    const n = Math.floor(rest / secs);
    rest -= n * secs;
    if (n > 0) parts.push(`${n} ${unit}${n === 1 ? "" : "s"}`);
  }
  return parts.length === 0 ? "0 seconds" : parts.join(" ");
}
