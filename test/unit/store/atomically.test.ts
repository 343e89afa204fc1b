import { openDatabase, type Db } from "../../../src/store/database";
import { atomically } from "../../../src/store/atomically";

let db: Db;
beforeEach(() => {
  db = openDatabase(":memory:");
  db.exec("CREATE TABLE notes (n INTEGER)");
});
afterEach(() => db.close());

const notes = () => (db.prepare("SELECT n FROM notes ORDER BY n").all() as Array<{ n: number }>).map((r) => r.n);
const add = (n: number) => db.prepare("INSERT INTO notes (n) VALUES (?)").run(n);

test("hands back one runner per database, built once", () => {
  const other = openDatabase(":memory:");
  try {
    expect(atomically(db)).toBe(atomically(db));
    expect(atomically(other)).not.toBe(atomically(db));
  } finally {
    other.close();
  }
});

test("commits what the function wrote and returns its result", () => {
  const result = atomically(db)(() => {
    add(1);
    add(2);
    return "written";
  });
  expect(result).toBe("written");
  expect(notes()).toEqual([1, 2]);
  expect(db.inTransaction).toBe(false);
});

test("takes everything back when the function throws, and the error reaches the caller", () => {
  expect(() =>
    atomically(db)(() => {
      add(1);
      throw new Error("disk full");
    }),
  ).toThrow("disk full");
  expect(notes()).toEqual([]);
  expect(db.inTransaction).toBe(false);
});

test("nested, it is a savepoint: an inner failure takes back only the inner writes", () => {
  const run = atomically(db);
  run(() => {
    add(1);
    expect(() =>
      run(() => {
        add(2);
        throw new Error("inner");
      }),
    ).toThrow("inner");
    add(3);
  });
  expect(notes()).toEqual([1, 3]);
});

test("the same runner starts a transaction again after one has ended", () => {
  const run = atomically(db);
  run(() => add(1));
  expect(() => run(() => { add(2); throw new Error("no"); })).toThrow("no");
  run(() => add(3));
  expect(notes()).toEqual([1, 3]);
});
