import { closest } from "../kernel/words";
import { availableTo } from "./help";
import { supportNow } from "../messaging/support";
import { Message } from "../messaging/message";
import { safeCommandName, withoutQuotedInput } from "./echo";
import { command, t } from "../words";
import { commandName, parseCommand, parseProblemWords, wordsAfterName } from "./parse";
import { UsageError, type CommandContext, type CommandResult, type CommandSpec } from "./types";

export type DispatchContext = Omit<CommandContext, "commands">;

/**
 * Records the outcome (queues the reply, marks the event handled, audits). Called inside
 * the same transaction as the command's own work, so both happen or neither does.
 */
export type Finish = (result: CommandResult, spec: CommandSpec | undefined) => void;

/** Runs `fn` in one SQLite transaction (a savepoint when nested); rolls back if it throws. */
export type Atomically = <T>(fn: () => T) => T;

/**
 * Parse → authorise → handle. Whatever the input, the answer is a reply: an unknown,
 * malformed or failing command gets a plain explanation, never silence or a crash.
 */
export class Dispatcher {
  constructor(
    private readonly commands: CommandSpec[],
    private readonly onError: (err: unknown, command: string) => void,
    private readonly atomically: Atomically = (fn) => fn(),
  ) {}

  get specs(): ReadonlyArray<CommandSpec> {
    return this.commands;
  }

  /** dispatchNow, always as a promise. */
  async dispatch(body: string, dctx: DispatchContext, finish: Finish = () => undefined): Promise<CommandResult> {
    return this.dispatchNow(body, dctx, finish);
  }

  /**
   * Answers at once, without a promise, unless the command has a precheck (which waits on
   * the homeserver): the inbox worker handles events that need only SQLite many to a
   * transaction, so a burst of commands costs one commit instead of one each.
   */
  dispatchNow(body: string, dctx: DispatchContext, finish: Finish = () => undefined): CommandResult | Promise<CommandResult> {
    const ctx: CommandContext = { ...dctx, commands: this.commands };
    const done = (result: CommandResult, spec?: CommandSpec) => {
      if (spec) result.ran ??= ran(spec, args);
      this.atomically(() => finish(result, spec));
      return result;
    };
    let args: string[] = [];
    let parsed = parseCommand(body);
    if (!parsed.ok) {
      const name = commandName(body);
      if (name && this.commands.find((c) => c.name === name)?.freeText) {
        parsed = { ok: true, command: { name, args: wordsAfterName(body) } };
      }
    }
    if (!parsed.ok) {
      return done({
        outcome: "refused",
        reply: Message.of(t("commands.unreadable", { problem: parseProblemWords(parsed.problem), help: command("!help") })).append(supportNow(ctx.crisisResources)),
      });
    }
    const { name } = parsed.command;
    args = parsed.command.args;
    const spec = this.commands.find((c) => c.name === name);
    if (!spec) {
      return done({ outcome: "refused", reply: Message.of(unknownCommand(name, ctx)).append(supportNow(ctx.crisisResources)) });
    }
    if (spec.audience === "staff" && !ctx.isStaffHere) {
      return done({ outcome: "refused", reply: Message.of(staffOnly(name, ctx)) }, spec);
    }
    const failed = (err: unknown): CommandResult => {
      if (err instanceof UsageError) {
        const said = typeof err.text === "string" ? withoutQuotedInput(err.text) : err.text;
        return done({ outcome: "refused", reply: Message.of(said).p(t("commands.usage", { usage: command(spec.usage) })) }, spec);
      }
      this.onError(err, name);
      return done(
        {
          outcome: "refused",
          reply: new Message()
            .p(t("commands.failed", { command: command(`!${name}`) }))
            .append(supportNow(ctx.crisisResources)),
        },
        spec,
      );
    };
    const runIt = (): CommandResult =>
      this.atomically(() => {
        const result = spec.run(ctx, args);
        result.ran ??= ran(spec, args);
        finish(result, spec);
        return result;
      });
    if (!spec.precheck) {
      try {
        return runIt();
      } catch (err) {
        return failed(err);
      }
    }
    return (async () => {
      try {
        const early = await spec.precheck?.(ctx, args);
        if (early) return done(early, spec);
        return runIt();
      } catch (err) {
        return failed(err);
      }
    })();
  }
}

/** "!member add": the command and, when its first word is one of its subcommands, that word. */
export function ran(spec: CommandSpec, args: string[]): string {
  const sub = args[0]?.toLowerCase();
  const usages = `${spec.usage} ${spec.staffPart?.usage ?? ""}`;
  const isSub = !!sub && /^[a-z][a-z-]*$/.test(sub) && new RegExp(`(^|[\\s|!\\[])${sub}(?=[\\s|\\]]|$)`).test(usages);
  return isSub ? `!${spec.name} ${sub}` : `!${spec.name}`;
}

/** The refusal for a command nobody has: names it (when it is safe to show) and the closest one. */
function unknownCommand(name: string, ctx: CommandContext) {
  const names = availableTo(ctx).map((c) => c.name);
  const hint = closest(name, names);
  const shown = safeCommandName(name);
  const values = { name: command(`!${shown ?? ""}`), hint: command(`!${hint ?? ""}`), help: command("!help") };
  return shown
    ? hint
      ? t("commands.unknownHint", values)
      : t("commands.unknown", values)
    : hint
      ? t("commands.unknownUnnamedHint", values)
      : t("commands.unknownUnnamed", values);
}

/** Why a staff command is refused here: standing in the staff room already, the reason is who they are, not where. */
function staffOnly(name: string, ctx: CommandContext) {
  const c = ctx.community;
  const values = { command: command(`!${name}`), community: c?.name ?? "" };
  return !c ? t("commands.staffRoomOnlyDm", values) : ctx.roomKey === "staff" ? t("commands.notStaffOf", values) : t("commands.staffRoomOnly", values);
}
