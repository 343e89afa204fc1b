import { statfsSync } from "node:fs";
import path from "node:path";
import type { Db } from "../store/database";
import { HealthProbeStore } from "../store/healthProbe";
import type { Clock } from "../kernel/clock";
import type { Logger } from "../kernel/logger";

export interface HealthDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  /** The database file (":memory:" in tests: no disk to check). */
  databasePath: string;
  homeserverReachable: () => Promise<boolean>;
  /** Counts to show the homeserver's token (inbox, outbox, jobs by state…). */
  details: () => Record<string, unknown>;
  /** Called once writing works again after it failed, e.g. to ask the homeserver to resend now. */
  onWritable?: () => void;
}

export interface HealthReport {
  ok: boolean;
  [key: string]: unknown;
}

/** Events waiting longer than this mean handling is stuck (a failing event gives up after about 2 minutes). */
export const INBOX_STUCK_AFTER_MS = 3 * 60 * 1000;
/** Less free space than this on the database's filesystem counts as full: the next transaction may not fit. */
export const LOW_DISK_BYTES = 1024 * 1024;
/** A report is reused this long, so that anyone polling /health cannot make carenet write or call out at will. */
const REUSE_MS = 1000;
/** While writing fails, how often to try again (to notice recovery without anyone asking). */
const RECHECK_MS = 2000;

/**
 * Whether carenet is doing its job, for /health: it can write durably (a real one-row
 * write, and free space on the database's disk), events are being handled (the oldest
 * waiting one is not old), and the homeserver answers.
 */
export class Health {
  private readonly probe: HealthProbeStore;
  private last: { at: number; report: Promise<HealthReport> } | undefined;
  private lastRecordFailure: { at: number; error: string } | undefined;
  private watch: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly d: HealthDeps) {
    this.probe = new HealthProbeStore(d.db);
  }

  /** The HTTP front says whether recording a transaction worked. */
  recordOutcome(ok: boolean, err?: unknown): void {
    if (ok) {
      this.lastRecordFailure = undefined;
      return;
    }
    this.lastRecordFailure = { at: this.d.clock.now(), error: sqliteReason(err) };
    this.last = undefined;
    this.watchUntilWritable();
  }

  report(): Promise<HealthReport> {
    const now = Date.now();
    if (this.last && now - this.last.at < REUSE_MS) return this.last.report;
    const report = this.build();
    this.last = { at: now, report };
    return report;
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.watch);
  }

  private async build(): Promise<HealthReport> {
    const write = this.writeCheck();
    if (!write.ok) this.watchUntilWritable();
    const inbox = this.inboxCheck();
    const reachable = await this.d.homeserverReachable();
    return {
      ok: write.ok && inbox.ok && reachable,
      database: write.database,
      disk: write.disk,
      inbox: inbox.report,
      homeserver: { reachable },
      ...(this.lastRecordFailure ? { lastRecordFailure: this.lastRecordFailure } : {}),
      ...(this.d.db.open ? this.d.details() : {}),
    };
  }

  private writeCheck(): { ok: boolean; database: Record<string, unknown>; disk: Record<string, unknown> | undefined } {
    const disk = this.diskCheck();
    if (!this.d.db.open) return { ok: false, database: { open: false, writable: false }, disk };
    try {
      this.probe.write(this.d.clock.now());
    } catch (err) {
      return { ok: false, database: { open: true, writable: false, error: sqliteReason(err) }, disk };
    }
    return { ok: disk?.full !== true, database: { open: true, writable: true }, disk };
  }

  private diskCheck(): Record<string, unknown> | undefined {
    if (this.d.databasePath === ":memory:") return undefined;
    try {
      const s = statfsSync(path.dirname(path.resolve(this.d.databasePath)));
      const freeBytes = s.bavail * s.bsize;
      return { freeBytes, full: freeBytes < LOW_DISK_BYTES };
    } catch (err) {
      return { error: (err as NodeJS.ErrnoException).code ?? "unknown" };
    }
  }

  private inboxCheck(): { ok: boolean; report: Record<string, unknown> } {
    if (!this.d.db.open) return { ok: false, report: {} };
    const oldest = this.probe.oldestPendingAt();
    const oldestPendingAgeMs = oldest === null ? 0 : Math.max(0, this.d.clock.now() - oldest);
    return { ok: oldestPendingAgeMs <= INBOX_STUCK_AFTER_MS, report: { oldestPendingAgeMs, stuck: oldestPendingAgeMs > INBOX_STUCK_AFTER_MS } };
  }

  /** Tries writing every few seconds until it works, then says so once. */
  private watchUntilWritable(): void {
    if (this.watch || this.stopped) return;
    this.d.log.warn({ reason: this.lastRecordFailure?.error }, "carenet cannot write to its database; /health reports 503");
    this.watch = setInterval(() => {
      if (!this.writeCheck().ok) return;
      clearInterval(this.watch);
      this.watch = undefined;
      this.last = undefined;
      this.d.log.info("carenet can write to its database again");
      this.d.onWritable?.();
    }, RECHECK_MS);
    this.watch.unref();
  }
}

/** SQLite's code or message (never data): "SQLITE_FULL", "database or disk is full". */
function sqliteReason(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === "string") return code;
  return String((err as Error)?.message ?? err).slice(0, 120);
}
