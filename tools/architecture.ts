/**
 * carenet's architecture check (`npm run architecture`, test/unit/architecture.test.ts).
 *
 * Reads every .ts file under src/ with the TypeScript compiler's own import scanner
 * (imports, `import type`, `export … from`, `require`, dynamic `import()`), and reports:
 *
 * - the folder-level import graph: an edge a → b when a file in src/a imports a file in
 *   src/b (the folder is the first one under src/, or features/<name> for a feature; files
 *   directly in src/ are ".");
 * - cycles between folders: every edge a → b where b also reaches a, grouped by strongly
 *   connected component (the graph has no cycle when this list is empty);
 * - files outside src/matrix/ that import the homeserver client (matrix-bot-sdk);
 * - files longer than 400 lines, and functions longer than 80;
 * - imports from a feature (src/features/<name>/) into anything but the shared floors below
 *   it (FEATURE_MAY_IMPORT) — above all into another feature, whose ports it must be handed
 *   at install time instead.
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
export const MAX_FUNCTION_LINES = 80;
/** What a feature may import besides its own files: the floors every feature stands on. */
export const FEATURE_MAY_IMPORT = ["kernel", "messaging", "config", "store", "scheduler", "commands", "words", "metrics", "ports"];
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
  /** "file:name (lines)" for every function over MAX_FUNCTION_LINES lines, sorted. */
  longFunctions: { at: string; lines: number }[];
  /** "features/a -> b" for every edge from a feature to a folder it may not import, sorted. */
  featureImports: string[];
}

/** The part of a report the ratchet holds. */
export interface Baseline {
  cycleEdges: string[];
  sdkImporters: string[];
  longFiles: string[];
  longFunctions: string[];
  featureImports: string[];
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
  if (parts[0] === "features" && parts.length > 2) return `features/${parts[1]}`;
  return parts.length > 1 ? parts[0] : ".";
}

function functionName(node: ts.Node): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name && (ts.isIdentifier(named.name) || ts.isStringLiteral(named.name))) return named.name.text;
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  return "(anonymous)";
}

/** Functions, methods and arrow functions whose text spans more than MAX_FUNCTION_LINES lines. */
function longFunctionsIn(fileName: string, text: string): { name: string; lines: number }[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: { name: string; lines: number }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      if (lines > MAX_FUNCTION_LINES) found.push({ name: functionName(node), lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
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
  const longFunctions: { at: string; lines: number }[] = [];
  const folders = new Set<string>();

  for (const file of listTs(srcDir)) {
    const text = fs.readFileSync(file, "utf8");
    const from = folderOf(srcDir, file);
    folders.add(from);
    const lines = countLines(text);
    if (lines > MAX_FILE_LINES) longFiles.push({ file: rel(file), lines });
    for (const f of longFunctionsIn(file, text)) longFunctions.push({ at: `${rel(file)}:${f.name}`, lines: f.lines });
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

  const featureImports = edges
    .filter((e) => e.from.startsWith("features/") && !FEATURE_MAY_IMPORT.includes(e.to))
    .map((e) => `${e.from} -> ${e.to}`);

  return {
    edges,
    cycles,
    cycleEdges,
    sdkImporters: sdkImporters.sort(),
    longFiles: longFiles.sort((a, b) => a.file.localeCompare(b.file)),
    longFunctions: longFunctions.sort((a, b) => a.at.localeCompare(b.at)),
    featureImports,
  };
}

export function baselineOf(report: ArchitectureReport): Baseline {
  return {
    cycleEdges: report.cycleEdges,
    sdkImporters: report.sdkImporters,
    longFiles: report.longFiles.map((f) => f.file),
    longFunctions: [...new Set(report.longFunctions.map((f) => f.at))],
    featureImports: report.featureImports,
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
    ["longFunctions", `function over ${MAX_FUNCTION_LINES} lines`],
    ["featureImports", "feature importing outside its floors"],
  ];
  for (const [key, what] of lists) {
    const held = baseline[key] ?? [];
    for (const item of now[key]) {
      if (!held.includes(item)) problems.push(`new ${what}: ${item}`);
    }
    for (const item of held) {
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
  out.push(`functions over ${MAX_FUNCTION_LINES} lines: ${report.longFunctions.length}`);
  for (const f of report.longFunctions) out.push(`  ${f.at} (${f.lines})`);
  out.push(`feature imports outside ${FEATURE_MAY_IMPORT.join(", ")}: ${report.featureImports.length}`);
  for (const e of report.featureImports) {
    const edge = report.edges.find((x) => `${x.from} -> ${x.to}` === e)!;
    out.push(`  ${e} (${edge.because.length}: ${edge.because[0]}${edge.because.length > 1 ? ", …" : ""})`);
  }
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
