import { noticeContent } from "../../../src/matrix/content";
import * as t from "../../../src/features/paging/texts";
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

describe("paging texts", () => {
  const AMY = "@amy:example.org";
  const BOB = "@bob:example.org";
  const names = (u: string) => ({ [AMY]: "Amy", [BOB]: "Bob" })[u];
  const reached = [{ target: "on_call_peers" as const, users: [BOB] }];

  it("give the support block once per message, never a second pointer beside it", () => {
    const withSupport = [
      t.pageOpened(1, reached, CRISIS),
      t.nobodyOnCall(1, CRISIS),
      t.pageStillOpen(1, 2, true, CRISIS),
      t.pageRestarted(1, reached, CRISIS),
      t.pagedAgainWaiting({ pageId: 1, acknowledgedBy: BOB, ackedAgoMs: 60_000, confirmWithinMs: 300_000, withNote: false }, CRISIS),
      t.pagedAgainRestarted({ pageId: 1, acknowledgedBy: BOB, ackedAgoMs: 60_000, stale: true, reached, withNote: true }, CRISIS),
      t.acknowledgerSilent(1, BOB, [], CRISIS),
      t.nobodyReached(1, CRISIS),
      t.closedForMember(1, BOB, CRISIS),
      t.closedByMember(1, CRISIS),
      t.roomIntro({ pageId: 1, member: AMY, asked: 2, coming: [BOB] }, CRISIS),
      t.meetingCalled(1, 3, false, CRISIS),
      t.notAMember(CRISIS),
    ];
    for (const language of ["en", "es"] as const) {
      for (const m of withSupport) {
        const { plain } = m.render({ language, names });
        expect(plain.match(language === "en" ? /If you need support/g : /Si necesitas apoyo/g)).toHaveLength(1);
        expect(plain.match(/!page/g)?.length ?? 0).toBeLessThanOrEqual(1);
      }
    }
    // A closed page points at !page inside the block, not in a sentence of its own before it.
    expect(t.closedByMember(4, CRISIS).render({ language: "en" }).plain).toBe(
      "Your page is closed (page 4). I hope it helped.\n\nIf you need support right now:\n\nSend !page to me in a direct message, and the people on call will be asked to come to you.\n\nCall 999.",
    );
  });

  it("name people by display name with a pill, and give staff a link to write to the member", () => {
    const notice = noticeContent(t.notice({ pageId: 3, member: AMY, community: "Oakwood", target: "on_call_peers", waitedMs: 0 }), undefined, { language: "en", names }) as {
      body: string;
      formatted_body: string;
    };
    expect(notice.body).toMatch(/^Amy needs support and has paged Oakwood \(page 3\)\./);
    expect(notice.body).not.toContain(AMY);
    expect(notice.formatted_body).toContain(`<a href="https://matrix.to/#/${AMY}">Amy</a> needs support`);
    const urgent = t.staffNobodyAsked(3, AMY, "Oakwood").render({ language: "en", names });
    expect(urgent.plain).toContain(`To write to Amy directly: https://matrix.to/#/${AMY}`);
    expect(urgent.html).toContain(`<a href="https://matrix.to/#/${AMY}">https://matrix.to/#/${AMY}</a>`);
    expect(t.someoneComing(3, BOB, true).render({ language: "es", names }).plain).toBe("Bob viene: ha dicho que te va a acompañar (aviso 3). Puedes hablar con esa persona en la sala de apoyo.");
  });
});
