import { JsonArrayItems, MalformedJson } from "../../../src/kernel/jsonArrayItems";

/** Feeds `doc` in pieces of `size` bytes; returns the items handed over. */
function read(doc: string | Buffer, size = Number.MAX_SAFE_INTEGER, key = "rooms"): unknown[] {
  const bytes = Buffer.isBuffer(doc) ? doc : Buffer.from(doc, "utf8");
  const items: unknown[] = [];
  const reader = new JsonArrayItems(key, (item) => items.push(item));
  for (let i = 0; i < bytes.length; i += size) reader.push(bytes.subarray(i, i + size));
  reader.end();
  return items;
}

const ROOMS = [
  { room_id: "!a:x", state: [{ type: "m.room.name", content: { name: "Brace { and ] bracket \" quote \\" } }], messages: { chunk: [] } },
  { room_id: "!b:x", state: [], messages: { chunk: [{ body: "naïve café — 日本語 🙂", n: [1, [2, {}]] }] } },
  { room_id: "!c:x" },
];
const DOC = JSON.stringify({ end: "s1", presence: [{ rooms: [{ no: 1 }] }], rooms: ROOMS, account_data: [{ type: "rooms", content: { rooms: [] } }] }, null, 1);

test("each item of the array is handed over parsed, in order; the rest of the document is skipped", () => {
  expect(read(DOC)).toEqual(ROOMS);
});

test("the same items whatever the pieces the bytes arrive in, even split inside a character", () => {
  for (const size of [1, 2, 3, 7, 64]) expect(read(DOC, size)).toEqual(ROOMS);
});

test("an empty array gives no items; a nested array of the same name is not the one read", () => {
  expect(read('{"rooms":[]}')).toEqual([]);
  expect(() => read('{"other":{"rooms":[{"a":1}]}}')).toThrow('the document has no "rooms" array');
});

test("a document that is not an object, is cut short, or holds items that are not objects is refused", () => {
  expect(() => read("<html>Bad gateway</html>")).toThrow("not a JSON object");
  expect(() => read('{"rooms":[{"room_id":"!a:x"}')).toThrow("cut short");
  expect(() => read('{"rooms":[{"room_id":"!a:x"}],"end":"s')).toThrow("cut short");
  expect(() => read("")).toThrow("cut short");
  expect(() => read('{"rooms":[1]}')).toThrow('an item of "rooms" is not an object');
  expect(() => read('{"rooms":["x"]}')).toThrow('an item of "rooms" is not an object');
  expect(() => read('{"rooms":[{"a":}]}')).toThrow(MalformedJson);
  expect(() => read('{"rooms":[]}}')).toThrow("goes on after its end");
  expect(() => read('{"rooms":[{"a":1}}]}')).toThrow(MalformedJson);
  expect(() => read('{"rooms":[]} {"rooms":[]}')).toThrow("goes on after its end");
});

test("items already read are handed over before a later one fails", () => {
  const items: unknown[] = [];
  const reader = new JsonArrayItems("rooms", (item) => items.push(item));
  expect(() => reader.push(Buffer.from('{"rooms":[{"n":1},{"n":2},{"n":'))).not.toThrow();
  expect(items).toEqual([{ n: 1 }, { n: 2 }]);
  expect(() => reader.end()).toThrow("cut short");
});
