/**
 * The event hooks a feature adds at install time (AppContext's hook lists): the shapes the
 * event router (src/matrix/eventRouter.ts) calls them with.
 */
import type { CommandResult } from "../commands/types";
import type { CommunityConfig, CrisisResources } from "../config/types";

/** Where an event happened, when it is one of a community's rooms. */
export interface CommunityPlace {
  community: CommunityConfig;
  roomKey: string;
  roomId: string;
}

export type RoomMessageHook = (m: { place: CommunityPlace; sender: string; eventId: string; isStaff: boolean; sentAt: number }) => void;

export type MembershipHook = (m: {
  roomId: string;
  place: CommunityPlace | undefined;
  /** Whose membership changed. */
  userId: string;
  /** Who changed it: the user themselves when they join or leave on their own. */
  sender: string;
  membership: string;
  previous: string | undefined;
  eventId: string;
  /** The `displayname` in the event's content, as sent (unchecked: anyone can choose any). */
  displayName?: unknown;
}) => void;

export interface ReactionEvent {
  roomId: string;
  sender: string;
  /** The event reacted to. */
  targetEventId: string;
  key: string;
  eventId: string;
  /** Set when the reaction was in a community room. */
  place: CommunityPlace | undefined;
  /** It reached carenet later than `events.max_age` (carenet was down); only for hooks that accept late reactions. */
  late?: boolean;
}

export interface ReactionHook {
  (r: ReactionEvent): void;
  /**
   * Also called for reactions that reached carenet later than `events.max_age`, with
   * `late: true`, for answers that are still right to apply late (the hook decides which).
   * Unset: late reactions are not passed to it (an old click must not act).
   */
  acceptsLate?: boolean;
}

/**
 * A plain message (not a command) sent as a reply to an earlier event, e.g. an answer to a
 * check-in prompt. A hook that recognises the event it replies to returns the answer to
 * give (with ✅/⛔ like a command); one that does not returns undefined.
 */
export type ReplyHook = (r: {
  roomId: string;
  sender: string;
  /** The event replied to. */
  inReplyTo: string;
  /** What the person wrote, without the quoted fallback of the event replied to. */
  text: string;
  eventId: string;
  place: CommunityPlace | undefined;
  now: number;
  crisisResources: CrisisResources;
}) => CommandResult | undefined;

/**
 * A plain message in someone's own DM (a number, a word) that no reply hook took:
 * a hook that can take it as an answer to something still open returns the answer to give;
 * otherwise undefined, and the next hook (finally the plain-words answer) has it.
 */
export type PlainAnswerHook = (r: { roomId: string; sender: string; text: string; eventId: string; now: number; crisisResources: CrisisResources }) => CommandResult | undefined;

/** An m.room.encrypted event carenet received, as the event router hands it on. */
export interface EncryptedEvent {
  roomId: string;
  sender: string;
  eventId: string;
  /** Set when the room is one of a community's rooms. */
  place: CommunityPlace | undefined;
  /** The unencrypted `m.relates_to` an encrypted event keeps (a reply, an edit, a reaction). */
  relatesTo?: { rel_type?: unknown; event_id?: unknown };
}
