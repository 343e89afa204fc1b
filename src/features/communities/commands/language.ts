import type { LanguagesStore } from "../store/languages";
import { command, isLanguage, LANGUAGE_NAMES, LANGUAGES, listOf, t, type Language } from "../../../words";
import { Message } from "../../../messaging/message";
import type { CommandSpec } from "../../../commands/types";

export interface LanguageCommandDeps {
  languages: LanguagesStore;
  /** The language the person is written to in now (their choice, else their community's). */
  currentLanguage: (userId: string) => Language;
}

const choices = () => listOf(LANGUAGES.map((l) => t("language.choice", { command: command(`!language ${l}`), name: LANGUAGE_NAMES[l] })), "disjunction");

/**
 * `!language [code]`: the language carenet writes to this person in, everywhere (their
 * direct chat, alerts, replies to them). Anyone may set it; it is theirs, shown by
 * `!mydata` and erased by `!forgetme`. The reply is already in the new language.
 */
export function languageCommand(d: LanguageCommandDeps): CommandSpec {
  return {
    name: "language",
    usage: "!language [en|es]",
    summary: t("usage.languageSummary"),
    details: t("usage.languageDetails"),
    topic: "community",
    audience: "everyone",
    run(ctx, args) {
      if (args.length === 0) {
        return { outcome: "ok", reply: Message.of(t("language.current", { name: LANGUAGE_NAMES[d.currentLanguage(ctx.sender)], choices: choices() })) };
      }
      const wanted = args[0].toLowerCase();
      if (!isLanguage(wanted)) return { outcome: "refused", reply: Message.of(t("language.unknown", { choices: choices() })) };
      d.languages.set(ctx.sender, wanted, ctx.now);
      const other = LANGUAGES.find((l) => l !== wanted) ?? wanted;
      return { outcome: "ok", reply: Message.of(t("language.set", { name: LANGUAGE_NAMES[wanted], command: command(`!language ${other}`) })) };
    },
  };
}
