import { command, t } from "../../words";
import type { PersonalDataSection } from "../../ports/personalData";
import type { DisplayNamesStore } from "./store/displayNames";
import type { LanguagesStore } from "./store/languages";

/**
 * The name carenet addresses a person by (from their Matrix profile) and the language they
 * chose. Told in `!mydata` and erased with the rest, but not counted as erased: the name
 * is their public profile's, and neither says anything about them on its own.
 */
export function profilePersonalData(names: DisplayNamesStore, languages: LanguagesStore): PersonalDataSection {
  return {
    topic: "profile",
    read(userId) {
      const displayName = names.get(userId);
      const language = languages.get(userId);
      return {
        communityIds: [],
        empty: true,
        inCommunity: () => undefined,
        general(m) {
          if (displayName !== undefined) m.p(t("data.displayName")).list([displayName]);
          if (language !== undefined) m.p(t("data.language", { command: command("!language") })).list([language]);
        },
        goes: () => [],
        language,
      };
    },
    erase(userId) {
      names.forget(userId);
      languages.forget(userId);
      return { rows: 0, communities: [] };
    },
  };
}
