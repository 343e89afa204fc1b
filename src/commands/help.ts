import { Message } from "./message";
import type { CommandContext, CommandSpec } from "./types";

/** The first thing anyone reading carenet's help sees: how to get support right now. */
export function supportNow(crisisResources: string): Message {
  return new Message().heading("If you need support right now:").p(crisisResources.trim());
}

export function availableTo(ctx: Pick<CommandContext, "isStaffHere" | "commands">): CommandSpec[] {
  return ctx.commands.filter((c) => c.audience === "everyone" || ctx.isStaffHere);
}

export const helpCommand: CommandSpec = {
  name: "help",
  usage: "!help [command]",
  summary: "how to get support now, and the commands you can use here",
  details: "`!help` lists the commands you can use where you are. `!help page` explains one command.",
  audience: "everyone",
  run(ctx, args) {
    const available = availableTo(ctx);
    if (args.length > 0) {
      const wanted = args[0].replace(/^!/, "").toLowerCase();
      const spec = available.find((c) => c.name === wanted);
      if (!spec) {
        return {
          outcome: "refused",
          reply: supportNow(ctx.crisisResources).p(
            `There is no command \`!${wanted}\` you can use here. Send \`!help\` to see the ones you can.`,
          ),
        };
      }
      return {
        outcome: "ok",
        reply: new Message().p(`\`${spec.usage}\` — ${spec.summary}.`).p(spec.details ?? ""),
      };
    }
    const reply = supportNow(ctx.crisisResources)
      .heading("Commands you can use here:")
      .list(available.map((c) => `\`${c.usage}\` — ${c.summary}`));
    reply.p("Send `!help <command>` to learn more about one of them.");
    return { outcome: "ok", reply };
  },
};
