import { DateTime } from "luxon";
import { schemaDefaults } from "../../config/load";
import { supportNow } from "../../messaging/support";
import { Message } from "../../messaging/message";
import { refused } from "../../messaging/outcome";
import { glanceWords, intervalWords, planProblemWords, rhythmWords } from "./words";
import { command, listOf, person, t, time, zone } from "../../words";

/** A catalogue message that can also stand inside another. */
type Words = ReturnType<typeof t>;
import type { CheckinPort, Where } from "./commands/checkin";
import type { CommandResult } from "../../commands/types";
import type { CarenetConfig, CheckinConfig, CheckinSettingsConfig, CommunityConfig } from "../../config/types";
import {
  type AnswerProblem,
  addInterval,
  alertRecipients,
  catchUp,
  DEFAULT_PLAN,
  resolvePlan,
  editPlan,
  getsPrompt,
  isLow,
  isPaused,
  localDate,
  nextOccurrence,
  occurrencesBetween,
  parseAnswer,
  rhythmIncludes,
  scaleLines,
  timeOptions,
  valueOfReaction,
  weekAtAGlance,
  type AlumniRhythm,
  type DailyTime,
  type Plan,
  ALUMNI_RHYTHMS,
} from "./domain/checkins";
import { describeDuration, parseDuration } from "../../kernel/durations";
import type { Job, JobSpec } from "../../store/jobs";
import type { CheckinAnswer, CheckinPrompt, CheckinsStore } from "./store/checkins";
import type { Member } from "../../ports/communities";
import type { CrisisResources } from "../../config/types";
import { consentNeeded } from "../communities/consent";
import type { InstallContext } from "../../ports/context";
import { communityById } from "../../config/communities";

export const PROMPT_JOB = "checkins.prompt";
export const ALUMNI_JOB = "checkins.alumni";
export const MISSED_JOB = "checkins.missed";
export const REVIEW_JOB = "checkins.review";
/** The checkin id alumni prompts are recorded under. */
export const ALUMNI_CHECKIN = "alumni";

const DEFAULT_SETTINGS = schemaDefaults<CheckinSettingsConfig>("/definitions/checkinSettings");

/** A community's check-in settings with every default filled in (hand-built configs may leave them out). */
export function checkinSettingsOf(c: CommunityConfig): CheckinSettingsConfig {
  const s = c.checkin_settings;
  return { ...DEFAULT_SETTINGS, ...s, alumni: { ...DEFAULT_SETTINGS.alumni, ...s?.alumni } };
}

const slotKey = (slot: string) => slot.replace(":", "");


/**
 * Check-ins as the member, the people they named and staff meet them: prompts fanned out
 * from durable jobs, answers however they come (command, reply, reaction), plans, alerts
 * and the staff view. Everything here runs inside the caller's SQLite transaction and only
 * queues messages and jobs.
 */
export class CheckinService implements CheckinPort {
  constructor(
    private readonly app: InstallContext,
    readonly store: CheckinsStore,
  ) {}

  // ---------------------------------------------------------------------------------------
  // Who and where

  community(id: string): CommunityConfig | undefined {
    return communityById(this.app.config().communities, id);
  }

  planOf(communityId: string, userId: string): Plan {
    return this.store.plan(communityId, userId)?.plan ?? DEFAULT_PLAN;
  }

  /**
   * The community a member means: the room's, their only one, or (for an answer) the one
   * that prompted them last. `named` is a community id they gave explicitly.
   */
  where(userId: string, opts: { here?: CommunityConfig; named?: string; preferLatestPrompt?: boolean; now: number; crisis: CrisisResources }): Where {
    const configured = new Set(this.app.config().communities.map((c) => c.id));
    const memberships = this.app.members.communitiesOf(userId, { includeDischarged: true }).filter((m) => configured.has(m.communityId));
    const pick = (m: Member | undefined): Where | undefined => {
      const community = m && this.community(m.communityId);
      return m && community ? { ok: true, community, member: m } : undefined;
    };
    for (const wanted of [opts.named, opts.here?.id]) {
      const found = wanted ? pick(memberships.find((m) => m.communityId === wanted)) : undefined;
      if (found) return found;
    }
    if (memberships.length === 1) return pick(memberships[0]) as Where;
    if (memberships.length === 0) {
      return {
        ok: false,
        result: refused(Message.of(t("checkins.notMember")).append(supportNow(opts.crisis))),
      };
    }
    if (opts.preferLatestPrompt) {
      const latest = memberships
        .map((m) => ({ m, p: this.store.latestPrompt(m.communityId, userId, opts.now) }))
        .filter((x) => x.p)
        .sort((a, b) => (b.p as CheckinPrompt).occurrenceAt - (a.p as CheckinPrompt).occurrenceAt)[0];
      if (latest) return pick(latest.m) as Where;
    }
    const ids = memberships.map((m) => m.communityId);
    return {
      ok: false,
      result: refused(
        Message.of(t("checkins.whichCommunity", { communities: listOf(ids), example: command(`!checkin plan ${ids[0]}`) })).append(supportNow(opts.crisis)),
      ),
    };
  }

