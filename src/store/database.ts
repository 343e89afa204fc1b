import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";

export type Db = BetterSqlite3.Database;

/** migrations/ at the package root, whether running from src/ (tests) or dist/src/. */
export const MIGRATIONS_DIR = findUp(__dirname, "migrations");

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export class DatabaseTooNewError extends Error {
  constructor(readonly found: number, readonly known: number) {
    super(
      `the database is at schema version ${found}, but this carenet only knows up to ${known}: ` +
        `it was written by a newer carenet. Upgrade carenet, or restore a backup; nothing was changed.`,
    );
  }
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f.slice(4, -4), sql: readFileSync(path.join(dir, f), "utf8") }));
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migrations must be numbered 001, 002, … without gaps; found ${m.version} at position ${i + 1}`);
  });
  return migrations;
}

/**
 * Opens (creating if needed) the SQLite database and brings its schema up to date.
 * `:memory:` gives a private in-memory database for tests.
 */
export function openDatabase(file: string, migrations = loadMigrations(), onTightened?: (files: string[]) => void): Db {
  const db = openUnmigrated(file, onTightened);
  try {
    migrate(db, migrations);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/**
 * Opens the file with carenet's settings but leaves the schema as it is.
 *
 * The database holds health data, so only carenet's own user may read it: the folder is
 * created 0700 and the files 0600 (the umask is narrowed while SQLite creates them; it gives
 * -wal and -shm the database's own mode), and files an older carenet left readable by
 * others are narrowed at open, which `onTightened` hears about (for a log line).
 */
export function openUnmigrated(file: string, onTightened?: (files: string[]) => void): Db {
  let db: Db;
  if (file === ":memory:") {
    db = new BetterSqlite3(file);
  } else {
    const tightened = tightenModes(file);
    const previous = process.umask(0o077);
    try {
      db = new BetterSqlite3(file);
      applySettings(db);
    } finally {
      process.umask(previous);
    }
    if (tightened.length) onTightened?.(tightened);
    return db;
  }
  applySettings(db);
  return db;
}

function applySettings(db: Db): void {
  cachePreparedStatements(db);
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  // FULL: every commit is on disk before it returns, so an acknowledged transaction (and a
  // reply recorded before it is sent) survives a power cut. Only a batch of handled events
  // (src/store/handlingBatch.ts) and a message marked sent (notWaitingForDisk) may commit
  // with NORMAL; docs/architecture.md says why.
  db.pragma("synchronous = FULL");
  // Deleted rows are overwritten with zeros, not left in free space: erased notes and
  // handled messages must not stay readable in the file (docs/data.md).
  db.pragma("secure_delete = ON");
  // Whatever an earlier run left in the write-ahead log (old page versions, holding what
  // has since been erased) goes now.
  removeOldVersions(db);
}

/**
 * Runs `fn` as a commit that does not wait for the disk (`synchronous = NORMAL`): only for
 * writes that a power cut may take back without harm. The next FULL commit syncs it too.
 * Inside a transaction it simply joins it.
 */
export function notWaitingForDisk<T>(db: Db, fn: () => T): T {
  if (db.inTransaction || db.memory) return fn();
  db.pragma("synchronous = NORMAL");
  try {
    return fn();
  } finally {
    db.pragma("synchronous = FULL");
  }
}

/** Statements kept compiled; dynamic SQL (an `IN (?, ?, …)` list) can vary, so the cache is bounded. */
const STATEMENT_CACHE_SIZE = 512;

/**
 * Makes `db.prepare(sql)` compile each distinct SQL text once and hand back the same
 * statement afterwards: the stores prepare at the point of use, and compiling on every
 * call cost more than running the statement. Safe because carenet only ever runs a
 * statement to completion (get, all, run), never leaves one iterating, and never changes
 * a statement's mode (pluck, raw, expand).
 */
function cachePreparedStatements(db: Db): void {
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepare = db.prepare.bind(db) as (sql: string) => BetterSqlite3.Statement;
  (db as { prepare: (sql: string) => BetterSqlite3.Statement }).prepare = (sql: string) => {
    let stmt = cache.get(sql);
    if (stmt) return stmt;
    stmt = prepare(sql);
    if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    cache.set(sql, stmt);
    return stmt;
  };
}

/**
 * Copies the write-ahead log into the database and empties it (a TRUNCATE checkpoint).
 * With secure_delete, the database pages already hold zeros where erased rows were; the
 * log still holds the older versions of those pages until this runs. Called after
 * erasure, retention and handling incoming messages. Harmless when another reader holds
 * an old snapshot (the log is then emptied at the next call).
 */
export function removeOldVersions(db: Db): void {
  if (!db.open || db.memory || db.inTransaction) return;
  db.pragma("wal_checkpoint(TRUNCATE)");
}

/** Creates the database's folder 0700, and narrows existing files to 0600; returns those it narrowed. */
function tightenModes(file: string): string[] {
  const dir = path.dirname(file);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tightened: string[] = [];
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    try {
      const mode = statSync(f).mode & 0o777;
      if (mode & 0o077) {
        chmodSync(f, mode & 0o700);
        tightened.push(f);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
  }
  return tightened;
}

/** Applies pending migrations, each in its own transaction; returns the resulting version. */
export function migrate(db: Db, migrations: Migration[]): { from: number; to: number } {
  const from = schemaVersion(db);
  if (from > migrations.length) throw new DatabaseTooNewError(from, migrations.length);
  for (const m of migrations.slice(from)) {
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return { from, to: schemaVersion(db) };
}

export function schemaVersion(db: Db): number {
  return db.pragma("user_version", { simple: true }) as number;
}

function findUp(start: string, name: string): string {
  let dir = start;
  for (;;) {
    const candidate = path.join(dir, name);
    try {
      readdirSync(candidate);
      return candidate;
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) throw new Error(`cannot find the ${name} folder above ${start}`);
      dir = parent;
    }
  }
}
