import type { CarenetConfig, CommunityConfig } from "../config/types";
import type { CommunityRoomsStore } from "../features/communities/store/communityRooms";
import type { DisplayNamesStore } from "../features/communities/store/displayNames";
import type { DmRoomsStore } from "../matrix/store/dmRooms";
import type { LanguagesStore } from "../features/communities/store/languages";
import type { MembersStore } from "../features/communities/store/members";
import type { PagesStore } from "../features/paging/store/pages";
import { communityReader, type RenderContext } from "../words";
import { communityById } from "../config/communities";

import type { Readers } from "../ports/readers";
export type { Readers };


export interface ReadersDeps {
  config: () => CarenetConfig;
  names: DisplayNamesStore;
  languages: LanguagesStore;
  members: MembersStore;
  rooms: CommunityRoomsStore;
  pages: Pick<PagesStore, "bySupportRoom">;
  /** A person's direct chat with the bot reads as that person. */
  dmRooms: Pick<DmRoomsStore, "userFor">;
}

export function createReaders(d: ReadersDeps): Readers {
  const community = (id: string | undefined): CommunityConfig | undefined => (id ? communityById(d.config().communities, id) : undefined);
  const context = (c: CommunityConfig | undefined, chosen?: string): RenderContext => ({ ...communityReader(c, chosen), names: (u) => d.names.get(u) });
  const communityOfUser = (userId: string): CommunityConfig | undefined => {
    const memberships = d.members.communitiesOf(userId, { includeDischarged: true }).sort((a, b) => b.addedAt - a.addedAt);
    const chosen = memberships.find((m) => m.status === "active") ?? memberships[0];
    return community(chosen?.communityId) ?? d.config().communities.find((c) => c.staff.includes(userId) || c.admins.includes(userId));
  };
  const forUser = (userId: string) => context(communityOfUser(userId), d.languages.get(userId));
  return {
    forUser,
    forPerson: (userId, communityId) => context(community(communityId), d.languages.get(userId)),
    forCommunity: (communityId) => context(community(communityId)),
    forRoom: (roomId) => {
      const dmOf = d.dmRooms.userFor(roomId);
      if (dmOf) return forUser(dmOf);
      return context(community(d.rooms.byRoomId(roomId)?.communityId ?? d.pages.bySupportRoom(roomId)?.communityId));
    },
  };
}
