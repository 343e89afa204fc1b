import fs from "node:fs";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { freshDir, removeDir } from "../../support/tempDirs";
import {
  DatabaseTooNewError,
  loadMigrations,
  migrate,
  openDatabase,
  removeOldVersions,
  openUnmigrated,
  schemaVersion,
  type Migration,
} from "../../../src/store/database";

let tmp: string;
beforeEach(() => (tmp = freshDir("carenet-db-")));
afterEach(() => removeDir(tmp));

const tables = (db: BetterSqlite3.Database) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{
    name: string;
  }>).map((r) => r.name);

const FAKE: Migration[] = [
  { version: 1, name: "one", sql: "CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);" },
  { version: 2, name: "two", sql: "ALTER TABLE a ADD COLUMN y TEXT; UPDATE a SET y = 'from-2';" },
  { version: 3, name: "three", sql: "CREATE TABLE b (z TEXT); INSERT INTO b SELECT y FROM a;" },
];

describe("loadMigrations", () => {
  it("finds the project's migrations, numbered from 1 without gaps", () => {
    const ms = loadMigrations();
    expect(ms.length).toBeGreaterThan(0);
    ms.forEach((m, i) => {
      expect(m.version).toBe(i + 1);
      expect(m.sql.length).toBeGreaterThan(0);
    });
    expect(ms[0].name).toBe("foundation");
  });

  it("refuses a gap in the numbering", () => {
    fs.writeFileSync(path.join(tmp, "001_a.sql"), "SELECT 1;");
    fs.writeFileSync(path.join(tmp, "003_c.sql"), "SELECT 1;");
    expect(() => loadMigrations(tmp)).toThrow(/without gaps; found 3 at position 2/);
  });

  it("orders by number and ignores files that are not migrations", () => {
    fs.writeFileSync(path.join(tmp, "002_second.sql"), "SELECT 2;");
    fs.writeFileSync(path.join(tmp, "001_first.sql"), "SELECT 1;");
    fs.writeFileSync(path.join(tmp, "README.md"), "notes");
    fs.writeFileSync(path.join(tmp, "003_Bad-Name.sql"), "SELECT 3;");
    expect(loadMigrations(tmp).map((m) => [m.version, m.name])).toEqual([
      [1, "first"],
      [2, "second"],
    ]);
  });
});

describe("migrate", () => {
  it("applies migrations in order and sets user_version", () => {
    const db = openUnmigrated(":memory:");
    expect(schemaVersion(db)).toBe(0);
    expect(migrate(db, FAKE)).toEqual({ from: 0, to: 3 });
    expect(schemaVersion(db)).toBe(3);
    expect(db.prepare("SELECT z FROM b").all()).toEqual([{ z: "from-2" }]);
    db.close();
  });

  it("applies only the pending ones", () => {
    const db = openUnmigrated(":memory:");
    expect(migrate(db, FAKE.slice(0, 1))).toEqual({ from: 0, to: 1 });
    expect(migrate(db, FAKE)).toEqual({ from: 1, to: 3 });
    expect(db.prepare("SELECT COUNT(*) AS n FROM a").get()).toEqual({ n: 1 });
    expect(migrate(db, FAKE)).toEqual({ from: 3, to: 3 });
    db.close();
  });

  it("rolls back a failing migration and keeps the version of the last one that worked", () => {
    const db = openUnmigrated(":memory:");
    const broken: Migration[] = [FAKE[0], { version: 2, name: "bad", sql: "CREATE TABLE c (q INTEGER); SELECT * FROM nowhere;" }];
    expect(() => migrate(db, broken)).toThrow(/nowhere/);
    expect(schemaVersion(db)).toBe(1);
    expect(tables(db)).toEqual(["a"]);
    db.close();
  });

  it("refuses a database newer than the known migrations with DatabaseTooNewError", () => {
    const db = openUnmigrated(":memory:");
    db.pragma("user_version = 7");
    let error: unknown;
    try {
      migrate(db, FAKE);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DatabaseTooNewError);
    expect((error as DatabaseTooNewError).found).toBe(7);
    expect((error as DatabaseTooNewError).known).toBe(3);
    expect((error as Error).message).toMatch(/schema version 7.*only knows up to 3/);
    expect(schemaVersion(db)).toBe(7);
    expect(tables(db)).toEqual([]);
    db.close();
  });
});

