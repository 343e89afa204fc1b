/**
 * carenet's architecture check (`npm run architecture`, test/unit/architecture.test.ts).
 *
 * Reads every .ts file under src/ with the TypeScript compiler's own import scanner
 * (imports, `import type`, `export … from`, `require`, dynamic `import()`), and reports:
 *
 * - the folder-level import graph: an edge a → b when a file in src/a imports a file in
 *   src/b (the folder is the first one under src/; files directly in src/ are ".");
 * - cycles between folders: every edge a → b where b also reaches a, grouped by strongly
 *   connected component (the graph has no cycle when this list is empty);
 * - files outside src/matrix/ that import the homeserver client (matrix-bot-sdk);
 * - files longer than 400 lines.
 *
 * The renovation of issue 11 is partial, so the test holds a ratchet
 * (test/unit/architecture.baseline.json): a finding not in the baseline fails, and so does
 * a baseline entry that is no longer found, so the lists only shrink.
 *
 *   npm run architecture             print the report
 *   npm run architecture -- --check  also compare with the baseline; exit 1 on a difference
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

export const MAX_FILE_LINES = 400;
/** The only folder whose files may import the homeserver client. */
export const SDK_FOLDER = "matrix";
const SDK_MODULES = ["matrix-bot-sdk"];

export interface FolderEdge {
  from: string;
  to: string;
  /** The imports that make the edge, "src/a/x.ts -> src/b/y.ts". */
  because: string[];
}

export interface ArchitectureReport {
  /** Every folder-level edge, sorted. */
  edges: FolderEdge[];
  /** Groups of folders that import each other in a loop (strongly connected, size > 1). */
  cycles: string[][];
  /** "a -> b" for every edge that lies on a cycle, sorted. */
  cycleEdges: string[];
  /** Files outside src/matrix/ that import matrix-bot-sdk, relative to the root, sorted. */
  sdkImporters: string[];
  /** Files over MAX_FILE_LINES lines, relative to the root, sorted. */
  longFiles: { file: string; lines: number }[];
}

/** The part of a report the ratchet holds. */
export interface Baseline {
  cycleEdges: string[];
  sdkImporters: string[];
  longFiles: string[];
}

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTs(full));
    else if (entry.isFile() && entry.name.endsWith(".ts")) out.push(full);
  }
  return out.sort();
}

