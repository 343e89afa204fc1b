/** The bench's table, for the terminal and for docs/performance.md. Pure: no I/O. */
import { meets, ratio, type Target } from "./stats";

export interface Row {
  measure: string;
  /** What the anchor is, e.g. "bare matrix-bot-sdk Appservice". */
  anchorName: string;
  /** The anchor's figure, same unit as carenet's; undefined for a measure with none. */
  anchor?: number;
  carenet: number;
  unit: string;
  /** Absent for an informational row: its ratio is printed, and nothing is pass or fail. */
  target?: Target;
  /** A short remark printed under the table (how it was measured, a scaled-down run, …). */
  note?: string;
}

/** 30440 → "30,440"; 67.74 → "67.7"; 1.266 → "1.27". Enough digits to read, no more. */
export function formatNumber(x: number | undefined): string {
  if (x === undefined || Number.isNaN(x)) return "–";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "-∞";
  const abs = Math.abs(x);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return x.toLocaleString("en-GB", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function formatTarget(t: Target, unit: string): string {
  const op = t.op === "<=" ? "≤" : "≥";
  return t.absolute ? `${op} ${formatNumber(t.value)} ${unit}` : `ratio ${op} ${formatNumber(t.value)}`;
}

const withUnit = (x: number | undefined, unit: string) => (x === undefined ? "–" : `${formatNumber(x)} ${unit}`);

/** "yes", "NO", "?" when a figure is missing, "–" for an informational row. */
function verdict(r: Row): string {
  if (!r.target) return "–";
  const ok = meets(r.target, r.carenet, r.anchor);
  return ok === undefined ? "?" : ok ? "yes" : "NO";
}

/** One row's cells: measure | anchor | carenet | ratio | target | ok. */
export function cells(r: Row): string[] {
  return [
    r.measure,
    r.anchor === undefined ? r.anchorName : `${r.anchorName}: ${withUnit(r.anchor, r.unit)}`,
    withUnit(r.carenet, r.unit),
    formatNumber(ratio(r.carenet, r.anchor)),
    r.target ? formatTarget(r.target, r.unit) : "–",
    verdict(r),
  ];
}

export const HEADER = ["measure", "anchor (same run)", "carenet", "ratio", "target", "ok"];

/** A plain-text table with aligned columns, for the terminal. */
export function textTable(rows: readonly Row[]): string {
  const all = [HEADER, ...rows.map(cells)];
  const widths = HEADER.map((_, i) => Math.max(...all.map((r) => [...r[i]].length)));
  const line = (r: string[]) => r.map((c, i) => c + " ".repeat(widths[i] - [...c].length)).join(" | ").trimEnd();
  return [line(all[0]), widths.map((w) => "-".repeat(w)).join("-|-"), ...all.slice(1).map(line)].join("\n");
}

/** The same table in Markdown (pipes inside cells escaped). */
export function markdownTable(rows: readonly Row[]): string {
  const esc = (c: string) => c.replace(/\|/g, "\\|");
  return [
    `| ${HEADER.join(" | ")} |`,
    `|${HEADER.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${cells(r).map(esc).join(" | ")} |`),
  ].join("\n");
}

export const SECTION_BEGIN = "<!-- bench:begin (written by npm run bench; edits inside are replaced) -->";
export const SECTION_END = "<!-- bench:end -->";

/** Puts `body` between the markers in `doc`, or appends the marked section when they are absent. */
export function replaceGeneratedSection(doc: string, body: string): string {
  const block = `${SECTION_BEGIN}\n${body.trim()}\n${SECTION_END}`;
  const start = doc.indexOf(SECTION_BEGIN);
  const end = doc.indexOf(SECTION_END, start);
  if (start === -1 || end === -1) return `${doc.trimEnd()}\n\n${block}\n`;
  return doc.slice(0, start) + block + doc.slice(end + SECTION_END.length);
}
