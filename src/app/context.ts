import type { DirectRooms } from "../matrix/directRooms";
import type { DmRoomsStore } from "../matrix/store/dmRooms";
import type { Homeserver } from "../matrix/homeserver";
import type { RoomSnapshots } from "../matrix/roomSnapshot";
import type { CommunityRoomsStore } from "../features/communities/store/communityRooms";
import type { ConsentStore } from "../features/communities/store/consent";
import type { MembersStore } from "../features/communities/store/members";
import type { InstallContext } from "../ports/context";

export type { OnCallNow } from "../ports/context";

/**
 * The install-time contract (ports/context.ts) as the composition root and src/matrix/ hold
 * it: the same object, with the concrete Matrix services and stores behind the ports.
 */
export interface AppContext extends InstallContext {
  homeserver: Homeserver;
  roomSnapshots?: RoomSnapshots;
  directRooms: DirectRooms;
  dmRooms: DmRoomsStore;
  rooms: CommunityRoomsStore;
  members: MembersStore;
  consent: ConsentStore;
}
