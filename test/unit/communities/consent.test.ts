import { currentRightsText, hasCurrentConsent, latestDecision } from "../../../src/features/communities/consent";
import { BOB, CAROL, DAVE, Harness, roomOf, SAM, TOM } from "./harness";
import { expectToContainAll } from "../../support/expectText";

const OAK_STAFF = roomOf("oak", "staff");
const ELM_STAFF = roomOf("elm", "staff");
const OAK_CHAT = roomOf("oak", "community");

let h: Harness;
beforeEach(async () => (h = await Harness.withBobInOak()));

const version = (communityId = "oak") =>
  currentRightsText(h.app, h.config.communities.find((c) => c.id === communityId)!, h.config.crisis_resources).version;

describe("!consent", () => {
  it("shows that a new member has not answered, and nothing optional may be recorded for them", async () => {
    const a = await h.send(BOB, h.dm(BOB), "!consent");
    expect(a.outcome).toBe("ok");
    expect(a.text).toContain("Oak Community: You have not answered yet: nothing optional is recorded.");
    expect(hasCurrentConsent(h.app, "oak", BOB)).toBe(false);
  });

  it("records agreement with the version of the text shown, audits it, and answers a repeat without a second record", async () => {
    const a = await h.send(BOB, h.dm(BOB), "!consent agree");
    expect(a.outcome).toBe("ok");
    expect(a.text).toContain(`I have recorded that you agree to Oak Community's text (version ${version()}) on Mon, Jan 6.`);
    expect(h.app.consent.history(BOB)).toEqual([expect.objectContaining({ decision: "agreed", textVersion: version(), decidedAt: h.now })]);
    expect(hasCurrentConsent(h.app, "oak", BOB)).toBe(true);
    expect(h.audit().filter((e) => e.action.startsWith("consent.agree"))).toEqual([
      expect.objectContaining({ actor: BOB, subject: BOB, detail: `version ${version()}` }),
    ]);

    const again = await h.send(BOB, h.dm(BOB), "!consent agree");
    expect(again.text).toBe("Your answer for Oak Community is already recorded (agreed on Mon, Jan 6); nothing changed.");
    expect(h.app.consent.history(BOB)).toHaveLength(1);
    expect((await h.send(BOB, h.dm(BOB), "!consent")).text).toContain("Oak Community: You agreed to the current text on Mon, Jan 6.");
  });

  it("withdraws and declines; each takes consent away and keeps support", async () => {
    const nothing = await h.send(BOB, h.dm(BOB), "!consent withdraw");
    expect(nothing.text).toBe("You have not agreed to Oak Community's text, so there is nothing to withdraw: nothing optional is recorded about you.");
    expect(h.app.consent.history(BOB)).toEqual([]);

    await h.send(BOB, h.dm(BOB), "!consent agree");
    const w = await h.send(BOB, h.dm(BOB), "!consent withdraw");
    expectToContainAll(w.text, ["I have recorded that you withdraw your agreement to Oak Community's text.", "!help and !page always work", "Samaritans 116 123"]);
    expect(hasCurrentConsent(h.app, "oak", BOB)).toBe(false);

    const d = await h.send(BOB, h.dm(BOB), "!consent decline");
    expect(d.text).toContain("I have recorded that you do not agree to Oak Community's text");
    expect(h.app.consent.history(BOB).map((r) => r.decision)).toEqual(["agreed", "withdrawn", "declined"]);
    expect(h.audit().filter((e) => e.action.startsWith("consent.") && e.action !== "consent.asked").map((e) => e.action)).toEqual([
      "consent.agree",
      "consent.withdraw",
      "consent.decline",
    ]);
    expect((await h.send(BOB, h.dm(BOB), "!consent")).text).toContain("You declined on Mon, Jan 6: nothing optional is recorded");
  });

  it("answers by DM when asked in a shared room", async () => {
    const status = await h.send(BOB, OAK_CHAT, "!consent");
    expect(status.to).toBe(`dm:${BOB}`);
    const agree = await h.send(BOB, OAK_CHAT, "!consent agree");
    expect(agree).toMatchObject({ outcome: "ok", to: `dm:${BOB}` });
    expect(hasCurrentConsent(h.app, "oak", BOB)).toBe(true);
  });

  it("keeps each community's answer apart: agreeing in one community is not agreeing in another", async () => {
    await h.send(TOM, ELM_STAFF, "!member add @bob:example.org");
    const which = await h.send(BOB, h.dm(BOB), "!consent agree");
    expect(which.outcome).toBe("refused");
    expect(which.text).toContain("You are in more than one community: say which, e.g. !consent agree");
    expect(h.app.consent.history(BOB)).toEqual([]);

    expect((await h.send(BOB, h.dm(BOB), "!consent agree elm")).outcome).toBe("ok");
    expect(hasCurrentConsent(h.app, "elm", BOB)).toBe(true);
    expect(hasCurrentConsent(h.app, "oak", BOB)).toBe(false);
    expect((await h.send(BOB, OAK_CHAT, "!consent agree")).outcome).toBe("ok");
    expect(hasCurrentConsent(h.app, "oak", BOB)).toBe(true);
    // Withdrawing in one leaves the other as it was.
    await h.send(BOB, h.dm(BOB), "!consent withdraw elm");
    expect(hasCurrentConsent(h.app, "elm", BOB)).toBe(false);
    expect(hasCurrentConsent(h.app, "oak", BOB)).toBe(true);
    const both = await h.send(BOB, h.dm(BOB), "!consent");
    expect(both.text).toContain("Oak Community: You agreed to the current text");
    expect(both.text).toContain("Elm Community: You withdrew your agreement");
  });

  it("refuses a member of one community answering for another", async () => {
    const a = await h.send(BOB, roomOf("elm", "community"), "!consent agree");
    expect(a).toMatchObject({ outcome: "refused", to: `dm:${BOB}` });
    expect(a.text).toBe("You are not a member of Elm Community, so there is nothing for you to agree to here.");
    expect((await h.send(BOB, h.dm(BOB), "!consent agree elm")).text).toContain("You are not a member of a community by that name. Yours: oak (Oak Community).");
    expect(hasCurrentConsent(h.app, "elm", BOB)).toBe(false);
    expect(h.app.consent.history(BOB)).toEqual([]);
  });

  it("tells staff they are not asked, and people with no community that there is nothing to agree to", async () => {
    expect((await h.send(SAM, OAK_STAFF, "!consent agree")).text).toBe("Consent is asked of the members of Oak Community; as its staff you are not asked.");
    const stranger = await h.send(DAVE, h.dm(DAVE), "!consent agree");
    expect(stranger.text).toContain("carenet has no record of you as a member of a community");
    expect(stranger.text).toContain("Samaritans 116 123");
    expect(h.app.consent.history(DAVE)).toEqual([]);
  });

  it("lets someone who was removed still withdraw", async () => {
    await h.send(BOB, h.dm(BOB), "!consent agree");
    await h.send(SAM, OAK_STAFF, "!member remove @bob:example.org");
    expect((await h.send(BOB, h.dm(BOB), "!consent withdraw")).outcome).toBe("ok");
    expect(latestDecision(h.app, "oak", BOB)?.decision).toBe("withdrawn");
  });

  it.each([
    ["!consent agreee", "That is not an answer I know. Did you mean agree?"],
    ["!consent yes please", "Name at most one community."],
    ["!consent maybe", "That is not an answer I know: say agree, decline or withdraw."],
  ])("answers %j with what is wrong", async (body, problem) => {
    const a = await h.send(BOB, h.dm(BOB), body);
    expect(a.outcome).toBe("refused");
    expect(a.text).toContain(problem);
    expect(a.text).toContain("Usage: !consent [agree|decline|withdraw] [community]");
    expect(h.app.consent.history(BOB)).toEqual([]);
  });

  it("never stands between a member and !help", async () => {
    const a = await h.send(BOB, h.dm(BOB), "!help");
    expect(a.outcome).toBe("ok");
    expect(a.text.startsWith("Need a person now? Send !page")).toBe(true);
    expect(a.text).toContain("If you need support right now:");
  });
});

