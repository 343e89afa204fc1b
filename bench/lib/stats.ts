/** Summaries of repeated measurements. Pure: no clock, no I/O. */

/** The p-th percentile (0–100) by the nearest-rank method; NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  if (p < 0 || p > 100) throw new RangeError(`percentile ${p} is outside 0–100`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** The median: the mean of the two middle samples when there is an even number. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * A target as the issue states it: the ratio (or, for `absolute`, carenet's own figure)
 * must be at most or at least `value`.
 */
export interface Target {
  op: "<=" | ">=";
  value: number;
  /** Compare carenet's figure itself (e.g. RSS in MB), not its ratio to the anchor. */
  absolute?: boolean;
}

/**
 * carenet's figure divided by the anchor's; undefined when there is no anchor to divide by.
 * carenet's figure may be Infinity (something never arrived): so is the ratio, and it fails.
 */
export function ratio(carenet: number, anchor: number | undefined): number | undefined {
  if (anchor === undefined || !Number.isFinite(anchor) || anchor === 0 || Number.isNaN(carenet)) return undefined;
  return carenet / anchor;
}

/** Whether the figures meet the target; undefined when a figure is missing. */
export function meets(target: Target, carenet: number, anchor: number | undefined): boolean | undefined {
  const x = target.absolute ? carenet : ratio(carenet, anchor);
  if (x === undefined || Number.isNaN(x)) return undefined;
  return target.op === "<=" ? x <= target.value : x >= target.value;
}
