import { Message } from "../../messaging/message";
import { answerWords, kindOf, targetWords, type Words } from "./words";
import { command, listOf, person, t, time, zone } from "../../words";
import type { CommunityConfig } from "../../config/types";
import { alertRecipients, isPaused, type Plan } from "./domain/checkins";
import type { Job } from "../../store/jobs";
import { payloadOf } from "../../scheduler/registry";
import { MISSED_JOB } from "./jobKinds";
import type { CheckinAnswer, CheckinPrompt, CheckinsStore } from "./store/checkins";
import type { InstallContext } from "../../ports/context";
import { checkinSettingsOf } from "./settings";
import type { WhoAndWhere } from "./whoAndWhere";

/**
 * The people a member named, told about a low answer or a missed check-in (and that a
 * missed one was answered after all); nobody else hears anything.
 */
export class LowAndMissedAlerts {
  constructor(
    private readonly app: InstallContext,
    private readonly store: CheckinsStore,
    private readonly who: WhoAndWhere,
  ) {}

  private people(c: CommunityConfig, userId: string, now: number) {
    return { member: userId, sponsor: this.app.members.get(c.id, userId)?.sponsor ?? null, onCallStaff: this.who.onCall(c.id, now).staff };
  }

  whoHearsLow(plan: Plan): Words[] {
    return [
      plan.alerts.low.length === 0
        ? t("checkins.nobodyTold", { command: command("!checkin plan alerts low sponsor") })
        : t("checkins.whoHearsLow", { targets: targetWords(plan.alerts.low) }),
    ];
  }

  /**
   * Tells exactly the people the member named about a low answer (`before`: the answer it
   * replaced, when it was changed); returns what to tell the member.
   */
  alertLow(c: CommunityConfig, userId: string, plan: Plan, answer: CheckinAnswer, prompt: CheckinPrompt | undefined, now: number, before?: number): Words[] {
    const routing = alertRecipients(plan, "low", this.people(c, userId, now));
    const s = checkinSettingsOf(c);
    const what = prompt
      ? t("checkins.alertWhat", { kind: kindOf(prompt.checkinId), checkin: prompt.checkinId, at: time(prompt.occurrenceAt, c.timezone, "day"), zone: zone(c.timezone) })
      : t("checkins.alertWhatNone");
    const member = person(userId);
    for (const r of routing.recipients) {
      const m = new Message().p(
        before === undefined
          ? t("checkins.alertLow", { member, community: c.name, answer: answerWords(s.scale, answer.value), what })
          : t("checkins.alertLowChanged", { member, community: c.name, before: answerWords(s.scale, before), answer: answerWords(s.scale, answer.value), what }),
      );
      if (answer.note && plan.notes === "shared") m.p(t("checkins.alertNote", { note: answer.note }));
      m.p(t("checkins.alertWhy", { member })).p(t("checkins.alertNextStep", { member }));
      // Someone the member chose to hear about a low answer: it rings for them.
      this.app.effects.tell(r, m.alert(r), `checkins:low:${answer.id}:${answer.value}:${r}`);
    }
    if (routing.recipients.length) {
      this.store.recordAlert({ communityId: c.id, userId, kind: "low", promptId: prompt?.id ?? null, answerId: answer.id, recipients: routing.recipients }, now);
    }
    return this.toldWords(plan.alerts.low, routing);
  }

  private toldWords(chosen: Plan["alerts"]["low"], routing: { recipients: string[]; unreachable: string[] }): Words[] {
    if (chosen.length === 0) return [t("checkins.nobodyTold", { command: command("!checkin plan alerts low sponsor") })];
    const parts: Words[] = [];
    if (routing.recipients.length) parts.push(t("checkins.toldLow", { people: listOf(routing.recipients.map(person)), targets: targetWords(chosen) }));
    if (routing.unreachable.includes("sponsor")) parts.push(t("checkins.noSponsor"));
    if (routing.unreachable.includes("on_call_staff")) parts.push(t("checkins.noStaffOnCall"));
    return parts;
  }

  tellMissedOnesAnswered(c: CommunityConfig, prompt: CheckinPrompt, userId: string, _now: number): void {
    for (const r of this.store.missedAlertRecipients(prompt.id)) {
      this.app.effects.tell(
        r,
        Message.of(
          t("checkins.answeredLate", { member: person(userId), community: c.name, kind: kindOf(prompt.checkinId), checkin: prompt.checkinId, at: time(prompt.occurrenceAt, c.timezone, "day"), zone: zone(c.timezone) }),
        ),
        `checkins:answered-late:${prompt.id}:${r}`,
      );
    }
  }

  /** An unanswered prompt counts as missed: tell exactly the people the member named, if any. */
  runMissed(job: Job): void {
    const { communityId, checkinId, occurrenceAt } = payloadOf(MISSED_JOB, job);
    const c = this.who.community(communityId);
    if (!c) return;
    this.app.atomically(() => {
      const now = this.app.clock.now();
      this.store.fillEventIds();
      for (const p of this.store.promptsOfOccurrence(c.id, checkinId, occurrenceAt)) {
        if (p.missedAt !== null || this.store.answerToPrompt(p.id)) continue;
        this.store.markMissed(p.id, now);
        this.app.metrics.checkinMissed(c.id);
        const member = this.app.members.get(c.id, p.userId);
        const plan = this.who.planOf(c.id, p.userId);
        // A member who stopped being one, paused, went on a break or withdrew consent is not chased.
        if (member?.status !== "active" || isPaused(plan, now) || this.who.isOnBreak(c.id, p.userId, now) || !this.who.hasConsent(c.id, p.userId)) continue;
        const routing = alertRecipients(plan, "missed", this.people(c, p.userId, now));
        for (const r of routing.recipients) {
          this.app.effects.tell(
            r,
            new Message()
              .p(t("checkins.missedAlert", { member: person(p.userId), community: c.name, checkin: checkinId, at: time(occurrenceAt, c.timezone, "day"), zone: zone(c.timezone) }))
              .p(t("checkins.missedWhy", { member: person(p.userId) }))
              .alert(r),
            `checkins:missed:${p.id}:${r}`,
          );
        }
        if (routing.recipients.length) {
          this.store.recordAlert({ communityId: c.id, userId: p.userId, kind: "missed", promptId: p.id, answerId: null, recipients: routing.recipients }, now);
          this.app.effects.tell(
            p.userId,
            Message.of(
              t("checkins.missedTold", {
                people: listOf(routing.recipients.map(person)),
                checkin: checkinId,
                at: time(occurrenceAt, c.timezone, "day"),
                zone: zone(c.timezone),
                plan: command("!checkin plan"),
              }),
            ),
            `checkins:missed:${p.id}:member`,
          );
        }
      }
    });
  }
}
