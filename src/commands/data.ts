import { utcTime } from "../communities/consent";
import type { CarenetConfig } from "../config/types";
import { exportMessages, onlyAuditRemains, type PersonData } from "../rights/export";
import { FORGOTTEN, type DataService } from "../rights/service";
import { BOOKKEEPING_DAYS, daysWord } from "../rights/settings";
import { describeDuration } from "../domain/escalation";
import type { Effects } from "./effects";
import { supportNow } from "./help";
import { Message } from "./message";
import { UsageError, type CommandResult, type CommandSpec } from "./types";

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
    summary: "everything carenet keeps about you, sent to you privately",
    details:
      "Your memberships and roles, your sponsor, your answers to the rights text, your check-ins and plan (with your notes), " +
      "your rota shifts and breaks, the pages you sent or helped with, the rooms you left, and the audit log's entries about you. " +
      "It always comes by direct message, wherever you ask.",
    audience: "everyone",
    run(ctx, args) {
      if (args.length) throw new UsageError("`!mydata` takes nothing more.");
      const parts = exportMessages(d.service.collect(ctx.sender), d.config(), ctx.now);
      parts.slice(0, -1).forEach((part, i) => d.effects.tell(ctx.sender, part, `mydata:${ctx.eventId}:${i + 1}`));
      return { outcome: "ok", reply: parts[parts.length - 1], replyTo: "dm" };
    },
  };
}

/**
 * `!forgetme`, then `!forgetme confirm` within ten minutes: erases what carenet keeps about
 * the sender (see DataService.erase). `!forgetme cancel` withdraws the request. Replies
 * only by direct message.
 */
export function forgetmeCommand(d: DataCommandDeps): CommandSpec {
  return {
    name: "forgetme",
    usage: "!forgetme [confirm|cancel]",
    summary: "erase what carenet keeps about you (it asks you to confirm first)",
    details:
      "`!forgetme` says what would be erased and what stays, and asks you to send `!forgetme confirm` within 10 minutes. " +
      "The audit log of what staff and carenet did is never erased. If you are a member, staff are told that you asked to leave. " +
      "It always answers by direct message.",
    audience: "everyone",
    run(ctx, args) {
      const verb = args[0]?.toLowerCase();
      if (args.length > 1 || (verb !== undefined && verb !== "confirm" && verb !== "cancel")) {
        throw new UsageError("Send `!forgetme` on its own, then `!forgetme confirm` to go ahead (or `!forgetme cancel`).");
      }
      // In a direct conversation the answer goes straight back into it: by the time it is
      // queued, an erasure has already made carenet forget that the room is theirs.
      const dm = (r: CommandResult): CommandResult => (ctx.place === "dm" ? r : { ...r, replyTo: "dm" });
      const requests = d.service.stores.requests;

      if (verb === "cancel") {
        const had = requests.clear(ctx.sender);
        return dm({ outcome: "ok", reply: Message.of(had ? "Cancelled: nothing was erased." : "There was no request to cancel; nothing was erased.") });
      }

      const open = d.service.openPages(ctx.sender);
      if (open.length) {
        return dm({
          outcome: "refused",
          reply: Message.of(
            `A page you are part of is not closed yet (${open.map((p) => `page ${p.id}`).join(", ")}). ` +
              "Nothing can be erased while it is open: it needs your name to reach you. Once it is closed — `!resolve` closes it — send `!forgetme` again.",
          ).append(supportNow(ctx.crisisResources)),
        });
      }

      const data = d.service.collect(ctx.sender);
      const config = d.config();
      if (verb === undefined) {
        if (onlyAuditRemains(data)) {
          return dm({
            outcome: "ok",
            reply: new Message().p("carenet keeps nothing about you that it could erase. What it does keep:").list(whatStays(data.audit.length, data, config, "done")),
          });
        }
        const request = requests.ask(ctx.sender, ctx.now, ctx.now + CONFIRM_WITHIN_MS);
        const reply = new Message()
          .p("You asked carenet to forget you. This would erase, in every community:")
          .list(whatGoes(data, config))
          .p("What would stay, and why:")
          .list(whatStays(data.audit.length, data, config, "asked"))
          .p(
            `It cannot be undone. To go ahead, send \`!forgetme confirm\` within ${describeDuration(CONFIRM_WITHIN_MS)} (until ${utcTime(request.expiresAt)}). ` +
              "To keep everything, do nothing, or send `!forgetme cancel`. `!mydata` sends you a copy first, if you want one.",
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
          reply: Message.of(
            request
              ? `Your request lapsed at ${utcTime(request.expiresAt)}; nothing was erased. Send \`!forgetme\` again if you still want this.`
              : "There is no request to confirm; nothing was erased. Send `!forgetme` first: it says what would be erased.",
          ),
        });
      }
      const report = d.service.erase(ctx.sender, `data.erased:${ctx.eventId}`, ctx.now);
      const reply = new Message().p("Done: carenet has erased what it kept about you:").list(whatGoes(data, config));
      reply.p("What stays, and why:").list(whatStays(report.auditKept, data, config, "done"));
      if (report.conversations.length) {
        reply.p(
          "I will leave our conversation once this message is sent: carenet no longer knows it. Your Matrix client keeps what we said. " +
            "To talk to me again, start a new chat with me.",
        );
      }
      return dm({ outcome: "ok", reply: reply.append(supportNow(ctx.crisisResources)) });
    },
  };
}