  /** The kind pointer for someone who has not agreed: nothing optional is recorded for them. */
  consentPointer(c: CommunityConfig, userId: string, crisis: CrisisResources): CommandResult {
    return refused(consentNeeded(this.app, c, userId, t("checkins.consentWhat"), crisis));
  }

  // ---------------------------------------------------------------------------------------
  // Answers

  /**
   * Records an answer. `prompt` is set when the member answered a particular prompt (a
   * reply or a reaction); a command answers their latest prompt if it is still open or
   * was answered today, and otherwise counts as an unprompted check-in for today.
   */
  answer(input: {
    community: CommunityConfig;
    userId: string;
    value: number;
    note: string | null;
    via: "command" | "reply" | "reaction";
    /** The member wrote the answer as a plain message in their DM (no command, no reply): say how it was read. */
    plain?: boolean;
    prompt?: CheckinPrompt;
    now: number;
    crisis: CrisisResources;
  }): CommandResult {
    const { community: c, userId, now } = input;
    const status = this.app.members.get(c.id, userId)?.status;
    if (status !== "active" && status !== "discharged") {
      return refused(Message.of(t("checkins.noLongerMember", { community: c.name })).append(supportNow(input.crisis)));
    }
    if (!this.app.hasConsent(c.id, userId)) return this.consentPointer(c, userId, input.crisis);
    const s = checkinSettingsOf(c);
    const zoneName = c.timezone;
    const today = localDate(zoneName, now);
    const plan = this.planOf(c.id, userId);
    let prompt = input.prompt;
    if (!prompt && input.via === "command") {
      const latest = this.store.latestPrompt(c.id, userId, now);
      const answered = latest && this.store.answerToPrompt(latest.id);
      if (latest && (!answered || answered.answeredDate === today)) prompt = latest;
    }
    const saved = this.store.saveAnswer(
      {
        communityId: c.id,
        userId,
        promptId: prompt?.id ?? null,
        localDate: prompt?.localDate ?? today,
        value: input.value,
        note: input.note && input.note.length > 0 ? input.note.slice(0, 2000) : null,
        shared: plan.share === "answers",
        noteShared: plan.notes === "shared",
        via: input.via,
        today,
      },
      now,
    );
    // An answer to a prompt counts once, when first recorded (a change of mind is not another answer).
    if (saved.outcome === "recorded" && saved.answer.promptId !== null) this.app.metrics.checkinAnswered(c.id);
    const what = prompt ? this.promptName(c, prompt) : t("checkins.todays");
    const label = (v: number) => answerWords(s.scale, v);
    if (saved.outcome === "too_late") {
      return refused(
        Message.of(
          t("checkins.tooLate", {
            what,
            answer: label(saved.answer.value),
            date: time(dayStart(zoneName, saved.answer.answeredDate), zoneName, "date"),
            example: command("!checkin 3"),
          }),
        ).append(supportNow(input.crisis)),
      );
    }
    const answer = saved.answer;
    const low = isLow(answer.value, s.low_at_or_below);
    const reply = new Message();
    // How they are comes first; what was recorded after.
    if (low) reply.p(t("checkins.empathyLow"));
    if (saved.outcome === "unchanged") {
      reply.p(t("checkins.unchanged", { answer: label(answer.value), what }));
    } else if (saved.outcome === "changed") {
      reply.p(t(input.plain ? "checkins.changedPlain" : "checkins.changed", { what, before: label(saved.previous.value), answer: label(answer.value) }));
    } else {
      reply.p(t(input.plain ? "checkins.recordedPlain" : "checkins.recorded", { answer: label(answer.value), what }));
      if (prompt && localDate(zoneName, prompt.occurrenceAt) !== today) reply.p(t("checkins.countsFor", { date: time(prompt.occurrenceAt, zoneName, "date") }));
    }
    if (answer.note) reply.p(t(plan.notes === "shared" ? "checkins.noteShared" : "checkins.notePrivate"));
    if (saved.outcome === "recorded" && prompt?.missedAt) this.tellMissedOnesAnswered(c, prompt, userId, now);
    if (low) {
      // Told on a first low answer, and again when a changed answer is lower than the one
      // they heard about ("not great", then "really struggling"): that is news to act on.
      const worse = saved.outcome === "changed" && saved.previous.value > answer.value;
      const alert = saved.outcome === "recorded" || worse;
      const told = alert ? this.alertLow(c, userId, plan, answer, prompt, now, saved.outcome === "changed" ? saved.previous.value : undefined) : this.whoHearsLow(plan);
      for (const words of told) reply.p(words);
      reply.append(supportNow(input.crisis));
    } else {
      reply.p(t("checkins.planPointer", { command: command("!checkin plan") }));
    }
    return { outcome: "ok", reply };
  }

