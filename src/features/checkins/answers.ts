import { supportNow } from "../../messaging/support";
import { Message } from "../../messaging/message";
import { refused } from "../../messaging/outcome";
import { answerWords, kindOf, dayStart, answerProblemWords, type Words } from "./words";
import { command, listOf, t, time, zone } from "../../words";
import type { CommandResult } from "../../commands/types";
import type { CommunityConfig, CrisisResources } from "../../config/types";
import { isLow, localDate, parseAnswer, scaleLines, valueOfReaction, type Plan } from "./domain/checkins";
import type { CheckinPrompt, CheckinsStore } from "./store/checkins";
import type { InstallContext } from "../../ports/context";
import { checkinSettingsOf } from "./settings";
import type { WhoAndWhere } from "./whoAndWhere";
import type { LowAndMissedAlerts } from "./alerts";

/** An answer, however it came. */
type AnswerInput = {
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
};

type SavedAnswer = ReturnType<CheckinsStore["saveAnswer"]>;

/** Answers however they come (command, reply, reaction, a plain message in the DM), and `!checkin` alone. */
export class AnswerTaker {
  constructor(
    private readonly app: InstallContext,
    private readonly store: CheckinsStore,
    private readonly who: WhoAndWhere,
    private readonly alerts: LowAndMissedAlerts,
  ) {}

  /**
   * Records an answer. `prompt` is set when the member answered a particular prompt (a
   * reply or a reaction); a command answers their latest prompt if it is still open or
   * was answered today, and otherwise counts as an unprompted check-in for today.
   */
  answer(input: AnswerInput): CommandResult {
    const { community: c, userId, now } = input;
    const status = this.app.members.get(c.id, userId)?.status;
    if (status !== "active" && status !== "discharged") {
      return refused(Message.of(t("checkins.noLongerMember", { community: c.name })).append(supportNow(input.crisis)));
    }
    if (!this.who.hasConsent(c.id, userId)) return this.who.consentPointer(c, userId, input.crisis);
    const today = localDate(c.timezone, now);
    const plan = this.who.planOf(c.id, userId);
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
    return this.replyTo(input, prompt, plan, saved, today);
  }

  /** What the member hears back about the answer just saved, and the alerts it sets off. */
  private replyTo(input: AnswerInput, prompt: CheckinPrompt | undefined, plan: Plan, saved: SavedAnswer, today: string): CommandResult {
    const { community: c, userId, now } = input;
    const s = checkinSettingsOf(c);
    const zoneName = c.timezone;
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
    if (saved.outcome === "recorded" && prompt?.missedAt) this.alerts.tellMissedOnesAnswered(c, prompt, userId, now);
    if (low) {
      // Told on a first low answer, and again when a changed answer is lower than the one
      // they heard about ("not great", then "really struggling"): that is news to act on.
      const worse = saved.outcome === "changed" && saved.previous.value > answer.value;
      const alert = saved.outcome === "recorded" || worse;
      const told = alert ? this.alerts.alertLow(c, userId, plan, answer, prompt, now, saved.outcome === "changed" ? saved.previous.value : undefined) : this.alerts.whoHearsLow(plan);
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
    const community = open && this.who.community(open.communityId);
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
      if (!this.who.hasConsent(input.community.id, input.userId)) return this.who.consentPointer(input.community, input.userId, input.crisis);
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
    const c = this.who.community(prompt.communityId);
    if (!c) return false;
    const answered = this.store.answerToPrompt(prompt.id);
    return !answered || answered.answeredDate === localDate(c.timezone, now);
  }

  /** A reaction to a prompt: the reaction's key stands for an answer on the scale. */
  answerReaction(prompt: CheckinPrompt, key: string, now: number): Message | undefined {
    const c = this.who.community(prompt.communityId);
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

  /** `!checkin` alone: how to answer, and what the member has recorded today. */
  overview(c: CommunityConfig, userId: string, now: number, crisis: CrisisResources): CommandResult {
    const s = checkinSettingsOf(c);
    const today = localDate(c.timezone, now);
    const reply = new Message()
      .p(t("checkins.overviewHow", { example: command("!checkin 3 long day") }))
      .list(s.scale.map((w, i) => t("checkins.scaleLine", { value: i + 1, words: w })));
    if (!this.who.hasConsent(c.id, userId)) return { outcome: "ok", reply: reply.append(this.who.consentPointer(c, userId, crisis).reply) };
    const answers = this.store.answersOf(c.id, userId, today, today);
    reply.p(answers.length ? t("checkins.overviewToday", { answers: listOf(answers.map((a) => answerWords(s.scale, a.value))) }) : t("checkins.overviewNone"));
    reply.p(t("checkins.overviewEnd", { plan: command("!checkin plan") }));
    return { outcome: "ok", reply };
  }
}

/** A plain message counts as an answer only to a prompt sent within this long. */
const PLAIN_ANSWER_WINDOW_MS = 24 * 3600_000;
