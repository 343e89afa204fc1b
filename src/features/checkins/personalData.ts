import { Message, type Text } from "../../messaging/message";
import { listOf, person, t, time } from "../../words";
import type { CommunityConfig } from "../../config/types";
import type { InstallContext } from "../../ports/context";
import type { PersonalDataSection, PersonalRecord } from "../../ports/personalData";
import { answerLabel } from "./domain/checkins";
import type { CheckinsStore } from "./store/checkins";
import type { PersonCheckins } from "./store/checkinRecords";
import { checkinSettingsOf } from "./settings";
import { planLines, rhythmWords } from "./words";

/** The plan review reminder of one person in one community (see plans.ts). */
const reviewKey = (communityId: string, userId: string) => `checkins:review:${communityId}:${userId}`;

/**
 * Check-ins' part of a person's data: prompts, answers, alerts, their plan and its history,
 * their alumni choice. Erasing it also cancels their plan review reminders.
 */
export function checkinsPersonalData(app: Pick<InstallContext, "config" | "jobs">, store: CheckinsStore): PersonalDataSection {
  return {
    topic: "checkins",
    read: (userId) => checkinsRecord(store.aboutPerson(userId)),
    erase(userId, e) {
      const communities = store.aboutPerson(userId).map((c) => c.communityId);
      const rows = store.forget(userId);
      for (const c of app.config().communities) app.jobs.cancel(reviewKey(c.id, userId), e.now);
      return { rows, communities };
    },
    deleteExpired(now, periods) {
      const n = store.deleteOlderThan(now - periods.checkins.ms);
      return { checkinPrompts: n.prompts, checkinAnswers: n.answers, checkinAlerts: n.alerts, checkinPlanChanges: n.changes };
    },
    forgetInCommunity(userId, communityId, now) {
      store.forget(userId, communityId);
      app.jobs.cancel(reviewKey(communityId, userId), now);
    },
  };
}

function checkinsRecord(checkins: PersonCheckins[]): PersonalRecord {
  return {
    communityIds: checkins.map((c) => c.communityId),
    empty: checkins.length === 0,
    inCommunity(m, id, c, zone) {
      const ck = checkins.find((x) => x.communityId === id);
      if (ck) checkinsSection(m, ck, c, zone);
    },
    general: () => undefined,
    goes() {
      if (!checkins.length) return [];
      const answers = checkins.reduce((s, c) => s + c.answers.length, 0);
      const prompts = checkins.reduce((s, c) => s + c.prompts.sent, 0);
      return [t("data.goesCheckins", { answers, prompts })];
    },
  };
}

function checkinsSection(m: Message, ck: PersonCheckins, c: CommunityConfig | undefined, z: string): void {
  const when = (ms: number) => time(ms, z, "datetime");
  const summary = summaryLines(ck, c, z);
  if (summary.length) m.p(t("data.checkins")).list(summary);
  if (ck.plan && c) m.p(t("data.checkinPlan")).list(planLines(c, ck.plan.plan));
  if (ck.changes.length) {
    m.p(t("data.checkinChanges")).list(
      ck.changes.map((x) =>
        x.before ? t("data.checkinChange", { when: when(x.at), setting: x.setting, before: x.before, after: x.after }) : t("data.checkinChangeNew", { when: when(x.at), setting: x.setting, after: x.after }),
      ),
    );
  }
  if (ck.answers.length) m.p(t("data.checkinAnswers")).list(answerLines(ck, c, z));
  if (ck.alerts.length) {
    m.p(t("data.checkinAlerts")).list(
      ck.alerts.map((a) => t("data.checkinAlert", { when: when(a.at), kind: a.kind, who: a.recipients.length ? listOf(a.recipients.map(person)) : t("data.nobody") })),
    );
  }
}

/** Prompts sent, the plan's dates and the alumni choice, each in one line. */
function summaryLines(ck: PersonCheckins, c: CommunityConfig | undefined, z: string): Text[] {
  const date = (ms: number) => time(ms, z, "date");
  const summary: Text[] = [];
  if (ck.prompts.sent > 0) {
    summary.push(t("data.checkinPrompts", { n: ck.prompts.sent, first: date(ck.prompts.firstAt!), last: date(ck.prompts.lastAt!), missed: ck.prompts.missed }));
  }
  if (ck.plan) {
    summary.push(t("data.checkinPlanDates", { created: date(ck.plan.createdAt), changed: date(ck.plan.updatedAt), reviewed: date(ck.plan.reviewedAt) }));
  }
  if (ck.alumni) {
    const a = c ? checkinSettingsOf(c).alumni : undefined;
    const rhythm = ck.alumni.rhythm ? t("data.checkinAlumniRhythm", { rhythm: a ? rhythmWords(ck.alumni.rhythm, a.day, a.at) : ck.alumni.rhythm }) : "";
    summary.push(t("data.checkinAlumni", { on: ck.alumni.enabled ? "on" : "off", rhythm, date: date(ck.alumni.updatedAt) }));
  }
  return summary;
}

function answerLines(ck: PersonCheckins, c: CommunityConfig | undefined, z: string): Text[] {
  const when = (ms: number) => time(ms, z, "datetime");
  const scale = c ? checkinSettingsOf(c).scale : [];
  return ck.answers.map((a) =>
    t("data.checkinAnswer", {
      date: a.localDate,
      checkin: a.checkinId ?? t("data.unprompted"),
      label: scale.length ? answerLabel(scale, a.value) : String(a.value),
      note: a.note ? t("data.checkinNote", { note: a.note }) : "",
      via: a.via,
      shared: a.shared ? "yes" : "no",
      changed: a.changedAt ? t("data.checkinChanged", { when: when(a.changedAt) }) : "",
    }),
  );
}
