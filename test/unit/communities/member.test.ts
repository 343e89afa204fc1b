import { ANN, BOB, BOT, CAROL, DAVE, Harness, roomOf, SAM, TOM } from "./harness";
import { expectToContainAll } from "../../support/expectText";

const OAK_STAFF = roomOf("oak", "staff");
const ELM_STAFF = roomOf("elm", "staff");
const OAK_CHAT = roomOf("oak", "community");

let h: Harness;
beforeEach(() => {
  h = new Harness();
});

const invitedRooms = (user: string) => h.jobsOf("invite").filter((j) => j.userId === user).map((j) => j.roomId).sort();
const kickedRooms = (user: string) => h.jobsOf("kick").filter((j) => j.userId === user).map((j) => j.roomId).sort();

describe("!member add", () => {
  it("adds the member with the staff member as sponsor, invites them to the Space, the chat and extra rooms, and sends their rights", async () => {
    const a = await h.send(SAM, OAK_STAFF, "!member add @bob:example.org");
    expect(a.outcome).toBe("ok");
    expect(a.to).toBe(OAK_STAFF);
    expect(a.text).toContain("Added @bob:example.org to Oak Community, with you as their sponsor.");
    expect(a.text).toContain("Invited to: the Oak Community Space, “oak chat”, and “oak creative corner”.");
    expect(h.app.members.get("oak", BOB)).toMatchObject({ status: "active", role: "member", sponsor: SAM, addedBy: SAM });
    // Never the staff room or the alumni room, never another community's rooms.
    expect(invitedRooms(BOB)).toEqual([roomOf("oak", "community"), roomOf("oak", "creative"), roomOf("oak", "space")].sort());

    // One phone screen first (who, support now, what next), then the rights in short.
    const [welcome, summary, ...more] = h.toldTo(BOB);
    expect(more).toEqual([]);
    for (const words of [
      "Welcome to Oak Community",
      "Your sponsor is @sam:example.org: ask them about anything.",
      "Send !page here",
      "carenet is not a crisis service.",
      "In an emergency call 999.",
      "Samaritans 116 123 (free, 24/7).",
      "To agree, send !consent agree.",
      "!rights shows your rights again",
    ]) {
      expect(welcome).toContain(words);
    }
    for (const words of ["Oak Community: your rights, in short", "More: !rights kept", "More: !rights see", "More: !rights advocacy", "More: !rules", "!consent agree", "(Version oak@"]) {
      expect(summary).toContain(words);
    }
  });

  it("audits the addition once (no second \"ran !member\" entry) and that the member was sent the text", async () => {
    await h.send(SAM, OAK_STAFF, "!member add @bob:example.org");
    const entries = h.audit().map((e) => [e.actor, e.action, e.subject]);
    expect(entries).toEqual([
      [SAM, "member.add", BOB],
      ["carenet", "consent.asked", BOB],
    ]);
    expect(h.audit()[0].detail).toBe("sponsor @sam:example.org; invited to space, community, creative");
  });

  it("takes another sponsor from the community's staff or admins, in either spelling", async () => {
    expect((await h.send(SAM, OAK_STAFF, "!member add @bob:example.org --sponsor @ann:example.org")).outcome).toBe("ok");
    expect(h.app.members.get("oak", BOB)?.sponsor).toBe(ANN);
    expect((await h.send(ANN, OAK_STAFF, "!member add @carol:example.org --sponsor=@sam:example.org")).outcome).toBe("ok");
    expect(h.app.members.get("oak", CAROL)?.sponsor).toBe(SAM);
  });

  it("refuses a sponsor who is not staff of this community, even staff of another", async () => {
    const a = await h.send(SAM, OAK_STAFF, "!member add @bob:example.org --sponsor @tom:example.org");
    expect(a.outcome).toBe("refused");
    expect(a.text).toBe("@tom:example.org is not staff of Oak Community: a member's sponsor must be one of its staff or admins.");
    expect(h.app.members.get("oak", BOB)).toBeUndefined();
    expect(h.jobsOf("invite")).toEqual([]);
  });

  it("refuses to add the community's staff or admins as members, and says so", async () => {
    const staff = await h.send(ANN, OAK_STAFF, "!member add @sam:example.org");
    expect(staff.outcome).toBe("refused");
    expect(staff.text).toContain("@sam:example.org is staff of Oak Community (from carenet's configuration), so they cannot be added as a member.");
    const admin = await h.send(SAM, OAK_STAFF, "!member add @ann:example.org");
    expect(admin.text).toContain("@ann:example.org is an admin of Oak Community");
    expect(h.app.members.list("oak")).toEqual([]);
    // Staff of another community can be a member here.
    expect((await h.send(SAM, OAK_STAFF, "!member add @tom:example.org")).outcome).toBe("ok");
  });

  it("refuses someone the homeserver does not know", async () => {
    const a = await h.send(SAM, OAK_STAFF, "!member add @nobody:example.org");
    expect(a.outcome).toBe("refused");
    expect(a.text).toBe("There is no account @nobody:example.org on example.org. Check the spelling, or ask the admins to create it first.");
    expect(h.app.members.list("oak")).toEqual([]);
    expect(h.toldTo("@nobody:example.org")).toEqual([]);
    expect(h.audit().map((e) => e.action)).toEqual(["command.refused"]);
  });

  it("refuses users of another homeserver", async () => {
    h.knownUsers.add("@bob:elsewhere.net");
    const a = await h.send(SAM, OAK_STAFF, "!member add @bob:elsewhere.net");
    expect(a.outcome).toBe("refused");
    expect(a.text).toBe("@bob:elsewhere.net is on another homeserver (elsewhere.net); carenet serves only people on example.org.");
    expect(h.app.members.list("oak")).toEqual([]);
  });

  it("refuses carenet's own accounts", async () => {
    h.knownUsers.add(BOT);
    expect((await h.send(SAM, OAK_STAFF, `!member add ${BOT}`)).text).toContain("is carenet's own account");
    expect((await h.send(SAM, OAK_STAFF, "!member add @carenet_x:example.org")).text).toContain("is carenet's own account");
  });

  it.each([
    ["!member", "Say what to do: add, remove, discharge, sponsor, list or show."],
    ["!member ad @bob:example.org", "That is not something !member does. Did you mean add?"],
    ["!member frobnicate", "That is not something !member does."],
    ["!member add", "Name the person: !member add @name:example.org."],
    ["!member add bob", "bob is not a Matrix user id: it starts with @, like @bob:example.org."],
    ["!member add @bob", "@bob is missing its homeserver: write it in full, like @bob:example.org."],
    ["!member add @Bob:example.org", "@Bob:example.org has capital letters; Matrix user ids are lower case, like @bob:example.org."],
    ["!member add @b*b:example.org", "@b*b:example.org is not a valid Matrix user id"],
    ["!member add @bob:example.org --spnosor @sam:example.org", "I don't understand that; only --sponsor @staff may follow the person."],
    ["!member add @bob:example.org --sponsor", "Name the sponsor after --sponsor"],
    ["!member add @bob:example.org --sponsor @sam:example.org --sponsor @ann:example.org", "Name one sponsor only."],
    ["!member list everyone", "!member list takes nothing more."],
    ["!member show @bob:example.org please", "!member show takes only the person."],
    ["!member sponsor @bob:example.org", "Name the person and their new sponsor, or none"],
  ])("answers %j with what is wrong and the usage", async (body, problem) => {
    const a = await h.send(SAM, OAK_STAFF, body);
    expect(a.outcome).toBe("refused");
    expect(a.text).toContain(problem);
    expect(a.text).toContain("Usage: !member add @user [--sponsor @staff]");
    expect(h.app.members.list("oak")).toEqual([]);
  });

  it("accepts a matrix.to link as the person", async () => {
    expect((await h.send(SAM, OAK_STAFF, "!member add https://matrix.to/#/@bob:example.org")).outcome).toBe("ok");
    expect(h.app.members.get("oak", BOB)?.status).toBe("active");
  });

  it("leaves an active member as they are, unless another sponsor is named", async () => {
    await h.send(SAM, OAK_STAFF, "!member add @bob:example.org");
    h.runJobs();
    const again = await h.send(ANN, OAK_STAFF, "!member add @bob:example.org");
    expect(again.outcome).toBe("ok");
    expect(again.text).toBe("@bob:example.org is already a member of Oak Community (sponsor: @sam:example.org); nothing changed.");
    expect(h.jobsOf("invite")).toEqual([]);
    expect(h.toldTo(BOB)).toHaveLength(2);

    const sponsor = await h.send(SAM, OAK_STAFF, "!member add @bob:example.org --sponsor @ann:example.org");
    expect(sponsor.text).toBe("@bob:example.org is already a member of Oak Community; their sponsor is now @ann:example.org (was @sam:example.org).");
    expect(h.app.members.get("oak", BOB)?.sponsor).toBe(ANN);
    expect(h.audit().find((e) => e.action === "member.sponsor")).toMatchObject({ actor: SAM, subject: BOB });
  });

  it("adds a removed member back without inviting them to rooms they had left on their own", async () => {
    await h.send(SAM, OAK_STAFF, "!member add @bob:example.org");
    h.runJobs();
    await h.membership(OAK_CHAT, BOB, "leave", { previous: "join" });
    await h.send(SAM, OAK_STAFF, "!member remove @bob:example.org");
    h.runJobs();
    const back = await h.send(SAM, OAK_STAFF, "!member add @bob:example.org");
    expect(back.text).toContain("Added back @bob:example.org to Oak Community (was removed)");
    expect(back.text).toContain("Not invited back to “oak chat”: they left on their own before.");
    expect(invitedRooms(BOB)).toEqual([roomOf("oak", "creative"), roomOf("oak", "space")].sort());
    expect(h.toldTo(BOB).at(-2)).toContain("Welcome back to Oak Community");
  });

  it("says which rooms are not set up yet instead of inviting to them", async () => {
    h.db.prepare("DELETE FROM community_rooms WHERE community_id = 'oak' AND room_key = 'creative'").run();
    const a = await h.send(SAM, OAK_STAFF, "!member add @bob:example.org");
    expect(a.text).toContain("Not yet set up, so not invited yet: “oak creative corner”.");
    expect(invitedRooms(BOB)).toEqual([roomOf("oak", "community"), roomOf("oak", "space")].sort());
  });
});

