import type { CarenetConfig } from "../../../config/types";
import { exportMessages, onlyAuditRemains, type PersonData } from "../export";
import { FORGOTTEN, type DataService } from "../service";
import { BOOKKEEPING_DAYS } from "../../../config/retention";
import { command, listOf, t, time } from "../../../words";
import { describeDuration } from "../../../kernel/durations";
import type { Effects } from "../../../messaging/effects";
import { supportNow } from "../../../messaging/support";
import { Message } from "../../../messaging/message";
import { UsageError, type CommandResult, type CommandSpec } from "../../../commands/types";
import { communityById } from "../../../config/communities";

/** How long a `!forgetme` waits for `!forgetme confirm`. */
export const CONFIRM_WITHIN_MS = 10 * 60 * 1000;

export interface DataCommandDeps {
  service: DataService;
  effects: Effects;
  config: () => CarenetConfig;
}

/**
 * `!mydata`: everything carenet keeps about the sender, only ever by direct message (asked
 * in a shared room, the room sees only the ✅). A long export comes in several messages;
 * the reply is the last of them.
 */
export function mydataCommand(d: DataCommandDeps): CommandSpec {
  return {
    name: "mydata",
    usage: "!mydata",
    summary: t("data.mydataSummary"),
    details: t("data.mydataDetails"),
    audience: "everyone",
    run(ctx, args) {
      if (args.length) throw new UsageError(t("data.mydataUsage", { command: command("!mydata") }));
      const parts = exportMessages(d.service.collect(ctx.sender), d.config(), ctx.now);
      parts.slice(0, -1).forEach((part, i) => d.effects.tell(ctx.sender, part, `mydata:${ctx.eventId}:${i + 1}`));
      return { outcome: "ok", reply: parts[parts.length - 1], replyTo: "dm" };
    },
  };
}

const FORGET = { forgetme: command("!forgetme"), confirm: command("!forgetme confirm"), cancel: command("!forgetme cancel") };

/**
 * `!forgetme`, then `!forgetme confirm` within ten minutes: erases what carenet keeps about
 * the sender (see DataService.erase). `!forgetme cancel` withdraws the request. Replies
 * only by direct message. Its first line says what matters most at 2 am: confirming also
 * stops `!page` from this account reaching the people on call.
 */
export function forgetmeCommand(d: DataCommandDeps): CommandSpec {
  return {
    name: "forgetme",
    usage: "!forgetme [confirm|cancel]",
    summary: t("data.forgetSummary"),
    details: t("data.forgetDetails", FORGET),
    audience: "everyone",
    run(ctx, args) {
      const verb = args[0]?.toLowerCase();
      if (args.length > 1 || (verb !== undefined && verb !== "confirm" && verb !== "cancel")) {
        throw new UsageError(t("data.forgetUsage", FORGET));
      }
      // In a direct conversation the answer goes straight back into it: by the time it is
      // queued, an erasure has already made carenet forget that the room is theirs.
      const dm = (r: CommandResult): CommandResult => (ctx.place === "dm" ? r : { ...r, replyTo: "dm" });
      const requests = d.service.stores.requests;
      const config = d.config();
      const zoneName = homeZone(config, d.service.collect(ctx.sender).memberships);

      if (verb === "cancel") {
        const had = requests.clear(ctx.sender);
        return dm({ outcome: "ok", reply: Message.of(t(had ? "data.cancelled" : "data.nothingToCancel")) });
      }

      const open = d.service.openPages(ctx.sender);
      if (open.length) {
        return dm({
          outcome: "refused",
          reply: Message.of(
            t("data.openPage", { pages: listOf(open.map((p) => t("data.pageNumber", { id: p.id }))), resolve: command("!resolve"), forgetme: command("!forgetme") }),
          ).append(supportNow(ctx.crisisResources)),
        });
      }

      const data = d.service.collect(ctx.sender);
      if (verb === undefined) {
        if (onlyAuditRemains(data)) {
          return dm({ outcome: "ok", reply: Message.of(t("data.keepsNothing")).list(whatStays(data.audit.length, data, config, "done")) });
        }
        const request = requests.ask(ctx.sender, ctx.now, ctx.now + CONFIRM_WITHIN_MS);
        const member = data.memberships.some((m) => m.status !== "removed");
        const reply = new Message()
          .p(member ? t("data.firstLine", { page: command("!page") }) : t("data.firstLineNoMember"))
          .p(t("data.asked"))
          .list(whatGoes(data, config))
          .p(t("data.wouldStay"))
          .list(whatStays(data.audit.length, data, config, "asked"))
          .p(
            t("data.confirmBy", {
              ...FORGET,
              within: describeDuration(CONFIRM_WITHIN_MS),
              until: time(request.expiresAt, zoneName, "time"),
              mydata: command("!mydata"),
            }),
          )
          .append(supportNow(ctx.crisisResources));
        return dm({ outcome: "ok", reply });
      }

      // confirm
      const request = requests.get(ctx.sender);
      if (!request || request.expiresAt <= ctx.now) {
        if (request) requests.clear(ctx.sender);
        return dm({
          outcome: "refused",
          reply: Message.of(request ? t("data.lapsed", { when: time(request.expiresAt, zoneName, "day"), forgetme: command("!forgetme") }) : t("data.noRequest", { forgetme: command("!forgetme") })),
        });
      }
      const report = d.service.erase(ctx.sender, `data.erased:${ctx.eventId}`, ctx.now);
      const reply = Message.of(t("data.done")).list(whatGoes(data, config));
      reply.p(t("data.stays")).list(whatStays(report.auditKept, data, config, "done"));
      if (report.conversations.length) reply.p(t("data.leaving"));
      return dm({ outcome: "ok", reply: reply.append(supportNow(ctx.crisisResources)) });
    },
  };
}

