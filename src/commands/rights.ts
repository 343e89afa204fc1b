import { currentRightsText, describeConsent, latestDecision, notAMember, utcDate } from "../communities/consent";
import type { CommunitiesApp } from "../communities/deps";
import { isStaffOrAdmin } from "../communities/roles";
import { postingHoursBlock, rulesBlock } from "../communities/rightsText";
import type { CommunityConfig } from "../config/types";
import { closest } from "../domain/words";
import type { ConsentDecision } from "../store/consent";
import { supportNow } from "./help";
import { Message } from "./message";
import { UsageError, type CommandContext, type CommandResult, type CommandSpec } from "./types";

/**
 * The communities a command is about: the one whose room it was sent in, or — in a DM —
 * every configured community the sender has a membership record in (any status: someone
 * removed can still read their rights and withdraw). `wanted` narrows to one id.
 */
function communitiesFor(app: CommunitiesApp, ctx: CommandContext, wanted: string | undefined): CommunityConfig[] | CommandResult {
  if (ctx.community) {
    if (wanted && wanted !== ctx.community.id) {
      return refused(`This room belongs to ${ctx.community.name}; ask about another community in your conversation with me.`);
    }
    return [ctx.community];
  }
  const mine = app.config().communities.filter((c) => app.members.get(c.id, ctx.sender));
  if (wanted === undefined) return mine;
  const one = mine.find((c) => c.id === wanted.toLowerCase());
  if (one) return [one];
  return refused(
    mine.length
      ? `You are not a member of a community called \`${wanted}\`. Yours: ${mine.map((c) => `\`${c.id}\` (${c.name})`).join(", ")}.`
      : `You are not a member of a community called \`${wanted}\`.`,
  );
}

/** `!rights [community]`: the full text, by DM when asked in a shared room. */
export function rightsCommand(app: CommunitiesApp): CommandSpec {
  return {
    name: "rights",
    usage: "!rights [community]",
    summary: "what this network is, what carenet keeps about you, who can see it and your choices",
    details: "The full text every member is sent when they join, with the version your answer is recorded against. Asked in a shared room, it comes to you by direct message.",
    topic: "community",
    audience: "everyone",
    run(ctx, args) {
      if (args.length > 1) throw new UsageError("`!rights` takes at most a community's id.");
      const found = communitiesFor(app, ctx, args[0]);
      if (!Array.isArray(found)) return found;
      const replyTo = ctx.place === "dm" ? undefined : ("dm" as const);
      if (!found.length) return { outcome: "ok", reply: notAMember(ctx.crisisResources), replyTo };
      const reply = new Message();
      for (const c of found) {
        const text = currentRightsText(app, c, ctx.crisisResources);
        reply.append(text.message).append(postingHoursBlock(c)).p(`(Version ${text.version}.)`);
        const member = app.members.get(c.id, ctx.sender);
        if (member) reply.p(`${describeConsent(latestDecision(app, c.id, ctx.sender), text.version, "you")}.`);
      }
      return { outcome: "ok", reply, replyTo };
    },
  };
}

/** `!rules`: the community's rules, where they were asked for. */
export function rulesCommand(app: CommunitiesApp): CommandSpec {
  return {
    name: "rules",
    usage: "!rules [community]",
    summary: "the community's rules",
    details: "In a community's room, that community's rules; in a direct conversation with me, the rules of each community you belong to (or name one).",
    topic: "community",
    audience: "everyone",
    run(ctx, args) {
      if (args.length > 1) throw new UsageError("`!rules` takes at most a community's id.");
      const found = communitiesFor(app, ctx, args[0]);
      if (!Array.isArray(found)) return found;
      if (!found.length) {
        return { outcome: "ok", reply: Message.of("You are not a member of a community on carenet, so there are no rules to show you.") };
      }
      const reply = new Message();
      for (const c of found) reply.heading(`The rules of ${c.name}:`).append(rulesBlock(c));
      return { outcome: "ok", reply };
    },
  };
}

const DECISIONS: Record<string, ConsentDecision> = { agree: "agreed", decline: "declined", withdraw: "withdrawn" };

/**
 * `!consent [agree|decline|withdraw] [community]`: a member's answer to the rights text,
 * recorded with the version they were shown. Every change is audited. Support never
 * depends on it.
 */
