import type { CommunitiesApp } from "../deps";
import type { CommunityConfig } from "../../../config/types";
import { command, person, t } from "../../../words";
import { Message } from "../../../messaging/message";
import { UsageError, type CommandContext, type CommandResult, type CommandSpec } from "../../../commands/types";
import { declare } from "../../../commands/params";
import { communityById } from "../../../config/communities";

const CHOICES = { change: command("!sponsor change"), none: command("!sponsor none") };

/**
 * `!sponsor [change|none] [community]`: who a member's sponsor is and how to reach them,
 * and a way to ask for a different sponsor or none — nobody should have one they were
 * given without being asked. Staff are told in their staff room and decide there with
 * `!member sponsor`; the member is told what they decide. No reason is asked for or kept:
 * the request itself is in the audit log.
 */
export function sponsorCommand(app: CommunitiesApp): CommandSpec {
  return declare({
    name: "sponsor",
    params: [
      { name: "wants", choices: ["change", "none"], optional: true },
      { name: "community", optional: true },
    ],
    misfit: () => t("member.sponsorUsage", CHOICES),
    summary: t("member.sponsorCmdSummary"),
    details: t("member.sponsorCmdDetails", { sponsor: command("!sponsor"), ...CHOICES }),
    topic: "community",
    audience: "everyone",
    run(ctx, { wants, community }) {
      const replyTo = ctx.place === "dm" ? undefined : ("dm" as const);
      const word = community?.toLowerCase();
      if (!wants && word !== undefined && !communityById(app.config().communities, word)) {
        throw new UsageError(t("member.sponsorUsage", CHOICES));
      }
      const mine = communities(app, ctx, community);
      if (!mine.length) return { outcome: "ok", reply: Message.of(t("member.sponsorNotMember")), replyTo };
      if (!wants) {
        const reply = new Message();
        for (const c of mine) {
          const sponsor = app.members.get(c.id, ctx.sender)?.sponsor;
          reply.p(sponsor ? t("member.sponsorIs", { community: c.name, sponsor: person(sponsor) }) : t("member.sponsorNoneYet", { community: c.name }));
        }
        reply.p(t("member.sponsorOptions", CHOICES));
        return { outcome: "ok", reply, replyTo };
      }
      if (mine.length > 1) {
        return { outcome: "refused", reply: Message.of(t("member.sponsorWhich", { example: command(`!sponsor ${wants} ${mine[0].id}`) })), replyTo };
      }
      return { ...ask(app, ctx, mine[0], wants), replyTo };
    },
  });
}

/** The active memberships this is about: the room's community, or every one of theirs in a DM (or the one named). */
function communities(app: CommunitiesApp, ctx: CommandContext, wanted: string | undefined): CommunityConfig[] {
  const active = (c: CommunityConfig) => app.members.get(c.id, ctx.sender)?.status === "active";
  if (ctx.community) return active(ctx.community) ? [ctx.community] : [];
  return app.config().communities.filter((c) => active(c) && (wanted === undefined || c.id === wanted.toLowerCase()));
}

function ask(app: CommunitiesApp, ctx: CommandContext, c: CommunityConfig, wants: "change" | "none"): CommandResult {
  const member = app.members.get(c.id, ctx.sender)!;
  if (wants === "none" && member.sponsor === null) return { outcome: "ok", reply: Message.of(t("member.sponsorAlready", { community: c.name })) };
  const now = app.clock.now();
  app.audit.append({ communityId: c.id, actor: ctx.sender, action: "sponsor.request", subject: ctx.sender, detail: wants }, now);
  const staffRoom = app.rooms.get(c.id, "staff");
  if (staffRoom) {
    const decide = wants === "none" ? `!member sponsor ${ctx.sender} none` : `!member sponsor ${ctx.sender} @staff:${app.domain}`;
    app.effects.post(
      staffRoom.roomId,
      Message.of(
        t("member.sponsorStaffAsked", {
          user: person(ctx.sender),
          what: wants,
          sponsor: member.sponsor ? person(member.sponsor) : t("member.nobody"),
          yes: command(decide),
        }),
      ),
      `sponsor-request:${ctx.eventId}`,
    );
  }
  const reply = member.sponsor
    ? t("member.sponsorAsked", { community: c.name, what: wants, sponsor: person(member.sponsor) })
    : t("member.sponsorAskedNoSponsor", { community: c.name, what: wants });
  return { outcome: "ok", reply: Message.of(reply) };
}
