import type { Message } from "./message";

/** Who may use a command. */
export type Audience = "everyone" | "staff";

/** What a command knows about the request; no Matrix types. */
export interface CommandContext {
  sender: string;
  /** Where the command was sent: a direct conversation with the bot, or a room. */
  place: "dm" | "room";
  /** True when the sender is staff of the community whose staff room this is. */
  isStaffHere: boolean;
  now: number;
  crisisResources: string;
  /** Every command the dispatcher knows, for !help. */
  commands: ReadonlyArray<CommandSpec>;
}

export interface CommandResult {
  /** ok: understood and done (✅); refused: understood but not allowed or not valid (⛔). */
  outcome: "ok" | "refused";
  reply: Message;
}

export interface CommandSpec {
  name: string;
  /** e.g. "!help [command]" */
  usage: string;
  /** One line for the !help list. */
  summary: string;
  /** A few lines for `!help <command>`. */
  details?: string;
  audience: Audience;
  run(ctx: CommandContext, args: string[]): CommandResult | Promise<CommandResult>;
}

export class UsageError extends Error {}
