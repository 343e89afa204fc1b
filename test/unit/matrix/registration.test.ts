import fs from "node:fs";
import path from "node:path";
import { parse, stringify } from "yaml";
import { aliasPrefix, generateRegistration, loadRegistration, registrationToYaml, type Registration } from "../../../src/matrix/registration";
import { expectToContainAll } from "../../support/expectText";
import { freshDir, removeDir } from "../../support/tempDirs";

let tmp: string;
beforeEach(() => (tmp = freshDir("carenet-reg-")));
afterEach(() => removeDir(tmp));

const PARAMS = { url: "http://127.0.0.1:9993", domain: "example.org", localpart: "carenet" };

/** Synapse anchors namespace regexes to the whole ID. */
const matches = (regex: string, id: string) => new RegExp(`^(?:${regex})$`).test(id);

describe("generateRegistration", () => {
  it("adds what end-to-end encryption needs (MSC2409, MSC3202, MSC4190) only when asked", () => {
    const plain = generateRegistration(PARAMS);
    for (const key of ["receive_ephemeral", "de.sorunome.msc2409.push_ephemeral", "org.matrix.msc3202", "io.element.msc4190"]) {
      expect(plain[key]).toBeUndefined();
      expect(generateRegistration({ ...PARAMS, encryption: true })[key]).toBe(true);
    }
    const file = path.join(tmp, "registration.yaml");
    fs.writeFileSync(file, registrationToYaml(generateRegistration({ ...PARAMS, encryption: true })));
    expect(loadRegistration(file, { localpart: "carenet" })["org.matrix.msc3202"]).toBe(true);
  });

  it("has the given url, id, localpart, no rate limit and random 64-hex tokens", () => {
    const r = generateRegistration(PARAMS);
    expect(r.id).toBe("carenet");
    expect(r.url).toBe(PARAMS.url);
    expect(r.sender_localpart).toBe("carenet");
    expect(r.rate_limited).toBe(false);
    expect(r.as_token).toMatch(/^[0-9a-f]{64}$/);
    expect(r.hs_token).toMatch(/^[0-9a-f]{64}$/);
    expect(r.as_token).not.toBe(r.hs_token);
    const again = generateRegistration(PARAMS);
    expect(again.as_token).not.toBe(r.as_token);
    expect(again.hs_token).not.toBe(r.hs_token);
    expect(generateRegistration({ ...PARAMS, id: "other" }).id).toBe("other");
  });

  it("reserves exactly one exclusive user namespace for the bot's prefix on this server", () => {
    const { users } = generateRegistration(PARAMS).namespaces;
    expect(users).toHaveLength(1);
    expect(users[0].exclusive).toBe(true);
    expect(users[0].regex.endsWith(":example\\.org")).toBe(true);
    expect(matches(users[0].regex, "@carenet_anything:example.org")).toBe(true);
    expect(matches(users[0].regex, "@carenet_:example.org")).toBe(true);
    expect(matches(users[0].regex, "@carenetx:example.org")).toBe(false);
    expect(matches(users[0].regex, "@someone:example.org")).toBe(false);
    expect(matches(users[0].regex, "@carenet_x:other.org")).toBe(false);
    // The dot in the domain is literal.
    expect(matches(users[0].regex, "@carenet_x:exampleXorg")).toBe(false);
  });

  it("reserves the alias namespace #<localpart>_…:<domain> exclusively, and no rooms", () => {
    const r = generateRegistration(PARAMS);
    expect(r.namespaces.aliases).toHaveLength(1);
    expect(r.namespaces.aliases[0].exclusive).toBe(true);
    const regex = r.namespaces.aliases[0].regex;
    expect(matches(regex, `#${aliasPrefix("carenet")}oakwood_community:example.org`)).toBe(true);
    expect(matches(regex, "#carenet_oakwood_staff:example.org")).toBe(true);
    expect(matches(regex, "#oakwood:example.org")).toBe(false);
    expect(matches(regex, "#carenet_oakwood:other.org")).toBe(false);
    expect(r.namespaces.rooms).toEqual([]);
  });

  it("escapes regex characters in the localpart and domain", () => {
    const r = generateRegistration({ url: "http://x", domain: "care.example.org:8448", localpart: "care.bot" });
    const users = r.namespaces.users[0].regex;
    expect(matches(users, "@care.bot_1:care.example.org:8448")).toBe(true);
    expect(matches(users, "@careXbot_1:care.example.org:8448")).toBe(false);
    expect(matches(r.namespaces.aliases[0].regex, "#care.bot_room:care.example.org:8448")).toBe(true);
    expect(matches(r.namespaces.aliases[0].regex, "#careXbot_room:care.example.org:8448")).toBe(false);
  });
});

