import { parseConfig } from "../../../src/config/load";
import { describeDays, describeWindow, rightsText } from "../../../src/communities/rightsText";
import { retentionOf } from "../../../src/rights/settings";
import { readUserId } from "../../../src/communities/userIds";
import { community, CRISIS } from "./harness";

describe("readUserId", () => {
  it.each([
    ["@bob:example.org", "@bob:example.org"],
    ["  @bob.smith_1=x/y+z-w:example.org ", "@bob.smith_1=x/y+z-w:example.org"],
    ["https://matrix.to/#/@bob:example.org", "@bob:example.org"],
    ["https://matrix.to/#/%40bob%3Aexample.org?via=example.org", "@bob:example.org"],
  ])("reads %j", (raw, userId) => {
    expect(readUserId(raw, "example.org")).toEqual({ ok: true, userId });
  });

  it.each([
    ["bob", "`bob` is not a Matrix user id: it starts with @, like `@bob:example.org`."],
    ["bob:example.org", "it starts with @, like `@bob:example.org`"],
    ["@bob", "`@bob` is missing its homeserver: write it in full, like `@bob:example.org`."],
    ["@:example.org", "has no name between @ and the colon"],
    ["@Bob:example.org", "Matrix user ids are lower case, like `@bob:example.org`"],
    ["@bob smith:example.org", "the name may hold only a-z, 0-9"],
    ["@bob:exa mple", "`exa mple` is not a server name"],
  ])("explains what is wrong with %j", (raw, problem) => {
    const r = readUserId(raw, "example.org");
    expect(r).toMatchObject({ ok: false, kind: "malformed" });
    expect((r as { problem: string }).problem).toContain(problem);
  });

  it("tells a user of another homeserver apart from a malformed id", () => {
    expect(readUserId("@bob:other.net", "example.org")).toEqual({
      ok: false,
      kind: "foreign",
      userId: "@bob:other.net",
      problem: "`@bob:other.net` is on another homeserver (other.net); carenet serves only people on example.org.",
    });
    expect(readUserId("@bob:example.org:8448", "example.org")).toMatchObject({ kind: "foreign" });
  });
});

describe("the rights text", () => {
  const none = () => false;

  it("has a version that names the community and changes with the rules, the crisis resources and the commands it names", () => {
    const oak = community("oak", { rules: ["Be kind."] });
    const v = rightsText(oak, CRISIS, none).version;
    expect(v).toMatch(/^oak@[0-9a-f]{12}$/);
    expect(rightsText(oak, CRISIS, none).version).toBe(v);
    expect(rightsText({ ...oak, rules: ["Be kinder."] }, CRISIS, none).version).not.toBe(v);
    expect(rightsText(oak, "Call 111.", none).version).not.toBe(v);
    expect(rightsText(oak, CRISIS, (n) => n === "mydata").version).not.toBe(v);
    expect(rightsText({ ...oak, id: "elm" }, CRISIS, none).version).toMatch(/^elm@/);
  });

  it("names !mydata, !forgetme and !hours only once they exist", () => {
    const oak = community("oak");
    const without = rightsText(oak, CRISIS, none).message.plain;
    expect(without).not.toMatch(/!mydata|!forgetme|!hours/);
    expect(without).toContain("until you ask your sponsor or the service's admins to erase it");
    const all = rightsText(oak, CRISIS, () => true).message.plain;
    expect(all).toContain("`!mydata` sends you everything carenet keeps about you");
    expect(all).toContain("`!mydata` sends you all of it, and `!forgetme` erases it (all but the audit log) whenever you ask.");
    expect(all).toContain("`!hours` shows them at any time");
  });

  it("says for how long each kind of record is kept, from the deployment's retention periods, once !mydata and !forgetme exist", () => {
    const oak = community("oak");
    const all = () => true;
    const text = rightsText(oak, CRISIS, all, retentionOf({ retention: { checkins: "30d", pages: "400d", rota: "60d", removed_members: "1d" } })).message.plain;
    expect(text).toContain("if staff remove you, for 1 day after that, and then deleted");
    expect(text).toContain("so that no call for help is lost, for 400 days; a page that is not closed yet is never deleted");
    expect(text).toContain("who was told about a low or missed one, for 30 days");
    expect(text).toContain("while they run and for 60 days after they end");
    expect(text).toContain("it is never deleted — not even when you ask to be forgotten");
    expect(text).toContain("Messages carenet sends you stay in its database for 7 days");
    // The defaults when the config says nothing.
    expect(rightsText(oak, CRISIS, all).message.plain).toContain("if staff remove you, for 90 days after that");
    // A changed period is a changed text: members are asked again.
    const v = rightsText(oak, CRISIS, all).version;
    expect(rightsText(oak, CRISIS, all, retentionOf({ retention: { checkins: "30d" } })).version).not.toBe(v);
    // Without the data commands the text promises no periods it could not keep.
    expect(rightsText(oak, CRISIS, none).message.plain).not.toMatch(/\d+ days?/);
  });

  it("says, without colour or emoji, that the network is not a crisis service, with the resources", () => {
    const m = rightsText(community("oak"), CRISIS, none).message;
    expect(m.plain).toContain("It is NOT a crisis service.");
    expect(m.plain).toContain("If you need support right now:\n\nIn an emergency call 999.\nSamaritans 116 123 (free, 24/7).");
    expect(m.html).toContain('<p>In an emergency call <a href="tel:999">999</a>.<br>Samaritans <a href="tel:116123">116 123</a> (free, 24/7).</p>');
  });
});

