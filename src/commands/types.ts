import type { CommunityConfig } from "../config/types";
import type { Message, Text } from "../messaging/message";
import type { CrisisResources } from "../config/types";

/** Who may use a command. */
export type Audience = "everyone" | "staff";

/** Where `!help` lists a command, so the list reads by what people want to do (see help.ts). */
export type HelpTopic = "support" | "page" | "community" | "checkins" | "rota";

/** What a command knows about the request; no Matrix types. */
export interface CommandContext {
  sender: string;
  /** Where the command was sent: a direct conversation with the bot, or a room. */
  place: "dm" | "room";
  /** The room (or DM) the command was sent in. */
  roomId: string;
  /** The command's own event, for dedupe keys of what it causes. */
  eventId: string;
  /** The community whose room this is; undefined in a DM or a room carenet does not manage. */
  community?: CommunityConfig;
  /** Which of the community's rooms: "community", "staff", "alumni", "space" or an extra room's id. */
  roomKey?: string;
  /** True when the sender is staff (or an admin) of the community whose staff room this is. */
  isStaffHere: boolean;
  now: number;
  crisisResources: CrisisResources;
  /** Every command the dispatcher knows, for !help. */
  commands: ReadonlyArray<CommandSpec>;
}

export interface CommandResult {
  /** ok: understood and done (✅); refused: understood but not allowed or not valid (⛔). */
  outcome: "ok" | "refused";
  reply: Message;
  /**
   * Where the reply goes instead of the room it was asked in, e.g. "dm" so a `!page` note
   * or someone's data is not echoed in a shared room. The room still gets the reaction.
   */
  replyTo?: "dm";
  /**
   * The reply is sent before ordinary messages to other rooms (e.g. the answer to a `!page`).
   * A reply that alerts someone, or is marked urgent itself, is urgent anyway.
   */
  urgent?: boolean;
  /** What was run as the audit log names it, e.g. "!member add" (the dispatcher sets it). */
  ran?: string;
  /**
   * The command wrote its own audit entry for what it did (e.g. "member.add"), so the
   * log does not get a second "ran !member add" line for the same act.
   */
  audited?: boolean;
}

export interface CommandSpec {
  name: string;
  /** e.g. "!help [command]" */
  usage: string;
  /** One line for the !help list. */
  summary: Text;
  /** A few lines for `!help <command>`. */
  details?: Text;
  /** The `!help` group it is listed in (staff commands are always listed under staff). */
  topic?: HelpTopic;
  /**
   * The part of an everyone-command only staff may use, in their staff room (e.g.
   * `!rota add`): `!help` shows it only there.
   */
  staffPart?: { usage: string; summary: Text; details?: Text };
  audience: Audience;
  /**
   * Run even when the command reached carenet later than `events.max_age` (it was down).
   * Other commands are then answered "send it again"; a `!page` is run, late, instead: a
   * request for help held up by an outage must not need asking twice.
   */
  runWhenLate?: boolean;
  /**
   * Free text follows the command (a `!page` note, a check-in note): a quote that is never
   * closed ("he said “go away") must not refuse it. Strict parsing is tried first; if its
   * quotes do not close, the words are taken as written.
   */
  freeText?: boolean;
  /**
   * Optional checks that need the homeserver (e.g. does this user exist?), run before
   * `run`. Returning a result refuses the command with it.
   */
  precheck?(ctx: CommandContext, args: string[]): Promise<CommandResult | undefined>;
  /**
   * Does the work. Synchronous on purpose: it only touches SQLite and queues messages and
   * jobs (see Effects), inside the same transaction that records the reply and marks the
   * event handled, so a crash leaves a command either wholly done or not done at all.
   */
  run(ctx: CommandContext, args: string[]): CommandResult;
}

/** Input that does not fit the command: the dispatcher answers with this and the usage. */
export class UsageError extends Error {
  constructor(readonly text: Text) {
    super(typeof text === "string" ? text : text.key);
  }
}