/** What an erasure removes, as plain items (empty kinds left out). */
function whatGoes(d: PersonData, config: CarenetConfig): string[] {
  const name = (id: string) => config.communities.find((c) => c.id === id)?.name ?? id;
  const n = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
  const items: string[] = [];
  for (const m of d.memberships) items.push(`your membership of ${name(m.communityId)}: your role, your sponsor, who added you and when`);
  if (d.consent.length) items.push(`your ${n(d.consent.length, "answer")} to the rights text`);
  if (d.leftRooms.length) items.push(`the ${n(d.leftRooms.length, "room")} you left on your own (if staff ever add you again, you would be invited to ${d.leftRooms.length === 1 ? "it" : "them"})`);
  const answers = d.checkins.reduce((s, c) => s + c.answers.length, 0);
  const prompts = d.checkins.reduce((s, c) => s + c.prompts.sent, 0);
  if (d.checkins.length) {
    items.push(`your check-ins: ${n(answers, "answer")} with your notes, ${n(prompts, "prompt")} sent to you, your plan and its history, who was told about a check-in`);
  }
  const entries = d.rota.entries.filter((e) => e.userId === d.userId || e.coveredUserId === d.userId).length;
  if (entries) items.push(`your ${n(entries, "rota entry", "rota entries")}: a shift you hold ends now, and staff are told it is uncovered (not why)`);
  if (d.rota.breaks.length) items.push(`your ${n(d.rota.breaks.length, "break")} from the rota`);
  const pages = d.pages.made.length + d.pages.involved.length + d.pages.meetingsCalled.length + d.pages.meetingsInvited.length;
  if (pages) {
    items.push(`your name on ${n(pages, "page or crisis meeting", "pages and crisis meetings")}: they keep their times and counts for the contact digest, and say “${FORGOTTEN}” instead`);
  }
  if (d.conversations.length) items.push("which room is our conversation, and carenet's copies of the messages it sent you");
  if (d.forgetRequest) items.push("this request");
  return items;
}

/**
 * What an erasure leaves, and why: asked (before confirming; the erasure will add an entry
 * to the audit log) or done. `auditEntries` counts the audit log's entries about them.
 */
function whatStays(auditEntries: number, d: Pick<PersonData, "memberships" | "userId">, config: CarenetConfig, stage: "asked" | "done"): string[] {
  const entries = auditEntries + (stage === "asked" ? 1 : 0);
  const items = [
    `The audit log: ${entries} ${entries === 1 ? "entry" : "entries"} about you` +
      (stage === "asked" ? ", with one saying that you asked for this" : "") +
      ". It is append-only by design and never deleted: it is the record of what staff and carenet did (who added you, your answers to the rights text, pages), " +
      "so that staff stay accountable. It never holds what anyone wrote; `!mydata` shows these entries.",
    `For up to ${daysWord(BOOKKEEPING_DAYS)}: that your recent messages reached carenet (never what they said), so none is handled twice, and messages to you still on their way.`,
    "What was said in rooms, including support rooms: the Matrix homeserver keeps it, not carenet; its admins can tell you more.",
  ];
  for (const m of d.memberships.filter((x) => x.status !== "removed")) {
    const c = config.communities.find((x) => x.id === m.communityId);
    if (!c) continue;
    items.push(
      `${c.name}: its staff ${stage === "asked" ? "will be" : "have been"} told that you asked to leave. Taking you out of its rooms is their decision; until then you can still read and post there. ` +
        (stage === "asked"
          ? "carenet would no longer count you as a member, so `!page` would give you the crisis numbers but not reach the people on call."
          : "carenet no longer counts you as a member, so `!page` gives you the crisis numbers but does not reach the people on call."),
    );
  }
  for (const c of config.communities.filter((x) => x.staff.includes(d.userId) || x.admins.includes(d.userId))) {
    items.push(`You are ${c.admins.includes(d.userId) ? "an admin" : "staff"} of ${c.name} in carenet's configuration: that stays until its admins change it.`);
  }
  return items;
}
