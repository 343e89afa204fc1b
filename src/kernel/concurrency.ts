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
