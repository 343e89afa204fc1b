import { DateTime } from "luxon";
import { parseInterval, resolvePlan, type AlumniRhythm, type AnswerProblem, type GlanceDay, type Plan } from "./domain/checkins";
import type { PlanProblem } from "./domain/planEdit";
import { ALUMNI_CHECKIN } from "./jobKinds";
import type { CommunityConfig } from "../../config/types";
import type { Weekday } from "../../kernel/localTime";
import { command, listOf, t, time } from "../../words";

/** A catalogue message that can also stand inside another. */
export type Words = ReturnType<typeof t>;

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

/** The member's plan, one line per part, in their reader's words. */
export function planLines(c: CommunityConfig, plan: Plan): Words[] {
  const lines: Words[] = [];
  for (const r of resolvePlan(c.checkins, plan)) {
    if (!r.enabled) {
      lines.push(t("checkins.planOff", { checkin: r.id }));
      continue;
    }
    const every = !r.days || r.days.length >= 7;
    lines.push(
      t("checkins.planOn", {
        checkin: r.id,
        at: r.at,
        days: every ? "every" : "some",
        dayList: every ? "" : listOf((r.days ?? []).map((day) => t("rota.weekday", { day }))),
        delivery: r.delivery === "dm" ? "dm" : "room",
        room: r.delivery,
        own: r.ownWording ? "yes" : "no",
        wording: r.wording,
      }),
    );
    if (r.timeOptions.length > 1) lines.push(t("checkins.planTimes", { times: listOf(r.timeOptions) }));
  }
  if (c.checkins.length === 0) lines.push(t("checkins.planNoPrompts"));
  const targets = (xs: readonly string[]) => (xs.length ? targetWords(xs) : t("checkins.nobody"));
  lines.push(t("checkins.planLow", { targets: targets(plan.alerts.low) }));
  lines.push(t("checkins.planMissed", { targets: targets(plan.alerts.missed) }));
  lines.push(t("checkins.planShare", { share: plan.share }));
  lines.push(t("checkins.planNotes", { notes: plan.notes }));
  const state = !plan.paused ? "on" : plan.paused.until === null ? "forever" : "until";
  lines.push(t("checkins.planPause", { state, until: plan.paused?.until ? time(plan.paused.until, c.timezone, "date") : "" }));
  return lines;
}

/** "3 (okay)". */
export function answerWords(scale: readonly string[], value: number): Words {
  return t("checkins.answer", { value, words: scale[value - 1] ?? "?" });
}

export function kindOf(checkinId: string): string {
  return checkinId === ALUMNI_CHECKIN ? "alumni" : "prompt";
}

/** "your sponsor and the staff on call". */
export function targetWords(targets: readonly string[]) {
  return listOf(targets.map((target) => t("checkins.target", { target })));
}

/** The start of a local date (YYYY-MM-DD) in a zone, to show as a date. */
export function dayStart(zoneName: string, isoDate: string): number {
  return DateTime.fromISO(isoDate, { zone: zoneName }).toMillis();
}

/** Why an answer could not be read, in the reader's words. */
export function answerProblemWords(p: AnswerProblem): Words {
  switch (p.code) {
    case "empty":
      return t("checkins.empty");
    case "offScale":
      return t("checkins.offScale", { value: p.value, max: p.max });
    case "unmatched":
      return t("checkins.notParsed", { words: `"${p.words}"` });
  }
}
