import type { Clock } from "../app/clock";
import type { DmRoomsStore } from "../store/dmRooms";
import type { Homeserver } from "./homeserver";

/**
 * The bot's one-to-one conversation with each person: the one they opened with the bot,
 * or one the bot opens (and invites them to) the first time it has something to tell them.
 * The room is recorded as soon as the homeserver returns it, so the next message reuses it.
 */
export class DirectRooms {
  constructor(
    private readonly dmRooms: DmRoomsStore,
    private readonly homeserver: Pick<Homeserver, "createRoom">,
    private readonly clock: Clock,
  ) {}

  async roomFor(userId: string): Promise<string> {
    const known = this.dmRooms.roomFor(userId);
    if (known) return known;
    const roomId = await this.homeserver.createRoom({
      preset: "trusted_private_chat",
      is_direct: true,
      invite: [userId],
      // Joined members (including the invitee once they accept) read everything said here.
      initial_state: [{ type: "m.room.history_visibility", state_key: "", content: { history_visibility: "shared" } }],
    });
    this.dmRooms.record(roomId, userId, this.clock.now());
    return roomId;
  }
}
