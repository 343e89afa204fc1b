import { supportNow } from "../messaging/support";
import { Message } from "../messaging/message";
import { command, t } from "../words";
import type { CrisisResources } from "../config/types";

/**
 * Plain words (not a command) in someone's conversation with carenet. Whatever they say —
 * "help", "i can't do this anymore", "hello" — the first thing they read is how to reach a
 * person now, then the crisis resources, then where everything else is. Nothing of what
 * they wrote is repeated, kept or logged.
 */
export function plainWordsReply(crisisResources: CrisisResources): Message {
  return new Message()
    .p(t("commands.plainPage", { page: command("!page") }))
    .p(t("commands.plainProgram"))
    .append(supportNow(crisisResources))
    .p(t("commands.plainMore", { help: command("!help") }));
}

/** Other words people reach for when they need someone now: each does exactly what `!page` does. */
export const PAGE_ALIASES: readonly string[] = ["crisis", "sos", "urgent", "help me"];

/**
 * The command as carenet runs it: `!crisis`, `!sos`, `!urgent` and `!help me` (any case,
 * with or without a trailing "!" or "?") become `!page`, keeping whatever follows as the
 * page's note. Anything else is returned as it came.
 */
export function withPageAliases(body: string): string {
  const m = /^\s*!\s*(?:crisis|sos|urgent|help\s+me)[!?.]*(?=\s|$)/i.exec(body);
  return m ? `!page${body.slice(m[0].length)}` : body;
}
