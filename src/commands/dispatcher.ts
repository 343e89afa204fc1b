import { closest } from "../domain/words";
import { supportNow, availableTo } from "./help";
import { Message } from "./message";
import { parseCommand } from "./parse";
import { UsageError, type CommandContext, type CommandResult, type CommandSpec } from "./types";

export type DispatchContext = Omit<CommandContext, "commands">;

/**
 * Parse → authorise → handle. Whatever the input, the answer is a reply: an unknown,
 * malformed or failing command gets a plain explanation, never silence or a crash.
 */
export class Dispatcher {
  constructor(
    private readonly commands: CommandSpec[],
    private readonly onError: (err: unknown, command: string) => void,
  ) {}

  async dispatch(body: string, dctx: DispatchContext): Promise<CommandResult> {
    const ctx: CommandContext = { ...dctx, commands: this.commands };
    const parsed = parseCommand(body);
    if (!parsed.ok) {
      return {
        outcome: "refused",
        reply: Message.of(`I could not read that command: ${parsed.problem}. Send \`!help\` to see what you can do.`).append(
          supportNow(ctx.crisisResources),
        ),
      };
    }
    const { name, args } = parsed.command;
    const spec = this.commands.find((c) => c.name === name);
    if (!spec) {
      const names = availableTo(ctx).map((c) => c.name);
      const hint = closest(name, names);
      return {
        outcome: "refused",
        reply: new Message()
          .p(
            `I don't know the command \`!${name}\`.` +
              (hint ? ` Did you mean \`!${hint}\`?` : "") +
              " Send `!help` to see the commands you can use.",
          )
          .append(supportNow(ctx.crisisResources)),
      };
    }
    if (spec.audience === "staff" && !ctx.isStaffHere) {
      return refuse(`\`!${name}\` is a staff command: it works only in your community's staff room, for its staff.`);
    }
    try {
      return await spec.run(ctx, args);
    } catch (err) {
      if (err instanceof UsageError) {
        return refuse(`${err.message}\nUsage: \`${spec.usage}\``);
      }
      this.onError(err, name);
      return {
        outcome: "refused",
        reply: new Message()
          .p(`Something went wrong while handling \`!${name}\`; it has been logged for the admins. Please try again in a moment.`)
          .append(supportNow(ctx.crisisResources)),
      };
    }
  }
}

function refuse(text: string): CommandResult {
  return { outcome: "refused", reply: Message.of(text) };
}
