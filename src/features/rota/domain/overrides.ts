import type { Override } from "./rota";

/*
 * Helpers for the rota's overrides (covers and swaps); see the model in ./rota.ts.
 */

/**
 * A swap as two replace overrides: `b` covers `a`'s shift and `a` covers `b`'s.
 * Because replace overrides match the user a shift was scheduled for (never a cover),
 * the pair does not chain, even when the two shifts overlap in time.
 */
export function swapOverrides(
  idPrefix: string,
  a: { userId: string; startMs: number; endMs: number },
  b: { userId: string; startMs: number; endMs: number },
): [Override, Override] {
  return [
    { id: `${idPrefix}:a`, coveredUserId: a.userId, coverUserId: b.userId, startMs: a.startMs, endMs: a.endMs },
    { id: `${idPrefix}:b`, coveredUserId: b.userId, coverUserId: a.userId, startMs: b.startMs, endMs: b.endMs },
  ];
}

/**
 * Pairs of replace overrides for the same covered user whose ranges overlap (GoAlert
 * refuses these; so should `!rota cover`). Ids in each pair and the pairs are sorted.
 */
export function overlappingOverrides(overrides: Override[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const repl = overrides.filter((o) => o.coveredUserId !== null && o.endMs > o.startMs);
  for (let i = 0; i < repl.length; i++) {
    for (let j = i + 1; j < repl.length; j++) {
      const x = repl[i]!;
      const y = repl[j]!;
      if (x.coveredUserId === y.coveredUserId && x.startMs < y.endMs && y.startMs < x.endMs) {
        out.push(x.id < y.id ? [x.id, y.id] : [y.id, x.id]);
      }
    }
  }
  return out.sort((p, q) => (p[0] + "\u0000" + p[1] < q[0] + "\u0000" + q[1] ? -1 : 1));
}
