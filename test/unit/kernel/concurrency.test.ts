import { eachAtMost } from "../../../src/kernel/concurrency";

describe("eachAtMost", () => {
  it("runs every item, never more than the limit at once, starting them in order", async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    await eachAtMost([1, 2, 3, 4, 5, 6, 7], 3, async (n, i) => {
      expect(i).toBe(n - 1);
      started.push(n);
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 5 * (n % 3)));
      running--;
    });
    expect(started).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(3);
  });

  it("starts nothing more once keepGoing says stop", async () => {
    const seen: number[] = [];
    let go = true;
    await eachAtMost([1, 2, 3, 4], 1, async (n) => {
      seen.push(n);
      if (n === 2) go = false;
    }, () => go);
    expect(seen).toEqual([1, 2]);
  });
});
