import { Message } from "../../messaging/message";
import { command, t, time, zone } from "../../words";
import type { CheckinConfig, CommunityConfig } from "../../config/types";
import { getsPrompt, localDate, rhythmIncludes, scaleLines, type AlumniRhythm } from "./domain/checkins";
import { parseDuration } from "../../kernel/durations";
import type { CheckinsStore } from "./store/checkins";
import type { Member } from "../../ports/communities";
import type { InstallContext } from "../../ports/context";
import { checkinSettingsOf } from "./settings";
import { MISSED_JOB, ALUMNI_CHECKIN } from "./jobKinds";
import type { WhoAndWhere } from "./whoAndWhere";
import type { PlanKeeper } from "./plans";
import type { AlumniChoices } from "./alumni";

/** Sends (or, for a dry run, counts) one occurrence of a community prompt or of the alumni check-in. */
export class PromptSender {
  constructor(
    private readonly app: InstallContext,
    private readonly store: CheckinsStore,
    private readonly who: WhoAndWhere,
    private readonly plans: PlanKeeper,
    private readonly alumni: AlumniChoices,
  ) {}

  /** Who gets a community prompt at one occurrence of one slot. */
  private recipients(c: CommunityConfig, ck: CheckinConfig, slot: string, now: number): Array<{ member: Member; wording: string }> {
    const out: Array<{ member: Member; wording: string }> = [];
    for (const m of this.app.members.list(c.id, { status: "active" })) {
      if (!this.who.hasConsent(c.id, m.userId) || this.who.isOnBreak(c.id, m.userId, now)) continue;
      const r = getsPrompt(c.checkins, this.who.planOf(c.id, m.userId), ck.id, slot, now);
      if (r) out.push({ member: m, wording: r.wording });
    }
    return out;
  }

  /** Sends (or, for a dry run, counts) one occurrence of a community prompt. */
  fanOut(c: CommunityConfig, ck: CheckinConfig, slot: string, occ: number, late: boolean, dryRun: boolean): number {
    const now = this.app.clock.now();
    const who = this.recipients(c, ck, slot, now);
    if (dryRun || who.length === 0) return who.length;
    const s = checkinSettingsOf(c);
    const delivery = ck.delivery ?? "dm";
    const base = `checkins:prompt:${c.id}:${ck.id}:${occ}`;
    const lateLine = late ? t("checkins.lateLine", { checkin: ck.id, at: time(occ, c.timezone, "day"), zone: zone(c.timezone) }) : undefined;
    let roomKey: string | undefined;
    if (delivery !== "dm") {
      const roomId = this.app.rooms.get(c.id, delivery)?.roomId;
      if (!roomId) {
        this.app.log.error({ communityId: c.id, checkinId: ck.id, room: delivery }, "a check-in's room is not provisioned; prompt not sent");
        return 0;
      }
      roomKey = `${base}:room`;
      const m = new Message();
      if (lateLine) m.p(lateLine);
      m.p(ck.prompt)
        .p(t("checkins.roomAnswer", { example: command("!checkin 3") }))
        .list(scaleLines(s.scale))
        .p(t("checkins.roomNeed"));
      this.app.effects.post(roomId, m, roomKey);
    }
    for (const { member, wording } of who) {
      const outboxKey = roomKey ?? `${base}:${member.userId}`;
      this.plans.startPlan(c, member.userId, now);
      this.store.recordPrompt(
        { communityId: c.id, userId: member.userId, checkinId: ck.id, occurrenceAt: occ, localDate: localDate(c.timezone, occ), late, outboxKey },
        now,
      );
      if (!roomKey) {
        const m = new Message();
        if (lateLine) m.p(lateLine);
        m.p(wording)
          .p(t("checkins.dmAnswer", { example: command("!checkin 3 long day") }))
          .list(scaleLines(s.scale))
          .p(t("checkins.dmPrivacy", { plan: command("!checkin plan") }));
        // A prompt the member chose in their plan (turned on, or given a time or wording of
        // their own) rings for them; one they only have by the community's default, and one
        // posted in a shared room, stay quiet (docs/paging.md, "what rings").
        this.app.effects.tell(member.userId, this.plans.choseToBePrompted(c.id, member.userId, ck.id) ? m.alert(member.userId) : m, outboxKey);
      }
    }
    const missedAfter = parseDuration(s.missed_after) ?? 3 * 3600_000;
    this.app.effects.schedule({
      kind: MISSED_JOB,
      key: `checkins:missed:${c.id}:${ck.id}:${occ}`,
      dueAt: now + missedAfter,
      payload: { communityId: c.id, checkinId: ck.id, occurrenceAt: occ },
    });
    this.app.log.info({ communityId: c.id, checkinId: ck.id, prompts: who.length, late }, "check-in prompts queued");
    this.app.metrics.checkinPromptsSent(c.id, who.length);
    return who.length;
  }

  fanOutAlumni(c: CommunityConfig, occ: number, late: boolean, dryRun: boolean): number {
    const s = checkinSettingsOf(c);
    const now = this.app.clock.now();
    const who = this.app.members.list(c.id, { status: "discharged" }).filter((m) => {
      if (!this.who.hasConsent(c.id, m.userId) || this.who.isOnBreak(c.id, m.userId, now)) return false;
      const r = this.alumni.alumniRhythmOf(c, m.userId);
      return r.enabled && rhythmIncludes(r.rhythm, c.timezone, occ);
    });
    if (dryRun || who.length === 0) return who.length;
    const base = `checkins:alumni:${c.id}:${occ}`;
    const delivery = s.alumni.delivery;
    let roomKey: string | undefined;
    const body = (m: Message, rhythm?: AlumniRhythm) => {
      if (late) m.p(t("checkins.alumniLate", { at: time(occ, c.timezone, "day"), zone: zone(c.timezone) }));
      m.p(s.alumni.prompt).p(t("checkins.alumniAnswer")).list(scaleLines(s.scale));
      m.p(t("checkins.alumniReach"));
      if (rhythm) {
        m.p(
          t("checkins.alumniRhythm", {
            rhythm,
            weekly: command("!checkin alumni weekly"),
            fortnightly: command("!checkin alumni fortnightly"),
            monthly: command("!checkin alumni monthly"),
            off: command("!checkin alumni off"),
          }),
        );
      }
      return m;
    };
    if (delivery !== "dm") {
      const roomId = this.app.rooms.get(c.id, delivery)?.roomId;
      if (!roomId) {
        this.app.log.error({ communityId: c.id, room: delivery }, "the alumni check-in's room is not provisioned; prompt not sent");
        return 0;
      }
      roomKey = `${base}:room`;
      this.app.effects.post(roomId, body(new Message()), roomKey);
    }
    for (const m of who) {
      const outboxKey = roomKey ?? `${base}:${m.userId}`;
      this.store.recordPrompt(
        { communityId: c.id, userId: m.userId, checkinId: ALUMNI_CHECKIN, occurrenceAt: occ, localDate: localDate(c.timezone, occ), late, outboxKey },
        now,
      );
      if (!roomKey) {
        const prompt = body(new Message(), this.alumni.alumniRhythmOf(c, m.userId).rhythm);
        // Rings only for alumni who asked for these themselves (`!checkin alumni weekly` …).
        this.app.effects.tell(m.userId, this.store.alumni(c.id, m.userId)?.enabled === true ? prompt.alert(m.userId) : prompt, outboxKey);
      }
    }
    this.app.log.info({ communityId: c.id, prompts: who.length, late }, "alumni check-ins queued");
    this.app.metrics.checkinPromptsSent(c.id, who.length);
    return who.length;
  }
}