describe("!rights and !rules", () => {
  it("!rights gives the short summary by DM when asked in a shared room, with the member's answer, and each part on request", async () => {
    const a = await h.send(BOB, OAK_CHAT, "!rights");
    expect(a).toMatchObject({ outcome: "ok", to: `dm:${BOB}` });
    expect(a.text).toContain("Oak Community: your rights, in short");
    expect(a.text).toContain("It is not a crisis service.");
    // One line per part, each with the command that opens it.
    const lines = a.text.split("\n").filter((l) => l.startsWith("- "));
    expect(lines.length).toBeGreaterThanOrEqual(7);
    for (const l of lines) expect(l).toMatch(/More: !(rights [a-z]+|rules|sponsor)$/);
    for (const part of ["about", "kept", "see", "choices", "advocacy", "hours", "all"]) {
      const r = await h.send(BOB, h.dm(BOB), `!rights ${part}`);
      expect({ part, outcome: r.outcome }).toEqual({ part, outcome: "ok" });
    }
    expect((await h.send(BOB, h.dm(BOB), "!rights about")).text).toContain("It is NOT a crisis service.");
    expect((await h.send(BOB, h.dm(BOB), "!rights kept")).text).toContain("What carenet keeps, and for how long");
    expect((await h.send(BOB, h.dm(BOB), "!rights all")).text).toContain("Who can see it");
    expect(a.text).toContain(`(Version ${version()}.)`);
    expect(a.text).toContain("You have not answered yet");
    // In the DM it answers in the DM.
    expect((await h.send(BOB, h.dm(BOB), "!rights")).to).toBe(h.dm(BOB));
  });

  it("!rights lets staff read what their members are shown; people with no community are told there is nothing", async () => {
    const staff = await h.send(SAM, OAK_STAFF, "!rights");
    expect(staff.to).toBe(`dm:${SAM}`);
    expect(staff.text).toContain("Oak Community: your rights, in short");
    expect(staff.text).not.toContain("You have not answered");
    expect((await h.send(CAROL, h.dm(CAROL), "!rights")).text).toContain("carenet has no record of you as a member");
  });

  it("!rules shows the community's rules where asked, or says there are none", async () => {
    const a = await h.send(BOB, OAK_CHAT, "!rules");
    expect(a).toMatchObject({ outcome: "ok", to: OAK_CHAT });
    expect(a.text).toBe("The rules of Oak Community:\n\n- Be kind.\n- Bring it back to the group.");
    expect((await h.send(TOM, roomOf("elm", "community"), "!rules")).text).toContain(
      "Elm Community has no written rules in carenet; your sponsor will go through the community's agreements with you.",
    );
    expect((await h.send(BOB, h.dm(BOB), "!rules")).text).toContain("- Be kind.");
    expect((await h.send(BOB, h.dm(BOB), "!rules elm")).outcome).toBe("refused");
  });
});

