import { withMentionIds } from "../../../src/matrix/mentions";

describe("withMentionIds", () => {
  it("replaces a pill's display name with the id it links to", () => {
    expect(
      withMentionIds("!member add Bob Smith --sponsor Sam", '!member add <a href="https://matrix.to/#/@bob:example.org">Bob Smith</a> --sponsor <a href="https://matrix.to/#/%40sam%3Aexample.org">Sam</a>'),
    ).toBe("!member add @bob:example.org --sponsor @sam:example.org");
  });

  it("understands matrix: URIs and entity-escaped names", () => {
    expect(withMentionIds("!member show Ann & Co", '!member show <a href="matrix:u/ann:example.org">Ann &amp; Co</a>')).toBe("!member show @ann:example.org");
  });

  it("leaves the body alone without pills, with room links, or when the name is already the id", () => {
    expect(withMentionIds("!member list", undefined)).toBe("!member list");
    expect(withMentionIds("!hours", "<b>!hours</b>")).toBe("!hours");
    expect(withMentionIds("see Lounge", 'see <a href="https://matrix.to/#/#lounge:example.org">Lounge</a>')).toBe("see Lounge");
    expect(withMentionIds("!member add @bob:example.org", '!member add <a href="https://matrix.to/#/@bob:example.org">@bob:example.org</a>')).toBe("!member add @bob:example.org");
  });
});

it("leaves a long HTML body unscanned (pathological HTML would make the pattern backtrack)", () => {
  const long = `!member add <a href="https://matrix.to/#/@bob:example.org">Bob</a>${"<a ".repeat(2000)}`;
  expect(withMentionIds("!member add Bob", long)).toBe("!member add Bob");
});
