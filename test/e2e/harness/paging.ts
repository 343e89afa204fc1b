import { waitUntil } from "./child";
import type { Invite, MatrixEvent, MatrixUser } from "./matrixUser";

/** A community for paging tests: `staff` in the config, the given ladder and digest settings. */
export function pagingCommunity(id: string, opts: { staff: string[]; escalation: Array<{ notify: string; wait: string }>; name?: string }) {
  return {
    id,
    name: opts.name ?? `Community ${id}`,
    timezone: "Europe/London",
    staff: opts.staff,
    rooms: { community: { name: `${id} community` }, staff: { name: `${id} staff` }, alumni: { name: `${id} alumni` } },
    paging: { escalation: opts.escalation },
  };
}

const stateOf = (inv: Invite, type: string, stateKey?: string) =>
  inv.state.find((e) => e.type === type && (stateKey === undefined || e.state_key === stateKey));

/** Joins the direct room the bot opened for `user` (when it first had something to tell them). */
export async function acceptBotDm(user: MatrixUser, bot: string, timeoutMs = 30_000): Promise<string> {
  const roomId = await user.waitForInvite(
    (inv) => inv.sender === bot && (stateOf(inv, "m.room.member", user.userId)?.content as { is_direct?: boolean }).is_direct === true,
    timeoutMs,
  );
  await user.joinRoom(roomId);
  return roomId;
}

/**
 * The direct room in which the bot says what `predicate` matches, accepting every direct
 * invitation from the bot meanwhile. For a test that kills carenet while it may be opening
 * the person's chat: a chat opened but not recorded stays empty, and the restarted carenet
 * opens another, so the first invitation is not necessarily the one that gets the message.
 */
export async function botDmWith(user: MatrixUser, bot: string, predicate: (ev: MatrixEvent) => boolean, timeoutMs = 40_000): Promise<string> {
  const isDm = (inv: Invite) => inv.sender === bot && (stateOf(inv, "m.room.member", user.userId)?.content as { is_direct?: boolean }).is_direct === true;
  const found = user.waitForEvent(null, (ev) => ev.sender === bot && predicate(ev), timeoutMs);
  let done = false;
  void found.then(
    () => (done = true),
    () => (done = true),
  );
  while (!done) {
    const roomId = await user.waitForInvite(isDm, 1000).catch(() => undefined);
    if (roomId) await user.joinRoom(roomId);
  }
  return (await found).room_id;
}

/**
 * A support room's name as its invitation shows it: a warm room's is its community's
 * ("Oakwood support room"; the member's follows the invitations), a room made for the page
 * has the member's from the start ("Support for amy").
 */
export const isSupportRoomName = (name: unknown): boolean => /^Support for |support room$/.test(String(name ?? ""));

/** The invitation to a support room, not yet accepted. */
export function supportInvite(user: MatrixUser, timeoutMs = 30_000): Promise<string> {
  return user.waitForInvite((inv) => isSupportRoomName((stateOf(inv, "m.room.name")?.content as { name?: string })?.name), timeoutMs);
}

/**
 * The support room carenet recorded for the page of `member` (or the only page). A warm
 * room's invitations go out just before it is recorded, so this waits for the record.
 */
export function recordedSupportRoom(db: { prepare(sql: string): { get(...params: unknown[]): unknown } }, member?: string): Promise<string> {
  const row = () =>
    (member ? db.prepare("SELECT support_room_id AS r FROM pages WHERE member = ?").get(member) : db.prepare("SELECT support_room_id AS r FROM pages").get()) as { r: string | null } | undefined;
  return waitUntil("the page's support room is recorded", () => row()?.r ?? undefined);
}

export const body = (ev: MatrixEvent): string => String(ev.content.body ?? "");

/** How carenet names a test user in a message: Synapse gives each a display name, its localpart. */
export const shown = (u: { userId: string }): string => u.userId.slice(1).split(":")[0];

/** A message from the bot whose body contains `text`. */
export const botSays = (bot: string, text: string) => (ev: MatrixEvent) =>
  ev.sender === bot && ev.type === "m.room.message" && body(ev).includes(text);

/** How many bot messages containing `text` `user` has seen in `roomId`. */
export function countSaid(user: MatrixUser, roomId: string, bot: string, text: string): number {
  return user.eventsSoFar(roomId).filter(botSays(bot, text)).length;
}
