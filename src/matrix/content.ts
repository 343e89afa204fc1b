import type { Message } from "../commands/message";

/**
 * A message with plain and HTML bodies, optionally as a reply to `inReplyTo`: a quiet
 * m.notice, or an m.text mentioning exactly the people it must wake (`Message.alert`).
 */
export function noticeContent(message: Message, inReplyTo?: string): Record<string, unknown> {
  if (message.alertFor.length) {
    return {
      msgtype: "m.text",
      body: message.plain,
      format: "org.matrix.custom.html",
      formatted_body: message.html,
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

export function reactionContent(eventId: string, key: string): Record<string, unknown> {
  return { "m.relates_to": { rel_type: "m.annotation", event_id: eventId, key } };
}