  /**
   * A plain message in the member's DM ("3", "okay") while a prompt of theirs is open (sent in
   * the last day and still taking an answer): the answer to it. Anything else (words that are
   * not an answer, a note after the answer, no open prompt) is left to the plain-words reply.
   */
  answerPlain(input: { userId: string; text: string; now: number; crisis: CrisisResources }): CommandResult | undefined {
    const configured = new Set(this.app.config().communities.map((c) => c.id));
    const open = this.app.members
      .communitiesOf(input.userId, { includeDischarged: true })
      .filter((m) => configured.has(m.communityId))
      .map((m) => this.store.latestPrompt(m.communityId, input.userId, input.now))
      .filter((p): p is CheckinPrompt => !!p && input.now - p.sentAt <= PLAIN_ANSWER_WINDOW_MS && this.isAnswerable(p, input.now))
      .sort((a, b) => b.occurrenceAt - a.occurrenceAt)[0];
    const community = open && this.community(open.communityId);
    if (!open || !community) return undefined;
    const text = input.text.trim().replace(/[\s.!?]+$/, "");
    const parsed = parseAnswer(text, checkinSettingsOf(community).scale);
    if (!parsed.ok || parsed.note) return undefined;
    return this.answer({ community, userId: input.userId, value: parsed.value, note: null, via: "reply", plain: true, prompt: open, now: input.now, crisis: input.crisis });
  }

  /** Reads an answer written as words or a number (a command's arguments or a reply). */
  answerText(input: { community: CommunityConfig; userId: string; text: string; via: "command" | "reply"; prompt?: CheckinPrompt; now: number; crisis: CrisisResources }): CommandResult {
    const s = checkinSettingsOf(input.community);
    const parsed = parseAnswer(input.text, s.scale);
    if (!parsed.ok) {
      if (!this.app.hasConsent(input.community.id, input.userId)) return this.consentPointer(input.community, input.userId, input.crisis);
      return refused(
        new Message()
          .p(answerProblemWords(parsed.problem))
          .p(t("checkins.howToAnswer", { example: command("!checkin 3 long day") }))
          .list(s.scale.map((w, i) => t("checkins.scaleLine", { value: i + 1, words: w })))
          .append(supportNow(input.crisis)),
      );
    }
    return this.answer({ ...input, value: parsed.value, note: parsed.note || null });
  }

  /**
   * Whether an answer to `prompt` would still be taken now: nothing answered it yet (a late
   * answer counts for its prompt), or its answer was given today and may still be changed.
   */
  isAnswerable(prompt: CheckinPrompt, now: number): boolean {
    const c = this.community(prompt.communityId);
    if (!c) return false;
    const answered = this.store.answerToPrompt(prompt.id);
    return !answered || answered.answeredDate === localDate(c.timezone, now);
  }

  /** A reaction to a prompt: the reaction's key stands for an answer on the scale. */
  answerReaction(prompt: CheckinPrompt, key: string, now: number): Message | undefined {
    const c = this.community(prompt.communityId);
    if (!c) return undefined;
    const s = checkinSettingsOf(c);
    const crisis = this.app.config().crisis_resources;
    const value = valueOfReaction(key, s.scale.length);
    if (value === undefined) {
      return new Message()
        .p(t("checkins.reactionsOnly", { what: this.promptName(c, prompt) }))
        .list(scaleLines(s.scale))
        .p(t("checkins.orReply"));
    }
    return this.answer({ community: c, userId: prompt.userId, value, note: null, via: "reaction", prompt, now, crisis }).reply;
  }

  private promptName(c: CommunityConfig, p: CheckinPrompt): Words {
    return t("checkins.promptName", { kind: kindOf(p.checkinId), checkin: p.checkinId, at: time(p.occurrenceAt, c.timezone, "day"), zone: zone(c.timezone) });
  }

  private people(c: CommunityConfig, userId: string, now: number) {
    return { member: userId, sponsor: this.app.members.get(c.id, userId)?.sponsor ?? null, onCallStaff: this.app.onCall(c.id, now).staff };
  }

