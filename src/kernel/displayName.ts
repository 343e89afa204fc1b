/** Longest display name carenet shows, in characters (longer ones are cut with "…"). */
export const MAX_DISPLAY_NAME = 64;

/**
 * A display name as carenet may show it, or undefined when nothing usable is left. Display
 * names are chosen by their owners, so anything can be in them: control characters and
 * bidirectional overrides (which could make a message read differently from what it says)
 * are removed, runs of whitespace become one space, and the length is bounded. HTML is
 * escaped where it is rendered, not here.
 */
export function sanitiseDisplayName(raw: unknown): string | undefined {
  if (typeof raw !== "string") return undefined;
  const cleaned = raw
    // C0/C1 controls, zero-width and bidi formatting characters, line/paragraph separators.
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  if (cleaned === "") return undefined;
  const chars = Array.from(cleaned); // by code point: never cut a surrogate pair in half
  return chars.length > MAX_DISPLAY_NAME ? `${chars.slice(0, MAX_DISPLAY_NAME - 1).join("").trimEnd()}…` : cleaned;
}