describe("authorisation: staff commands only in a community's own staff room, by its own staff", () => {
  it("refuses staff of another community in this staff room, says why and audits it under this community", async () => {
    const a = await h.send(TOM, OAK_STAFF, "!member add @bob:example.org");
    expect(a.outcome).toBe("refused");
    // Standing in Oak's staff room already: the reason is who they are, not where.
    expect(a.text).toBe("!member is for the staff of Oak Community, and you are not staff of Oak Community.");
    expect(a.text).not.toContain("works only in");
    expect(h.app.members.list("oak")).toEqual([]);
    expect(h.jobsOf("invite")).toEqual([]);
    expect(h.toldTo(BOB)).toEqual([]);
    expect(h.audit("oak")).toEqual([
      expect.objectContaining({ actor: TOM, action: "command.refused", detail: expect.stringContaining("!member add refused: !member is for the staff of Oak Community, and you are not staff of Oak Community") }),
    ]);
  });

  it("refuses this community's staff in another community's staff room: their authority stops at their own community", async () => {
    const a = await h.send(SAM, ELM_STAFF, "!member add @bob:example.org");
    expect(a.outcome).toBe("refused");
    expect(a.text).toContain("you are not staff of Elm Community.");
    expect(h.app.members.list("elm")).toEqual([]);
    expect(h.audit("elm")).toEqual([expect.objectContaining({ actor: SAM, action: "command.refused" })]);
    // What Oak's staff can see of Elm: nothing.
    expect((await h.send(SAM, ELM_STAFF, "!member list")).outcome).toBe("refused");
    expect((await h.send(SAM, ELM_STAFF, "!audit")).outcome).toBe("refused");
  });

  it("refuses a member of one community acting on another, and staff outside their staff room", async () => {
    await h.send(TOM, ELM_STAFF, "!member add @dave:example.org");
    expect((await h.send(DAVE, OAK_STAFF, "!member add @carol:example.org")).outcome).toBe("refused");
    expect((await h.send(DAVE, ELM_STAFF, "!member add @carol:example.org")).outcome).toBe("refused");
    expect((await h.send(SAM, OAK_CHAT, "!member add @carol:example.org")).outcome).toBe("refused");
    expect((await h.send(SAM, h.dm(SAM), "!member add @carol:example.org")).outcome).toBe("refused");
    expect(h.app.members.communitiesOf(CAROL)).toEqual([]);
    // The refusal in a DM has no community: it is in the service-wide part of the log.
    expect(h.audit(null)).toEqual([expect.objectContaining({ actor: SAM, action: "command.refused" })]);
  });

  it("lets an admin of the community act like its staff", async () => {
    expect((await h.send(ANN, OAK_STAFF, "!member add @bob:example.org")).outcome).toBe("ok");
    expect(h.app.members.get("oak", BOB)?.sponsor).toBe(ANN);
  });
});

