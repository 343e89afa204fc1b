import { currentRightsText, describeConsent, latestDecision, notAMember } from "../consent";
import type { CommunitiesApp } from "../deps";
import { isStaffOf } from "../../../config/roles";
import { postingHoursBlock, RIGHTS_SECTIONS, rulesBlock } from "../rightsText";
import type { CommunityConfig } from "../../../config/types";
import { closest } from "../../../kernel/words";
import type { ConsentDecision } from "../store/consent";
import { command, listOf, t, time } from "../../../words";
import { supportNow } from "../../../messaging/support";
import { Message } from "../../../messaging/message";
import { refused } from "../../../messaging/outcome";
import { UsageError, type CommandContext, type CommandResult, type CommandSpec } from "../../../commands/types";
import { declare } from "../../../commands/params";
import { communityById } from "../../../config/communities";

const yours = (mine: CommunityConfig[]) => listOf(mine.map((c) => t("rights.yourCommunity", { id: command(c.id), name: c.name })));

/**
 * The communities a command is about: the one whose room it was sent in, or — in a DM —
 * every configured community the sender has a membership record in (any status: someone
 * removed can still read their rights and withdraw). `wanted` narrows to one id.
 */
function communitiesFor(app: CommunitiesApp, ctx: CommandContext, wanted: string | undefined): CommunityConfig[] | CommandResult {
  if (ctx.community) {
    if (wanted && wanted !== ctx.community.id) return refused(Message.of(t("rights.notYours", { community: ctx.community.name })));
    return [ctx.community];
  }
  const mine = app.config().communities.filter((c) => app.members.get(c.id, ctx.sender));
  if (wanted === undefined) return mine;
  const one = communityById(mine, wanted.toLowerCase());
  if (one) return [one];
  return refused(
    Message.of(mine.length ? t("rights.notMemberOfNamedYours", { yours: yours(mine) }) : t("rights.notMemberOfNamed")),
  );
}

/** The words after `!rights` that open one part: the sections, the posting hours, everything. */
const PARTS = [...RIGHTS_SECTIONS, "hours", "all"] as const;
const sectionList = () => listOf(PARTS.filter((p) => p !== "all").map((p) => command(`!rights ${p}`)));

/**
 * `!rights [section] [community]`: the short, easy-read summary (one line per part, with the
 * command that opens it), or one part in full; by DM when asked in a shared room.
 */
export function rightsCommand(app: CommunitiesApp): CommandSpec {
  return declare({
    name: "rights",
    params: [
      { name: "part", choices: PARTS, optional: true },
      { name: "community", optional: true },
    ],
    misfit: () => t("rights.rightsUsage", { sections: sectionList() }),
    summary: t("rights.cmdRightsSummary", { sections: command("!rights kept") }),
    details: t("rights.cmdRightsDetails", { sections: sectionList(), all: command("!rights all") }),
    topic: "community",
    audience: "everyone",
    run(ctx, { part, community }) {
      const found = communitiesFor(app, ctx, community);
      if (!Array.isArray(found)) return found;
      const replyTo = ctx.place === "dm" ? undefined : ("dm" as const);
      if (!found.length) return { outcome: "ok", reply: notAMember(ctx.crisisResources), replyTo };
      const reply = new Message();
      for (const c of found) {
        const text = currentRightsText(app, c, ctx.crisisResources);
        if (part === "hours") {
          reply.append(postingHoursBlock(c));
          continue;
        }
        if (part === "all") reply.append(text.message).append(postingHoursBlock(c));
        else if (part) reply.append(text.sections[part]);
        else reply.append(text.summary);
        reply.p(t("rights.version", { version: text.version }));
        const member = app.members.get(c.id, ctx.sender);
        if (member && !part) reply.p(t("rights.consentStatus", { community: c.name, status: describeConsent(latestDecision(app, c.id, ctx.sender), text.version, "you", c.timezone) }));
      }
      return { outcome: "ok", reply, replyTo };
    },
  });
}

/** `!rules`: the community's rules, where they were asked for. */
export function rulesCommand(app: CommunitiesApp): CommandSpec {
  return declare({
    name: "rules",
    params: [{ name: "community", optional: true }],
    misfit: () => t("rights.rulesUsage"),
    summary: t("rights.cmdRulesSummary"),
    details: t("rights.cmdRulesDetails"),
    topic: "community",
    audience: "everyone",
    run(ctx, { community }) {
      const found = communitiesFor(app, ctx, community);
      if (!Array.isArray(found)) return found;
      if (!found.length) return { outcome: "ok", reply: Message.of(t("rights.rulesNone")) };
      const reply = new Message();
      for (const c of found) reply.heading(t("rights.rulesOf", { community: c.name })).append(rulesBlock(c));
      return { outcome: "ok", reply };
    },
  });
}

