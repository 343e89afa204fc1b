/**
 * Runs `run` over `items`, at most `limit` at a time, each started in order; resolves when
 * all have finished. `keepGoing` is asked before each start (stop early, e.g. on shutdown).
 * `run` is expected to handle its own failures: one that throws rejects the whole.
 */
export async function eachAtMost<T>(
  items: readonly T[],
  limit: number,
  run: (item: T, index: number) => Promise<void>,
  keepGoing: () => boolean = () => true,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && keepGoing()) {
      const i = next++;
      await run(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
}

/** True if `p` settled within `ms` (false after `ms`, or at once when `signal` aborts). */
export async function settlesWithin(p: Promise<unknown>, ms: number, signal?: AbortSignal): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    onAbort = () => resolve(false);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([p.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
}