describe("!member remove", () => {
  beforeEach(async () => {
    await h.send(SAM, OAK_STAFF, "!member add @bob:example.org");
    h.runJobs();
  });

  it("removes the member from every room of the community but the staff room, with the reason, and keeps their record", async () => {
    const a = await h.send(SAM, OAK_STAFF, "!member remove @bob:example.org asked to leave the programme");
    expect(a.outcome).toBe("ok");
    expect(a.text).toContain("Removed @bob:example.org from Oak Community");
    expect(a.text).toContain("The reason they see: asked to leave the programme");
    expect(kickedRooms(BOB)).toEqual(["space", "community", "alumni", "creative"].map((k) => roomOf("oak", k)).sort());
    for (const job of h.jobsOf("kick")) expect(job.reason).toBe("Removed from Oak Community by staff: asked to leave the programme");
    expect(h.app.members.get("oak", BOB)).toMatchObject({ status: "removed", removedReason: "asked to leave the programme", sponsor: SAM });
    const told = h.toldTo(BOB).at(-1)!;
    expect(told).toContain("You have been removed from Oak Community on the care network. The reason staff gave: asked to leave the programme");
    expect(told).toContain("Samaritans 116 123");
    expect(h.audit().find((e) => e.action === "member.remove")).toMatchObject({ actor: SAM, subject: BOB, detail: "reason: asked to leave the programme" });
  });

  it("works without a reason, once, and refuses people who are not members or are staff", async () => {
    const a = await h.send(SAM, OAK_STAFF, "!member remove @bob:example.org");
    expect(a.text).toContain("Removed @bob:example.org from Oak Community and from");
    expect(h.jobsOf("kick")[0].reason).toBe("Removed from Oak Community by staff.");
    h.runJobs();
    expect((await h.send(SAM, OAK_STAFF, "!member remove @bob:example.org")).text).toBe("@bob:example.org was already removed from Oak Community; nothing changed.");
    expect(h.jobsOf("kick")).toEqual([]);
    const stranger = await h.send(SAM, OAK_STAFF, "!member remove @carol:example.org");
    expect(stranger).toMatchObject({ outcome: "refused", text: "@carol:example.org is not a member of Oak Community." });
    const staff = await h.send(SAM, OAK_STAFF, "!member remove @ann:example.org");
    expect(staff.outcome).toBe("refused");
    expect(staff.text).toContain("!member remove does not act on staff");
  });

  it("does not touch a member of another community", async () => {
    await h.send(TOM, ELM_STAFF, "!member add @carol:example.org");
    h.runJobs();
    expect((await h.send(SAM, OAK_STAFF, "!member remove @carol:example.org")).outcome).toBe("refused");
    expect(h.app.members.get("elm", CAROL)?.status).toBe("active");
    expect(h.jobsOf("kick")).toEqual([]);
  });
});

