import type { IncomingEvent } from "../store/inbox";
import { withPageAliases } from "../commands/plainWords";
import { withMentionIds } from "./mentions";

/**
 * What a text message says, as commands read it: mentions as user ids, page aliases
 * expanded, a reply's quote of what it answers left out. Undefined for anything but a new
 * m.text (an image, an edit).
 */
export function writtenText(ev: IncomingEvent): { body: string; inReplyTo: unknown } | undefined {
  const content = (ev.content ?? {}) as {
    msgtype?: string;
    body?: unknown;
    formatted_body?: unknown;
    "m.relates_to"?: { rel_type?: string; "m.in_reply_to"?: { event_id?: unknown } };
  };
  if (content.msgtype !== "m.text" || typeof content.body !== "string") return undefined;
  if (content["m.relates_to"]?.rel_type === "m.replace") return undefined; // edits are not new commands
  const inReplyTo = content["m.relates_to"]?.["m.in_reply_to"]?.event_id;
  const written = withMentionIds(content.body, content.formatted_body);
  // A reply quotes what it answers ("> <@bot:…> …", a blank line) before what was written: `!hours` sent as a reply is still `!hours`.
  const body = withPageAliases(typeof inReplyTo === "string" ? withoutReplyFallback(written) : written);
  return { body, inReplyTo };
}

/** A reply's body starts with the quoted event ("> <@bot> …" lines, then a blank line) in older clients. */
export function withoutReplyFallback(body: string): string {
  const lines = body.split("\n");
  let i = 0;
  while (i < lines.length && lines[i].startsWith(">")) i++;
  if (i > 0 && i < lines.length && lines[i].trim() === "") i++;
  return lines.slice(i).join("\n").trim();
}

/**
 * A reply to a message written in a thread goes in that thread (with the reply as its
 * fallback, for clients without threads); anything else is returned as it came.
 */
export function inThreadOf(ev: IncomingEvent, eventId: string, content: Record<string, unknown>): Record<string, unknown> {
  const rel = (ev.content as { "m.relates_to"?: { rel_type?: unknown; event_id?: unknown } } | undefined)?.["m.relates_to"];
  if (rel?.rel_type !== "m.thread" || typeof rel.event_id !== "string") return content;
  return { ...content, "m.relates_to": { rel_type: "m.thread", event_id: rel.event_id, is_falling_back: true, "m.in_reply_to": { event_id: eventId } } };
}