function resolveRelative(fromFile: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(fromFile), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.d.ts`, path.join(base, "index.ts")]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** The folder of a file under src/: its first directory there, or "." for src/ itself. */
export function folderOf(srcDir: string, file: string): string {
  const parts = path.relative(srcDir, file).split(path.sep);
  return parts.length > 1 ? parts[0] : ".";
}

function countLines(text: string): number {
  if (text.length === 0) return 0;
  const newlines = text.split("\n").length - 1;
  return text.endsWith("\n") ? newlines : newlines + 1;
}

/** Tarjan's strongly connected components. */
function components(nodes: string[], next: Map<string, Set<string>>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const result: string[][] = [];
  const visit = (v: string): void => {
    indices.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, indices.get(w)!));
      }
    }
    if (low.get(v) === indices.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      result.push(group.sort());
    }
  };
  for (const v of nodes) if (!indices.has(v)) visit(v);
  return result;
}

export function analyse(root: string): ArchitectureReport {
  const srcDir = path.join(root, "src");
  const rel = (file: string): string => path.relative(root, file).split(path.sep).join("/");
  const edgeMap = new Map<string, FolderEdge>();
  const sdkImporters: string[] = [];
  const longFiles: { file: string; lines: number }[] = [];
  const folders = new Set<string>();

  for (const file of listTs(srcDir)) {
    const text = fs.readFileSync(file, "utf8");
    const from = folderOf(srcDir, file);
    folders.add(from);
    const lines = countLines(text);
    if (lines > MAX_FILE_LINES) longFiles.push({ file: rel(file), lines });
    const { importedFiles } = ts.preProcessFile(text, true, true);
    for (const { fileName: spec } of importedFiles) {
      if (SDK_MODULES.some((m) => spec === m || spec.startsWith(`${m}/`))) {
        if (from !== SDK_FOLDER && !sdkImporters.includes(rel(file))) sdkImporters.push(rel(file));
        continue;
      }
      if (!spec.startsWith(".")) continue;
      const target = resolveRelative(file, spec);
      if (!target || !target.startsWith(srcDir + path.sep)) continue;
      const to = folderOf(srcDir, target);
      if (to === from) continue;
      const key = `${from} -> ${to}`;
      const edge = edgeMap.get(key) ?? { from, to, because: [] };
      edge.because.push(`${rel(file)} -> ${rel(target)}`);
      edgeMap.set(key, edge);
    }
  }

  const edges = [...edgeMap.values()].sort((a, b) =>
    a.from === b.from ? a.to.localeCompare(b.to) : a.from.localeCompare(b.from),
  );
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    if (!next.has(e.from)) next.set(e.from, new Set());
    next.get(e.from)!.add(e.to);
  }
  const cycles = components([...folders].sort(), next)
    .filter((group) => group.length > 1)
    .sort((a, b) => a[0].localeCompare(b[0]));
  const groupOf = new Map<string, number>();
  cycles.forEach((group, i) => group.forEach((f) => groupOf.set(f, i)));
  const cycleEdges = edges
    .filter((e) => groupOf.has(e.from) && groupOf.get(e.from) === groupOf.get(e.to))
    .map((e) => `${e.from} -> ${e.to}`);

  return {
    edges,
    cycles,
    cycleEdges,
    sdkImporters: sdkImporters.sort(),
    longFiles: longFiles.sort((a, b) => a.file.localeCompare(b.file)),
  };
}

export function baselineOf(report: ArchitectureReport): Baseline {
  return {
    cycleEdges: report.cycleEdges,
    sdkImporters: report.sdkImporters,
    longFiles: report.longFiles.map((f) => f.file),
  };
}

/** What differs from the baseline: findings it does not list, and listed ones now gone. */
export function compare(report: ArchitectureReport, baseline: Baseline): string[] {
  const now = baselineOf(report);
  const problems: string[] = [];
  const lists: [keyof Baseline, string][] = [
    ["cycleEdges", "folder import on a cycle"],
    ["sdkImporters", `matrix-bot-sdk imported outside src/${SDK_FOLDER}/`],
    ["longFiles", `file over ${MAX_FILE_LINES} lines`],
  ];
  for (const [key, what] of lists) {
    for (const item of now[key]) {
      if (!baseline[key].includes(item)) problems.push(`new ${what}: ${item}`);
    }
    for (const item of baseline[key]) {
      if (!now[key].includes(item)) {
        problems.push(`fixed ${what}: ${item} (remove it from the baseline so it stays fixed)`);
      }
    }
  }
  return problems;
}

export const BASELINE_FILE = path.join("test", "unit", "architecture.baseline.json");

export function readBaseline(root: string): Baseline {
  return JSON.parse(fs.readFileSync(path.join(root, BASELINE_FILE), "utf8")) as Baseline;
}

export function formatReport(report: ArchitectureReport): string {
  const out: string[] = [];
  out.push(`folder imports on a cycle: ${report.cycleEdges.length}`);
  for (const group of report.cycles) {
    out.push(`  cycle among ${group.join(", ")}`);
    for (const e of report.edges) {
      if (group.includes(e.from) && group.includes(e.to)) {
        out.push(`    ${e.from} -> ${e.to} (${e.because.length}: ${e.because[0]}${e.because.length > 1 ? ", …" : ""})`);
      }
    }
  }
  out.push(`matrix-bot-sdk imported outside src/${SDK_FOLDER}/: ${report.sdkImporters.length}`);
  for (const f of report.sdkImporters) out.push(`  ${f}`);
  out.push(`files over ${MAX_FILE_LINES} lines: ${report.longFiles.length}`);
  for (const f of report.longFiles) out.push(`  ${f.file} (${f.lines})`);
  return out.join("\n");
}

function main(argv: string[]): number {
  const rootDir = process.cwd();
  const report = analyse(rootDir);
  if (argv.includes("--json")) {
    process.stdout.write(`${JSON.stringify(baselineOf(report), null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`${formatReport(report)}\n`);
  if (argv.includes("--check")) {
    const problems = compare(report, readBaseline(rootDir));
    if (problems.length > 0) {
      process.stdout.write(`\ndiffers from ${BASELINE_FILE}:\n${problems.map((p) => `  ${p}`).join("\n")}\n`);
      return 1;
    }
    process.stdout.write(`\nmatches ${BASELINE_FILE}\n`);
  }
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
