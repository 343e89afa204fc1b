// The interval arithmetic is in kernel/ (the weekly report reads it too, and may not import the rota).
export { coveredIntervals, gaps, intersect, totalMs, type Interval } from "../../../kernel/intervals";
