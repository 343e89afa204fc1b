import type { AppContext } from "../app/context";
import { supportNow } from "../commands/help";
import { Message } from "../commands/message";
import type { CarenetConfig, CommunityConfig } from "../config/types";
import type { ConsentRecord } from "../store/consent";
import { retentionOf } from "../rights/settings";
import type { CommunitiesApp } from "./deps";
import { postingHoursBlock, rightsText, type RightsText } from "./rightsText";
import type { CrisisResources } from "../config/types";

/**
 * Consent to a community's rights text. A person's decisions live in the ConsentStore
 * (per person, append-only); the version names the community (`<id>@<hash>`), so someone
 * in two communities answers each one's text separately.
 */
export type ConsentApp = Pick<AppContext, "config" | "consent" | "commands">;

/** The rights text of `c` as it reads now (the commands installed decide a few lines). */
export function currentRightsText(app: Pick<AppContext, "commands" | "config">, c: CommunityConfig, crisisResources: CrisisResources): RightsText {
  return rightsText(c, crisisResources, (name) => app.commands.some((cmd) => cmd.name === name), retentionOf(app.config()));
}

/** The person's latest decision about any version of this community's text. */
export function latestDecision(app: Pick<AppContext, "consent">, communityId: string, userId: string): ConsentRecord | undefined {
  const prefix = `${communityId}@`;
  const mine = app.consent.history(userId).filter((r) => r.textVersion.startsWith(prefix));
  return mine[mine.length - 1];
}

/**
 * True when `userId` has agreed to the current rights text of `communityId`.
 *
 * Every capability that records something optional about a member — check-in answers and
 * plans, rota shifts — must ask this first and record nothing when it is false. `!help`
 * and `!page` never ask it: support is never withheld from someone who has not agreed.
 */
export function hasCurrentConsent(app: ConsentApp, communityId: string, userId: string): boolean {
  const config = app.config();
  const c = config.communities.find((x) => x.id === communityId);
  if (!c) return false;
  const latest = latestDecision(app, communityId, userId);
  return latest?.decision === "agreed" && latest.textVersion === currentRightsText(app, c, config.crisis_resources).version;
}

/** Where someone stands with a community's current text, as "You …" or "They …". */
export function describeConsent(latest: ConsentRecord | undefined, currentVersion: string, who: "you" | "they" = "they"): string {
  const subject = who === "you" ? "You" : "They";
  const their = who === "you" ? "your" : "their";
  if (!latest) return `${subject} have not answered yet: nothing optional is recorded`;
  const when = utcDate(latest.decidedAt);
  const sameText = latest.textVersion === currentVersion;
  switch (latest.decision) {
    case "agreed":
      return sameText
        ? `${subject} agreed to the current text on ${when}`
        : `${subject} agreed on ${when} to an earlier text and have not answered the changed one yet: nothing optional is recorded`;
    case "declined":
      return `${subject} declined on ${when}: nothing optional is recorded`;
    case "withdrawn":
      return `${subject} withdrew ${their} agreement on ${when}: nothing optional is recorded`;
  }
}

export const ASKED = "consent.asked";
export const askedDetail = (version: string) => `version ${version}`;

/** The welcome a new member gets by DM from the bot: who added them, then the full text. */
export function onboardingMessage(c: CommunityConfig, text: RightsText, sponsor: string | null, returning: boolean): Message {
  const m = new Message().p(
    returning
      ? `Welcome back to ${c.name} on the care network.`
      : `Welcome to ${c.name} on the care network. Staff have added you, and you have been invited to the community's rooms.`,
  );
  if (sponsor) m.p(`Your sponsor — the member of staff you can ask about anything here — is ${sponsor}.`);
  m.p("Please read what follows: it says what carenet keeps about you and what you can choose. Nothing optional is recorded until you agree.");
  return m.append(text.message).append(postingHoursBlock(c)).p(`(Version ${text.version}.) To agree, send \`!consent agree\` here.`);
}

function askAgainMessage(c: CommunityConfig, text: RightsText, latest: ConsentRecord | undefined): Message {
  const m = new Message().p(
    latest
      ? `The text about ${c.name} on the care network has changed since you answered it on ${utcDate(latest.decidedAt)}.`
      : `The text about ${c.name} on the care network has changed since it was sent to you.`,
  );
  m.p(
    latest?.decision === "agreed"
      ? "Please read it again. Until you agree to the new text, nothing optional is recorded about you. Support (`!help`, `!page`) is always there."
      : "Please read it again; nothing changes unless you agree. Support (`!help`, `!page`) is always there.",
  );
  return m.append(text.message).append(postingHoursBlock(c)).p(`(Version ${text.version}.) To agree, send \`!consent agree\` here.`);
}

/**
 * After start and each reload: members and alumni whose latest answer is about another
 * version of their community's text — or who were sent an older text and never answered —
 * get the new text by DM, once per version (the audit log records that they were asked).
 */
export function askAgainIfTextChanged(app: CommunitiesApp, config: CarenetConfig): number {
  let asked = 0;
  for (const c of config.communities) {
    const text = currentRightsText(app, c, config.crisis_resources);
    const people = [...app.members.list(c.id, { status: "active" }), ...app.members.list(c.id, { status: "discharged" })];
    for (const member of people) {
      const latest = latestDecision(app, c.id, member.userId);
      if (latest?.textVersion === text.version) continue;
      const already = { communityId: c.id, action: ASKED, subject: member.userId, detail: askedDetail(text.version) };
      if (app.audit.has(already)) continue;
      app.atomically(() => {
        app.effects.tell(member.userId, askAgainMessage(c, text, latest), `consent:ask:${c.id}:${member.userId}:${text.version}`);
        app.audit.append({ ...already, actor: "carenet" }, app.clock.now());
      });
      asked++;
    }
  }
  if (asked) app.log.info({ asked }, "asked members to read a changed rights text");
  return asked;
}

/**
 * The kind answer to a member who asked for something optional (a check-in, a rota shift)
 * without having agreed to their community's current text: nothing was recorded, how to
 * read the text and agree if they want to, that support does not depend on it, and the
 * crisis resources. `what` is the subject of the first sentence, e.g. "Check-ins are".
 */
export function consentNeeded(
  app: Pick<AppContext, "consent" | "commands" | "config">,
  c: CommunityConfig,
  userId: string,
  what: string,
  crisisResources: CrisisResources,
): Message {
  const latest = latestDecision(app, c.id, userId);
  const changed = latest?.decision === "agreed" && latest.textVersion !== currentRightsText(app, c, crisisResources).version;
  return new Message()
    .p(
      `${what} recorded only for members who have agreed to how ${c.name} keeps their information` +
        (changed ? ", and that text has changed since you agreed to it" : "") +
        ", so I have not recorded anything.",
    )
    .p("If you would like to, read it with `!rights` and agree with `!consent agree` — it is your choice, and support never depends on it.")
    .p("If you need someone now, send `!page` and the peers on call will be asked to join you.")
    .append(supportNow(crisisResources));
}

/** What someone who is nobody's member is told by `!rights` and `!consent`. */
export function notAMember(crisisResources: CrisisResources): Message {
  return new Message()
    .p(
      "carenet has no record of you as a member of a community, so there is nothing for you to agree to and nothing optional is kept about you. " +
        "If you are joining a community, its staff will add you and I will send you its rights and choices.",
    )
    .append(supportNow(crisisResources));
}

export function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function utcTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
