import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parse, TYPE, type MessageFormatElement } from "@formatjs/icu-messageformat-parser";
import { CATALOGUES, LANGUAGES, SOURCE_LANGUAGE, sourceKeys } from "../../../src/words/catalogue";

const SRC = path.resolve(__dirname, "../../../src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const full = path.join(dir, f);
    return statSync(full).isDirectory() ? sourceFiles(full) : full.endsWith(".ts") ? [full] : [];
  });
}

/** The argument and tag names a message uses: a translation must use the same ones. */
function placeholders(elements: MessageFormatElement[], into = new Set<string>()): Set<string> {
  for (const e of elements) {
    if (e.type === TYPE.argument || e.type === TYPE.number || e.type === TYPE.date || e.type === TYPE.time) into.add(e.value);
    if (e.type === TYPE.tag) {
      into.add(`<${e.value}>`);
      placeholders(e.children, into);
    }
    if (e.type === TYPE.select || e.type === TYPE.plural) {
      into.add(e.value);
      for (const o of Object.values(e.options)) placeholders(o.value, into);
    }
  }
  return into;
}

const keysOf = (language: (typeof LANGUAGES)[number]) =>
  Object.entries(CATALOGUES[language]).flatMap(([area, texts]) => Object.keys(texts).map((k) => `${area}.${k}`));

describe("message catalogues", () => {
  const code = sourceFiles(SRC)
    .map((f) => readFileSync(f, "utf8"))
    .join("\n");

  it.each(LANGUAGES.filter((l) => l !== SOURCE_LANGUAGE))("%s has exactly the source language's keys", (language) => {
    const source = new Set(keysOf(SOURCE_LANGUAGE));
    const translated = new Set(keysOf(language));
    expect([...source].filter((k) => !translated.has(k))).toEqual([]);
    expect([...translated].filter((k) => !source.has(k))).toEqual([]);
  });

  it.each(LANGUAGES)("every %s message parses and uses the source's placeholders", (language) => {
    const problems: string[] = [];
    for (const [area, texts] of Object.entries(CATALOGUES[language])) {
      for (const [name, text] of Object.entries(texts)) {
        const key = `${area}.${name}`;
        let used: Set<string>;
        try {
          used = placeholders(parse(text));
        } catch (e) {
          problems.push(`${language} ${key}: ${(e as Error).message}`);
          continue;
        }
        const source = placeholders(parse(CATALOGUES[SOURCE_LANGUAGE][area][name]));
        const missing = [...source].filter((p) => !used.has(p));
        const extra = [...used].filter((p) => !source.has(p));
        if (missing.length || extra.length) problems.push(`${language} ${key}: missing ${missing.join(",") || "-"}, unknown ${extra.join(",") || "-"}`);
        if (/`/.test(text)) problems.push(`${language} ${key}: backticks show as they are in plain-text clients; use <cmd>…</cmd> or a command value`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("every source key is used in the code, by its full name", () => {
    expect(sourceKeys().filter((k) => !code.includes(`"${k}"`))).toEqual([]);
  });

  it("every key the code names exists", () => {
    const named = [...code.matchAll(/\bt\(\s*"([a-z][a-zA-Z0-9]*\.[a-zA-Z0-9.]+)"/g)].map((m) => m[1]);
    const known = new Set(sourceKeys());
    expect(named.filter((k) => !known.has(k))).toEqual([]);
    expect(named.length).toBeGreaterThan(0);
  });
});