const DECISIONS = { agree: "agreed", decline: "declined", withdraw: "withdrawn" } as const satisfies Record<string, ConsentDecision>;
const VERBS = Object.keys(DECISIONS) as Array<keyof typeof DECISIONS>;

const consentCommands = () => ({
  consent: command("!consent"),
  agree: command("!consent agree"),
  decline: command("!consent decline"),
  withdraw: command("!consent withdraw"),
  rights: command("!rights"),
});

/**
 * `!consent [agree|decline|withdraw] [community]`: a member's answer to the rights text,
 * recorded with the version they were shown. Every change is audited. Support never
 * depends on it.
 */
export function consentCommand(app: CommunitiesApp): CommandSpec {
  return declare({
    name: "consent",
    params: [
      { name: "verb", choices: VERBS, optional: true },
      { name: "community", optional: true },
    ],
    misfit: () => t("rights.consentOneCommunity"),
    summary: t("rights.cmdConsentSummary"),
    details: t("rights.cmdConsentDetails", { ...consentCommands(), help: command("!help"), page: command("!page") }),
    topic: "community",
    audience: "everyone",
    run(ctx, { verb, community }) {
      const replyTo = ctx.place === "dm" ? undefined : ("dm" as const);
      const decision = verb === undefined ? undefined : DECISIONS[verb];
      // A word that is neither a decision nor a community is most likely a mistyped decision.
      const word = community?.toLowerCase();
      if (verb === undefined && word !== undefined && !communityById(app.config().communities, word)) {
        const hint = closest(word, VERBS);
        throw new UsageError(hint ? t("rights.consentUnknownHint", { hint: command(hint) }) : t("rights.consentUnknown"));
      }
      const found = communitiesFor(app, ctx, community);
      if (!Array.isArray(found)) return { ...found, replyTo };
      const mine = found.filter((c) => app.members.get(c.id, ctx.sender));
      if (!mine.length) {
        if (ctx.community && isStaffOf(ctx.community, ctx.sender)) {
          return { outcome: "ok", reply: Message.of(t("rights.consentStaff", { community: ctx.community.name })), replyTo };
        }
        if (ctx.community) return { ...refused(Message.of(t("rights.consentNotMember", { community: ctx.community.name }))), replyTo };
        return { outcome: "ok", reply: notAMember(ctx.crisisResources), replyTo };
      }

      if (!decision) {
        const reply = new Message();
        for (const c of mine) {
          const text = currentRightsText(app, c, ctx.crisisResources);
          reply.p(t("rights.consentStatus", { community: c.name, status: describeConsent(latestDecision(app, c.id, ctx.sender), text.version, "you", c.timezone) }));
        }
        reply.p(t("rights.consentHint", consentCommands()));
        return { outcome: "ok", reply, replyTo };
      }
      if (mine.length > 1) {
        return { ...refused(Message.of(t("rights.consentWhich", { example: command(`!consent ${verb} ${mine[0].id}`), yours: yours(mine) }))), replyTo };
      }
      return { ...decide(app, ctx, mine[0], decision), replyTo };
    },
  });
}

function decide(app: CommunitiesApp, ctx: CommandContext, c: CommunityConfig, decision: ConsentDecision): CommandResult {
  const text = currentRightsText(app, c, ctx.crisisResources);
  const latest = latestDecision(app, c.id, ctx.sender);
  const community = c.name;
  if (latest?.decision === decision && latest.textVersion === text.version) {
    return { outcome: "ok", reply: Message.of(t("rights.consentAlready", { community, decision, date: time(latest.decidedAt, c.timezone, "date") })) };
  }
  if (decision === "withdrawn" && latest?.decision !== "agreed") {
    return { outcome: "ok", reply: Message.of(t("rights.consentNothingToWithdraw", { community })) };
  }
  const now = app.clock.now();
  app.consent.record(ctx.sender, text.version, decision, {}, now);
  const action = decision === "agreed" ? "consent.agree" : decision === "declined" ? "consent.decline" : "consent.withdraw";
  app.audit.append({ communityId: c.id, actor: ctx.sender, action, subject: ctx.sender, detail: `version ${text.version}` }, now);
  const reply = new Message();
  if (decision === "agreed") {
    reply
      .p(t("rights.consentThanks", { community, version: text.version, date: time(now, c.timezone, "date") }))
      .p(t("rights.consentThanksNext", { withdraw: command("!consent withdraw"), rights: command("!rights") }));
  } else {
    reply
      .p(decision === "declined" ? t("rights.consentDeclined", { community, version: text.version }) : t("rights.consentWithdrawn", { community }))
      .p(t("rights.consentStillSupport", { help: command("!help"), page: command("!page"), agree: command("!consent agree") }))
      .append(supportNow(ctx.crisisResources));
  }
  return { outcome: "ok", reply };
}

