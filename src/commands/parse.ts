import { t } from "../words";

/** A message that looks like a command: `!name arg "quoted arg" …`. */
export interface ParsedCommand {
  name: string;
  args: string[];
}

/** Why a line could not be read as a command. */
export type ParseProblem = { code: "noPrefix" } | { code: "unclosedQuote"; quote: string } | { code: "noName" };

export type ParseResult = { ok: true; command: ParsedCommand } | { ok: false; problem: ParseProblem };

/** A parse problem in the reader's words. */
export function parseProblemWords(p: ParseProblem): ReturnType<typeof t> {
  switch (p.code) {
    case "noPrefix":
      return t("commands.parseNoPrefix");
    case "unclosedQuote":
      return t("commands.parseUnclosedQuote", { quote: p.quote });
    case "noName":
      return t("commands.parseNoName");
  }
}

export const PREFIX = "!";

/** The command's name alone (lowercase), read even from a line whose quotes do not close. */
export function commandName(body: string): string | undefined {
  const m = /^!\s*([^\s"“”]+)/.exec(body.trim());
  return m ? m[1].toLowerCase() : undefined;
}

/**
 * Whitespace-separated words after the command name, quotes kept as written: for commands
 * whose arguments are free text (a `!page` note), where a stray quote must never stop them.
 */
export function wordsAfterName(body: string): string[] {
  return body.trim().slice(PREFIX.length).trim().split(/\s+/).slice(1).filter(Boolean);
}

export function looksLikeCommand(body: string): boolean {
  return body.trimStart().startsWith(PREFIX);
}

/**
 * Splits a command line; double quotes (straight or curly) group words. Single quotes do
 * not: they are apostrophes far more often ("!page I'm not ok"). Never throws.
 */
export function parseCommand(body: string): ParseResult {
  const text = body.trim();
  if (!text.startsWith(PREFIX)) return { ok: false, problem: { code: "noPrefix" } };
  const tokens: string[] = [];
  let current = "";
  let quote: string | null = null;
  let inToken = false;
  for (const ch of text.slice(PREFIX.length)) {
    if (quote) {
      if (ch === quote) quote = null;
      else current += ch;
    } else if (ch === '"' || ch === "“" || ch === "”") {
      quote = ch === "“" ? "”" : ch;
      inToken = true;
    } else if (/\s/.test(ch)) {
      if (inToken) tokens.push(current);
      current = "";
      inToken = false;
    } else {
      current += ch;
      inToken = true;
    }
  }
  if (quote) return { ok: false, problem: { code: "unclosedQuote", quote } };
  if (inToken) tokens.push(current);
  const [name, ...args] = tokens;
  if (!name) return { ok: false, problem: { code: "noName" } };
  return { ok: true, command: { name: name.toLowerCase(), args } };
}
