import { coveredIntervals, gaps, intersect, totalMs } from "../../../src/kernel/intervals";

const H = 3600_000;

test("overlapping and touching stretches merge; parts outside the window are clipped", () => {
  const s = [
    { startMs: -2 * H, endMs: 1 * H },
    { startMs: 1 * H, endMs: 3 * H },
    { startMs: 2 * H, endMs: 4 * H },
    { startMs: 10 * H, endMs: 30 * H },
  ];
  expect(coveredIntervals(s, 0, 24 * H)).toEqual([
    { startMs: 0, endMs: 4 * H },
    { startMs: 10 * H, endMs: 24 * H },
  ]);
  expect(totalMs(coveredIntervals(s, 0, 24 * H))).toBe(18 * H);
  expect(gaps(s, 0, 24 * H)).toEqual([{ startMs: 4 * H, endMs: 10 * H }]);
});

test("no stretches: the whole window is a gap; intersecting gaps with open hours", () => {
  expect(gaps([], 0, H)).toEqual([{ startMs: 0, endMs: H }]);
  const open = [{ startMs: 0, endMs: 2 * H }, { startMs: 5 * H, endMs: 6 * H }];
  const gap = [{ startMs: H, endMs: 5.5 * H }];
  expect(intersect(open, gap)).toEqual([{ startMs: H, endMs: 2 * H }, { startMs: 5 * H, endMs: 5.5 * H }]);
});
