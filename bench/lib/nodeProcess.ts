/**
 * A Node program run as a child, its output to a log file: carenet and the anchors each run
 * in a process of their own, so their memory and CPU are theirs alone, not the bench's.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";

export class NodeProcess {
  readonly child: ChildProcess;
  private readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    script: string,
    args: string[],
    readonly logFile: string,
    env: Record<string, string> = {},
    nodeArgs: string[] = [],
  ) {
    const fd = openSync(logFile, "a");
    this.child = spawn(process.execPath, [...nodeArgs, script, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", fd, fd] });
    closeSync(fd);
    this.exited = new Promise((resolve) => this.child.once("exit", () => resolve()));
    // The bench may end by an error: its children go with it.
    process.once("exit", () => this.child.kill("SIGKILL"));
  }

  get pid(): number {
    return this.child.pid!;
  }

  log(): string {
    try {
      return readFileSync(this.logFile, "utf8");
    } catch {
      return "";
    }
  }

  /** Resolves when `text` appears in the output after `fromOffset`; rejects if the process exits or time runs out. */
  async waitForOutput(text: string, timeoutMs = 120_000, fromOffset = 0): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.log().indexOf(text, fromOffset) !== -1) return;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`${this.name} exited (${this.child.exitCode ?? this.child.signalCode}); last output:\n${this.log().slice(-3000)}`);
      }
      if (Date.now() > deadline) throw new Error(`${this.name}: no "${text}" within ${timeoutMs / 1000} s; last output:\n${this.log().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Resident set size in MiB, from /proc (Linux). */
  rssMiB(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, "utf8");
    const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
    if (!Number.isFinite(kb)) throw new Error(`no VmRSS for ${this.name} (pid ${this.pid})`);
    return kb / 1024;
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
