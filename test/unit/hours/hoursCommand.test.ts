import { hoursCommand } from "../../../src/features/hours/commands/hours";
import type { CommandContext } from "../../../src/commands/types";
import type { CarenetConfig } from "../../../src/config/types";
import type { Db } from "../../../src/store/database";
import { MembersStore } from "../../../src/features/communities/store/members";
import { ANN, at, community, config, CRISIS, MIA, roomIdOf, SAM } from "./harness";
import { expectToContainAll } from "../../support/expectText";
import { LEO, memoryDb, ZOE } from "../../support/fixtures";

const NOW = at("2026-03-03T12:00:00Z"); // a Tuesday, GMT
// Leo is alumni of oak; Zoe is nobody's member.

let db: Db;
let members: MembersStore;
let cfg: CarenetConfig;

beforeEach(() => {
  db = memoryDb();
  members = new MembersStore(db);
  const oak = community("oak", {
    posting_hours: [
      { days: ["mon", "tue", "wed", "thu", "fri"], from: "17:00", to: "09:00" },
      { days: ["sat", "sun"], from: "00:00", to: "24:00" },
    ],
    exceptions: [{ date: "2026-12-25", open: true, message: "Open all day for Christmas" }],
  });
  oak.rooms.extra = [{ id: "creative", name: "oak creative corner", posting_hours: [{ days: ["sat"], from: "10:00", to: "16:00" }] }];
  cfg = config([oak, community("elm", undefined, "America/New_York")]);
  members.add({ communityId: "oak", userId: MIA, sponsor: null, addedBy: SAM }, NOW);
  members.add({ communityId: "oak", userId: LEO, sponsor: null, addedBy: SAM }, NOW);
  members.discharge("oak", LEO, NOW);
});
afterEach(() => db.close());

function ctx(over: Partial<CommandContext>): CommandContext {
  return {
    sender: MIA,
    place: "dm",
    roomId: "!dm:example.org",
    eventId: "$cmd",
    isStaffHere: false,
    now: NOW,
    crisisResources: CRISIS,
    commands: [],
    ...over,
  };
}

const run = (c: Partial<CommandContext>) => hoursCommand({ members, config: () => cfg }).run(ctx(c), []);

test("in a community room: that room's schedule in words, whether it is open now, and the next change", () => {
  const result = run({ place: "room", roomId: roomIdOf("oak", "community"), community: cfg.communities[0], roomKey: "community" });
  expect(result.outcome).toBe("ok");
  const text = result.reply.plain;
  expectToContainAll(text, [
    "oak chat:", "Open Monday to Friday 17:00–09:00 (overnight) and all day Saturday and Sunday (times are United Kingdom Time).",
    "Also open all day Fri, Dec 25: Open all day for Christmas.", "Closed now. It opens again today at 17:00 (United Kingdom Time).",
  ]);
  // While it is closed, the answer says how to get support now: once.
  expect(text).toContain("Send !page to me in a direct message");
  expect(text.match(/If you need support/g)).toHaveLength(1);
  expect(text).toContain(CRISIS);
  expect(text).not.toContain("creative");
});

test("in a room without posting hours: open at all times", () => {
  const result = run({ place: "room", sender: SAM, roomId: roomIdOf("oak", "staff"), community: cfg.communities[0], roomKey: "staff", isStaffHere: true });
  expect(result.reply.plain).toContain("oak staff:");
  expect(result.reply.plain).toContain("No set hours: open at all times.");
  expect(result.reply.plain).not.toContain("If you need support");
});

test("in a direct conversation, a member sees the hours of their community's rooms", () => {
  const text = run({}).reply.plain;
  expectToContainAll(text, ["oak community", "oak chat:", "oak creative corner:", "Open Saturday 10:00–16:00 (times are United Kingdom Time)."]);
  expect(text).not.toContain("oak staff");
  expect(text).not.toContain("elm");
});

test("alumni see their own room, staff see every room of their community", () => {
  const alumni = run({ sender: LEO }).reply.plain;
  expect(alumni).toContain("oak community");
  expect(alumni).toContain("no set hours: they are open at all times");
  expect(alumni).not.toContain("oak chat:");

  const staff = run({ sender: ANN }).reply.plain;
  expectToContainAll(staff, ["oak chat:", "oak creative corner:", "Its other rooms have no set hours"]);
});

test("someone who belongs to no community is told so, with the crisis resources", () => {
  const result = run({ sender: ZOE });
  expect(result.outcome).toBe("refused");
  expect(result.reply.plain).toContain("could not find a community you belong to");
  expect(result.reply.plain).toContain(CRISIS);
});
