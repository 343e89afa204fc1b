import type { Clock } from "../kernel/clock";
import type { Logger } from "../kernel/logger";
import type { DmRoomsStore } from "./store/dmRooms";
import type { Homeserver } from "./homeserver";
import { DEFAULT_CONTEXT, renderWords, t, type RenderContext } from "../words";
import { privacyProblem, privacyProblemWords, type PrivacyProblem } from "./privateRoom";

/**
 * The bot's one-to-one conversation with each person: the one they opened with the bot,
 * or one the bot opens (and invites them to) the first time it has something to tell them.
 * The room is recorded as soon as the homeserver returns it, so the next message reuses it.
 *
 * Before anything is sent to a person's conversation, its state is read again and checked
 * (privateRoom.ts): a chat that has become readable by others (or always was) stops being
 * their conversation, and a proper private one is opened, saying why, in its place.
 *
 * A check that found the chat private is remembered for PRIVACY_CHECK_KEPT_MS, so a burst
 * of messages to one person (or a page right after a reply) does not read the whole room
 * state before each. Anything that could change the answer forgets it at once: any state
 * event in that room arriving from the homeserver (`stateChanged`, called as a transaction
 * is recorded, before its events are handled), and anything that may have held events back
 * (`forgetChecks`: the homeserver unreachable, a transaction carenet failed to record).
 */
/** How long a privacy check that found a chat private is trusted (see DirectRooms). */
export const PRIVACY_CHECK_KEPT_MS = 5 * 60_000;
/** At most this many rooms' checks are remembered at once (beyond it, rooms are simply checked each time). */
const MAX_REMEMBERED = 10_000;

export class DirectRooms {
  /** Rooms found private, and when (clock time). */
  private readonly privateAt = new Map<string, number>();
  /** Counts state events and forgetChecks calls, so a check that raced one is not remembered. */
  private changes = 0;

  constructor(
    private readonly dmRooms: DmRoomsStore,
    private readonly homeserver: Pick<Homeserver, "createRoom" | "getRoomState" | "sendEvent">,
    private readonly clock: Clock,
    private readonly botUserId = "",
    private readonly log?: Logger,
    /** How the person reads: the new private chat's first message is in their language. */
    private readonly readerFor: (userId: string) => RenderContext = () => DEFAULT_CONTEXT,
  ) {}

  async roomFor(userId: string): Promise<string> {
    const known = this.dmRooms.roomFor(userId);
    if (known) {
      const problem = await this.problemWith(known, userId);
      if (!problem) return known;
      return this.replace(known, userId, problem);
    }
    return this.open(userId);
  }

  /** The person whose conversation with the bot this room is, or was until it stopped being private. */
  personOf(roomId: string): string | undefined {
    return this.dmRooms.userFor(roomId) ?? this.dmRooms.formerUserFor(roomId);
  }

  /**
   * For a message queued for `roomId`: that room, unless it is someone's conversation with
   * the bot that is no longer private to them — then their private conversation (opened if
   * need be).
   */
  async privateRoomFor(roomId: string): Promise<string> {
    // A room that stopped being their conversation after this message was queued (someone
    // else was brought in): never the room as it is now, always their private chat.
    const former = this.dmRooms.formerUserFor(roomId);
    if (former && !this.dmRooms.userFor(roomId)) return this.roomFor(former);
    const userId = this.dmRooms.userFor(roomId);
    if (!userId) return roomId;
    const problem = await this.problemWith(roomId, userId);
    if (!problem) return roomId;
    return this.replace(roomId, userId, problem);
  }

  /** A state event arrived for `roomId`: its privacy is checked again before the next send. */
  stateChanged(roomId: string): void {
    this.privateAt.delete(roomId);
    this.changes++;
  }

  /** Every room's privacy is checked again before its next send (events may have been held back). */
  forgetChecks(): void {
    this.privateAt.clear();
    this.changes++;
  }

  private async problemWith(roomId: string, userId: string): Promise<PrivacyProblem | undefined> {
    const at = this.privateAt.get(roomId);
    const now = this.clock.now();
    if (at !== undefined && now - at < PRIVACY_CHECK_KEPT_MS && now >= at) return undefined;
    this.privateAt.delete(roomId);
    const changesBefore = this.changes;
    const problem = await this.readProblem(roomId, userId);
    // Not remembered if any state event arrived while the state was being read: the read may predate it.
    if (!problem && this.changes === changesBefore && this.privateAt.size < MAX_REMEMBERED) this.privateAt.set(roomId, now);
    return problem;
  }

  private async readProblem(roomId: string, userId: string): Promise<PrivacyProblem | undefined> {
    let state;
    try {
      state = await this.homeserver.getRoomState(roomId);
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      // The bot is no longer in the room, or it is gone: not a conversation any more.
      if (status === 403 || status === 404) return { code: "unreadable" };
      throw err; // the homeserver is unreachable: the send is retried later
    }
    return privacyProblem(state, userId, this.botUserId);
  }

  private async replace(roomId: string, userId: string, problem: PrivacyProblem): Promise<string> {
    this.dmRooms.forget(roomId, this.clock.now());
    this.log?.warn({ roomId, problem: problem.code }, "a direct chat is not private; private messages go to a new private chat");
    const next = await this.open(userId);
    const text = renderWords(t("privacy.reopened", { problem: privacyProblemWords(problem) }), this.readerFor(userId)).plain;
    // A fixed transaction id: a resend after a crash shows this once.
    await this.homeserver.sendEvent(next, "m.room.message", { msgtype: "m.notice", body: text, "m.mentions": {} }, `carenet.private.${next}`);
    return next;
  }

  private async open(userId: string): Promise<string> {
    const roomId = await this.homeserver.createRoom({
      preset: "trusted_private_chat",
      is_direct: true,
      invite: [userId],
      // Joined members (including the invitee once they accept) read everything said here.
      initial_state: [
        { type: "m.room.history_visibility", state_key: "", content: { history_visibility: "shared" } },
        { type: "m.room.guest_access", state_key: "", content: { guest_access: "forbidden" } },
      ],
    });
    this.dmRooms.record(roomId, userId, this.clock.now());
    return roomId;
  }
}
