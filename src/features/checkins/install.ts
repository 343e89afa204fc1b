import { checkinCommand, checkinsCommand } from "./commands/checkin";
import { CheckinsStore } from "./store/checkins";
import { CheckinService } from "./service";
import { ALUMNI_JOB, MISSED_JOB, PROMPT_JOB, REVIEW_JOB } from "./jobKinds";
import type { InstallContext } from "../../ports/context";
import type { CheckinPorts } from "./whoAndWhere";
import { checkinsPersonalData } from "./personalData";
import type { ReactionEvent } from "../../ports/hooks";

/**
 * Check-ins: `!checkin` for members, `!checkins` for staff; prompts, missed check-ins and
 * plan reviews as durable jobs; answers by reply and by reaction to a prompt.
 * `ports`: consent and what someone who has not agreed is told (the communities'), who is
 * on call and who is on a break (the rota's).
 */
export function installCheckins(app: InstallContext, ports: CheckinPorts): CheckinService {
  const service = new CheckinService(app, new CheckinsStore(app.db), ports);
  app.commands.push(checkinCommand(service), checkinsCommand(service));
  (app.personalData ??= []).push(checkinsPersonalData(app, service.store));

  app.scheduler.on(PROMPT_JOB, (job) => service.runPrompt(job));
  app.scheduler.on(ALUMNI_JOB, (job) => service.runAlumni(job));
  app.scheduler.on(MISSED_JOB, (job) => service.runMissed(job));
  app.scheduler.on(REVIEW_JOB, (job) => service.runReview(job));

  app.replyHooks.push((r) => {
    const prompt = service.store.promptForEvent(r.inReplyTo, r.sender);
    const community = prompt && service.community(prompt.communityId);
    if (!prompt || !community) return undefined;
    const result = service.answerText({ community, userId: r.sender, text: r.text, via: "reply", prompt, now: r.now, crisis: r.crisisResources });
    // Always privately: in the person's own DM this stays where it is (the router keeps it
    // there); in any other room — a room prompt, a chat someone else has joined — it does not.
    return { ...result, replyTo: "dm" };
  });

  // "3" or "okay" typed in the DM while a prompt is open answers it, as a reply would.
  (app.plainAnswerHooks ??= []).push((r) => service.answerPlain({ userId: r.sender, text: r.text, now: r.now, crisis: r.crisisResources }));

  // A reaction that reached carenet late (it was down) still answers its prompt, as a late
  // answer does, but only while the prompt can still take one.
  app.reactionHooks.push(
    Object.assign((r: ReactionEvent) => {
      const prompt = service.store.promptForEvent(r.targetEventId, r.sender);
      if (!prompt) return;
      if (r.late && !service.isAnswerable(prompt, app.clock.now())) return;
      const reply = service.answerReaction(prompt, r.key, app.clock.now());
      if (reply) app.effects.tell(r.sender, reply, `checkins:reaction:${r.eventId}`);
    }, { acceptsLate: true }),
  );

  app.afterReconcile.push((config) => service.reconcile(config));
  return service;
}
