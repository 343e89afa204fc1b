import { IntlMessageFormat } from "intl-messageformat";
import enLanguage from "./locales/en/language.json";
import esLanguage from "./locales/es/language.json";
import enSupport from "./locales/en/support.json";
import esSupport from "./locales/es/support.json";
import enPaging from "./locales/en/paging.json";
import esPaging from "./locales/es/paging.json";
import enDigest from "./locales/en/digest.json";
import esDigest from "./locales/es/digest.json";
import enContact from "./locales/en/contact.json";
import esContact from "./locales/es/contact.json";

/**
 * Every person-facing text lives in a message catalogue (ICU MessageFormat), one file per
 * area and language under src/words/locales/<lang>/<area>.json; a key is "<area>.<name>".
 * English is the source: a key missing in another language falls back to English, and the
 * catalogue test fails on any key missing, unused or not parsable.
 */
export const LANGUAGES = ["en", "es"] as const;
export type Language = (typeof LANGUAGES)[number];
export const SOURCE_LANGUAGE: Language = "en";

type Area = Record<string, string>;

/** Areas by language. Add an area: a JSON file per language, and a line in each map here. */
export const CATALOGUES: Record<Language, Record<string, Area>> = {
  en: { language: enLanguage, support: enSupport, paging: enPaging, digest: enDigest, contact: enContact },
  es: { language: esLanguage, support: esSupport, paging: esPaging, digest: esDigest, contact: esContact },
};

export function isLanguage(x: unknown): x is Language {
  return typeof x === "string" && (LANGUAGES as readonly string[]).includes(x);
}

/** The language's own name for itself, for `!language`. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: "English", es: "Español" };

/** The source text of `key` in `language`, falling back to English; undefined if no language has it. */
export function source(language: Language, key: string): string | undefined {
  const dot = key.indexOf(".");
  if (dot < 0) return undefined;
  const area = key.slice(0, dot);
  const name = key.slice(dot + 1);
  return CATALOGUES[language]?.[area]?.[name] ?? CATALOGUES[SOURCE_LANGUAGE][area]?.[name];
}

const compiled = new Map<string, IntlMessageFormat>();

/** The compiled message (cached: parsing ICU on every send would cost more than the send). */
export function compiledMessage(language: Language, key: string): IntlMessageFormat {
  const id = `${language}\u0000${key}`;
  let m = compiled.get(id);
  if (!m) {
    const text = source(language, key);
    if (text === undefined) throw new Error(`no text for "${key}" in any language`);
    // ignoreTag false: <cmd>…</cmd> and <b>…</b> are rich-text tags rendered per format.
    m = new IntlMessageFormat(text, language);
    compiled.set(id, m);
  }
  return m;
}

/** Every key of the source language, as "<area>.<name>". */
export function sourceKeys(): string[] {
  return Object.entries(CATALOGUES[SOURCE_LANGUAGE]).flatMap(([area, texts]) => Object.keys(texts).map((k) => `${area}.${k}`));
}
