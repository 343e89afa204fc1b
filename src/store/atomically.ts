import type { Db } from "./database";

/** Runs `fn` in one SQLite transaction (a savepoint when nested); rolls back if it throws. */
export type Atomically = <T>(fn: () => T) => T;

const runners = new WeakMap<Db, Atomically>();

/**
 * The database's one transaction runner. better-sqlite3's `db.transaction(fn)` builds four
 * wrapper functions and defines properties on each every time it is called, which cost more
 * than the statements of a handled event; this builds the wrapper once and hands it `fn`.
 * Whether it begins a transaction or a savepoint is decided at each call, as there.
 */
export function atomically(db: Db): Atomically {
  let run = runners.get(db);
  if (!run) {
    const inTransaction = db.transaction((fn: () => unknown) => fn());
    run = <T>(fn: () => T): T => inTransaction(fn) as T;
    runners.set(db, run);
  }
  return run;
}
