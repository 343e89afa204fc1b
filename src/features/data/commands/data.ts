import type { CarenetConfig } from "../../../config/types";
import { exportMessages, onlyAuditRemains, type PersonData } from "../export";
import { FORGOTTEN, type DataService } from "../service";
import { BOOKKEEPING_DAYS } from "../../../config/retention";
import { command, t, time } from "../../../words";
import { describeDuration } from "../../../kernel/durations";
import type { Effects } from "../../../messaging/effects";
import { supportNow } from "../../../messaging/support";
import { Message, type Text } from "../../../messaging/message";
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

      const held = d.service.holds(ctx.sender);
      if (held !== undefined) return dm({ outcome: "refused", reply: Message.of(held).append(supportNow(ctx.crisisResources)) });

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
          .list(whatGoes(data))
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
      const reply = Message.of(t("data.done")).list(whatGoes(data));
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
function whatGoes(d: PersonData): Text[] {
  return d.records.flatMap((r) => r.goes(FORGOTTEN));
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
