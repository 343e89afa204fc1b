import type { InstallContext } from "../../ports/context";

/** The two read-only homeserver questions the capability asks (see matrix/homeserver.ts). */
export interface CommunitiesHomeserver {
  /** Does this account exist on the homeserver? */
  userExists(userId: string): Promise<boolean>;
  /** A room's current state; the capability reads only its m.room.member events. */
  getRoomState(roomId: string): Promise<Array<{ type: string; state_key: string; content: Record<string, unknown> }>>;
}

/**
 * What the communities capability uses from the app: its stores, effects and config, and
 * two read-only homeserver questions (does this user exist; who has been in this room).
 */
export type CommunitiesApp = Pick<
  InstallContext,
  "config" | "clock" | "log" | "botUserId" | "domain" | "effects" | "rooms" | "members" | "consent" | "audit" | "commands" | "atomically" | "roomSnapshots"
> & { homeserver: CommunitiesHomeserver };
