import { Message } from "../../../src/messaging/message";
import { noticeContent } from "../../../src/matrix/content";
import { command, listOf, person, phone, renderWords, t, time, zone, type RenderContext } from "../../../src/words";

const names = (u: string) => (u === "@mia:example.org" ? "Mia <3" : undefined);
const en: RenderContext = { language: "en", names };
const es: RenderContext = { language: "es", names };

describe("rendering catalogue messages", () => {
  it("renders the same message in each reader's language", () => {
    const words = t("language.set", { name: "Español", command: command("!language en") });
    expect(renderWords(words, en).plain).toBe("From now on I write to you in Español. To change it again: !language en.");
    expect(renderWords(words, es).plain).toBe("A partir de ahora te escribo en Español. Para cambiarlo otra vez: !language en.");
    expect(renderWords(words, en).html).toContain("<code>!language en</code>");
  });

  it("shows people by display name, as a pill in HTML, with their ID only when no name is known", () => {
    const words = t("language.choice", { command: person("@mia:example.org"), name: person("@sam:example.org") });
    const r = renderWords(words, en);
    expect(r.plain).toBe("Mia <3 for @sam:example.org");
    expect(r.html).toBe('<a href="https://matrix.to/#/@mia:example.org">Mia &lt;3</a> for <a href="https://matrix.to/#/@sam:example.org">@sam:example.org</a>');
  });

  it("escapes text values in HTML and cannot be tricked by marker characters in them", () => {
    const r = renderWords(t("language.choice", { command: "<b>\ue0000\ue001</b>", name: phone("116 123") }), en);
    expect(r.html).toBe('&lt;b&gt;0&lt;/b&gt; for <a href="tel:116123">116 123</a>');
    expect(r.plain).toBe("<b>0</b> for 116 123");
  });

  it("joins lists as the language does and keeps each item's HTML", () => {
    const choices = listOf([command("!a"), command("!b")], "disjunction");
    expect(renderWords(t("language.unknown", { choices }), en).plain).toBe("I can't write in that language yet. I can write in: !a or !b.");
    expect(renderWords(t("language.unknown", { choices }), es).plain).toBe("Todavía no puedo escribir en ese idioma. Puedo escribir en: !a o !b.");
    expect(renderWords(t("language.unknown", { choices }), en).html).toContain("<code>!a</code> or <code>!b</code>");
  });

  it("shows times in the community's zone with its label, in the reader's language", () => {
    const at = Date.UTC(2026, 11, 2, 9, 30); // 09:30 in London, 15:15 in Kathmandu
    const words = (z: string) => t("language.choice", { command: time(at, z, "day"), name: zone(z) });
    expect(renderWords(words("Europe/London"), en).plain).toBe("Wed 09:30 for United Kingdom Time");
    expect(renderWords(words("Asia/Kathmandu"), { ...en, zoneLabel: () => "Nepal time" }).plain).toBe("Wed 15:15 for Nepal time");
    expect(renderWords(words("Europe/London"), es).plain).toBe("mié, 09:30 para hora de Reino Unido");
    const rel = t("language.choice", { command: time(at + 2 * 3600_000, "Europe/London", "relative", at), name: "x" });
    expect(renderWords(rel, en).plain).toBe("in 2 hours for x");
    // Rounded to whole units, as a person says it.
    const relative = (ms: number) => renderWords(t("language.choice", { command: time(at + ms, "Europe/London", "relative", at), name: "x" }), en).plain;
    expect(relative(30 * 60_000 + 20_000)).toBe("in 30 minutes for x");
    expect(relative(119 * 60_000)).toBe("in 2 hours for x");
  });

  it("a plain-string text keeps <code> for its `commands` in HTML", () => {
    const m = Message.of("Send `!page` now.");
    const c = noticeContent(m, undefined, es);
    expect(c.body).toBe("Send `!page` now.");
    expect(c.formatted_body).toBe("<p>Send <code>!page</code> now.</p>");
  });
});