describe("registrationToYaml / loadRegistration", () => {
  const write = (name: string, text: string) => {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, text);
    return file;
  };

  it("round-trips a generated registration", () => {
    const r = generateRegistration(PARAMS);
    const text = registrationToYaml(r);
    expect(text.startsWith("#")).toBe(true);
    expect(parse(text)).toEqual(r);
    const loaded = loadRegistration(write("reg.yaml", text), { localpart: "carenet" });
    expect(loaded).toEqual(r);
  });

  it("fills in missing alias and room namespaces", () => {
    const full = generateRegistration(PARAMS);
    const r = { ...full, namespaces: { users: full.namespaces.users } };
    const loaded = loadRegistration(write("reg.yaml", stringify(r)), { localpart: "carenet" });
    expect(loaded.namespaces.aliases).toEqual([]);
    expect(loaded.namespaces.rooms).toEqual([]);
  });

  it("refuses a sender_localpart that does not match the config's bot.localpart, naming both", () => {
    const file = write("reg.yaml", registrationToYaml(generateRegistration(PARAMS)));
    expect(() => loadRegistration(file, { localpart: "helper" })).toThrow(
      `the registration file ${file} is not usable: sender_localpart "carenet" does not match bot.localpart "helper" in the config`,
    );
  });

  it("refuses missing tokens, naming each one", () => {
    const r = generateRegistration(PARAMS) as Partial<Registration>;
    delete r.as_token;
    r.hs_token = "";
    const file = write("reg.yaml", stringify(r));
    let message = "";
    try {
      loadRegistration(file, { localpart: "carenet" });
    } catch (err) {
      message = (err as Error).message;
    }
    expectToContainAll(message, [`the registration file ${file} is not usable`, '"as_token" is missing', '"hs_token" is missing']);
    expect(message).not.toContain('"id" is missing');
  });

  it("refuses a token that is not a string", () => {
    const r = { ...generateRegistration(PARAMS), as_token: 12345 };
    expect(() => loadRegistration(write("reg.yaml", stringify(r)), { localpart: "carenet" })).toThrow(/"as_token" is missing/);
  });

  it("refuses anything but exactly one user namespace", () => {
    const r = generateRegistration(PARAMS);
    const two = { ...r, namespaces: { ...r.namespaces, users: [...r.namespaces.users, { exclusive: true, regex: "@x.*" }] } };
    expect(() => loadRegistration(write("two.yaml", stringify(two)), { localpart: "carenet" })).toThrow(
      /"namespaces.users" must hold exactly one entry/,
    );
    const none = { ...r, namespaces: undefined };
    expect(() => loadRegistration(write("none.yaml", stringify(none)), { localpart: "carenet" })).toThrow(
      /"namespaces.users" must hold exactly one entry/,
    );
  });

  it("refuses an empty file, listing everything missing", () => {
    const file = write("empty.yaml", "");
    expect(() => loadRegistration(file, { localpart: "carenet" })).toThrow(/"id" is missing; "as_token" is missing; "hs_token" is missing; "sender_localpart" is missing/);
  });

  it("explains a file it cannot read or parse", () => {
    const missing = path.join(tmp, "nope.yaml");
    expect(() => loadRegistration(missing, { localpart: "carenet" })).toThrow(`cannot read the registration file ${missing}`);
    const broken = write("broken.yaml", "as_token: [unclosed\n");
    expect(() => loadRegistration(broken, { localpart: "carenet" })).toThrow(`cannot read the registration file ${broken}`);
  });
});