describe("openDatabase on a file", () => {
  it("creates the folder, applies every migration and turns on WAL and foreign keys", () => {
    const file = path.join(tmp, "nested", "deeper", "carenet.db");
    const db = openDatabase(file);
    try {
      expect(fs.existsSync(file)).toBe(true);
      expect(schemaVersion(db)).toBe(loadMigrations().length);
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
      // synchronous = FULL (2): an acknowledged transaction survives a power cut.
      expect(db.pragma("synchronous", { simple: true })).toBe(2);
      expect(tables(db)).toEqual(expect.arrayContaining(["appservice_transactions", "inbox", "outbox", "dm_rooms", "registered_users"]));
    } finally {
      db.close();
    }
  });

  it("is idempotent: reopening keeps the data and the version", () => {
    const file = path.join(tmp, "carenet.db");
    const first = openDatabase(file);
    first.prepare("INSERT INTO dm_rooms (room_id, user_id, created_at) VALUES (?, ?, ?)").run("!r:x", "@u:x", 1);
    const version = schemaVersion(first);
    first.close();

    const second = openDatabase(file);
    try {
      expect(schemaVersion(second)).toBe(version);
      expect(second.prepare("SELECT room_id, user_id FROM dm_rooms").all()).toEqual([{ room_id: "!r:x", user_id: "@u:x" }]);
      expect(migrate(second, loadMigrations())).toEqual({ from: version, to: version });
    } finally {
      second.close();
    }
  });

  it("refuses a database from a newer carenet, closes it and changes nothing", () => {
    const file = path.join(tmp, "future.db");
    const raw = new BetterSqlite3(file);
    const future = loadMigrations().length + 1;
    raw.exec("CREATE TABLE from_the_future (x TEXT); INSERT INTO from_the_future VALUES ('keep me');");
    raw.pragma(`user_version = ${future}`);
    raw.close();

    expect(() => openDatabase(file)).toThrow(DatabaseTooNewError);

    const after = new BetterSqlite3(file, { readonly: true });
    try {
      expect(after.pragma("user_version", { simple: true })).toBe(future);
      expect(tables(after)).toEqual(["from_the_future"]);
      expect(after.prepare("SELECT x FROM from_the_future").all()).toEqual([{ x: "keep me" }]);
    } finally {
      after.close();
    }
  });

  it("gives :memory: a private, fully migrated database each time", () => {
    const a = openDatabase(":memory:");
    const b = openDatabase(":memory:");
    a.prepare("INSERT INTO dm_rooms (room_id, user_id, created_at) VALUES ('!a:x', '@a:x', 1)").run();
    expect(b.prepare("SELECT COUNT(*) AS n FROM dm_rooms").get()).toEqual({ n: 0 });
    expect(schemaVersion(b)).toBe(loadMigrations().length);
    expect(a.pragma("foreign_keys", { simple: true })).toBe(1);
    a.close();
    b.close();
  });
});

describe("the database file holds health data", () => {
  const modeOf = (f: string) => fs.statSync(f).mode & 0o777;

  it("is created 0600, with -wal and -shm 0600, in a folder created 0700", () => {
    const file = path.join(tmp, "private", "carenet.db");
    const db = openDatabase(file);
    try {
      db.prepare("INSERT INTO dm_rooms (room_id, user_id, created_at) VALUES ('!r:x', '@u:x', 1)").run();
      expect(modeOf(path.dirname(file))).toBe(0o700);
      for (const f of [file, `${file}-wal`, `${file}-shm`]) expect([f, modeOf(f)]).toEqual([f, 0o600]);
    } finally {
      db.close();
    }
  });

  it("files left readable by others (0644) are narrowed to 0600 when opened, and the caller hears which", () => {
    const file = path.join(tmp, "old", "carenet.db");
    openDatabase(file).close();
    const wal = `${file}-wal`;
    fs.writeFileSync(wal, "");
    for (const f of [file, wal]) fs.chmodSync(f, 0o644);
    const told: string[][] = [];
    const db = openDatabase(file, undefined, (files) => told.push(files));
    try {
      expect(told).toEqual([[file, wal]]);
      for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(modeOf(f)).toBe(0o600);
    } finally {
      db.close();
    }
  });

  it("deleted content is zeroed, and gone from the file and its write-ahead log after removeOldVersions", () => {
    const file = path.join(tmp, "erase", "carenet.db");
    const db = openDatabase(file);
    const marker = "MARKER-erased-note-7f3a";
    try {
      expect(db.pragma("secure_delete", { simple: true })).toBe(1);
      db.prepare("INSERT INTO dm_rooms (room_id, user_id, created_at) VALUES (?, ?, 1)").run(`!${marker}:x`, `@${marker.repeat(50)}:x`);
      db.pragma("wal_checkpoint(PASSIVE)");
      db.prepare("DELETE FROM dm_rooms").run();
      const bytes = () => Buffer.concat([fs.readFileSync(file), fs.existsSync(`${file}-wal`) ? fs.readFileSync(`${file}-wal`) : Buffer.alloc(0)]);
      expect(bytes().includes(marker)).toBe(true); // still in the log's older page versions
      removeOldVersions(db);
      expect(bytes().includes(marker)).toBe(false);
    } finally {
      db.close();
    }
  });
});

describe("prepared statements", () => {
  it("compiles each SQL text once: the same statement comes back, and it still runs with new values", () => {
    const db = openDatabase(":memory:");
    try {
      const sql = "SELECT txn_id FROM appservice_transactions WHERE txn_id = ?";
      const first = db.prepare(sql);
      expect(db.prepare(sql)).toBe(first);
      expect(db.prepare(`${sql} `)).not.toBe(first);
      db.prepare("INSERT INTO appservice_transactions (txn_id, completed_at) VALUES (?, ?)").run("t1", 1);
      expect(db.prepare(sql).get("t1")).toEqual({ txn_id: "t1" });
      expect(db.prepare(sql).get("t2")).toBeUndefined();
    } finally {
      db.close();
    }
  });
});
