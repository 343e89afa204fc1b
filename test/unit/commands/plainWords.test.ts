import { plainWordsReply, withPageAliases } from "../../../src/commands/plainWords";

describe("withPageAliases", () => {
  it.each([
    ["!crisis", "!page"],
    ["!sos", "!page"],
    ["!SOS!", "!page"],
    ["!urgent I can't", "!page I can't"],
    ["!help me", "!page"],
    ["  !Help   Me?  now", "!page  now"],
  ])("%s → %s", (input, output) => expect(withPageAliases(input)).toBe(output));

  it.each(["!help", "!help meeting", "!sosa", "!crisis-meeting", "sos", "!page", "!help page"])("%s stays as it is", (input) => {
    expect(withPageAliases(input)).toBe(input);
  });
});

describe("plainWordsReply", () => {
  it("leads with !page, then the crisis resources, then !help", () => {
    const m = plainWordsReply("Call 999.");
    const plain = m.plain;
    expect(plain.split("\n")[0]).toContain("send !page");
    expect(plain.indexOf("Call 999.")).toBeGreaterThan(plain.indexOf("!page"));
    expect(plain.indexOf("!help for everything else")).toBeGreaterThan(plain.indexOf("Call 999."));
    expect(m.html).toContain("<code>!page</code>");
    expect(m.alertFor).toEqual([]); // a reply to someone looking at it: quiet
  });
});
