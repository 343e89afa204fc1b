import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { REPO_ROOT } from "./paths";

/** carenet's real CLI as a child process, so a test can SIGKILL it at an exact moment. */
export class CarenetProcess {
  private output = "";
  private readonly exited: Promise<number | null>;
  readonly child: ChildProcess;

  constructor(configPath: string, env: Record<string, string> = {}, args: string[] = []) {
    this.child = spawn(process.execPath, [path.join(REPO_ROOT, "dist/src/cli.js"), "start", "-c", configPath, ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stdout!.on("data", (c: Buffer) => (this.output += c.toString()));
    this.child.stderr!.on("data", (c: Buffer) => (this.output += c.toString()));
    this.exited = new Promise((resolve) => this.child.on("exit", (code) => resolve(code)));
  }

  get logs(): string {
    return this.output;
  }

  /** Resolves once carenet says it is running; rejects with its output if it exits or times out. */
  async ready(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.output.includes('"msg":"carenet is running"')) {
      if (this.child.exitCode !== null) throw new Error(`carenet exited (${this.child.exitCode}):\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`carenet did not start within ${timeoutMs} ms:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async kill(signal: NodeJS.Signals): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

export async function waitUntil<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
