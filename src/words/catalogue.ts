import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { IntlMessageFormat } from "intl-messageformat";

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

/**
 * The catalogue files: src/words/locales, whether running from src/ (tests) or dist/src/
 * (the JSON stays in the source tree, as migrations/ does). Read once, at load.
 */
const LOCALES_DIR = [path.resolve(__dirname, "../../../src/words/locales"), path.join(__dirname, "locales")].find((d) => existsSync(d));

function loadCatalogues(): Record<Language, Record<string, Area>> {
  if (!LOCALES_DIR) throw new Error("carenet's message catalogues (src/words/locales) are missing from this installation");
  const out = {} as Record<Language, Record<string, Area>>;
  for (const language of LANGUAGES) {
    out[language] = {};
    const dir = path.join(LOCALES_DIR, language);
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
      out[language][file.slice(0, -".json".length)] = JSON.parse(readFileSync(path.join(dir, file), "utf8")) as Area;
    }
  }
  return out;
}

/** Areas by language: one JSON file per area in each language's folder. */
export const CATALOGUES: Record<Language, Record<string, Area>> = loadCatalogues();

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
