/**
 * carenet as it is deployed: the CLI (`dist/src/cli.js start`) in a process of its own, on a
 * config file the bench writes. The bench reads carenet's database read-only to find room
 * ids and to know when its inbox is drained; it never writes to it while carenet runs.
 */
import Database from "better-sqlite3";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../../tools/localSynapse";
import { configYaml, type ConfigPlaces } from "./carenetConfig";
import { NodeProcess } from "./nodeProcess";

export class CarenetRunner {
  readonly configPath: string;
  readonly logFile: string;
  private process?: NodeProcess;
  private starts = 0;
  private communities = 0;

  constructor(
    readonly places: ConfigPlaces,
    dir: string,
  ) {
    this.configPath = path.join(dir, "carenet.yaml");
    this.logFile = path.join(dir, "carenet.log");
  }

  writeConfig(communities: Array<Record<string, unknown>>, homeserverUrl = this.places.homeserverUrl): void {
    writeFileSync(this.configPath, configYaml({ ...this.places, homeserverUrl }, communities));
    this.communities = communities.length;
  }

  get running(): NodeProcess {
    if (!this.process) throw new Error("carenet is not running");
    return this.process;
  }

  /**
   * Starts the CLI (with the node flags and environment of deploy/carenet.service) and resolves when it says it is running (provisioning done). A first start
   * provisions every community one after another: allow 15 s each on a busy machine.
   */
  async start(timeoutMs = Math.max(600_000, this.communities * 15_000)): Promise<NodeProcess> {
    const cli = path.join(REPO_ROOT, "dist", "src", "cli.js");
    if (!existsSync(cli)) throw new Error(`${cli} is missing: build first (npm run build)`);
    const p = new NodeProcess(`carenet (start ${++this.starts})`, cli, ["start", "-c", this.configPath, "--no-watch"], this.logFile, CARENET_ENV, CARENET_NODE_ARGS);
    const from = p.log().length;
    this.process = p;
    await p.waitForOutput('"msg":"carenet is running"', timeoutMs, from);
    return p;
  }

  async stop(): Promise<void> {
    await this.process?.stop();
    this.process = undefined;
  }

  /** One read-only query against carenet's database. */
  query<T>(sql: string, ...params: unknown[]): T[] {
    const db = new Database(this.places.dbPath, { readonly: true, fileMustExist: true });
    try {
      db.pragma("busy_timeout = 5000");
      return db.prepare(sql).all(...params) as T[];
    } finally {
      db.close();
    }
  }

  roomId(communityId: string, roomKey: string): string {
    const row = this.query<{ room_id: string }>("SELECT room_id FROM community_rooms WHERE community_id = ? AND room_key = ?", communityId, roomKey)[0];
    if (!row) throw new Error(`carenet has no ${roomKey} room for ${communityId}`);
    return row.room_id;
  }

  roomCount(): number {
    return this.query<{ n: number }>("SELECT count(*) AS n FROM community_rooms WHERE orphaned_at IS NULL")[0].n;
  }

  /** Inbox rows not yet handled. */
  pendingEvents(): number {
    return this.query<{ n: number }>("SELECT count(*) AS n FROM inbox WHERE state = 'pending'")[0].n;
  }

  /**
   * Waits until carenet has handled everything it acknowledged. Should the inbox table ever
   * read differently, it falls back to a fixed pause rather than failing the run.
   */
  async drained(timeoutMs = 300_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const pending = (): number => {
      try {
        return this.pendingEvents();
      } catch {
        return -1;
      }
    };
    for (let n = pending(); n !== 0; n = pending()) {
      if (n < 0) return void (await new Promise((r) => setTimeout(r, 5000)));
      if (Date.now() > deadline) throw new Error(`carenet still has ${this.pendingEvents()} events to handle after ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/**
 * As deploy/carenet.service and `npm run carenet` run it: a small young generation, V8
 * tuned for size, and two malloc arenas (docs/operations.md, "Memory"). `CARENET_BENCH_PLAIN_NODE=1` runs it without,
 * to measure what they save.
 */
const plain = process.env.CARENET_BENCH_PLAIN_NODE === "1";
export const CARENET_NODE_ARGS = plain ? [] : ["--max-semi-space-size=1", "--optimize-for-size"];
export const CARENET_ENV: Record<string, string> = plain ? {} : { MALLOC_ARENA_MAX: "2" };
