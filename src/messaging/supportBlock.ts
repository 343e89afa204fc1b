import type { CrisisLine, CrisisResources } from "../config/types";
import { command, link, listOf, phone, t, type RichValue, type Value, type Words } from "../words";
import { Message } from "./message";

/**
 * The one support block a message carries: where to get help right now, with every number
 * tappable (tel:/sms: links in HTML; the plain body stays plain text). A message has at
 * most one: callers append this block and write nothing of their own about crisis lines.
 */
export function supportBlock(resources: CrisisResources, opts: { page?: boolean } = {}): Message {
  const m = new Message().heading(t("support.heading"));
  if (opts.page) m.p(t("support.page", { command: command("!page") }));
  if (typeof resources === "string") return m.p(freeText(resources.trim()));
  let lines: Words[] = [];
  const flush = () => {
    m.list(lines);
    lines = [];
  };
  for (const r of resources) {
    if (typeof r === "string") {
      flush();
      m.p(freeText(r.trim()));
    } else {
      lines.push(serviceLine(r));
    }
  }
  flush();
  return m;
}

/** "Samaritans (free, 24/7): call 116 123 or samaritans.org" */
export function serviceLine(r: CrisisLine): Words {
  const ways: Value[] = [];
  if (r.phone) ways.push(t("support.call", { number: phone(r.phone) }));
  if (r.sms) ways.push(t("support.text", { number: phone(r.sms, true) }));
  if (r.url) ways.push(link(r.url, r.url.replace(/^https?:\/\/(www\.)?/i, "").replace(/\/$/, "")));
  const values = { label: r.label, ways: listOf(ways, "disjunction") };
  return r.note ? t("support.lineWithNote", { ...values, note: r.note }) : t("support.line", values);
}

// A number: digit groups joined by single spaces or hyphens, not inside a word, a URL, a
// time (12:30) or a fraction (24/7). A URL: http(s) up to the next space, without the
// sentence's closing punctuation.
const TOKEN = /(https?:\/\/[^\s<>"]*[^\s<>".,;:!?)\]])|(?<![\p{L}\p{N}+/=:.#@_-])(\+?\d+(?:[ -]\d+)*)(?![\p{L}\p{N}/:@_]|[.,]\d)/gu;
const TEXT_WORDS = /\b(text|txt|sms|texto|mensaje)\b/i;

/** Whether `s` reads as a phone number: 3 to 15 digits, and not a date or a year. */
export function looksLikePhone(s: string): boolean {
  const digits = s.replace(/\D/g, "");
  if (digits.length < 3 || digits.length > 15) return false;
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  if (/^(19|20)\d\d$/.test(s)) return false;
  return true;
}

export interface FoundNumber {
  index: number;
  text: string;
  kind: "phone" | "sms" | "url";
}

/** Numbers and links in an admin's free text, found conservatively (a missed number stays readable text). */
export function findNumbers(text: string): FoundNumber[] {
  const found: FoundNumber[] = [];
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    const index = m.index ?? 0;
    if (m[1]) {
      found.push({ index, text: m[1], kind: "url" });
    } else if (m[2] && looksLikePhone(m[2])) {
      // "Text SHOUT to 85258": a number after a word for texting, since the last number, is one to text.
      const before = text.slice(last, index).slice(-30);
      found.push({ index, text: m[2], kind: TEXT_WORDS.test(before) ? "sms" : "phone" });
    } else {
      continue;
    }
    last = index + m[0].length;
  }
  return found;
}

/** Free text as words, with its numbers as tel:/sms: values and its links as links. */
export function freeText(text: string): Words {
  const found = findNumbers(text);
  let tail: Words & RichValue = t("support.plain", { text: text.slice(found.length ? found[found.length - 1].index + found[found.length - 1].text.length : 0) });
  for (let i = found.length - 1; i >= 0; i--) {
    const f = found[i];
    const start = i > 0 ? found[i - 1].index + found[i - 1].text.length : 0;
    const value = f.kind === "url" ? link(f.text, f.text) : phone(f.text, f.kind === "sms");
    tail = t("support.run", { before: text.slice(start, f.index), value, after: tail });
  }
  return tail;
}
