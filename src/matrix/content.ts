import { escapeHtml, type Message } from "../commands/message";
import { sanitiseDisplayName } from "../domain/displayName";

/** A person's display name if one is known (from the durable store; never the homeserver here). */
export type NameLookup = (userId: string) => string | undefined;

/**
 * A message with plain and HTML bodies, optionally as a reply to `inReplyTo`: a quiet
 * m.notice, or — for a message marked with `Message.alert` — an m.text addressed by name to
 * exactly the people it must wake, each as a pill, and naming exactly them in
 * `m.mentions.user_ids`, so Synapse's default push rules ring them and nobody else
 * (docs/paging.md, "what rings").
 */
export function noticeContent(message: Message, inReplyTo?: string, names?: NameLookup): Record<string, unknown> {
  if (message.alertFor.length) {
    const { plain, html } = addressed(message, names);
    return {
      msgtype: "m.text",
      body: plain,
      format: "org.matrix.custom.html",
      formatted_body: html,
      ...(inReplyTo ? { "m.relates_to": { "m.in_reply_to": { event_id: inReplyTo } } } : {}),
      "m.mentions": { user_ids: [...message.alertFor] },
    };
  }
  return {
    msgtype: "m.notice",
    body: message.plain,
    format: "org.matrix.custom.html",
    formatted_body: message.html,
    ...(inReplyTo ? { "m.relates_to": { "m.in_reply_to": { event_id: inReplyTo } } } : {}),
    // carenet's notices never ping anyone by accident.
    "m.mentions": {},
  };
}

/** The name to address someone by: their display name, else their Matrix ID. */
export function nameFor(userId: string, names?: NameLookup): string {
  let known: string | undefined;
  try {
    known = names?.(userId);
  } catch {
    known = undefined; // a name is a courtesy: never a reason not to send an alert
  }
  return sanitiseDisplayName(known) ?? userId;
}

/** `<a href="https://matrix.to/#/@user:server">Name</a>`: how clients show a mention. */
export function pill(userId: string, names?: NameLookup): string {
  return `<a href="https://matrix.to/#/${escapeHtml(userId)}">${escapeHtml(nameFor(userId, names))}</a>`;
}

/** "Sam: …" / "Sam, Ali: …" before the message, as text and as pills. */
function addressed(message: Message, names?: NameLookup): { plain: string; html: string } {
  const plainNames = message.alertFor.map((u) => nameFor(u, names)).join(", ");
  const pills = message.alertFor.map((u) => pill(u, names)).join(", ");
  const html = message.html;
  return {
    plain: `${plainNames}: ${message.plain}`,
    html: html.startsWith("<p>") ? `<p>${pills}: ${html.slice("<p>".length)}` : `<p>${pills}:</p>${html}`,
  };
}

export function reactionContent(eventId: string, key: string): Record<string, unknown> {
  return { "m.relates_to": { rel_type: "m.annotation", event_id: eventId, key } };
}
