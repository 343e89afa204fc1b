import { ANN, BOB, BOT, CAROL, Harness, roomOf, SAM } from "./harness";

const OAK_STAFF = roomOf("oak", "staff");
const OAK_CHAT = roomOf("oak", "community");
const CREATIVE = roomOf("oak", "creative");

let h: Harness;
beforeEach(async () => (h = await Harness.withBobInOak()));

const staffNotices = () => h.postedIn(OAK_STAFF);

describe("a member who leaves a room on their own", () => {
  it("is remembered, staff are told once, and it is audited", async () => {
    await h.membership(OAK_CHAT, BOB, "join", { previous: "invite" });
    expect(h.app.members.leftRooms("oak", BOB)).toEqual([]);
    await h.membership(OAK_CHAT, BOB, "leave", { previous: "join" });
    expect(h.app.members.hasLeft("oak", BOB, "community")).toBe(true);
    expect(staffNotices()).toEqual([
      "@bob:example.org left “oak chat” on their own. carenet will not invite them back to that room.\n\n" +
        "If they ask to come back, invite them from your Matrix client; when they join, carenet treats them as back.",
    ]);
    expect(h.audit().at(-1)).toMatchObject({ actor: BOB, action: "member.left", subject: BOB, detail: "left “oak chat” on their own" });

    // Another leave event for the same room (e.g. after a ban was lifted) tells nobody again.
    await h.membership(OAK_CHAT, BOB, "leave", { previous: "join" });
    expect(staffNotices()).toHaveLength(1);
  });

  it("counts declining an invitation, and leaving the Space", async () => {
    await h.membership(CREATIVE, BOB, "leave", { previous: "invite" });
    await h.membership(roomOf("oak", "space"), BOB, "leave", { previous: "join" });
    expect(h.app.members.leftRooms("oak", BOB).map((l) => l.roomKey)).toEqual(["creative", "space"]);
    expect(staffNotices()[0]).toContain("@bob:example.org declined the invitation to “oak creative corner” on their own.");
    expect(staffNotices()[1]).toContain("@bob:example.org left the Oak Community Space on their own. carenet will not invite them back to it.");
  });

  it("does not count being removed by carenet or by staff", async () => {
    await h.membership(OAK_CHAT, BOB, "join", { previous: "invite" });
    await h.membership(OAK_CHAT, BOB, "leave", { previous: "join", sender: SAM });
    await h.membership(CREATIVE, BOB, "leave", { previous: "invite", sender: BOT });
    expect(h.app.members.leftRooms("oak", BOB)).toEqual([]);
    expect(staffNotices()).toEqual([]);
  });

  it("is forgotten when they join the room again", async () => {
    await h.membership(OAK_CHAT, BOB, "leave", { previous: "join" });
    await h.membership(OAK_CHAT, BOB, "invite", { sender: SAM });
    await h.membership(OAK_CHAT, BOB, "join", { previous: "invite" });
    expect(h.app.members.hasLeft("oak", BOB, "community")).toBe(false);
  });

  it("ignores people who are not members, the staff room, and rooms carenet does not manage", async () => {
    await h.membership(OAK_CHAT, CAROL, "leave", { previous: "join" });
    await h.membership(OAK_STAFF, BOB, "leave", { previous: "join" });
    await h.membership(OAK_STAFF, ANN, "leave", { previous: "join" });
    await h.membership("!elsewhere:example.org", BOB, "leave", { previous: "join" });
    expect(h.db.prepare("SELECT COUNT(*) AS n FROM left_rooms").get()).toEqual({ n: 0 });
    expect(staffNotices()).toEqual([]);
  });
});

describe("after a reconcile, members are invited to rooms they have never been in", () => {

  beforeEach(async () => {
    await h.send(SAM, OAK_STAFF, "!member add @carol:example.org");
    await h.send(SAM, OAK_STAFF, "!member discharge @carol:example.org");
    await h.send(SAM, OAK_STAFF, "!member add @dave:example.org");
    await h.send(SAM, OAK_STAFF, "!member remove @dave:example.org");
    h.runJobs();
  });

  it("invites active members and alumni to their rooms where they have no membership at all, and nobody else", async () => {
    h.hs.setMembership(roomOf("oak", "space"), BOB, "join");
    h.hs.setMembership(roomOf("oak", "space"), CAROL, "join");
    h.hs.setMembership(OAK_CHAT, BOB, "leave"); // left, kicked or declined: theirs or staff's decision
    // CREATIVE (e.g. a room added to the config since) and the alumni room have nobody in them but the bot.
    await h.reconcile();
    const invites = h.jobsOf("invite").map((j) => [j.roomId, j.userId]);
    expect(invites.sort()).toEqual([
      [roomOf("oak", "alumni"), CAROL],
      [CREATIVE, BOB],
    ].sort());
    expect(h.jobsOf("invite").find((j) => j.userId === CAROL)?.reason).toBe("You are one of the alumni of Oak Community on the care network.");
    // Another reconcile before the invitations went out adds nothing.
    await h.reconcile();
    expect(h.jobsOf("invite")).toHaveLength(2);
  });

  it("never invites someone back to a room they left on their own, even if the room shows no trace of them", async () => {
    await h.membership(CREATIVE, BOB, "leave", { previous: "invite" });
    await h.reconcile();
    expect(h.jobsOf("invite").filter((j) => j.userId === BOB && j.roomId === CREATIVE)).toEqual([]);
    expect(h.jobsOf("invite").filter((j) => j.userId === BOB).map((j) => j.roomId).sort()).toEqual([OAK_CHAT, roomOf("oak", "space")].sort());
  });

  it("carries on with the other rooms when one cannot be read", async () => {
    h.app.homeserver.getRoomState = async (roomId: string) => {
      if (roomId === OAK_CHAT) throw new Error("HTTP 502");
      return [];
    };
    await h.reconcile();
    expect(h.jobsOf("invite").map((j) => j.roomId)).not.toContain(OAK_CHAT);
    expect(h.jobsOf("invite").map((j) => j.roomId)).toContain(CREATIVE);
    expect(h.logs.lines.some((l) => l.includes("could not read a room's members"))).toBe(true);
  });

  it("asks the homeserver nothing for a community without members", async () => {
    let asked = 0;
    h.app.homeserver.getRoomState = async () => {
      asked++;
      return [];
    };
    h.config = { ...h.config, communities: [h.config.communities[1]] };
    await h.reconcile();
    expect(asked).toBe(0);
    expect(h.jobsOf("invite")).toEqual([]);
  });
});
