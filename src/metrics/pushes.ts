/**
 * Which outgoing messages are page pushes: a message that mentions the people it must wake
 * (`Message.alert`, rendered with `m.mentions.user_ids`) and belongs to a page (its outbox
 * key starts with `page:<id>:`). Returns the page id, or undefined for anything else.
 */
export function pageOfPush(msg: { dedupeKey: string; content: Record<string, unknown> }): number | undefined {
  const mentions = msg.content["m.mentions"] as { user_ids?: unknown } | undefined;
  if (!Array.isArray(mentions?.user_ids) || mentions.user_ids.length === 0) return undefined;
  const m = /^page:(\d+):/.exec(msg.dedupeKey);
  return m ? Number(m[1]) : undefined;
}
