import { parseInterval, type AlumniRhythm, type GlanceDay, type PlanProblem } from "./domain/checkins";
import type { Weekday } from "../../kernel/localTime";
import { command, t, time } from "../../words";

type Words = ReturnType<typeof t>;

/** Why a `!checkin plan` edit was refused, in the reader's words. */
export function planProblemWords(p: PlanProblem): Words {
  switch (p.code) {
    case "noPrompts":
      return t("checkins.planNoPromptsHere");
    case "whichPrompt":
      return t("checkins.planWhichPrompt", { ids: p.ids.join(", "), example: command(`!checkin plan ${p.setting} ${p.ids[0]} …`) });
    case "onOrOff":
      return t("checkins.planOnOrOff", { example: command(`!checkin plan prompts ${p.prompt} off`) });
    case "onlyTime":
      return t("checkins.planOnlyTime", { checkin: p.prompt, at: p.at });
    case "chooseTime":
      return t("checkins.planChooseTime", { checkin: p.prompt, options: p.options.join(", ") });
    case "sharedRoomWording":
      return t("checkins.planSharedRoomWording", { checkin: p.prompt });
    case "wordingMissing":
      return t("checkins.planWordingMissing", { example: command(`!checkin plan wording ${p.prompt} How's today been?`), default: command("default") });
    case "wordingTooLong":
      return t("checkins.planWordingTooLong", { max: p.max });
    case "sayWho":
      return t("checkins.planSayWho");
    case "unknownWho":
      return t("checkins.planUnknownWho", { word: p.word });
    case "nobodyAlone":
      return t("checkins.planNobodyAlone");
    case "shareValue":
      return t("checkins.planShareValue", { example: command("!checkin plan share answers") });
    case "notesValue":
      return t("checkins.planNotesValue", { example: command("!checkin plan notes shared") });
    case "pauseHow":
      return t("checkins.planPauseHow", { pause: command("pause"), until: command("pause until 2026-05-01"), days: command("pause 3d"), weeks: command("pause 2w") });
    case "unknownSetting":
      return t("checkins.planUnknownSetting", { setting: p.setting });
  }
}

/** "monthly (the first Sunday of each month at 18:00)". */
export function rhythmWords(rhythm: AlumniRhythm, day: Weekday, at: string): Words {
  return t("checkins.rhythm", { rhythm, day: t("rota.weekday", { day }), at });
}

/** "8 weeks" for "8w", "30 days" for "30d" (an unreadable interval as it is written). */
export function intervalWords(interval: string): Words | string {
  const i = parseInterval(interval);
  return i ? t("checkins.interval", { unit: i.unit, n: i.n }) : interval;
}

/** A member's week at a glance, "Mon 4 · Tue 2/3 · Wed –", with weekday names in the reader's language. */
export function glanceWords(zone: string, days: readonly GlanceDay[]): Words {
  const each = days.map((d) => t("checkins.glanceDay", { day: time(d.startMs, zone, "weekday"), answers: d.values.length ? d.values.join("/") : "–" }));
  return each.slice(0, -1).reduceRight((rest, first) => t("checkins.glanceMore", { first, rest }), each[each.length - 1] ?? t("checkins.glanceNone"));
}
