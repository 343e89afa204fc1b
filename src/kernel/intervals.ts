/**
 * Coverage of a time window by on-call stretches: how much of [fromMs, toMs) at least one
 * stretch covers, and the gaps. Pure interval arithmetic over epoch milliseconds, so DST
 * needs no special care (a 23- or 25-hour day is simply that many milliseconds).
 */
export interface Interval {
  startMs: number;
  endMs: number;
}

/** The parts of [fromMs, toMs) covered by `stretches`, merged and in order. */
export function coveredIntervals(stretches: readonly Interval[], fromMs: number, toMs: number): Interval[] {
  const clipped = stretches
    .map((s) => ({ startMs: Math.max(s.startMs, fromMs), endMs: Math.min(s.endMs, toMs) }))
    .filter((s) => s.endMs > s.startMs)
    .sort((a, b) => a.startMs - b.startMs);
  const out: Interval[] = [];
  for (const s of clipped) {
    const last = out[out.length - 1];
    if (last && s.startMs <= last.endMs) last.endMs = Math.max(last.endMs, s.endMs);
    else out.push({ ...s });
  }
  return out;
}

/** The parts of [fromMs, toMs) nobody covers. */
export function gaps(stretches: readonly Interval[], fromMs: number, toMs: number): Interval[] {
  const out: Interval[] = [];
  let at = fromMs;
  for (const c of coveredIntervals(stretches, fromMs, toMs)) {
    if (c.startMs > at) out.push({ startMs: at, endMs: c.startMs });
    at = c.endMs;
  }
  if (at < toMs) out.push({ startMs: at, endMs: toMs });
  return out;
}

export function totalMs(intervals: readonly Interval[]): number {
  return intervals.reduce((sum, i) => sum + (i.endMs - i.startMs), 0);
}

/** The overlap of two sorted, merged interval lists. */
export function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const startMs = Math.max(a[i].startMs, b[j].startMs);
    const endMs = Math.min(a[i].endMs, b[j].endMs);
    if (endMs > startMs) out.push({ startMs, endMs });
    if (a[i].endMs < b[j].endMs) i++;
    else j++;
  }
  return out;
}
