import { MEASURES, parseBenchArgs } from "../../../bench/lib/args";
import { cells, formatNumber, markdownTable, replaceGeneratedSection, SECTION_BEGIN, SECTION_END, textTable, type Row } from "../../../bench/lib/report";
import { median, meets, percentile, ratio } from "../../../bench/lib/stats";

describe("bench statistics", () => {
  test("percentile uses the nearest rank, whatever the input order", () => {
    const xs = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(xs, 50)).toBe(5);
    expect(percentile(xs, 95)).toBe(10);
    expect(percentile(xs, 90)).toBe(9);
    expect(percentile([42], 99)).toBe(42);
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile(xs, 101)).toThrow(/outside/);
  });

  test("median of odd and even counts", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  test("ratio and targets: relative to the anchor, or carenet's own figure when absolute", () => {
    expect(ratio(2877, 30440)).toBeCloseTo(0.0945, 4);
    expect(ratio(5, 0)).toBeUndefined();
    expect(ratio(5, undefined)).toBeUndefined();
    expect(meets({ op: ">=", value: 0.8 }, 2877, 30440)).toBe(false);
    expect(meets({ op: ">=", value: 0.8 }, 29000, 30440)).toBe(true);
    expect(meets({ op: "<=", value: 1.2 }, 60, 53)).toBe(true);
    expect(meets({ op: "<=", value: 150, absolute: true }, 277, 80)).toBe(false);
    expect(meets({ op: "<=", value: 1, absolute: true }, 1.27, undefined)).toBe(false);
    expect(meets({ op: "<=", value: 1.2 }, 60, undefined)).toBeUndefined();
    // A page that never arrived is an infinite latency: it fails, it is not "unknown".
    expect(ratio(Infinity, 50)).toBe(Infinity);
    expect(meets({ op: "<=", value: 2 }, Infinity, 50)).toBe(false);
    expect(meets({ op: "<=", value: 2 }, NaN, 50)).toBeUndefined();
  });
});

describe("bench table", () => {
  const rows: Row[] = [
    { measure: "ingest", anchorName: "bare SDK", anchor: 30440, carenet: 2877, unit: "events/s", target: { op: ">=", value: 0.8 } },
    { measure: "requests | room", anchorName: "none", carenet: 1.27, unit: "req/room", target: { op: "<=", value: 1, absolute: true } },
  ];

  test("numbers keep enough digits to read", () => {
    expect(formatNumber(30440)).toBe("30,440");
    expect(formatNumber(67.74)).toBe("67.7");
    expect(formatNumber(1.266)).toBe("1.27");
    expect(formatNumber(undefined)).toBe("–");
    expect(formatNumber(Infinity)).toBe("∞");
  });

  test("each row reads measure | anchor | carenet | ratio | target | ok", () => {
    expect(cells(rows[0])).toEqual(["ingest", "bare SDK: 30,440 events/s", "2,877 events/s", "0.09", "ratio ≥ 0.80", "NO"]);
    expect(cells(rows[1])).toEqual(["requests | room", "none", "1.27 req/room", "–", "≤ 1.00 req/room", "NO"]);
  });

  test("an informational row has no target: its ratio is printed, and it neither passes nor fails", () => {
    const row: Row = { measure: "relay burst", anchorName: "floor", anchor: 200, carenet: 400, unit: "ms" };
    expect(cells(row)).toEqual(["relay burst", "floor: 200 ms", "400 ms", "2.00", "–", "–"]);
  });

  test("the text table aligns columns; the markdown one escapes pipes", () => {
    const lines = textTable(rows).split("\n");
    expect(lines).toHaveLength(4);
    expect(new Set(lines.slice(0, 2).map((l) => l.indexOf("|")))).toEqual(new Set([lines[0].indexOf("|")]));
    expect(markdownTable(rows)).toContain("| requests \\| room |");
  });

  test("the generated section is replaced in place, or appended once", () => {
    const doc = `# Performance\n\nprose\n\n${SECTION_BEGIN}\nold\n${SECTION_END}\n\nmore prose\n`;
    const out = replaceGeneratedSection(doc, "new");
    expect(out).toBe(`# Performance\n\nprose\n\n${SECTION_BEGIN}\nnew\n${SECTION_END}\n\nmore prose\n`);
    expect(replaceGeneratedSection(out, "newer").split(SECTION_BEGIN)).toHaveLength(2);
    expect(replaceGeneratedSection("# P\n", "x")).toBe(`# P\n\n${SECTION_BEGIN}\nx\n${SECTION_END}\n`);
  });
});

describe("bench arguments", () => {
  test("defaults: every measure, 5 repetitions, docs written only by a full run", () => {
    expect(parseBenchArgs([])).toEqual({ quick: false, only: [...MEASURES], reps: 5, writeDocs: true, help: false });
    expect(parseBenchArgs(["--quick"])).toMatchObject({ quick: true, reps: 3, writeDocs: false });
    expect(parseBenchArgs(["--only", "national,ingest"])).toMatchObject({ only: ["ingest", "national"], writeDocs: false });
    expect(parseBenchArgs(["--only=ingest", "--reps=2", "--docs"])).toMatchObject({ only: ["ingest"], reps: 2, writeDocs: true });
  });

  test("bad arguments are refused with a reason", () => {
    expect(() => parseBenchArgs(["--only", "speed"])).toThrow(/unknown measure "speed"/);
    expect(() => parseBenchArgs(["--reps", "0"])).toThrow(/--reps/);
    expect(() => parseBenchArgs(["--only"])).toThrow(/needs a value/);
    expect(() => parseBenchArgs(["--fast"])).toThrow(/unknown argument "--fast"/);
  });
});