describe("!member discharge", () => {
  beforeEach(async () => {
    await h.send(SAM, OAK_STAFF, "!member add @bob:example.org");
    h.runJobs();
  });

  it("moves the member to the alumni room: out of the chat and extra rooms, still in the Space, data and choices kept", async () => {
    await h.send(BOB, h.dm(BOB), "!consent agree");
    const a = await h.send(SAM, OAK_STAFF, "!member discharge @bob:example.org");
    expect(a.outcome).toBe("ok");
    expect(a.text).toContain("@bob:example.org is now one of the alumni of Oak Community. Their data and choices are kept.");
    expect(kickedRooms(BOB)).toEqual([roomOf("oak", "community"), roomOf("oak", "creative")].sort());
    expect(invitedRooms(BOB)).toEqual([roomOf("oak", "alumni")]);
    expect(h.app.members.get("oak", BOB)).toMatchObject({ status: "discharged", role: "alumni", sponsor: SAM });
    expect(h.app.consent.current(BOB)?.decision).toBe("agreed");
    expect(h.toldTo(BOB).at(-1)).toContain("You have been invited to “oak alumni”, where alumni keep in touch; you stay in the Oak Community Space.");
    expect(h.audit().find((e) => e.action === "member.discharge")).toMatchObject({ actor: SAM, subject: BOB });
  });

  it("does not discharge twice, a removed member, a stranger or staff", async () => {
    await h.send(SAM, OAK_STAFF, "!member discharge @bob:example.org");
    h.runJobs();
    expect((await h.send(SAM, OAK_STAFF, "!member discharge @bob:example.org")).text).toBe("@bob:example.org is already one of the alumni of Oak Community; nothing changed.");
    expect(h.jobsOf("kick")).toEqual([]);
    await h.send(SAM, OAK_STAFF, "!member add @carol:example.org");
    await h.send(SAM, OAK_STAFF, "!member remove @carol:example.org");
    expect((await h.send(SAM, OAK_STAFF, "!member discharge @carol:example.org")).text).toBe(
      "@carol:example.org was removed from Oak Community; add them again first if they are to become alumni.",
    );
    expect((await h.send(SAM, OAK_STAFF, "!member discharge @dave:example.org")).outcome).toBe("refused");
    expect((await h.send(SAM, OAK_STAFF, "!member discharge @ann:example.org")).outcome).toBe("refused");
  });

  it("does not invite alumni back to an alumni room they left on their own", async () => {
    h.app.members.recordLeft("oak", BOB, "alumni", h.now);
    const a = await h.send(SAM, OAK_STAFF, "!member discharge @bob:example.org");
    expect(a.text).toContain("Not invited back to “oak alumni”: they left on their own before.");
    expect(invitedRooms(BOB)).toEqual([]);
  });
});

