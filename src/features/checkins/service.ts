import type { CheckinPort } from "./commands/checkin";
import type { CarenetConfig } from "../../config/types";
import type { Job } from "../../store/jobs";
import type { CheckinPrompt, CheckinsStore } from "./store/checkins";
import type { InstallContext } from "../../ports/context";
import { WhoAndWhere, type CheckinPorts } from "./whoAndWhere";
import { LowAndMissedAlerts } from "./alerts";
import { AnswerTaker } from "./answers";
import { PlanKeeper } from "./plans";
import { AlumniChoices } from "./alumni";
import { staffView } from "./staffView";
import { PromptSender } from "./promptSender";
import { PromptSchedule } from "./promptSchedule";

/**
 * Check-ins as the member, the people they named and staff meet them: prompts fanned out
 * from durable jobs, answers however they come (command, reply, reaction), plans, alerts
 * and the staff view. Everything here runs inside the caller's SQLite transaction and only
 * queues messages and jobs. Each part lives in its own module; this is the one door the
 * commands, hooks and job handlers use.
 */
export class CheckinService implements CheckinPort {
  private readonly who: WhoAndWhere;
  private readonly answers: AnswerTaker;
  private readonly alerts: LowAndMissedAlerts;
  private readonly plans: PlanKeeper;
  private readonly alumniChoices: AlumniChoices;
  private readonly schedule: PromptSchedule;

  constructor(
    private readonly app: InstallContext,
    readonly store: CheckinsStore,
    ports: CheckinPorts,
  ) {
    this.who = new WhoAndWhere(app, store, ports);
    this.alerts = new LowAndMissedAlerts(app, store, this.who);
    this.answers = new AnswerTaker(app, store, this.who, this.alerts);
    this.plans = new PlanKeeper(app, store, this.who);
    this.alumniChoices = new AlumniChoices(store, this.who);
    const sender = new PromptSender(app, store, this.who, this.plans, this.alumniChoices);
    this.schedule = new PromptSchedule(app, store, this.who, sender, this.plans);
  }

  community(id: string) {
    return this.who.community(id);
  }

  where(...a: Parameters<WhoAndWhere["where"]>) {
    return this.who.where(...a);
  }

  answerText(...a: Parameters<AnswerTaker["answerText"]>) {
    return this.answers.answerText(...a);
  }

  answerPlain(...a: Parameters<AnswerTaker["answerPlain"]>) {
    return this.answers.answerPlain(...a);
  }

  answerReaction(...a: Parameters<AnswerTaker["answerReaction"]>) {
    return this.answers.answerReaction(...a);
  }

  isAnswerable(prompt: CheckinPrompt, now: number): boolean {
    return this.answers.isAnswerable(prompt, now);
  }

  overview(...a: Parameters<AnswerTaker["overview"]>) {
    return this.answers.overview(...a);
  }

  describe(...a: Parameters<PlanKeeper["describe"]>) {
    return this.plans.describe(...a);
  }

  history(...a: Parameters<PlanKeeper["history"]>) {
    return this.plans.history(...a);
  }

  editPlan(...a: Parameters<PlanKeeper["editPlan"]>) {
    return this.plans.editPlan(...a);
  }

  alumni(...a: Parameters<AlumniChoices["alumni"]>) {
    return this.alumniChoices.alumni(...a);
  }

  staffView(...a: Parameters<CheckinPort["staffView"]>) {
    return staffView(this.app, this.store, this.who, ...a);
  }

  runPrompt(job: Job): void {
    this.schedule.runPrompt(job);
  }

  runAlumni(job: Job): void {
    this.schedule.runAlumni(job);
  }

  runMissed(job: Job): void {
    this.alerts.runMissed(job);
  }

  runReview(job: Job): void {
    this.plans.runReview(job);
  }

  reconcile(config: CarenetConfig): void {
    this.schedule.reconcile(config);
  }
}