  private whoHearsLow(plan: Plan): Words[] {
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
  private alertLow(c: CommunityConfig, userId: string, plan: Plan, answer: CheckinAnswer, prompt: CheckinPrompt | undefined, now: number, before?: number): Words[] {
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

  private tellMissedOnesAnswered(c: CommunityConfig, prompt: CheckinPrompt, userId: string, _now: number): void {
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

  /** `!checkin` alone: how to answer, and what the member has recorded today. */
  overview(c: CommunityConfig, userId: string, now: number, crisis: CrisisResources): CommandResult {
    const s = checkinSettingsOf(c);
    const today = localDate(c.timezone, now);
    const reply = new Message()
      .p(t("checkins.overviewHow", { example: command("!checkin 3 long day") }))
      .list(s.scale.map((w, i) => t("checkins.scaleLine", { value: i + 1, words: w })));
    if (!this.app.hasConsent(c.id, userId)) return { outcome: "ok", reply: reply.append(this.consentPointer(c, userId, crisis).reply) };
    const answers = this.store.answersOf(c.id, userId, today, today);
    reply.p(answers.length ? t("checkins.overviewToday", { answers: listOf(answers.map((a) => answerWords(s.scale, a.value))) }) : t("checkins.overviewNone"));
    reply.p(t("checkins.overviewEnd", { plan: command("!checkin plan") }));
    return { outcome: "ok", reply };
  }

  // ---------------------------------------------------------------------------------------
  // Plans

  describe(c: CommunityConfig, userId: string): Message {
    const stored = this.store.plan(c.id, userId);
    const plan = stored?.plan ?? DEFAULT_PLAN;
    const s = checkinSettingsOf(c);
    const m = new Message().heading(t("checkins.planHeading", { community: c.name })).list(planLines(c, plan));
    if (stored) {
      const next = addInterval(c.timezone, stored.reviewedAt, s.review_every);
      m.p(
        t("checkins.planReviewed", {
          reviewed: time(stored.reviewedAt, c.timezone, "date"),
          interval: intervalWords(s.review_every),
          hasNext: next ? "yes" : "no",
          next: next ? time(next, c.timezone, "date") : "",
        }),
      );
    }
    m.p(
      t("checkins.planHow", {
        prompts: command("!checkin plan prompts <id> on|off"),
        time: command("!checkin plan time <id> HH:MM"),
        wording: command("!checkin plan wording <id> <your words>|default"),
        alerts: command("!checkin plan alerts low|missed nobody|sponsor|on-call-staff"),
        share: command("!checkin plan share nothing|answers"),
        notes: command("!checkin plan notes private|shared"),
        pause: command("!checkin plan pause until YYYY-MM-DD|3d|2w"),
        resume: command("!checkin plan resume"),
        ok: command("!checkin plan ok"),
        history: command("!checkin plan history"),
      }),
    );
    return m;
  }

  history(c: CommunityConfig, userId: string): Message {
    const changes = this.store.changes(c.id, userId);
    if (changes.length === 0) return Message.of(t("checkins.historyNone", { community: c.name }));
    return new Message()
      .heading(t("checkins.historyHeading", { community: c.name }))
      .list(changes.map((ch) => t("checkins.historyLine", { at: time(ch.at, c.timezone, "datetime"), setting: ch.setting, change: `${ch.before ? `${ch.before} → ` : ""}${ch.after}` })));
  }

  editPlan(c: CommunityConfig, userId: string, args: string[], now: number, crisis: CrisisResources): CommandResult {
    if (!this.app.hasConsent(c.id, userId)) return this.consentPointer(c, userId, crisis);
    const plan = this.planOf(c.id, userId);
    const edit = editPlan(plan, args, { prompts: c.checkins, zone: c.timezone, now });
    if (!edit.ok) {
      return refused(new Message().p(planProblemWords(edit.problem)).p(t("checkins.editSeePlan", { command: command("!checkin plan") })).append(supportNow(crisis)));
    }
    if (edit.reviewedOnly) {
      this.store.markReviewed(c.id, userId, plan, now);
      this.ensureReviewJob(c, userId);
      return { outcome: "ok", reply: Message.of(t("checkins.reviewedOk")).append(this.describe(c, userId)) };
    }
    if (edit.before === edit.after) {
      return { outcome: "ok", reply: Message.of(t("checkins.editSame", { setting: edit.setting, value: edit.after })) };
    }
    this.store.changePlan(c.id, userId, edit.plan, { setting: edit.setting, before: edit.before, after: edit.after }, now);
    this.ensureReviewJob(c, userId);
    return { outcome: "ok", reply: Message.of(t("checkins.editChanged", { setting: edit.setting, change: `${edit.before} → ${edit.after}` })).append(this.describe(c, userId)) };
  }

  // ---------------------------------------------------------------------------------------
  // Alumni

  /** True when the member's plan holds a choice of their own about this prompt (and it is on). */
  private choseToBePrompted(communityId: string, userId: string, checkinId: string): boolean {
    const choice = this.planOf(communityId, userId).prompts[checkinId];
    return choice !== undefined && choice.enabled !== false && (choice.enabled === true || choice.at !== undefined || choice.wording !== undefined);
  }

  alumniRhythmOf(c: CommunityConfig, userId: string): { enabled: boolean; rhythm: AlumniRhythm } {
    const s = checkinSettingsOf(c);
    const choice = this.store.alumni(c.id, userId);
    return { enabled: s.alumni.enabled && (choice?.enabled ?? true), rhythm: choice?.rhythm ?? s.alumni.every };
  }

  alumni(c: CommunityConfig, member: Member, args: string[], now: number, crisis: CrisisResources): CommandResult {
    const s = checkinSettingsOf(c);
    const current = this.alumniRhythmOf(c, member.userId);
    const status = () => {
      const after = this.alumniRhythmOf(c, member.userId);
      const state = s.alumni.enabled ? (after.enabled ? "on" : "off") : "none";
      const m = Message.of(t("checkins.alumniStatus", { community: c.name, state, rhythm: rhythmWords(after.rhythm, s.alumni.day, s.alumni.at) }));
      if (member.status !== "discharged") m.p(t("checkins.alumniStart"));
      return m.p(
        t("checkins.alumniHow", {
          on: command("!checkin alumni on"),
          off: command("!checkin alumni off"),
          weekly: command("!checkin alumni weekly"),
          fortnightly: command("!checkin alumni fortnightly"),
          monthly: command("!checkin alumni monthly"),
        }),
      );
    };
    const v = (args[0] === "every" ? args[1] : args[0])?.toLowerCase();
    if (!v) return { outcome: "ok", reply: status() };
    if (!this.app.hasConsent(c.id, member.userId)) return this.consentPointer(c, member.userId, crisis);
    let next = { ...current };
    if (v === "on" || v === "off") next.enabled = v === "on";
    else if ((ALUMNI_RHYTHMS as readonly string[]).includes(v)) next = { enabled: true, rhythm: v as AlumniRhythm };
    else {
      return refused(Message.of(t("checkins.alumniBad", { example: command("!checkin alumni monthly") })).append(supportNow(crisis)));
    }
    const words = (x: { enabled: boolean; rhythm: AlumniRhythm }) => (x.enabled ? `on, ${x.rhythm}` : "off");
    if (words(next) === words(current)) return { outcome: "ok", reply: status() };
    this.store.setAlumni(c.id, member.userId, { enabled: next.enabled, rhythm: next.rhythm }, now);
    this.store.recordChange(c.id, member.userId, { setting: "alumni", before: words(current), after: words(next) }, now);
    return { outcome: "ok", reply: Message.of(t("checkins.alumniChanged", { change: `${words(current)} → ${words(next)}` })).append(status()) };
  }

  // ---------------------------------------------------------------------------------------
  // The staff view: only what each member chose to share

  staffView(c: CommunityConfig, args: string[], now: number): CommandResult {
    const s = checkinSettingsOf(c);
    const zoneName = c.timezone;
    const today = localDate(zoneName, now);
    const weekStart = localDate(zoneName, now - 6 * 24 * 3600_000);
    const people = this.app.members.list(c.id).filter((m) => m.status !== "removed");
    const sharing = people.filter((m) => this.planOf(c.id, m.userId).share === "answers");
    const visible = (a: CheckinAnswer) => a.shared;
    const answerOf = (m: Member, a: CheckinAnswer) =>
      a.note && a.noteShared && this.planOf(c.id, m.userId).notes === "shared"
        ? t("checkins.staffAnswerNote", { answer: answerWords(s.scale, a.value), note: a.note })
        : answerWords(s.scale, a.value);
    const footer = t("checkins.staffFooter", { sharing: sharing.length, total: people.length });
    const arg = (args[0] ?? "today").toLowerCase();

    if (arg.startsWith("@")) {
      const m = people.find((p) => p.userId.toLowerCase() === arg);
      if (!m) return refused(Message.of(t("checkins.staffNotMember", { who: args[0], community: c.name })));
      if (!sharing.includes(m)) return { outcome: "ok", reply: Message.of(t("checkins.staffPrivate", { member: person(m.userId) })) };
      const answers = this.store.answersOf(c.id, m.userId, weekStart, today).filter(visible);
      const reply = new Message().heading(t("checkins.staffWeekOne", { member: person(m.userId) })).p(glanceWords(zoneName, weekAtAGlance(zoneName, now, answers)));
      reply.list(answers.map((a) => t("checkins.staffDayLine", { date: time(dayStart(zoneName, a.localDate), zoneName, "date"), answers: answerOf(m, a) })));
      return { outcome: "ok", reply };
    }
    if (arg === "week") {
      const reply = new Message().heading(t("checkins.staffWeekHeading", { zone: zone(zoneName) }));
      reply.list(
        sharing.map((m) => t("checkins.staffMemberLine", { member: person(m.userId), answers: glanceWords(zoneName, weekAtAGlance(zoneName, now, this.store.answersOf(c.id, m.userId, weekStart, today).filter(visible))) })),
      );
      if (sharing.length === 0) reply.p(t("checkins.staffNoneSharing"));
      return { outcome: "ok", reply: reply.p(footer) };
    }
    if (arg === "today") {
      const reply = new Message().heading(t("checkins.staffTodayHeading", { date: time(now, zoneName, "date") }));
      reply.list(
        sharing.map((m) => {
          const answers = this.store.answersOf(c.id, m.userId, today, today).filter(visible);
          return t("checkins.staffMemberLine", { member: person(m.userId), answers: answers.length ? listOf(answers.map((a) => answerOf(m, a))) : t("checkins.staffNoCheckin") });
        }),
      );
      if (sharing.length === 0) reply.p(t("checkins.staffNoneSharing"));
      return { outcome: "ok", reply: reply.p(footer) };
    }
    return refused(Message.of(t("checkins.staffUsage", { today: command("today"), week: command("week"), example: command("!checkins week") })));
  }

  // ---------------------------------------------------------------------------------------
  // Prompts: durable jobs, one per prompt occurrence, fanned out per member

  /** Runs one prompt occurrence (and catches up on any that came due while carenet was down). */
  runPrompt(job: Job): void {
    const { communityId, checkinId, slot, occurrenceAt } = job.payload as { communityId: string; checkinId: string; slot: string; occurrenceAt: number };
    const c = this.community(communityId);
    const ck = c?.checkins.find((x) => x.id === checkinId);
    if (!c || !ck || !timeOptions(ck).includes(slot)) return; // no longer configured
    const time: DailyTime = { at: slot, days: ck.days };
    this.catchUpAndSend(c, { checkinId, slot, time, occurrenceAt, kind: PROMPT_JOB }, (occ, late, dryRun) => this.fanOut(c, ck, slot, occ, late, dryRun));
  }

  /** Runs one alumni check-in occurrence. */
  runAlumni(job: Job): void {
    const { communityId, occurrenceAt } = job.payload as { communityId: string; occurrenceAt: number };
    const c = this.community(communityId);
    if (!c) return;
    const s = checkinSettingsOf(c);
    if (!s.alumni.enabled) return;
    const time: DailyTime = { at: s.alumni.at, days: [s.alumni.day] };
    this.catchUpAndSend(c, { checkinId: ALUMNI_CHECKIN, slot: s.alumni.at, time, occurrenceAt, kind: ALUMNI_JOB }, (occ, late, dryRun) =>
      this.fanOutAlumni(c, occ, late, dryRun),
    );
  }

  private catchUpAndSend(
    c: CommunityConfig,
    j: { checkinId: string; slot: string; time: DailyTime; occurrenceAt: number; kind: string },
    send: (occurrenceAt: number, late: boolean, dryRun: boolean) => number,
  ): void {
    const s = checkinSettingsOf(c);
    this.app.atomically(() => {
      const now = this.app.clock.now();
      const due = occurrencesBetween(c.timezone, j.time, j.occurrenceAt, now + 1);
      const decision = catchUp(due, now, parseDuration(s.grace) ?? 0);
      const skipped: Array<{ occ: number; prompts: number }> = [];
      for (const occ of decision.skipped) {
        const prompts = send(occ, true, true);
        if (this.store.recordSkip({ communityId: c.id, checkinId: j.checkinId, slot: j.slot, occurrenceAt: occ, prompts }, now) && prompts > 0) {
          skipped.push({ occ, prompts });
        }
      }
      if (decision.send !== undefined) send(decision.send, decision.late, false);
      if (skipped.length) this.reportSkipped(c, j.checkinId, skipped, `${j.kind}:${j.slot}:${j.occurrenceAt}`);
      const next = nextOccurrence(c.timezone, j.time, now);
      if (next !== null) this.ensureJob(this.slotJob(c.id, j.kind, j.checkinId, j.slot, next));
    });
  }

  private reportSkipped(c: CommunityConfig, checkinId: string, skipped: Array<{ occ: number; prompts: number }>, key: string): void {
    const staffRoom = this.app.rooms.get(c.id, "staff")?.roomId;
    const total = skipped.reduce((n, x) => n + x.prompts, 0);
    const grace = describeDuration(parseDuration(checkinSettingsOf(c).grace) ?? 0);
    const when = listOf(skipped.map((x) => time(x.occ, c.timezone, "day")));
    const name = checkinId === ALUMNI_CHECKIN ? "alumni" : checkinId;
    this.app.log.warn({ communityId: c.id, checkinId, prompts: total }, "check-in prompts skipped after downtime");
    if (!staffRoom) return;
    this.app.effects.post(
      staffRoom,
      Message.of(t("checkins.skipped", { total, checkin: name, when, zone: zone(c.timezone), grace })),
      `checkins:skipped:${c.id}:${key}`,
    );
  }

  /** Who gets a community prompt at one occurrence of one slot. */
  private recipients(c: CommunityConfig, ck: CheckinConfig, slot: string, now: number): Array<{ member: Member; wording: string }> {
    const out: Array<{ member: Member; wording: string }> = [];
    for (const m of this.app.members.list(c.id, { status: "active" })) {
      if (!this.app.hasConsent(c.id, m.userId) || this.app.isOnBreak(c.id, m.userId, now)) continue;
      const r = getsPrompt(c.checkins, this.planOf(c.id, m.userId), ck.id, slot, now);
      if (r) out.push({ member: m, wording: r.wording });
    }
    return out;
  }

  /** Sends (or, for a dry run, counts) one occurrence of a community prompt. */
  private fanOut(c: CommunityConfig, ck: CheckinConfig, slot: string, occ: number, late: boolean, dryRun: boolean): number {
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
      this.startPlan(c, member.userId, now);
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
        this.app.effects.tell(member.userId, this.choseToBePrompted(c.id, member.userId, ck.id) ? m.alert(member.userId) : m, outboxKey);
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

  private fanOutAlumni(c: CommunityConfig, occ: number, late: boolean, dryRun: boolean): number {
    const s = checkinSettingsOf(c);
    const now = this.app.clock.now();
    const who = this.app.members.list(c.id, { status: "discharged" }).filter((m) => {
      if (!this.app.hasConsent(c.id, m.userId) || this.app.isOnBreak(c.id, m.userId, now)) return false;
      const r = this.alumniRhythmOf(c, m.userId);
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
        const prompt = body(new Message(), this.alumniRhythmOf(c, m.userId).rhythm);
        // Rings only for alumni who asked for these themselves (`!checkin alumni weekly` …).
        this.app.effects.tell(m.userId, this.store.alumni(c.id, m.userId)?.enabled === true ? prompt.alert(m.userId) : prompt, outboxKey);
      }
    }
    this.app.log.info({ communityId: c.id, prompts: who.length, late }, "alumni check-ins queued");
    this.app.metrics.checkinPromptsSent(c.id, who.length);
    return who.length;
  }

  /** An unanswered prompt counts as missed: tell exactly the people the member named, if any. */
  runMissed(job: Job): void {
    const { communityId, checkinId, occurrenceAt } = job.payload as { communityId: string; checkinId: string; occurrenceAt: number };
    const c = this.community(communityId);
    if (!c) return;
    this.app.atomically(() => {
      const now = this.app.clock.now();
      this.store.fillEventIds();
      for (const p of this.store.promptsOfOccurrence(c.id, checkinId, occurrenceAt)) {
        if (p.missedAt !== null || this.store.answerToPrompt(p.id)) continue;
        this.store.markMissed(p.id, now);
        this.app.metrics.checkinMissed(c.id);
        const member = this.app.members.get(c.id, p.userId);
        const plan = this.planOf(c.id, p.userId);
        // A member who stopped being one, paused, went on a break or withdrew consent is not chased.
        if (member?.status !== "active" || isPaused(plan, now) || this.app.isOnBreak(c.id, p.userId, now) || !this.app.hasConsent(c.id, p.userId)) continue;
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

  // ---------------------------------------------------------------------------------------
  // Plan reviews

  private startPlan(c: CommunityConfig, userId: string, now: number): void {
    if (this.store.startPlan(c.id, userId, DEFAULT_PLAN, now)) this.ensureReviewJob(c, userId);
  }

  /** When the member's plan next asks to be reviewed. */
  reviewDue(c: CommunityConfig, userId: string): number | null {
    const stored = this.store.plan(c.id, userId);
    if (!stored) return null;
    const from = Math.max(stored.reviewedAt, stored.reviewRemindedAt ?? 0);
    return addInterval(c.timezone, from, checkinSettingsOf(c).review_every);
  }

  ensureReviewJob(c: CommunityConfig, userId: string): void {
    const due = this.reviewDue(c, userId);
    if (due === null) return;
    const key = `checkins:review:${c.id}:${userId}`;
    const existing = this.app.jobs.get(key);
    if (existing?.state === "pending" && existing.dueAt === due) return;
    this.app.jobs.reschedule({ kind: REVIEW_JOB, key, dueAt: due, payload: { communityId: c.id, userId } }, this.app.clock.now());
    this.app.scheduler.wake();
  }

  runReview(job: Job): void {
    const { communityId, userId } = job.payload as { communityId: string; userId: string };
    const c = this.community(communityId);
    if (!c) return;
    this.app.atomically(() => {
      const now = this.app.clock.now();
      const due = this.reviewDue(c, userId);
      if (due === null || this.app.members.get(c.id, userId)?.status !== "active" || !this.app.hasConsent(c.id, userId)) return;
      if (due > now) return this.ensureReviewJob(c, userId); // reviewed or changed since: wait for the new date
      const s = checkinSettingsOf(c);
      const m = new Message()
        .p(t("checkins.review", { interval: intervalWords(s.review_every), community: c.name, ok: command("!checkin plan ok") }))
        .append(this.describe(c, userId));
      this.app.effects.tell(userId, m, `checkins:review:${c.id}:${userId}:${due}`);
      this.store.markReviewReminded(c.id, userId, now);
      this.ensureReviewJob(c, userId);
    });
  }

  // ---------------------------------------------------------------------------------------
  // Scheduling after provisioning and every reload

  private slotJob(communityId: string, kind: string, checkinId: string, slot: string, occurrenceAt: number): JobSpec {
    return kind === ALUMNI_JOB
      ? { kind, key: `checkins:alumni:${communityId}:${occurrenceAt}`, dueAt: occurrenceAt, payload: { communityId, occurrenceAt } }
      : {
          kind,
          key: `checkins:prompt:${communityId}:${checkinId}:${slotKey(slot)}:${occurrenceAt}`,
          dueAt: occurrenceAt,
          payload: { communityId, checkinId, slot, occurrenceAt },
        };
  }

  /** Adds a job unless its key has one (reviving one a reload cancelled). */
  private ensureJob(spec: JobSpec): void {
    const existing = this.app.jobs.get(spec.key);
    const now = this.app.clock.now();
    if (!existing) this.app.jobs.schedule(spec, now);
    else if (existing.state === "cancelled") this.app.jobs.reschedule(spec, now);
    else return;
    this.app.scheduler.wake();
  }

  /**
   * One pending job per prompt slot (community × prompt × time option) and per community's
   * alumni check-in. A job that is overdue is left alone: it runs next and catches up
   * (sends late within the grace window, or skips and reports). A future job that no
   * longer matches the config is moved; one for a slot that is gone is cancelled.
   */
  reconcile(config: CarenetConfig): void {
    this.app.atomically(() => {
      const now = this.app.clock.now();
      const wanted = new Map<string, { communityId: string; kind: string; checkinId: string; slot: string; time: DailyTime; zone: string }>();
      for (const c of config.communities) {
        for (const ck of c.checkins) {
          for (const slot of timeOptions(ck)) {
            wanted.set(`${PROMPT_JOB}|${c.id}|${ck.id}|${slot}`, { communityId: c.id, kind: PROMPT_JOB, checkinId: ck.id, slot, time: { at: slot, days: ck.days }, zone: c.timezone });
          }
        }
        const s = checkinSettingsOf(c);
        if (s.alumni.enabled) {
          wanted.set(`${ALUMNI_JOB}|${c.id}|${ALUMNI_CHECKIN}|${s.alumni.at}`, {
            communityId: c.id,
            kind: ALUMNI_JOB,
            checkinId: ALUMNI_CHECKIN,
            slot: s.alumni.at,
            time: { at: s.alumni.at, days: [s.alumni.day] },
            zone: c.timezone,
          });
        }
      }
      const covered = new Set<string>();
      for (const job of [...this.app.jobs.pending(PROMPT_JOB), ...this.app.jobs.pending(ALUMNI_JOB)]) {
        const p = job.payload as { communityId: string; checkinId?: string; slot?: string };
        const community = communityById(config.communities, p.communityId);
        const slot = job.kind === ALUMNI_JOB ? community && checkinSettingsOf(community).alumni.at : p.slot;
        const id = `${job.kind}|${p.communityId}|${p.checkinId ?? ALUMNI_CHECKIN}|${slot}`;
        const w = wanted.get(id);
        const keep = w && !covered.has(id) && (job.dueAt <= now || nextOccurrence(w.zone, w.time, now) === job.dueAt);
        if (keep) covered.add(id);
        else this.app.jobs.cancel(job.key, now);
      }
      for (const [id, w] of wanted) {
        if (covered.has(id)) continue;
        const next = nextOccurrence(w.zone, w.time, now);
        if (next !== null) this.ensureJob(this.slotJob(w.communityId, w.kind, w.checkinId, w.slot, next));
      }
      for (const c of config.communities) {
        for (const u of this.store.planHolders(c.id)) if (this.app.members.get(c.id, u)?.status === "active") this.ensureReviewJob(c, u);
      }
    });
  }
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

/** A plain message counts as an answer only to a prompt sent within this long. */
const PLAIN_ANSWER_WINDOW_MS = 24 * 3600_000;

/** "3 (okay)". */
function answerWords(scale: readonly string[], value: number): Words {
  return t("checkins.answer", { value, words: scale[value - 1] ?? "?" });
}

function kindOf(checkinId: string): string {
  return checkinId === ALUMNI_CHECKIN ? "alumni" : "prompt";
}

/** "your sponsor and the staff on call". */
function targetWords(targets: readonly string[]) {
  return listOf(targets.map((target) => t("checkins.target", { target })));
}

/** The start of a local date (YYYY-MM-DD) in a zone, to show as a date. */
function dayStart(zoneName: string, isoDate: string): number {
  return DateTime.fromISO(isoDate, { zone: zoneName }).toMillis();
}

/** Why an answer could not be read, in the reader's words. */
function answerProblemWords(p: AnswerProblem): Words {
  switch (p.code) {
    case "empty":
      return t("checkins.empty");
    case "offScale":
      return t("checkins.offScale", { value: p.value, max: p.max });
    case "unmatched":
      return t("checkins.notParsed", { words: `"${p.words}"` });
  }
}
