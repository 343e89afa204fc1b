import type { CrisisResources } from "../config/types";
import { supportBlock } from "../words/support";
import { Message } from "./message";
import type { CommandContext, CommandSpec, HelpTopic } from "./types";

/** The first thing anyone reading carenet's help sees: how to get support right now. */
export function supportNow(crisisResources: CrisisResources): Message {
  return supportBlock(crisisResources);
}

export function availableTo(ctx: Pick<CommandContext, "isStaffHere" | "commands">): CommandSpec[] {
  return ctx.commands.filter((c) => c.audience === "everyone" || ctx.isStaffHere);
}

/** The groups of the `!help` list, in order, with their headings. */
const TOPICS: ReadonlyArray<[HelpTopic, string]> = [
  ["support", "Getting support:"],
  ["page", "When someone has paged:"],
  ["community", "Your community and your choices:"],
  ["checkins", "Check-ins:"],
  ["rota", "The rota, for peer supporters:"],
];

/**
 * The usage as listed: its first form only (`!checkin <answer> [note]` of
 * `!checkin <answer> [note] | !checkin plan …`); `!help <command>` gives them all.
 */
function firstForm(usage: string): string {
  const name = usage.split(" ")[0];
  const next = usage.indexOf(` | ${name}`);
  return next < 0 ? usage : usage.slice(0, next);
}

const line = (usage: string, summary: string) => `\`${usage}\` — ${summary}`;

export const helpCommand: CommandSpec = {
  name: "help",
  usage: "!help [command]",
  summary: "how to get support now, and the commands you can use here",
  details: "`!help` lists the commands you can use where you are. `!help page` explains one command.",
  topic: "support",
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
      const reply = new Message().p(`\`${spec.usage}\` — ${spec.summary}.`);
      if (spec.details) reply.p(spec.details);
      if (spec.staffPart && ctx.isStaffHere) {
        reply.heading("For staff, in this room:").p(`\`${spec.staffPart.usage}\` — ${spec.staffPart.summary}.`);
        if (spec.staffPart.details) reply.p(spec.staffPart.details);
      }
      return { outcome: "ok", reply };
    }
    const reply = supportNow(ctx.crisisResources).heading("Commands you can use here:");
    const forEveryone = available.filter((c) => c.audience === "everyone");
    for (const [topic, heading] of TOPICS) {
      const inTopic = forEveryone.filter((c) => c.topic === topic);
      if (inTopic.length) reply.heading(heading).list(inTopic.map((c) => line(firstForm(c.usage), c.summary)));
    }
    const other = forEveryone.filter((c) => !TOPICS.some(([t]) => t === c.topic));
    if (other.length) reply.heading("Other commands:").list(other.map((c) => line(firstForm(c.usage), c.summary)));
    if (ctx.isStaffHere) {
      const staff = available.flatMap((c) =>
        c.audience === "staff" ? [line(firstForm(c.usage), c.summary)] : c.staffPart ? [line(c.staffPart.usage, c.staffPart.summary)] : [],
      );
      reply.heading("For staff, in this room:").list(staff);
    }
    reply.p("Send `!help <command>` to learn more about one of them, e.g. `!help page`.");
    return { outcome: "ok", reply };
  },
};