/** The zone of the first community someone belongs to, else UTC: where their times are told. */
function homeZone(config: CarenetConfig, memberships: PersonData["memberships"]): string {
  for (const m of memberships) {
    const c = communityById(config.communities, m.communityId);
    if (c) return c.timezone;
  }
  return "UTC";
}

type W = ReturnType<typeof t>;

/** What an erasure removes, as plain items (empty kinds left out). */
function whatGoes(d: PersonData, config: CarenetConfig): W[] {
  const name = (id: string) => communityById(config.communities, id)?.name ?? id;
  const items: W[] = [];
  for (const m of d.memberships) items.push(t("data.goesMembership", { community: name(m.communityId) }));
  if (d.consent.length) items.push(t("data.goesConsent", { n: d.consent.length }));
  if (d.leftRooms.length) items.push(t("data.goesLeft", { n: d.leftRooms.length }));
  const answers = d.checkins.reduce((s, c) => s + c.answers.length, 0);
  const prompts = d.checkins.reduce((s, c) => s + c.prompts.sent, 0);
  if (d.checkins.length) items.push(t("data.goesCheckins", { answers, prompts }));
  const entries = d.rota.entries.filter((e) => e.userId === d.userId || e.coveredUserId === d.userId).length;
  if (entries) items.push(t("data.goesRota", { n: entries }));
  if (d.rota.breaks.length) items.push(t("data.goesBreaks", { n: d.rota.breaks.length }));
  const pages = d.pages.made.length + d.pages.involved.length + d.pages.meetingsCalled.length + d.pages.meetingsInvited.length;
  if (pages) items.push(t("data.goesPages", { n: pages, forgotten: FORGOTTEN }));
  if (d.conversations.length) items.push(t("data.goesConversations"));
  if (d.forgetRequest) items.push(t("data.goesRequest"));
  return items;
}

/**
 * What an erasure leaves, and why: asked (before confirming; the erasure will add an entry
 * to the audit log) or done. `auditEntries` counts the audit log's entries about them.
 */
function whatStays(auditEntries: number, d: Pick<PersonData, "memberships" | "userId">, config: CarenetConfig, stage: "asked" | "done"): W[] {
  const mydata = command("!mydata");
  const items: W[] = [
    stage === "asked" ? t("data.staysAuditAsked", { n: auditEntries + 1, mydata }) : t("data.staysAudit", { n: auditEntries, mydata }),
    t("data.staysBookkeeping", { days: BOOKKEEPING_DAYS }),
    t("data.staysRooms"),
  ];
  for (const m of d.memberships.filter((x) => x.status !== "removed")) {
    const c = communityById(config.communities, m.communityId);
    if (!c) continue;
    items.push(t(stage === "asked" ? "data.staysMemberAsked" : "data.staysMember", { community: c.name, page: command("!page") }));
  }
  for (const c of config.communities.filter((x) => x.staff.includes(d.userId) || x.admins.includes(d.userId))) {
    items.push(t("data.staysStaff", { role: c.admins.includes(d.userId) ? "admin" : "staff", community: c.name }));
  }
  return items;
}
