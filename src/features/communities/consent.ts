import type { InstallContext } from "../../ports/context";
import { supportNow } from "../../messaging/support";
import { Message, type Text } from "../../messaging/message";
import type { CarenetConfig, CommunityConfig } from "../../config/types";
import type { ConsentRecord } from "./store/consent";
import { retentionOf } from "../../config/retention";
import type { CommunitiesApp } from "./deps";
import { command, person, t, time, type Value, type Words, type RichValue } from "../../words";
import { rightsText, type RightsText } from "./rightsText";
import type { CrisisResources } from "../../config/types";
import { communityById } from "../../config/communities";

/**
 * Consent to a community's rights text. A person's decisions live in the ConsentStore
 * (per person, append-only); the version names the community (`<id>@<hash>`), so someone
 * in two communities answers each one's text separately.
 */
export type ConsentApp = Pick<InstallContext, "config" | "consent" | "commands">;

/** The rights text of `c` as it reads now (the commands installed decide a few lines). */
export function currentRightsText(app: Pick<InstallContext, "commands" | "config">, c: CommunityConfig, crisisResources: CrisisResources): RightsText {
  return rightsText(c, crisisResources, (name) => app.commands.some((cmd) => cmd.name === name), retentionOf(app.config()));
}

interface KnownVersion {
  root: CarenetConfig;
  crisisResources: CrisisResources;
  commands: number;
  version: string;
}
const knownVersions = new WeakMap<CommunityConfig, KnownVersion>();

/**
 * The version of `c`'s rights text as it reads now. Remembered until the config (or the
 * installed commands) change: rendering and hashing the text in every language took a few
 * milliseconds, and every consent check (each peer asked on a page) needs it.
 */
export function currentRightsVersion(app: Pick<InstallContext, "commands" | "config">, c: CommunityConfig, crisisResources: CrisisResources): string {
  const root = app.config();
  const known = knownVersions.get(c);
  if (known && known.root === root && known.crisisResources === crisisResources && known.commands === app.commands.length) return known.version;
  const version = currentRightsText(app, c, crisisResources).version;
  knownVersions.set(c, { root, crisisResources, commands: app.commands.length, version });
  return version;
}

/** The person's latest decision about any version of this community's text. */
export function latestDecision(app: Pick<InstallContext, "consent">, communityId: string, userId: string): ConsentRecord | undefined {
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
  const c = communityById(config.communities, communityId);
  if (!c) return false;
  const latest = latestDecision(app, communityId, userId);
  return latest?.decision === "agreed" && latest.textVersion === currentRightsVersion(app, c, config.crisis_resources);
}

/** Where someone stands with a community's current text, as "You …" or "They …", dated in the community's zone. */
export function describeConsent(latest: ConsentRecord | undefined, currentVersion: string, whom: "you" | "they" | "they, mid-sentence", zoneName: string): Words & RichValue {
  // "they" opens a sentence; mid-sentence it is lower case (the select's "other").
  const who = whom === "they, mid-sentence" ? "mid" : whom;
  if (!latest) return t("rights.stateNone", { who });
  const date = time(latest.decidedAt, zoneName, "date");
  switch (latest.decision) {
    case "agreed":
      return latest.textVersion === currentVersion ? t("rights.stateAgreed", { who, date }) : t("rights.stateAgreedEarlier", { who, date });
    case "declined":
      return t("rights.stateDeclined", { who, date });
    case "withdrawn":
      return t("rights.stateWithdrawn", { who, date });
  }
}

export const ASKED = "consent.asked";
export const askedDetail = (version: string) => `version ${version}`;

/**
 * The welcome a new member gets by DM: one phone screen (who carenet is, how to get
 * support now, what to do next, where to read more), then the rights in short.
 */
export function onboardingMessages(c: CommunityConfig, text: RightsText, sponsor: string | null, returning: boolean, crisisResources: CrisisResources): Message[] {
  const first = new Message().p(t(returning ? "onboarding.welcomeBack" : "onboarding.welcome", { community: c.name }));
  if (sponsor) first.p(t("onboarding.sponsor", { sponsor: person(sponsor) }));
  first.p(t("onboarding.needSomeone", { page: command("!page") }));
  first.append(supportNow(crisisResources));
  first.p(t("onboarding.next", { agree: command("!consent agree") }));
  first.p(t("onboarding.more", { rights: command("!rights"), help: command("!help") }));
  return [first, summaryWithAnswer(text)];
}

/** The summary, its version and how to answer: the second onboarding message, and what a changed text is re-sent as. */
function summaryWithAnswer(text: RightsText): Message {
  return new Message()
    .append(text.summary)
    .p(t("onboarding.summaryAnswer", { agree: command("!consent agree"), decline: command("!consent decline") }))
    .p(t("rights.version", { version: text.version }));
}

function askAgainMessage(c: CommunityConfig, text: RightsText, latest: ConsentRecord | undefined, crisisResources: CrisisResources): Message {
  const m = new Message().p(
    latest ? t("onboarding.changed", { community: c.name, date: time(latest.decidedAt, c.timezone, "date") }) : t("onboarding.changedUnanswered", { community: c.name }),
  );
  const support = { help: command("!help"), page: command("!page") };
  m.p(latest?.decision === "agreed" ? t("onboarding.readAgainAgreed", support) : t("onboarding.readAgain", support));
  return m.append(supportNow(crisisResources)).append(summaryWithAnswer(text));
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
        app.effects.tell(member.userId, askAgainMessage(c, text, latest, config.crisis_resources), `consent:ask:${c.id}:${member.userId}:${text.version}`);
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
  app: Pick<InstallContext, "consent" | "commands" | "config">,
  c: CommunityConfig,
  userId: string,
  what: Text,
  crisisResources: CrisisResources,
): Message {
  const latest = latestDecision(app, c.id, userId);
  const changed = latest?.decision === "agreed" && latest.textVersion !== currentRightsVersion(app, c, crisisResources);
  const values = { what: typeof what === "string" ? what : (what as Words & Value), community: c.name };
  return new Message()
    .p(changed ? t("onboarding.consentNeededChanged", values) : t("onboarding.consentNeeded", values))
    .p(t("onboarding.consentNeededHow", { rights: command("!rights"), agree: command("!consent agree") }))
    .p(t("onboarding.consentNeededPage", { page: command("!page") }))
    .append(supportNow(crisisResources));
}

/** What someone who is nobody's member is told by `!rights` and `!consent`. */
export function notAMember(crisisResources: CrisisResources): Message {
  return Message.of(t("rights.notAMember")).append(supportNow(crisisResources));
}