export function consentCommand(app: CommunitiesApp): CommandSpec {
  return {
    name: "consent",
    usage: "!consent [agree|decline|withdraw] [community]",
    summary: "your answer to the rights text: see it, agree, decline or withdraw",
    details:
      "`!consent` shows your answer. `!consent agree` agrees to the current text (`!rights` shows it); `!consent decline` does not; " +
      "`!consent withdraw` takes back an agreement. Without your agreement nothing optional (check-ins, the rota) is recorded about you, " +
      "and `!help` and `!page` always work. Asked in a shared room, the answer comes to you by direct message.",
    topic: "community",
    audience: "everyone",
    run(ctx, args) {
      const replyTo = ctx.place === "dm" ? undefined : ("dm" as const);
      const verb = args[0]?.toLowerCase();
      const decision = verb === undefined ? undefined : DECISIONS[verb];
      const rest = decision ? args.slice(1) : args;
      if (rest.length > 1) throw new UsageError("Name at most one community.");
      if (verb !== undefined && !decision && !app.config().communities.some((c) => c.id === verb)) {
        const hint = closest(verb, Object.keys(DECISIONS));
        throw new UsageError(`\`${args[0]}\` is not an answer I know${hint ? ` — did you mean \`${hint}\`?` : ": say `agree`, `decline` or `withdraw`."}`);
      }
      const found = communitiesFor(app, ctx, rest[0]);
      if (!Array.isArray(found)) return { ...found, replyTo };
      const mine = found.filter((c) => app.members.get(c.id, ctx.sender));
      if (!mine.length) {
        if (ctx.community && isStaffOrAdmin(ctx.community, ctx.sender)) {
          return { outcome: "ok", reply: Message.of(`Consent is asked of the members of ${ctx.community.name}; as its staff you are not asked.`), replyTo };
        }
        if (ctx.community) {
          return { ...refused(`You are not a member of ${ctx.community.name}, so there is nothing for you to agree to here.`), replyTo };
        }
        return { outcome: "ok", reply: notAMember(ctx.crisisResources), replyTo };
      }

      if (!decision) {
        const reply = new Message();
        for (const c of mine) {
          const text = currentRightsText(app, c, ctx.crisisResources);
          reply.p(`${c.name}: ${describeConsent(latestDecision(app, c.id, ctx.sender), text.version, "you")}.`);
        }
        reply.p("`!rights` shows the text; `!consent agree`, `!consent decline` or `!consent withdraw` change your answer.");
        return { outcome: "ok", reply, replyTo };
      }
      if (mine.length > 1) {
        return {
          ...refused(`You are in more than one community: say which, e.g. \`!consent ${verb} ${mine[0].id}\`. Yours: ${mine.map((c) => `\`${c.id}\` (${c.name})`).join(", ")}.`),
          replyTo,
        };
      }
      return { ...decide(app, ctx, mine[0], decision), replyTo };
    },
  };
}

function decide(app: CommunitiesApp, ctx: CommandContext, c: CommunityConfig, decision: ConsentDecision): CommandResult {
  const text = currentRightsText(app, c, ctx.crisisResources);
  const latest = latestDecision(app, c.id, ctx.sender);
  if (latest?.decision === decision && latest.textVersion === text.version) {
    return { outcome: "ok", reply: Message.of(`Your answer for ${c.name} is already recorded (${decision} on ${utcDate(latest.decidedAt)}); nothing changed.`) };
  }
  if (decision === "withdrawn" && latest?.decision !== "agreed") {
    return {
      outcome: "ok",
      reply: Message.of(`You have not agreed to ${c.name}'s text, so there is nothing to withdraw: nothing optional is recorded about you.`),
    };
  }
  const now = app.clock.now();
  app.consent.record(ctx.sender, text.version, decision, {}, now);
  const action = decision === "agreed" ? "consent.agree" : decision === "declined" ? "consent.decline" : "consent.withdraw";
  app.audit.append({ communityId: c.id, actor: ctx.sender, action, subject: ctx.sender, detail: `version ${text.version}` }, now);
  const reply = new Message();
  if (decision === "agreed") {
    reply
      .p(`Thank you. I have recorded that you agree to ${c.name}'s text (version ${text.version}) on ${utcDate(now)}.`)
      .p("You can take it back at any time with `!consent withdraw`; `!rights` shows the text again.");
  } else {
    reply
      .p(
        decision === "declined"
          ? `I have recorded that you do not agree to ${c.name}'s text (version ${text.version}).`
          : `I have recorded that you withdraw your agreement to ${c.name}'s text. From now on nothing optional is recorded about you.`,
      )
      .p("Nothing optional (check-ins, the rota) is recorded about you. You can still read and post, and `!help` and `!page` always work. `!consent agree` if you change your mind.")
      .append(supportNow(ctx.crisisResources));
  }
  return { outcome: "ok", reply };
}

function refused(text: string): CommandResult {
  return { outcome: "refused", reply: Message.of(text) };
}
