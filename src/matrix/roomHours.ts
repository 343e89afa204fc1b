import { createHash } from "node:crypto";
import type { Homeserver } from "./homeserver";
import { LEVEL } from "./powerLevels";

/**
 * Posting hours enforced by Matrix itself: a closed room's `events_default` is the staff
 * level, so members' clients cannot post while staff and the bot still can; an open room's
 * is the member level again. Only `events_default` is changed: the rest of the power levels
 * (who is staff, what needs which level) stay as provisioning and the admins left them.
 */

export type RoomHoursHomeserver = Pick<Homeserver, "getStateContent" | "sendState" | "redact">;

/** events_default for a room that is open or closed for posting. */
export const POSTING_LEVEL = { open: LEVEL.member, closed: LEVEL.staff } as const;

/** The room's current power levels (an empty object if it has none). */
export async function readPowerLevels(hs: RoomHoursHomeserver, roomId: string): Promise<Record<string, unknown>> {
  return (await hs.getStateContent(roomId, "m.room.power_levels")) ?? {};
}

/** True if these power levels already put the room in the posting state `open` asks for. */
export function postingIs(powerLevels: Record<string, unknown>, open: boolean): boolean {
  return powerLevels.events_default === (open ? POSTING_LEVEL.open : POSTING_LEVEL.closed);
}

/**
 * Sets events_default for `open` on top of the power levels just read, changing nothing
 * else; does nothing if it is already there (so running it again is harmless). Returns
 * true if it sent a change.
 */
export async function setPosting(hs: RoomHoursHomeserver, roomId: string, powerLevels: Record<string, unknown>, open: boolean): Promise<boolean> {
  if (postingIs(powerLevels, open)) return false;
  await hs.sendState(roomId, "m.room.power_levels", "", { ...powerLevels, events_default: open ? POSTING_LEVEL.open : POSTING_LEVEL.closed });
  return true;
}

/** A transaction id for redacting `eventId` that is the same on every attempt (the homeserver dedupes it). */
export function redactionTxnId(eventId: string): string {
  return `carenet.redact.${createHash("sha256").update(eventId).digest("hex").slice(0, 32)}`;
}
