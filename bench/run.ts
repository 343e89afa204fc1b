/**
 * `npm run bench`: carenet beside its anchors on a real Synapse, in one run. Prints
 * measure | anchor | carenet | ratio | target | ok, and (on a full run) writes the figures to
 * docs/performance.md. See that file for what each anchor means and how to read the ratios.
 *
 *   npm run bench                      everything, 5 repetitions, docs written
 *   npm run bench -- --quick           a short run (fewer repetitions, smaller scale)
 *   npm run bench -- --only ingest     one measure (or several, comma-separated)
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../tools/localSynapse";
import { parseBenchArgs, USAGE, type BenchArgs, type Measure } from "./lib/args";
import { BenchContext } from "./lib/context";
import { startBenchHomeserver } from "./lib/homeserver";
import { markdownTable, replaceGeneratedSection, textTable, type Row } from "./lib/report";
import { measureHelpBurst } from "./measures/helpBurst";
import { measureIngest } from "./measures/ingest";
import { measureNational } from "./measures/national";
import { measurePaging } from "./measures/paging";
import { measureRestart } from "./measures/restart";

const DOC = path.join(REPO_ROOT, "docs", "performance.md");
const started = Date.now();
const say = (line: string) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

/** In the order they run: the restart and national measures grow carenet's config, so they come last. */
const STEPS: Array<{ measures: Measure[]; run: (ctx: BenchContext) => Promise<Row[]> }> = [
  { measures: ["ingest"], run: measureIngest },
  { measures: ["page-message", "page-invite"], run: measurePaging },
  { measures: ["help-burst"], run: measureHelpBurst },
  { measures: ["restart"], run: measureRestart },
  { measures: ["national"], run: measureNational },
];

function synapseVersion(): string {
  try {
    // "1.163.2 <cksum>", written by scripts/ensure-synapse.sh
    return readFileSync(path.join(REPO_ROOT, ".cache", "synapse-venv", ".carenet-synapse-ok"), "utf8").split(" ")[0];
  } catch {
    return "?";
  }
}

function gitHead(): string {
  try {
    return execFileSync("git", ["log", "-1", "--format=%h (%cs)"], { cwd: REPO_ROOT, encoding: "utf8" }).trim();
  } catch {
    return "an unknown commit";
  }
}

function machine(args: BenchArgs, loadBefore: number[]): string {
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(" ");
  return [
    `${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, ${args.quick ? "--quick" : "full run"}, ${args.reps} repetitions`,
    `${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? "?"}), load average ${load(loadBefore)} before, ${load(os.loadavg())} after`,
    `Node ${process.version}, Synapse ${synapseVersion()}, carenet at ${gitHead()}`,
  ].join("; ");
}

async function main(): Promise<void> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n`);
    process.exit(2);
  }
  if (args.help) return void process.stdout.write(`${USAGE}\n`);
  // A stray rejection (a client request timing out on an overloaded machine) is reported, not fatal.
  process.on("unhandledRejection", (err) => say(`unexpected: ${(err as Error)?.message ?? String(err)}`));
  const loadBefore = os.loadavg();
  say(`starting Synapse (${args.quick ? "--quick" : "full run"}; measures: ${args.only.join(", ")}) …`);
  const hs = await startBenchHomeserver();
  const ctx = new BenchContext(args, hs, say);
  const rows: Row[] = [];
  const failed: string[] = [];
  try {
    for (const step of STEPS) {
      if (!step.measures.some((m) => args.only.includes(m))) continue;
      try {
        rows.push(...(await step.run(ctx)));
      } catch (err) {
        failed.push(`${step.measures.join(", ")}: ${(err as Error).stack ?? String(err)}`);
        say(`FAILED ${step.measures.join(", ")}: ${(err as Error).message}`);
      }
    }
  } finally {
    await ctx.close().catch((err) => say(`stopping: ${(err as Error).message}`));
    await hs.synapse.stop();
    say("stopped Synapse");
  }

  const about = machine(args, loadBefore);
  const notes = rows.filter((r) => r.note).map((r) => `- ${r.measure}: ${r.note}`);
  process.stdout.write(`\n${textTable(rows)}\n\n${about}\n${notes.join("\n")}\n`);
  if (failed.length) process.stdout.write(`\nNot measured:\n${failed.map((f) => `- ${f}`).join("\n")}\n`);
  if (args.writeDocs && rows.length) {
    const missing = failed.map((f) => `- not measured: ${f.split("\n")[0]}`);
    const section = [`Last run: ${about}.`, "", markdownTable(rows), "", ...notes, ...missing].join("\n");
    writeFileSync(DOC, replaceGeneratedSection(readFileSync(DOC, "utf8"), section));
    process.stdout.write(`\nwritten to ${path.relative(process.cwd(), DOC)}\n`);
  }
  process.exit(failed.length ? 1 : 0);
}

void main().catch((err) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
