/**
 * Element and other clients turn a mention into a "pill": the plain body holds the person's
 * display name ("Bob Smith") and only the HTML says who it is
 * (`<a href="https://matrix.to/#/@bob:example.org">Bob Smith</a>`). Commands take Matrix
 * ids, so before parsing, each pill's text in the body is replaced by the id it links to.
 */
const PILL = /<a\s[^>]*href\s*=\s*["'](?:https:\/\/matrix\.to\/#\/|matrix:u\/)([^"'?]+)[^"']*["'][^>]*>(.*?)<\/a>/gis;

/** A command with mentions is a line or two; a longer HTML body is not scanned at all. */
const MAX_SCANNED = 4096;

export function withMentionIds(body: string, formattedBody: unknown): string {
  if (typeof formattedBody !== "string" || !formattedBody.includes("<a")) return body;
  // The pattern backtracks on pathological HTML; a cap keeps every message cheap to read.
  if (formattedBody.length > MAX_SCANNED) return body;
  let out = body;
  for (const m of formattedBody.matchAll(PILL)) {
    let target: string;
    try {
      target = decodeURIComponent(m[1]);
    } catch {
      continue;
    }
    if (/^[#!$+]/.test(target)) continue; // a room or an event, not a person
    if (!target.startsWith("@")) target = `@${target}`; // matrix:u/ links leave out the sigil
    if (!/^@[^:\s]+:\S+$/.test(target)) continue;
    const text = decodeEntities(m[2].replace(/<[^>]*>/g, "")).trim();
    if (!text || text === target) continue;
    const at = out.indexOf(text);
    if (at >= 0) out = out.slice(0, at) + target + out.slice(at + text.length);
  }
  return out;
}

function decodeEntities(s: string): string {
  return s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}
