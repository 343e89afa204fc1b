import { noticeContent } from "../../../src/matrix/content";
import * as t from "../../../src/paging/texts";
import type { RenderContext } from "../../../src/words";

/**
 * What a member in distress reads first, on a phone: the answer to `!page` is at most 60
 * words in every language (with a one-line crisis resource; the configured resources are
 * the admin's and come on top), opens with empathy, names nobody by Matrix ID and has no
 * markdown in its plain body.
 */
const CRISIS = "Call 999.";
const words = (s: string) => s.split(/\s+/).filter(Boolean).length;
const readers: RenderContext[] = [{ language: "en" }, { language: "es" }];

const cases: Array<[string, () => ReturnType<typeof t.pageOpened>]> = [
  ["peers asked, more steps to come", () => t.pageOpened(7, [{ target: "on_call_peers", users: ["@bob:x", "@cat:x"] }], CRISIS, { after: ["on_call_staff", "all_staff"], waitMs: 10 * 60_000 })],
  [
    "two groups asked at once, the last step",
    () => t.pageOpened(12, [{ target: "on_call_peers", users: ["@bob:x"] }, { target: "on_call_staff", users: ["@sam:x"] }], CRISIS, { after: [], waitMs: 15 * 60_000 }),
  ],
];

describe("the answer to !page", () => {
  it.each(cases.flatMap(([name, make]) => readers.map((r) => [`${name} (${r.language})`, make, r] as const)))("%s: at most 60 words, empathy first", (_name, make, reader) => {
    const { body, formatted_body } = noticeContent(make(), undefined, reader) as { body: string; formatted_body: string };
    expect(words(body)).toBeLessThanOrEqual(60);
    expect(body).toMatch(reader.language === "en" ? /^I hear you\./ : /^Te escucho\./);
    expect(body).not.toMatch(/[`*_]/);
    expect(formatted_body).toContain('<a href="tel:999">999</a>');
  });

  it("says who comes next in the reader's language, or that these are the last people", () => {
    const [, more] = cases[0];
    expect(more().render({ language: "en" }).plain).toContain("If nobody answers within 10 minutes, I ask the staff on call, then the staff team, and tell you.");
    expect(more().render({ language: "es" }).plain).toContain("Si nadie responde en 10 minutos, se lo pido a las personas de guardia del equipo y después todo el equipo");
    expect(cases[1][1]().render({ language: "en" }).plain).toContain("They are the last I can ask: if nobody comes within 15 minutes");
  });
});
