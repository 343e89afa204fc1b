import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { findFreePort } from "../../../tools/localSynapse";

export const PROMETHEUS = "/usr/bin/prometheus";

/**
 * A real Prometheus (Debian's package, see scripts/ensure-prometheus.sh) on a free loopback
 * port, with a temporary config and storage, scraping one target every second. Never the
 * package's service on :9090.
 */
export class TestPrometheus {
  private output = "";
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {
    child.stdout!.on("data", (c: Buffer) => (this.output += c.toString()));
    child.stderr!.on("data", (c: Buffer) => (this.output += c.toString()));
  }

  static async start(target: { port: number; token?: string }, opts: { ruleFiles?: string[] } = {}): Promise<TestPrometheus> {
    const dir = mkdtempSync(path.join(tmpdir(), "carenet-prometheus-"));
    const port = await findFreePort();
    const auth = target.token ? `    authorization:\n      type: Bearer\n      credentials: ${JSON.stringify(target.token)}\n` : "";
    writeFileSync(
      path.join(dir, "prometheus.yml"),
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n${opts.ruleFiles?.length ? `rule_files:\n${opts.ruleFiles.map((f) => `  - ${JSON.stringify(f)}\n`).join("")}` : ""}scrape_configs:\n  - job_name: carenet\n    scrape_interval: 1s\n    static_configs:\n      - targets: ["127.0.0.1:${target.port}"]\n${auth}`,
    );
    const child = spawn(
      PROMETHEUS,
      [`--config.file=${path.join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${path.join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const p = new TestPrometheus(`http://127.0.0.1:${port}`, child, dir);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}):\n${p.output}`);
      try {
        if ((await fetch(`${p.url}/-/ready`)).ok) return p;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`prometheus did not get ready:\n${p.output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** An instant query through the HTTP API: each series' labels and value. */
  async query(promql: string): Promise<Array<{ metric: Record<string, string>; value: number }>> {
    const res = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await res.json()) as { status: string; error?: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
    if (body.status !== "success") throw new Error(`query ${promql}: ${body.error}`);
    return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  /** Polls `promql` until `ok` holds for its first series' value (generously: scrapes are every second). */
  async waitFor(promql: string, ok: (v: number) => boolean, timeoutMs = 60_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let last: number | undefined;
    for (;;) {
      const r = await this.query(promql);
      last = r[0]?.value;
      if (last !== undefined && ok(last)) return last;
      if (Date.now() > deadline) throw new Error(`timed out waiting on ${promql} (last value ${last})`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((r) => this.child.once("exit", r));
      this.child.kill("SIGTERM");
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