describe("!member list and show", () => {
  it("lists members with role and sponsor, alumni, how many were removed, and the staff", async () => {
    expect((await h.send(SAM, OAK_STAFF, "!member list")).text).toContain("Oak Community has no members yet.");
    await h.send(SAM, OAK_STAFF, "!member add @bob:example.org");
    await h.send(SAM, OAK_STAFF, "!member add @carol:example.org --sponsor @ann:example.org");
    await h.send(SAM, OAK_STAFF, "!member add @dave:example.org");
    await h.send(SAM, OAK_STAFF, "!member discharge @carol:example.org");
    await h.send(SAM, OAK_STAFF, "!member remove @dave:example.org");
    h.app.members.setRole("oak", BOB, "peer", h.now);
    const a = await h.send(SAM, OAK_STAFF, "!member list");
    expect(a.text).toMatch(/Members of Oak Community \(1\):\n\n- @bob:example\.org: peer supporter, sponsor @sam:example\.org, since Mon, Jan 6; not answered yet\n/);
    expectToContainAll(a.text, [
      "Alumni (1):\n\n- @carol:example.org: sponsor @ann:example.org, alumni since Mon, Jan 6; not answered yet", "1 removed",
      "Staff: @sam:example.org. Admins: @ann:example.org.",
    ]);
    // Elm's staff see none of Oak's members.
    expect((await h.send(TOM, ELM_STAFF, "!member list")).text).toContain("Elm Community has no members yet.");
  });

  it("shows each member's consent status, and no heading over an empty list", async () => {
    await h.send(SAM, OAK_STAFF, "!member add @bob:example.org");
    await h.send(SAM, OAK_STAFF, "!member add @carol:example.org");
    await h.send(BOB, h.dm(BOB), "!consent agree");
    await h.send(CAROL, h.dm(CAROL), "!consent decline");
    const a = await h.send(SAM, OAK_STAFF, "!member list");
    expect(a.text).toMatch(/- @bob:example\.org: member, [^\n]*; agreed\n/);
    expect(a.text).toMatch(/- @carol:example\.org: member, [^\n]*; declined\n/);
    // Nobody discharged: no "Alumni (0):" heading with nothing under it.
    expect(a.text).not.toContain("Alumni");
    await h.send(SAM, OAK_STAFF, "!member discharge @bob:example.org");
    await h.send(SAM, OAK_STAFF, "!member discharge @carol:example.org");
    const onlyAlumni = await h.send(SAM, OAK_STAFF, "!member list");
    expect(onlyAlumni.text).toContain("Alumni (2):");
    expect(onlyAlumni.text).not.toContain("Members of Oak Community");
    expect(onlyAlumni.text).not.toContain("No active members");
  });

  it("shows one person: status, role, sponsor, consent and the rooms they left", async () => {
    await h.send(SAM, OAK_STAFF, "!member add @bob:example.org");
    h.runJobs();
    await h.membership(roomOf("oak", "creative"), BOB, "leave", { previous: "invite" });
    const a = await h.send(SAM, OAK_STAFF, "!member show @bob:example.org");
    expect(a.outcome).toBe("ok");
    expectToContainAll(a.text, [
      "status: active member", "sponsor: @sam:example.org", "rights and choices: they have not answered yet: nothing optional is recorded",
      "added by @sam:example.org on Mon, Jan 6", "left on their own (not invited back): “oak creative corner”",
    ]);
    await h.send(BOB, h.dm(BOB), "!consent agree");
    expect((await h.send(SAM, OAK_STAFF, "!member show @bob:example.org")).text).toContain("rights and choices: they agreed to the current text on Mon, Jan 6");
    expect((await h.send(SAM, OAK_STAFF, "!member show @ann:example.org")).text).toBe("@ann:example.org is an admin of Oak Community (from carenet's configuration).");
  });

  it("answers a look-up of someone who is not a member as a look-up, not a refusal, and audits it as what was run", async () => {
    const a = await h.send(SAM, OAK_STAFF, "!member show @carol:example.org");
    expect(a.outcome).toBe("ok");
    expect(a.text).toBe("@carol:example.org is not a member of Oak Community. !member add @carol:example.org adds them.");
    expect(h.audit().map((e) => [e.action, e.detail])).toEqual([["command.member", "!member show ok"]]);
  });
});

