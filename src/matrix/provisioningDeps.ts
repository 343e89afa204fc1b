import type { Clock } from "../kernel/clock";
import type { Logger } from "../kernel/logger";
import type { Effects } from "../messaging/effects";
import type { CommunityRoomsStore } from "../features/communities/store/communityRooms";
import type { Db } from "../store/database";
import type { OutboxStore } from "../store/outbox";
import type { Reader } from "./content";
import type { Homeserver, StateEvent } from "./homeserver";
import type { RoomSnapshots } from "./roomSnapshot";

/** What carenet's provisioning needs from the homeserver (see {@link Homeserver}). */
export type ProvisioningHomeserver = Pick<
  Homeserver,
  "createRoom" | "getRoomState" | "sendState" | "invite" | "resolveAlias" | "joinRoom" | "defaultRoomVersion"
>;

export interface ProvisionerDeps {
  homeserver: ProvisioningHomeserver;
  rooms: CommunityRoomsStore;
  outbox: OutboxStore;
  db: Db;
  clock: Clock;
  log: Logger;
  botUserId: string;
  /** The homeserver's domain: aliases and `via` use it. */
  domain: string;
  /** Start of every alias localpart carenet owns, e.g. "carenet_" (see registration.aliasPrefix). */
  aliasPrefix: string;
  /** Called after notices were queued, so the outbox sends them at once. */
  outboxChanged: () => void;
  /**
   * Removes people who are no longer staff or admins from the staff room (a durable,
   * retried job). Without it they only lose their power level.
   */
  effects?: Pick<Effects, "kick">;
  /** Who reads the staff-room notices (language, names); English with Matrix IDs without it. */
  readers?: { forRoom(roomId: string): Reader };
  /** Where each room's state, as read (and then changed) here, is left for the steps after provisioning. */
  snapshots?: RoomSnapshots;
  /**
   * Room states already read at start (catch-up's one `GET /initialSync`), each taken once:
   * a room found there is not asked for again unless something in it must change.
   */
  knownStates?: { take(roomId: string): StateEvent[] | undefined };
}

/** One room (or Space) as the config describes it. */
export interface RoomSpec {
  key: string;
  name: string;
  topic?: string;
  isSpace: boolean;
}
