/**
 * The Matrix side as a feature sees it: the homeserver calls features make, and what
 * provisioning already read of a room's state. src/matrix/ implements these (Homeserver,
 * RoomSnapshots); a feature never imports src/matrix/.
 */
import type { Message } from "../messaging/message";
import type { RenderContext } from "../words";

/** A state event as GET /rooms/{roomId}/state returns it. */
export interface StateEvent {
  type: string;
  state_key: string;
  sender: string;
  content: Record<string, unknown>;
  event_id?: string;
}

/** What the steps after provisioning need to know of a room's state. */
export interface RoomFacts {
  /** The room's m.room.power_levels content ({} if it has none). */
  powerLevels: Record<string, unknown>;
  /** The room's m.room.encryption event, or null if it is not encrypted. */
  encryption: StateEvent | null;
  /** Every user with a membership of the room (join, invite, leave, ban, knock), and which. */
  memberships: Map<string, string>;
}

/** The homeserver calls features make, as the bot (src/matrix/homeserver.ts implements them). */
export interface HomeserverPort {
  sendEvent(roomId: string, eventType: string, content: object, txnId: string): Promise<string>;
  /** Uploads a file to the homeserver's media repository; returns its mxc:// URL. */
  uploadMedia(data: Buffer, contentType: string, filename: string): Promise<string>;
  leaveRoom(roomId: string, reason?: string): Promise<void>;
  /** Creates a room (or a Space, with creation_content.type) and returns its id. */
  createRoom(body: Record<string, unknown>): Promise<string>;
  /** Every current state event of a room the bot is in. */
  getRoomState(roomId: string): Promise<StateEvent[]>;
  sendState(roomId: string, eventType: string, stateKey: string, content: object): Promise<string>;
  invite(roomId: string, userId: string, reason?: string): Promise<void>;
  /** Removes an event; the reason is shown in its place. */
  redact(roomId: string, eventId: string, reason: string, txnId: string): Promise<void>;
  /** One state event's content, or null when the room has none of that type and key. */
  getStateContent(roomId: string, eventType: string, stateKey?: string): Promise<Record<string, unknown> | null>;
  /** True if the homeserver knows this user (their profile can be read). */
  userExists(userId: string): Promise<boolean>;
  /** The user's display name, or null when they have none (or no profile). */
  displayName(userId: string): Promise<string | null>;
}

/** Room states provisioning read during the reconcile in progress (src/matrix/roomSnapshot.ts). */
export interface RoomSnapshotsPort {
  get(roomId: string): RoomFacts | undefined;
}

/** The bot's one-to-one conversations with people (src/matrix/store/dmRooms.ts). */
export interface DirectChats {
  /** Whose conversation with the bot a room is, if it is a current one. */
  userFor(roomId: string): string | undefined;
  /** The person's conversations with the bot, oldest first. */
  ofUser(userId: string): Array<{ roomId: string; createdAt: number }>;
  /** Erases every conversation with the person, former ones too; returns the current ones. */
  forgetUser(userId: string): string[];
}

/**
 * Posting hours as Matrix enforces them: a room's power levels' `events_default`
 * (src/matrix/roomHours.ts).
 */
export interface RoomPosting {
  /** The room's current power levels (an empty object if it has none). */
  readPowerLevels(roomId: string): Promise<Record<string, unknown>>;
  /** True if these power levels already put the room in the posting state `open` asks for. */
  postingIs(powerLevels: Record<string, unknown>, open: boolean): boolean;
  /** Sets `open` on top of the power levels just read; true if it sent a change. */
  setPosting(roomId: string, powerLevels: Record<string, unknown>, open: boolean): Promise<boolean>;
  /** Removes a message, under a transaction id that is the same on every attempt. */
  redact(roomId: string, eventId: string, reason: string): Promise<void>;
}

/** The Matrix helpers features use, so they never import src/matrix/ (which implements them). */
export interface MatrixTools {
  /** A message as the content of a notice, rendered for `reader` (English by default). */
  noticeContent(message: Message, inReplyTo?: string, reader?: Partial<RenderContext>): Record<string, unknown>;
  /** The content as one event, or split into several when it is too big for one. */
  fitContent(content: Record<string, unknown>): Array<Record<string, unknown>>;
  /** True when an invitation failed only because the person is already in the room. */
  alreadyInRoom(err: unknown): boolean;
  /** A homeserver failure in a few words, for logs and for staff. */
  describeError(err: unknown): string;
  posting: RoomPosting;
}
