import { command, isWords, t, type Value, type Words } from "../words";
import { safeCommandName } from "./echo";
import { Message, type Text } from "../messaging/message";
import { supportNow } from "../messaging/support";
import type { CommandContext, CommandSpec, HelpTopic } from "./types";

export function availableTo(ctx: Pick<CommandContext, "isStaffHere" | "commands">): CommandSpec[] {
  return ctx.commands.filter((c) => c.audience === "everyone" || ctx.isStaffHere);
}

/** A command's text as a catalogue value (a plain string stays as written). */
export function asValue(text: Text): Value {
  return isWords(text) ? (text as Words & Value) : text.replace(/`/g, "");
}

/** The groups of the `!help all` list, in order, with their headings. */
const TOPICS: ReadonlyArray<[HelpTopic, Words]> = [
  ["support", t("help.topicSupport")],
  ["page", t("help.topicPage")],
  ["community", t("help.topicCommunity")],
  ["checkins", t("help.topicCheckins")],
  ["rota", t("help.topicRota")],
];

/**
 * What a member uses most, after `!page`, in this order: the short `!help` shows these
 * (those installed) and leaves the rest to `!help all`, so someone who needs only
 * `!page` and the numbers is not given a manual.
 */
const MOST_USED: ReadonlyArray<[string, Words]> = [
  ["checkin", t("help.topCheckin", { command: command("!checkin 3") })],
  ["hours", t("help.topHours", { command: command("!hours") })],
  ["rights", t("help.topRights", { command: command("!rights") })],
  ["consent", t("help.topConsent", { command: command("!consent agree") })],
  ["language", t("help.topLanguage", { command: command("!language") })],
  ["rules", t("help.topRules", { command: command("!rules") })],
];
const MOST_USED_SHOWN = 5;

/**
 * The usage as listed: its first form only (`!checkin <answer> [note]` of
 * `!checkin <answer> [note] | !checkin plan …`); `!help <command>` gives them all.
 */
function firstForm(usage: string): string {
  const name = usage.split(" ")[0];
  const next = usage.indexOf(` | ${name}`);
  return next < 0 ? usage : usage.slice(0, next);
}

const line = (usage: string, summary: Text) => t("help.line", { usage: command(usage), summary: asValue(summary) });

export const helpCommand: CommandSpec = {
  name: "help",
  usage: "!help [all|command]",
  summary: t("help.summary", { all: command("!help all") }),
  details: t("help.details", { help: command("!help"), all: command("!help all"), one: command("!help page") }),
  topic: "support",
  audience: "everyone",
  run(ctx, args) {
    const available = availableTo(ctx);
    const wanted = args[0]?.replace(/^!/, "").toLowerCase();
    if (wanted !== undefined && wanted !== "all") {
      const spec = available.find((c) => c.name === wanted);
      if (!spec) {
        const name = safeCommandName(wanted);
        return {
          outcome: "refused",
          reply: supportNow(ctx.crisisResources).p(
            name ? t("help.noSuchCommand", { name: command(`!${name}`), help: command("!help") }) : t("help.noSuchCommandUnnamed", { help: command("!help") }),
          ),
        };
      }
      const reply = Message.of(t("help.usageLine", { usage: command(spec.usage), summary: asValue(spec.summary) }));
      if (spec.details) reply.p(spec.details);
      if (spec.staffPart && ctx.isStaffHere) {
        reply.heading(t("help.forStaff")).p(t("help.usageLine", { usage: command(spec.staffPart.usage), summary: asValue(spec.staffPart.summary) }));
        if (spec.staffPart.details) reply.p(spec.staffPart.details);
      }
      return { outcome: "ok", reply };
    }
    // Staff in their staff room see everything; everyone else gets the short list unless they ask for all.
    if (wanted === undefined && !ctx.isStaffHere) return { outcome: "ok", reply: shortHelp(ctx, available) };

    const reply = new Message().p(t("help.pageFirst", { page: command("!page") })).append(supportNow(ctx.crisisResources)).heading(t("help.commandsHere"));
    const forEveryone = available.filter((c) => c.audience === "everyone");
    for (const [topic, heading] of TOPICS) {
      const inTopic = forEveryone.filter((c) => c.topic === topic);
      if (inTopic.length) reply.heading(heading).list(inTopic.map((c) => line(firstForm(c.usage), c.summary)));
    }
    const other = forEveryone.filter((c) => !TOPICS.some(([topic]) => topic === c.topic));
    if (other.length) reply.heading(t("help.topicOther")).list(other.map((c) => line(firstForm(c.usage), c.summary)));
    if (ctx.isStaffHere) {
      const staff = available.flatMap((c) =>
        c.audience === "staff" ? [line(firstForm(c.usage), c.summary)] : c.staffPart ? [line(c.staffPart.usage, c.staffPart.summary)] : [],
      );
      reply.heading(t("help.forStaff")).list(staff);
    }
    reply.p(t("help.oneMore", { one: command("!help <command>"), example: command("!help page") }));
    return { outcome: "ok", reply };
  },
};

/** `!help` for a member: `!page` first, the numbers, the few commands used most, and where the rest are. */
function shortHelp(ctx: CommandContext, available: CommandSpec[]): Message {
  const has = (name: string) => available.some((c) => c.name === name);
  const top = MOST_USED.filter(([name]) => has(name))
    .slice(0, MOST_USED_SHOWN)
    .map(([, words]) => words);
  return new Message()
    .p(t("help.pageFirst", { page: command("!page") }))
    .append(supportNow(ctx.crisisResources))
    .heading(t("help.mostUsed"))
    .list(top)
    .p(t("help.more", { all: command("!help all"), one: command("!help page") }));
}
