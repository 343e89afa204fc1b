import { escapeHtml } from "../messaging/message";

/**
 * Making every message carenet sends fit the homeserver's event size limit.
 *
 * Synapse refuses an event over 65,536 bytes (its whole JSON: content, room id, sender,
 * hashes and signatures) with 413 M_TOO_LARGE, and no retry can fix that. A message's
 * content is measured as the JSON it is sent as — body plus formatted_body, where HTML
 * escaping can make one `<` five bytes and JSON escaping a control character six — against
 * a budget well under the limit, leaving room for everything the homeserver adds.
 *
 * A message over the budget is split into parts, in order, each as plain text (the
 * formatted body rebuilt from that part's text, so both bodies carry the same words), each
 * saying which part it is. Only the first keeps the reply relation and the mentions, so an
 * alert wakes people once. Past MAX_PARTS the text is cut, with a marker saying how much is
 * not shown: no message carenet sends is worth flooding a room with.
 */
export const CONTENT_BUDGET_BYTES = 48_000;
export const MAX_PARTS = 8;
/**
 * The budget when carenet encrypts (docs/encryption.md): the content then travels as
 * base64 ciphertext of the whole clear event, 4/3 of its size plus its envelope, so
 * 36,000 bytes of content come to about 48,300 bytes of ciphertext.
 */
export const ENCRYPTED_CONTENT_BUDGET_BYTES = 36_000;
let defaultBudget = CONTENT_BUDGET_BYTES;

/** Makes the encrypted budget the default (at start, when encryption is on). */
export function budgetForEncryption(on: boolean): void {
  defaultBudget = on ? ENCRYPTED_CONTENT_BUDGET_BYTES : CONTENT_BUDGET_BYTES;
}

/** The size of content as it travels: its JSON, in UTF-8 bytes. */
export function contentBytes(content: object): number {
  return Buffer.byteLength(JSON.stringify(content), "utf8");
}

export function fitsInOneEvent(content: object, budget = defaultBudget): boolean {
  return contentBytes(content) <= budget;
}

/**
 * The content to send, as one event or several, each within `budget` bytes. Content that
 * is not a text message (a reaction, a state event) is returned as it is.
 */
export function fitContent(content: Record<string, unknown>, budget = defaultBudget): Array<Record<string, unknown>> {
  if (fitsInOneEvent(content, budget)) return [content];
  const body = typeof content.body === "string" ? content.body : undefined;
  if (body === undefined) return [content];
  const { body: _b, formatted_body: _f, format: _fmt, "m.relates_to": relation, "m.mentions": mentions, ...rest } = content;
  const later = { ...rest, "m.mentions": {} };
  const first = { ...rest, ...(relation ? { "m.relates_to": relation } : {}), "m.mentions": mentions ?? {} };
  // Room for the part marker and the keys around the bodies.
  const room = budget - contentBytes({ ...first, body: "", format: "org.matrix.custom.html", formatted_body: "" }) - 200;
  const chunks = splitText(body, Math.max(1000, room));
  let cut = 0;
  if (chunks.length > MAX_PARTS) {
    cut = chunks.slice(MAX_PARTS).reduce((n, c) => n + [...c].length, 0);
    chunks.length = MAX_PARTS;
  }
  return chunks.map((chunk, i) => {
    const marker = chunks.length > 1 ? `(part ${i + 1} of ${chunks.length})` : "";
    const tail = cut > 0 && i === chunks.length - 1 ? `[… ${cut} more characters not shown: too long to send]` : "";
    const text = [chunk, tail, marker].filter(Boolean).join("\n\n");
    return { ...(i === 0 ? first : later), body: text, format: "org.matrix.custom.html", formatted_body: asHtml(text) };
  });
}

/** Plain text as HTML that says the same: escaped, line breaks kept. */
function asHtml(text: string): string {
  return `<p>${escapeHtml(text).replace(/\n/g, "<br>")}</p>`;
}

/** What one character costs in a part: once in body, once escaped in formatted_body. */
function costOf(ch: string): number {
  if (/^[A-Za-z0-9 .,;:!?()-]$/.test(ch)) return 2; // the common case, unchanged by either escaping
  const inBody = Buffer.byteLength(JSON.stringify(ch), "utf8") - 2;
  const inHtml = ch === "\n" ? 4 : Buffer.byteLength(JSON.stringify(escapeHtml(ch)), "utf8") - 2;
  return inBody + inHtml;
}

/**
 * Cuts text into chunks costing at most `budget` bytes each (see costOf), at a paragraph,
 * line or word boundary in the chunk's last fifth when there is one, never inside a
 * character.
 */
export function splitText(text: string, budget: number): string[] {
  const chars = [...text];
  const known = new Map<string, number>();
  const costs = chars.map((ch) => {
    let c = known.get(ch);
    if (c === undefined) known.set(ch, (c = costOf(ch)));
    return c;
  });
  const chunks: string[] = [];
  let start = 0;
  while (start < chars.length) {
    let used = 0;
    let end = start;
    while (end < chars.length && used + costs[end] <= budget) used += costs[end++];
    if (end < chars.length) {
      const floor = start + Math.floor((end - start) * 0.8);
      const boundary = lastBoundary(chars, floor, end);
      if (boundary > start) end = boundary;
    }
    chunks.push(chars.slice(start, end).join("").trim());
    start = end;
  }
  return chunks.filter((c) => c.length > 0);
}

function lastBoundary(chars: string[], from: number, to: number): number {
  for (const sep of ["\n\n", "\n", " "]) {
    for (let i = to - 1; i >= from; i--) {
      if (sep === "\n\n" ? chars[i] === "\n" && chars[i - 1] === "\n" : chars[i] === sep) return i + 1;
    }
  }
  return -1;
}
