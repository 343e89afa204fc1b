import type { CommunityConfig } from "./types";

/** The room key of a community's Space (its other rooms are keyed as the config names them). */
export const SPACE_KEY = "space";

/** A community room as members know it: its configured name, in quotes, or the Space. */
export function roomName(c: CommunityConfig, key: string): string {
  if (key === SPACE_KEY) return `the ${c.name} Space`;
  if (key === "community" || key === "staff" || key === "alumni") return `“${c.rooms[key].name}”`;
  const extra = c.rooms.extra.find((r) => r.id === key);
  return extra ? `“${extra.name}”` : `the room “${key}”`;
}
