/**
 * Prints the fault suite's results as one table per run: one row per area (a file under
 * test/faults/), with how many cases were tried, handled and failed. Files elsewhere are
 * not its business; jest's own reporter still prints everything.
 */
const path = require("node:path");

class FaultTableReporter {
  onRunComplete(_contexts, results) {
    const rows = results.testResults
      .filter((r) => r.testFilePath.includes(`${path.sep}test${path.sep}faults${path.sep}`))
      .map((r) => {
        const tried = r.testResults.length;
        const handled = r.testResults.filter((t) => t.status === "passed").length;
        const failed = r.testResults.filter((t) => t.status === "failed").length + (r.testExecError ? 1 : 0);
        return { area: path.basename(r.testFilePath).replace(/\.test\.ts$/, ""), tried, handled, failed };
      })
      .sort((a, b) => a.area.localeCompare(b.area));
    if (!rows.length) return;
    const w = Math.max(4, ...rows.map((r) => r.area.length));
    const line = (a, t, h, f) => `${a.padEnd(w)}  ${String(t).padStart(5)}  ${String(h).padStart(7)}  ${String(f).padStart(6)}`;
    const out = ["", "fault suite", line("area", "tried", "handled", "failed")];
    for (const r of rows) out.push(line(r.area, r.tried, r.handled, r.failed));
    const sum = (k) => rows.reduce((n, r) => n + r[k], 0);
    out.push(line("all", sum("tried"), sum("handled"), sum("failed")), "");
    process.stderr.write(out.join("\n") + "\n");
  }
}
module.exports = FaultTableReporter;
