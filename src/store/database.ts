import { mkdirSync, readdirSync, readFileSync } from "node:fs";
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
export function openDatabase(file: string, migrations = loadMigrations()): Db {
  const db = openUnmigrated(file);
  try {
    migrate(db, migrations);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** Opens the file with carenet's settings but leaves the schema as it is. */
export function openUnmigrated(file: string): Db {
  if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
  const db = new BetterSqlite3(file);
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  // FULL: an acknowledged transaction must survive a power cut, not only a process crash.
  db.pragma("synchronous = FULL");
  return db;
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
