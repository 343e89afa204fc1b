import { Message } from "../../messaging/message";
import { refused } from "../../messaging/outcome";
import { glanceWords, answerWords, dayStart } from "./words";
import { command, listOf, person, t, time, zone } from "../../words";
import type { CommandResult } from "../../commands/types";
import type { CommunityConfig } from "../../config/types";
import { localDate, weekAtAGlance } from "./domain/checkins";
import type { CheckinAnswer, CheckinsStore } from "./store/checkins";
import type { Member } from "../../ports/communities";
import type { InstallContext } from "../../ports/context";
import { checkinSettingsOf } from "./settings";
import type { WhoAndWhere } from "./whoAndWhere";

/** `!checkins`: the staff view, showing only what each member chose to share. */
export function staffView(app: InstallContext, store: CheckinsStore, who: WhoAndWhere, c: CommunityConfig, args: string[], now: number): CommandResult {
  const s = checkinSettingsOf(c);
  const zoneName = c.timezone;
  const today = localDate(zoneName, now);
  const weekStart = localDate(zoneName, now - 6 * 24 * 3600_000);
  const people = app.members.list(c.id).filter((m) => m.status !== "removed");
  const sharing = people.filter((m) => who.planOf(c.id, m.userId).share === "answers");
  const visible = (a: CheckinAnswer) => a.shared;
  const answerOf = (m: Member, a: CheckinAnswer) =>
    a.note && a.noteShared && who.planOf(c.id, m.userId).notes === "shared"
      ? t("checkins.staffAnswerNote", { answer: answerWords(s.scale, a.value), note: a.note })
      : answerWords(s.scale, a.value);
  const footer = t("checkins.staffFooter", { sharing: sharing.length, total: people.length });
  const arg = (args[0] ?? "today").toLowerCase();

  if (arg.startsWith("@")) {
    const m = people.find((p) => p.userId.toLowerCase() === arg);
    if (!m) return refused(Message.of(t("checkins.staffNotMember", { who: args[0], community: c.name })));
    if (!sharing.includes(m)) return { outcome: "ok", reply: Message.of(t("checkins.staffPrivate", { member: person(m.userId) })) };
    const answers = store.answersOf(c.id, m.userId, weekStart, today).filter(visible);
    const reply = new Message().heading(t("checkins.staffWeekOne", { member: person(m.userId) })).p(glanceWords(zoneName, weekAtAGlance(zoneName, now, answers)));
    reply.list(answers.map((a) => t("checkins.staffDayLine", { date: time(dayStart(zoneName, a.localDate), zoneName, "date"), answers: answerOf(m, a) })));
    return { outcome: "ok", reply };
  }
  if (arg === "week") {
    const reply = new Message().heading(t("checkins.staffWeekHeading", { zone: zone(zoneName) }));
    reply.list(
      sharing.map((m) => t("checkins.staffMemberLine", { member: person(m.userId), answers: glanceWords(zoneName, weekAtAGlance(zoneName, now, store.answersOf(c.id, m.userId, weekStart, today).filter(visible))) })),
    );
    if (sharing.length === 0) reply.p(t("checkins.staffNoneSharing"));
    return { outcome: "ok", reply: reply.p(footer) };
  }
  if (arg === "today") {
    const reply = new Message().heading(t("checkins.staffTodayHeading", { date: time(now, zoneName, "date") }));
    reply.list(
      sharing.map((m) => {
        const answers = store.answersOf(c.id, m.userId, today, today).filter(visible);
        return t("checkins.staffMemberLine", { member: person(m.userId), answers: answers.length ? listOf(answers.map((a) => answerOf(m, a))) : t("checkins.staffNoCheckin") });
      }),
    );
    if (sharing.length === 0) reply.p(t("checkins.staffNoneSharing"));
    return { outcome: "ok", reply: reply.p(footer) };
  }
  return refused(Message.of(t("checkins.staffUsage", { today: command("today"), week: command("week"), example: command("!checkins week") })));
}
