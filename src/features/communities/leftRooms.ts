import { Message } from "../../messaging/message";
import { person, t } from "../../words";
import type { MembershipHook } from "../../ports/hooks";
import { SPACE_KEY } from "./store/communityRooms";
import type { CommunitiesApp } from "./deps";
import { roomName } from "./memberRooms";

/**
 * A member who leaves one of their community's rooms (or declines its invitation) on
 * their own is remembered, so carenet never invites them back against their will, and
 * the staff room is told once. Being removed by carenet or by staff is not leaving on
 * their own. Joining again (staff invited them back at their request) forgets the mark.
 */
export function leftRoomsHook(app: CommunitiesApp): MembershipHook {
  return ({ place, userId, sender, membership, previous, eventId }) => {
    if (!place || place.roomKey === "staff") return;
    const c = place.community;
    const member = app.members.get(c.id, userId);
    if (!member || member.status === "removed") return;
    if (membership === "join") {
      if (app.members.clearLeft(c.id, userId, place.roomKey) > 0) {
        app.log.info({ communityId: c.id, roomKey: place.roomKey }, "a member who had left a room is back in it");
      }
      return;
    }
    if (membership !== "leave" || sender !== userId || (previous !== "join" && previous !== "invite")) return;
    const now = app.clock.now();
    if (!app.members.recordLeft(c.id, userId, place.roomKey, now)) return;
    const where = roomName(c, place.roomKey);
    const what = previous === "invite" ? `declined the invitation to ${where}` : `left ${where}`;
    app.audit.append({ communityId: c.id, actor: userId, action: "member.left", subject: userId, detail: `${what} on their own` }, now);
    const staffRoom = app.rooms.get(c.id, "staff");
    if (!staffRoom) return;
    const message = new Message()
      .p(t("member.leftStaff", { user: person(userId), declined: previous === "invite" ? "yes" : "no", room: where, space: place.roomKey === SPACE_KEY ? "yes" : "no" }))
      .p(t("member.leftStaffHow"));
    app.effects.post(staffRoom.roomId, message, `member-left:${eventId}`);
  };
}