describe("posting hours in words", () => {
  it.each([
    [["mon", "tue", "wed", "thu", "fri"], "Monday to Friday"],
    [["sat", "sun"], "Saturday and Sunday"],
    [["mon", "wed", "thu", "fri", "sun"], "Monday, Wednesday to Friday and Sunday"],
    [["tue"], "Tuesday"],
  ] as const)("%j → %s", (days, words) => {
    expect(describeDays([...days])).toBe(words);
  });

  it("says overnight windows end the next morning, and whole days", () => {
    expect(describeWindow({ days: ["fri"], from: "17:00", to: "09:00" })).toBe("Friday: from 17:00 to 09:00 the next morning");
    expect(describeWindow({ days: ["sat", "sun"], from: "00:00", to: "24:00" })).toBe("Saturday and Sunday: all day");
    expect(describeWindow({ days: ["mon"], from: "18:00", to: "24:00" })).toBe("Monday: from 18:00 to midnight");
    expect(describeWindow({ days: ["mon"], from: "10:00", to: "16:00" })).toBe("Monday: from 10:00 to 16:00");
  });
});

describe("rules in the config", () => {
  const yaml = (rules: string) => `homeserver: { url: http://127.0.0.1:8008, domain: example.org }
crisis_resources: Call 999.
communities:
  - id: oak
    name: Oak
    timezone: Europe/London
    staff: ["@sam:example.org"]
    rooms: { community: { name: chat }, staff: { name: staff }, alumni: { name: alumni } }
${rules}`;

  it("are optional, and read as a list of sentences", () => {
    expect(parseConfig(yaml(""), "c.yaml").config.communities[0].rules).toBeUndefined();
    expect(parseConfig(yaml("    rules: [Be kind., Phones away.]"), "c.yaml").config.communities[0].rules).toEqual(["Be kind.", "Phones away."]);
  });

  it("refuse an empty rule or a rule that is not text, with where it is", () => {
    expect(() => parseConfig(yaml('    rules: ["Be kind.", ""]'), "c.yaml")).toThrow(/c\.yaml:9:\d+: communities\[0\]\.rules\[1\]/);
    expect(() => parseConfig(yaml("    rules: [{ be: kind }]"), "c.yaml")).toThrow(/communities\[0\]\.rules\[0\]/);
  });
});
