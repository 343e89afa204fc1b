import type { Message } from "../commands/message";

/** An m.notice with plain and HTML bodies, optionally as a reply to `inReplyTo`. */
export function noticeContent(message: Message, inReplyTo?: string): Record<string, unknown> {
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

export function reactionContent(eventId: string, key: string): Record<string, unknown> {
  return { "m.relates_to": { rel_type: "m.annotation", event_id: eventId, key } };
}
