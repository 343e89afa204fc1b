import { DateTime } from "luxon";
import { botReactionTo, botReplyTo } from "./carenet";
import type { MatrixEvent, MatrixUser } from "./matrixUser";

const bodyOf = (ev: MatrixEvent) => String(ev.content.body ?? "");

/** Sends a command and waits for the bot's reply (in the same room) and its ✅/⛔. */
export async function command(bot: string, user: MatrixUser, roomId: string, text: string): Promise<{ reply: string; reaction: string; replyEvent: MatrixEvent }> {
  const id = await user.sendText(roomId, text);
  const replyEvent = await user.waitForEvent(roomId, botReplyTo(bot, id));
  const reaction = await user.waitForEvent(roomId, botReactionTo(bot, id));
  return { reply: bodyOf(replyEvent), reaction: String(reaction.content["m.relates_to"].key), replyEvent };
}

/**
 * `!volunteer` arguments for a one-off shift that covers `now` in the community's time
 * zone: from a few minutes ago, for three hours (an overnight shift if it crosses midnight).
 */
export function shiftCoveringNow(timezone: string, now = Date.now()): string {
  const start = DateTime.fromMillis(now, { zone: timezone }).startOf("minute").minus({ minutes: 5 });
  const end = start.plus({ hours: 3 });
  return `${start.toISODate()} ${start.toFormat("HH:mm")}-${end.toFormat("HH:mm")}`;
}

/**
 * Puts `peer` on the rota for now, entirely through Matrix: they agree to the rights text
 * and volunteer in their DM with the bot, and `staff` approve in the staff room. The peer
 * must already be an active member. Returns the shift's number.
 */
export async function onCallNow(opts: { bot: string; peer: MatrixUser; peerDm: string; staff: MatrixUser; staffRoom: string; timezone: string }): Promise<number> {
  const { bot, peer, peerDm, staff, staffRoom, timezone } = opts;
  const agreed = await command(bot, peer, peerDm, "!consent agree");
  if (agreed.reaction !== "✅" || !agreed.reply.includes("agree to")) throw new Error(`!consent agree: ${agreed.reply}`);
  const offer = await command(bot, peer, peerDm, `!volunteer ${shiftCoveringNow(timezone)}`);
  if (offer.reaction !== "✅") throw new Error(`!volunteer: ${offer.reply}`);
  const id = Number(/#(\d+)/.exec(offer.reply)![1]);
  await staff.waitForEvent(staffRoom, (ev) => ev.sender === bot && bodyOf(ev).includes(`volunteered: #${id}`));
  const approval = await command(bot, staff, staffRoom, `!rota approve ${id}`);
  if (approval.reaction !== "✅") throw new Error(`!rota approve: ${approval.reply}`);
  await peer.waitForEvent(peerDm, (ev) => ev.sender === bot && bodyOf(ev).includes(`approved #${id}`));
  return id;
}
