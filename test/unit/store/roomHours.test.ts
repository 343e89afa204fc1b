import type { Db } from "../../../src/store/database";
import { RoomHoursStore } from "../../../src/features/hours/store/roomHours";
import { withMemoryDb } from "../../support/fixtures";

let db: Db, store: RoomHoursStore;
withMemoryDb((d) => ([db, store] = [d, new RoomHoursStore(d)]));

test("records, updates and forgets what carenet believes a room's state is", () => {
  expect(store.get("oak", "community")).toBeUndefined();
  store.set({ communityId: "oak", roomKey: "community", roomId: "!a:x", open: true, since: 100 }, 110);
  expect(store.get("oak", "community")).toEqual({ communityId: "oak", roomKey: "community", roomId: "!a:x", open: true, since: 100, updatedAt: 110 });
  store.set({ communityId: "oak", roomKey: "community", roomId: "!a:x", open: false, since: 200 }, 210);
  expect(store.byRoomId("!a:x")).toMatchObject({ open: false, since: 200, updatedAt: 210 });
  store.set({ communityId: "elm", roomKey: "community", roomId: "!b:x", open: true, since: 5 }, 5);
  expect(store.list().map((s) => s.communityId)).toEqual(["elm", "oak"]);
  expect(store.forget("oak", "community")).toBe(true);
  expect(store.forget("oak", "community")).toBe(false);
  expect(store.get("oak", "community")).toBeUndefined();
});

test("the state is a boolean in the database, nothing else", () => {
  expect(() => db.prepare("INSERT INTO room_hours VALUES ('oak', 'x', '!c:x', 2, 0, 0)").run()).toThrow(/CHECK/);
});
