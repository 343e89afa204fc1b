import { parseConfig } from "../../../src/config/load";
import { describeDays, describeWindow, postingHoursBlock, rightsText } from "../../../src/features/communities/rightsText";
import { onboardingMessages } from "../../../src/features/communities/consent";
import { DEFAULT_CONTEXT, renderWords, t, type RenderContext } from "../../../src/words";
import { retentionOf } from "../../../src/config/retention";
import { readUserId } from "../../../src/features/communities/userIds";
import { userIdProblemWords } from "../../../src/features/communities/commands/member";
import { community, CRISIS } from "./harness";
import { expectToContainAll } from "../../support/expectText";

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
    ["bob", "bob is not a Matrix user id: it starts with @, like @bob:example.org."],
    ["bob:example.org", "it starts with @, like @bob:example.org"],
    ["@bob", "@bob is missing its homeserver: write it in full, like @bob:example.org."],
    ["@:example.org", "has no name between @ and the colon"],
    ["@Bob:example.org", "Matrix user ids are lower case, like @bob:example.org"],
    ["@bob smith:example.org", "the name may hold only a-z, 0-9"],
    ["@bob:exa mple", "exa mple is not a server name"],
  ])("explains what is wrong with %j", (raw, problem) => {
    const r = readUserId(raw, "example.org");
    expect(r).toMatchObject({ ok: false, kind: "malformed" });
    if (r.ok) throw new Error("expected a problem");
    expect(renderWords(userIdProblemWords(r.problem)).plain).toContain(problem);
  });

  it("says the problems in Spanish too, with the typed id as code", () => {
    const r = readUserId("bob", "example.org");
    if (r.ok) throw new Error("expected a problem");
    const es = renderWords(userIdProblemWords(r.problem), { ...DEFAULT_CONTEXT, language: "es" });
    expect(es.plain).toBe("bob no es un identificador de usuario de Matrix: empieza por @, como @bob:example.org.");
    expect(es.html).toContain("<code>@bob:example.org</code>");
  });

  it("tells a user of another homeserver apart from a malformed id", () => {
    const r = readUserId("@bob:other.net", "example.org");
    expect(r).toEqual({
      ok: false,
      kind: "foreign",
      userId: "@bob:other.net",
      problem: { code: "foreign", userId: "@bob:other.net", server: "other.net", domain: "example.org" },
    });
    if (r.ok) throw new Error("expected a problem");
    expect(renderWords(userIdProblemWords(r.problem)).plain).toBe("@bob:other.net is on another homeserver (other.net); carenet serves only people on example.org.");
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
    expectToContainAll(all, [
      "!mydata sends you everything carenet keeps about you",
      "!mydata sends you all of it, and !forgetme erases it (all but the audit log) whenever you ask.", "!hours shows the hours.",
    ]);
  });

  it("says for how long each kind of record is kept, from the deployment's retention periods, once !mydata and !forgetme exist", () => {
    const oak = community("oak");
    const all = () => true;
    const text = rightsText(oak, CRISIS, all, retentionOf({ retention: { checkins: "30d", pages: "400d", rota: "60d", removed_members: "1d" } })).message.plain;
    expectToContainAll(text, [
      "if staff remove you, for 1 day after that, and then deleted",
      "so that no call for help is lost, for 400 days; a page that is not closed yet is never deleted",
      "who was told about a low or missed one, for 30 days", "while they run and for 60 days after they end",
      "it is never deleted, not even when you ask to be forgotten", "Messages carenet sends you stay in its database for 7 days",
    ]);
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

const en: RenderContext = { language: "en" };
const es: RenderContext = { language: "es" };
const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

describe("posting hours in words", () => {
  it.each([
    [["mon", "tue", "wed", "thu", "fri"], "Monday to Friday"],
    [["sat", "sun"], "Saturday and Sunday"],
    [["mon", "wed", "thu", "fri", "sun"], "Monday, Wednesday to Friday, and Sunday"],
    [["tue"], "Tuesday"],
  ] as const)("%j → %s", (days, words) => {
    expect(renderWords(t("rights.window", { days: describeDays([...days]), from: "a", to: "b" }), en).plain).toBe(`${words}: from a to b`);
  });

  it("says overnight windows end the next morning, and whole days", () => {
    const w = (x: Parameters<typeof describeWindow>[0], ctx = en) => renderWords(describeWindow(x), ctx).plain;
    expect(w({ days: ["fri"], from: "17:00", to: "09:00" })).toBe("Friday: from 17:00 to 09:00 the next morning");
    expect(w({ days: ["sat", "sun"], from: "00:00", to: "24:00" })).toBe("Saturday and Sunday: all day");
    expect(w({ days: ["mon"], from: "18:00", to: "24:00" })).toBe("Monday: from 18:00 to midnight");
    expect(w({ days: ["mon"], from: "10:00", to: "16:00" })).toBe("Monday: from 10:00 to 16:00");
    expect(w({ days: ["mon", "tue", "wed", "thu", "fri"], from: "17:00", to: "09:00" }, es)).toBe("de lunes a viernes: de 17:00 a 09:00 de la mañana siguiente");
  });
});

/** A config with one community, oak; `communityLines` end its entry (line 9 is the first of them). */
const yaml = (communityLines: string) => `homeserver: { url: http://127.0.0.1:8008, domain: example.org }
crisis_resources: Call 999.
communities:
  - id: oak
    name: Oak
    timezone: Europe/London
    staff: ["@sam:example.org"]
    rooms: { community: { name: chat }, staff: { name: staff }, alumni: { name: alumni } }
${communityLines}`;

describe("rules in the config", () => {
  it("are optional, and read as a list of sentences", () => {
    expect(parseConfig(yaml(""), "c.yaml").config.communities[0].rules).toBeUndefined();
    expect(parseConfig(yaml("    rules: [Be kind., Phones away.]"), "c.yaml").config.communities[0].rules).toEqual(["Be kind.", "Phones away."]);
  });

  it("refuse an empty rule or a rule that is not text, with where it is", () => {
    expect(() => parseConfig(yaml('    rules: ["Be kind.", ""]'), "c.yaml")).toThrow(/c\.yaml:9:\d+: communities\[0\]\.rules\[1\]/);
    expect(() => parseConfig(yaml("    rules: [{ be: kind }]"), "c.yaml")).toThrow(/communities\[0\]\.rules\[0\]/);
  });
});

describe("layered texts for someone reading on a phone", () => {
  const all = () => true;

  it.each([
    ["en", en],
    ["es", es],
  ] as const)("the first onboarding message fits one phone screen (≤ 120 words) in %s: who, support now, what next, where to read more", (_l, ctx) => {
    const oak = community("oak");
    const text = rightsText(oak, CRISIS, all);
    for (const returning of [false, true]) {
      const [first, summary] = onboardingMessages(oak, text, "@sam:example.org", returning, CRISIS);
      const plain = first.render({ ...ctx, names: (u) => (u === "@sam:example.org" ? "Sam Staff" : undefined) }).plain;
      expect(words(plain)).toBeLessThanOrEqual(120);
      expectToContainAll(plain, ["!page", "Samaritans 116 123", "!consent agree", "!rights"]);
      // The sponsor by name, never a bare Matrix ID.
      expect(plain).toContain("Sam Staff");
      expect(plain).not.toContain("@sam:example.org");
      expect(summary.render(ctx).plain).toContain("!rights kept");
    }
  });

  it("!rights in short: one line per part, each with the command that opens it, in both languages", () => {
    const text = rightsText(community("oak"), CRISIS, all);
    for (const ctx of [en, es]) {
      const lines = text.summary.render(ctx).plain.split("\n").filter((l) => l.startsWith("- "));
      expect(lines.map((l) => /!(rights [a-z]+|rules|sponsor)$/.exec(l)?.[0])).toEqual([
        "!rights about",
        "!rules",
        "!rights hours",
        "!rights kept",
        "!rights see",
        "!rights choices",
        "!rights advocacy",
        "!sponsor",
      ]);
      for (const l of lines) expect(words(l)).toBeLessThanOrEqual(30);
    }
  });

  it("does not contradict itself when the community room has no posting hours", () => {
    const open = community("oak", { rooms: { ...community("oak").rooms, community: { name: "oak chat" } } });
    const text = rightsText(open, CRISIS, all);
    const full = text.message.plain;
    expect(full).toContain("The community room is open for members to post at any time.");
    expect(full).not.toMatch(/set hours|listed at the end/);
    expect(text.summary.plain).toContain("none: you can post in the community room at any time");
    expect(postingHoursBlock(open).plain).toContain("At any time.");
    // With hours, it says so, and the hours come with !rights hours.
    const withHours = rightsText(community("oak"), CRISIS, all);
    expect(withHours.message.plain).toContain("at set hours");
    expect(postingHoursBlock(community("oak")).plain).toContain("Monday to Friday: from 17:00 to 09:00 the next morning");
  });
});

describe("rights for people who were never told them", () => {
  const all = () => true;
  const rights = {
    advocacy: { name: "Oak Advocacy", phone: "0300 123 4567", sms: "60123", url: "https://advocacy.example.org", note: "Free and independent." },
    complaints: { name: "Complaints officer", email: "complaints@example.org" },
    staff_note: "Your care team is never sent anything from carenet.",
  };

  it("names the community's advocacy service and complaints route, with tappable numbers, and what staff can and cannot see", () => {
    const text = rightsText(community("oak", { rights }), CRISIS, all);
    const advocacy = text.sections.advocacy.render(en);
    expect(advocacy.plain).toContain("Independent advocacy: Oak Advocacy: call 0300 123 4567, text 60123, or https://advocacy.example.org. Free and independent.");
    expect(advocacy.plain).toContain("To complain: Complaints officer: email complaints@example.org.");
    expect(advocacy.html).toContain('<a href="tel:03001234567">0300 123 4567</a>');
    expect(advocacy.html).toContain('<a href="sms:60123">60123</a>');
    const see = text.sections.see.plain;
    expectToContainAll(see, [
      "Staff cannot see what you write to me here",
      "Nothing in carenet is used to monitor whether you follow your treatment (for example a community treatment order)",
      "Oak Community adds: Your care team is never sent anything from carenet.",
    ]);
    expect(text.sections.see.render(es).plain).toContain("Nada en carenet se usa para vigilar si cumples tu tratamiento");
  });

  it("tells people how to find an advocate when none is configured, and a changed service asks everyone again", () => {
    const plain = rightsText(community("oak"), CRISIS, all).sections.advocacy.plain;
    expect(plain).toContain("Oak Community has not named an advocacy service in carenet yet. Ask any member of staff how to reach one");
    expect(plain).toContain("To complain, tell any member of staff");
    const v = rightsText(community("oak"), CRISIS, all).version;
    expect(rightsText(community("oak", { rights }), CRISIS, all).version).not.toBe(v);
    expect(rightsText(community("oak", { rights: { ...rights, staff_note: "Other words." } }), CRISIS, all).version).not.toBe(rightsText(community("oak", { rights }), CRISIS, all).version);
  });

  it("reads the rights from the configuration and refuses a service with no way to reach it", () => {
    const read = parseConfig(yaml('    rights: { advocacy: { name: Oak Advocacy, phone: "0300 123 4567" }, staff_note: Hello. }'), "c.yaml").config.communities[0].rights;
    expect(read).toEqual({ advocacy: { name: "Oak Advocacy", phone: "0300 123 4567" }, staff_note: "Hello." });
    expect(() => parseConfig(yaml("    rights: { advocacy: { name: Oak Advocacy } }"), "c.yaml")).toThrow(/communities\[0\]\.rights\.advocacy/);
    expect(() => parseConfig(yaml('    rights: { complaints: { name: X, phone: "call me" } }'), "c.yaml")).toThrow(/communities\[0\]\.rights\.complaints/);
  });
});