describe("!sponsor: a member may ask for another sponsor, or none; staff decide", () => {
  beforeEach(async () => {
    await h.send(SAM, OAK_STAFF, "!member add @bob:example.org");
    h.runJobs();
  });

  it("says who the sponsor is, by name, and how to ask for another or none", async () => {
    const a = await h.send(BOB, h.dm(BOB), "!sponsor");
    expect(a.outcome).toBe("ok");
    expect(a.text).toContain("Oak Community: your sponsor is @sam:example.org");
    expect(a.text).toContain("!sponsor change asks staff for a different sponsor, !sponsor none asks to have none.");
  });

  it("tells the staff room of a request, records it without a reason, and changes nothing until staff decide", async () => {
    const a = await h.send(BOB, roomOf("oak", "community"), "!sponsor change");
    expect(a).toMatchObject({ outcome: "ok", to: `dm:${BOB}` });
    expect(a.text).toContain("I have told the staff of Oak Community that you would like a different sponsor.");
    expect(h.app.members.get("oak", BOB)?.sponsor).toBe(SAM);
    const told = h.postedIn(OAK_STAFF);
    expect(told.at(-1)).toContain("@bob:example.org asks for a different sponsor (now: @sam:example.org). To decide: !member sponsor @bob:example.org @staff:example.org.");
    expect(h.audit().filter((e) => e.action === "sponsor.request")).toEqual([expect.objectContaining({ actor: BOB, subject: BOB, detail: "change" })]);

    // Staff decide in the staff room; the member is told.
    const d = await h.send(SAM, OAK_STAFF, "!member sponsor @bob:example.org @ann:example.org");
    expect(d.text).toBe("@bob:example.org now has @ann:example.org as their sponsor (was @sam:example.org).");
    expect(h.app.members.get("oak", BOB)?.sponsor).toBe(ANN);
    expect(h.toldTo(BOB).at(-1)).toContain("Staff of Oak Community have decided: your sponsor is now @ann:example.org.");
    // Audited once, by what it did.
    expect(h.audit().filter((e) => e.actor === SAM && e.action !== "member.add").map((e) => [e.action, e.detail])).toEqual([["member.sponsor", `sponsor ${SAM} → ${ANN}`]]);
  });

  it("lets a member have no sponsor at all, and refuses a sponsor who is not staff", async () => {
    expect((await h.send(BOB, h.dm(BOB), "!sponsor none")).text).toContain("that you would like to have no sponsor");
    expect((await h.send(SAM, OAK_STAFF, "!member sponsor @bob:example.org @tom:example.org")).outcome).toBe("refused");
    const none = await h.send(SAM, OAK_STAFF, "!member sponsor @bob:example.org none");
    expect(none.text).toBe("@bob:example.org now has no sponsor (was @sam:example.org).");
    expect(h.app.members.get("oak", BOB)?.sponsor).toBeNull();
    expect(h.toldTo(BOB).at(-1)).toContain("you have no sponsor now");
    expect((await h.send(BOB, h.dm(BOB), "!sponsor")).text).toContain("Oak Community: you have no sponsor.");
    expect((await h.send(BOB, h.dm(BOB), "!sponsor none")).text).toBe("You already have no sponsor in Oak Community; nothing changed.");
  });

  it("answers someone who is nobody's member, and explains a wrong word", async () => {
    expect((await h.send(CAROL, h.dm(CAROL), "!sponsor change")).text).toContain("You are not a member of a community on carenet");
    const bad = await h.send(BOB, h.dm(BOB), "!sponsor replace");
    expect(bad.outcome).toBe("refused");
    expect(bad.text).toContain("Say !sponsor change or !sponsor none.");
  });
});
