import type { Message } from "../messaging/message";
import { DEFAULT_CONTEXT, nameFor, pill, type NameLookup, type RenderContext } from "../words";

export { nameFor, pill, type NameLookup };

/**
 * Who a message is rendered for: their language, and the names people are shown by.
 * A bare NameLookup means English with those names (the form older call sites use).
 */
export type Reader = Partial<RenderContext> | NameLookup;

function contextOf(reader?: Reader): RenderContext {
  if (!reader) return DEFAULT_CONTEXT;
  if (typeof reader === "function") return { ...DEFAULT_CONTEXT, names: reader };
  return { ...DEFAULT_CONTEXT, ...reader };
}

/**
 * A message with plain and HTML bodies, optionally as a reply to `inReplyTo`: a quiet
 * m.notice, or — for a message marked with `Message.alert` — an m.text addressed by name to
 * exactly the people it must wake, each as a pill, and naming exactly them in
 * `m.mentions.user_ids`, so Synapse's default push rules ring them and nobody else
 * (docs/paging.md, "what rings").
 */
export function noticeContent(message: Message, inReplyTo?: string, reader?: Reader): Record<string, unknown> {
  const ctx = contextOf(reader);
  const rendered = message.render(ctx);
  if (message.alertFor.length) {
    const { plain, html } = addressed(message, rendered, ctx);
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
    body: rendered.plain,
    format: "org.matrix.custom.html",
    formatted_body: rendered.html,
    ...(inReplyTo ? { "m.relates_to": { "m.in_reply_to": { event_id: inReplyTo } } } : {}),
    // carenet's notices never ping anyone by accident.
    "m.mentions": {},
  };
}

/** "Sam: …" / "Sam, Ali: …" before the message, as text and as pills. */
function addressed(message: Message, rendered: { plain: string; html: string }, ctx: RenderContext): { plain: string; html: string } {
  const plainNames = message.alertFor.map((u) => nameFor(u, ctx.names)).join(", ");
  const pills = message.alertFor.map((u) => pill(u, ctx.names)).join(", ");
  const html = rendered.html;
  return {
    plain: `${plainNames}: ${rendered.plain}`,
    html: html.startsWith("<p>") ? `<p>${pills}: ${html.slice("<p>".length)}` : `<p>${pills}:</p>${html}`,
  };
}

export function reactionContent(eventId: string, key: string): Record<string, unknown> {
  return { "m.relates_to": { rel_type: "m.annotation", event_id: eventId, key } };
}
