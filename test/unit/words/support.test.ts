import { Message } from "../../../src/messaging/message";
import { findNumbers, supportBlock } from "../../../src/messaging/supportBlock";
import { expectToContainAll } from "../../support/expectText";

const FREE = "In an emergency call 999. NHS 111, option 2 (mental health, 24/7).\nSamaritans 116 123 (free, 24/7). Text SHOUT to 85258.";

describe("the support block", () => {
  it("makes the numbers in free text tappable, and nothing else", () => {
    const r = supportBlock(FREE).render({ language: "en" });
    expectToContainAll(r.html, ['<a href="tel:999">999</a>', '<a href="tel:111">111</a>', '<a href="tel:116123">116 123</a>', '<a href="sms:85258">85258</a>']);
    expect(r.html).not.toContain("tel:2");
    expect(r.html).not.toContain("tel:24");
    expect(r.plain).toBe(`If you need support right now:\n\n${FREE}`);
    expect(r.plain).not.toMatch(/[`*_<>]/);
  });

  it("leaves times, dates, years and fractions alone", () => {
    expect(findNumbers("Open 09:00-17:00, 24/7 since 1998, from 2026-01-05, option 2.")).toEqual([]);
    expect(findNumbers("Call +44 20 7946 0958 or 0800-58-58-58").map((f) => f.text)).toEqual(["+44 20 7946 0958", "0800-58-58-58"]);
  });

  it("renders structured entries as tel:, sms: and web links, in the reader's language", () => {
    const resources = [
      { label: "Samaritans", phone: "116 123", url: "https://www.samaritans.org/", note: "free, 24/7" },
      { label: "Shout", sms: "85258", note: "text SHOUT" },
      "In an emergency call 999.",
    ];
    const en = supportBlock(resources).render({ language: "en" });
    expect(en.plain).toBe(
      "If you need support right now:\n\n- Samaritans (free, 24/7): call 116 123 or samaritans.org (https://www.samaritans.org/)\n- Shout (text SHOUT): text 85258\n\nIn an emergency call 999.",
    );
    expectToContainAll(en.html, [
      '<li>Samaritans (free, 24/7): call <a href="tel:116123">116 123</a> or <a href="https://www.samaritans.org/">samaritans.org</a></li>',
      '<a href="sms:85258">85258</a>', '<a href="tel:999">999</a>',
    ]);
    const es = supportBlock(resources).render({ language: "es" });
    expectToContainAll(es.plain, ["Si necesitas apoyo ahora mismo:", "Samaritans (free, 24/7): llama al 116 123 o samaritans.org", "envía un SMS al 85258"]);
  });

  it("can say how !page helps, inside the one block", () => {
    const m = new Message().p("The room is closed.").append(supportBlock("Call 999.", { page: true }));
    const r = m.render({ language: "en" });
    expect(r.plain.match(/support right now/g)).toHaveLength(1);
    expect(r.plain).toContain("Send !page to me in a direct message, and the people on call will be asked to come to you.");
    expect(r.html).toContain("<code>!page</code>");
  });

  it("escapes an admin's free text in HTML", () => {
    expect(supportBlock("<script>Call 999</script>").html).toContain('&lt;script&gt;Call <a href="tel:999">999</a>&lt;/script&gt;');
  });
});
