import { closest } from "../domain/words";
import { supportNow, availableTo } from "./help";
import { Message } from "./message";
import { echoableCommand, withoutQuotedInput } from "./echo";
import { commandName, parseCommand, wordsAfterName } from "./parse";
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

  async dispatch(body: string, dctx: DispatchContext, finish: Finish = () => undefined): Promise<CommandResult> {
    const ctx: CommandContext = { ...dctx, commands: this.commands };
    const done = (result: CommandResult, spec?: CommandSpec) => {
      this.atomically(() => finish(result, spec));
      return result;
    };
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
        reply: Message.of(`I could not read that command: ${parsed.problem}. Send \`!help\` to see what you can do.`).append(
          supportNow(ctx.crisisResources),
        ),
      });
    }
    const { name, args } = parsed.command;
    const spec = this.commands.find((c) => c.name === name);
    if (!spec) {
      const names = availableTo(ctx).map((c) => c.name);
      const hint = closest(name, names);
      return done({
        outcome: "refused",
        reply: new Message()
          .p(
            `I don't know ${echoableCommand(name) ? `the command ${echoableCommand(name)}` : "that command"}.` +
              (hint ? ` Did you mean \`!${hint}\`?` : "") +
              " Send `!help` to see the commands you can use.",
          )
          .append(supportNow(ctx.crisisResources)),
      });
    }
    if (spec.audience === "staff" && !ctx.isStaffHere) {
      const where = ctx.community ? ctx.community.name : "your community";
      return done(refuse(`\`!${name}\` is a staff command: it works only in ${where}'s staff room, for its staff.`), spec);
    }
    try {
      const early = await spec.precheck?.(ctx, args);
      if (early) return done(early, spec);
      return this.atomically(() => {
        const result = spec.run(ctx, args);
        finish(result, spec);
        return result;
      });
    } catch (err) {
      if (err instanceof UsageError) return done(refuse(`${withoutQuotedInput(err.message)}\nUsage: \`${spec.usage}\``), spec);
      this.onError(err, name);
      return done(
        {
          outcome: "refused",
          reply: new Message()
            .p(`Something went wrong while handling \`!${name}\`; it has been logged for the admins. Please try again in a moment.`)
            .append(supportNow(ctx.crisisResources)),
        },
        spec,
      );
    }
  }
}

function refuse(text: string): CommandResult {
  return { outcome: "refused", reply: Message.of(text) };
}
