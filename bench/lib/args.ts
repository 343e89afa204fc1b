/** `npm run bench -- [--quick] [--only a,b] [--reps n] [--no-docs]`. Pure. */

export const MEASURES = ["ingest", "page-message", "page-invite", "help-burst", "restart", "national"] as const;
export type Measure = (typeof MEASURES)[number];

export interface BenchArgs {
  quick: boolean;
  only: Measure[];
  /** Repetitions per measure; the median is reported. */
  reps: number;
  /** Write the figures to docs/performance.md (default: on a full run of every measure). */
  writeDocs: boolean;
  help: boolean;
}

export const USAGE = `usage: npm run bench -- [--quick] [--only <measure>[,<measure>…]] [--reps <n>] [--docs | --no-docs]
  --quick      a short run: fewer repetitions, 20 communities instead of 200, a smaller national case
  --only       run only these measures: ${MEASURES.join(", ")}
  --reps       repetitions per measure (default 5, --quick 3); medians are reported
  --docs       write the figures to docs/performance.md (default only for a full run of every measure)
  --no-docs    never write docs/performance.md`;

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  let quick = false;
  let only: Measure[] = [...MEASURES];
  let reps: number | undefined;
  let docs: boolean | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i];
      if (v === undefined || v === "") throw new Error(`${a.split("=")[0]} needs a value`);
      return v;
    };
    if (a === "--quick") quick = true;
    else if (a === "--docs") docs = true;
    else if (a === "--no-docs") docs = false;
    else if (a === "-h" || a === "--help") help = true;
    else if (a === "--only" || a.startsWith("--only=")) {
      const names = value().split(",").map((s) => s.trim()).filter(Boolean);
      const unknown = names.filter((n) => !(MEASURES as readonly string[]).includes(n));
      if (unknown.length) throw new Error(`unknown measure ${unknown.map((n) => `"${n}"`).join(", ")}; the measures are ${MEASURES.join(", ")}`);
      only = MEASURES.filter((m) => names.includes(m));
    } else if (a === "--reps" || a.startsWith("--reps=")) {
      const v = value();
      reps = Number(v);
      if (!Number.isInteger(reps) || reps < 1 || reps > 50) throw new Error(`--reps must be a whole number from 1 to 50, not "${v}"`);
    } else throw new Error(`unknown argument "${a}"\n${USAGE}`);
  }
  const all = only.length === MEASURES.length;
  return { quick, only, reps: reps ?? (quick ? 3 : 5), writeDocs: docs ?? (all && !quick), help };
}