describe("a changed text asks again", () => {
  const changeRules = (rules: string[]) => {
    h.config = { ...h.config, communities: h.config.communities.map((c) => (c.id === "oak" ? { ...c, rules } : c)) };
  };

  it("asks a member who agreed to an earlier text once per new version, and their earlier agreement no longer counts", async () => {
    await h.send(BOB, h.dm(BOB), "!consent agree");
    const before = version();
    await h.reconcile();
    expect(h.toldTo(BOB)).toHaveLength(2); // only the welcome and the summary: nothing changed

    changeRules(["Be kind.", "Phones away at the meeting."]);
    expect(version()).not.toBe(before);
    expect(hasCurrentConsent(h.app, "oak", BOB)).toBe(false);
    await h.reconcile();
    await h.reconcile();
    const asked = h.toldTo(BOB).slice(1);
    expect(asked).toHaveLength(2);
    expectToContainAll(asked[1], [
      "The text about Oak Community on carenet has changed since you answered it on Mon, Jan 6.", "More: !rules", `(Version ${version()}.)`,
    ]);
    expect(h.audit().filter((e) => e.action === "consent.asked").map((e) => e.detail)).toEqual([`version ${before}`, `version ${version()}`]);

    expect((await h.send(BOB, h.dm(BOB), "!consent")).text).toContain("You agreed on Mon, Jan 6 to an earlier text and have not answered the changed one yet");
    await h.send(BOB, h.dm(BOB), "!consent agree");
    expect(hasCurrentConsent(h.app, "oak", BOB)).toBe(true);
    await h.reconcile();
    expect(h.toldTo(BOB)).toHaveLength(3);
  });

  it("asks the changed text of members who never answered, and of alumni, but not of removed members", async () => {
    await h.send(SAM, OAK_STAFF, "!member add @carol:example.org");
    await h.send(SAM, OAK_STAFF, "!member discharge @carol:example.org");
    await h.send(SAM, OAK_STAFF, "!member add @dave:example.org");
    await h.send(SAM, OAK_STAFF, "!member remove @dave:example.org");
    const before = { bob: h.toldTo(BOB).length, carol: h.toldTo(CAROL).length, dave: h.toldTo(DAVE).length };
    await h.reconcile();
    expect(h.toldTo(BOB)).toHaveLength(before.bob); // sent this version at onboarding already

    h.config = { ...h.config, crisis_resources: "Call 999. Samaritans 116 123. Text SHOUT to 85258." };
    await h.reconcile();
    expect(h.toldTo(BOB)).toHaveLength(before.bob + 1);
    expect(h.toldTo(BOB).at(-1)).toContain("has changed since it was sent to you");
    expect(h.toldTo(BOB).at(-1)).toContain("Text SHOUT to 85258.");
    expect(h.toldTo(CAROL)).toHaveLength(before.carol + 1);
    expect(h.toldTo(DAVE)).toHaveLength(before.dave);
  });

  it("does not ask again when only the posting hours change (they are shown, not agreed to)", async () => {
    await h.send(BOB, h.dm(BOB), "!consent agree");
    const oak = h.config.communities[0];
    h.config = {
      ...h.config,
      communities: [{ ...oak, rooms: { ...oak.rooms, community: { ...oak.rooms.community, posting_hours: [{ days: ["sat"], from: "10:00", to: "16:00" }] } } }, h.config.communities[1]],
    };
    expect(hasCurrentConsent(h.app, "oak", BOB)).toBe(true);
    await h.reconcile();
    expect(h.toldTo(BOB)).toHaveLength(2);
  });
});

describe("hasCurrentConsent", () => {
  it("is false for a community that is not configured", async () => {
    await h.send(BOB, h.dm(BOB), "!consent agree");
    expect(hasCurrentConsent(h.app, "nowhere", BOB)).toBe(false);
  });
});
