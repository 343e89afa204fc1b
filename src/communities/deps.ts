import type { AppContext } from "../app/context";
import type { Homeserver } from "../matrix/homeserver";

/**
 * What the communities capability uses from the app: its stores, effects and config, and
 * two read-only homeserver calls (does this user exist; who is in this room).
 */
export type CommunitiesApp = Pick<
  AppContext,
  "config" | "clock" | "log" | "botUserId" | "domain" | "effects" | "rooms" | "members" | "consent" | "audit" | "commands" | "atomically"
> & { homeserver: Pick<Homeserver, "userExists" | "getRoomState"> };
