import type { CarenetConfig } from "../../../config/types";
import { CONTACT_CODE_JOB, type OffMatrix } from "../offMatrix/service";
import type { ContactsStore } from "../store/contacts";
import type { Effects } from "../../../messaging/effects";
import { command, listOf, t, type Words } from "../../../words";
import { Message } from "../../../messaging/message";
import { refused } from "../../../messaging/outcome";
import { UsageError, type CommandResult, type CommandSpec } from "../../../commands/types";

export interface ContactCommandDeps {
  contacts: ContactsStore;
  offMatrix: OffMatrix;
  effects: Effects;
  config: () => CarenetConfig;
}

const EMAIL = /^[^@\s<>"'`,;]{1,64}@[^@\s<>"'`,;]+\.[^@\s<>"'`,;]{2,}$/;

/**
 * `!contact`: the off-Matrix ways a person who may be asked to come to a page can be
 * reached, set by themselves. An email address counts only after the code emailed to it is
 * sent back (`!contact confirm 123456`), so nobody can sign someone else's mailbox up. The
 * webhook (an SMS gateway, a paging app the community runs) needs no confirmation: it is
 * told only the person's Matrix id. Answered only in the direct conversation with carenet.
 */
export function contactCommand(d: ContactCommandDeps): CommandSpec {
  return {
    name: "contact",
    usage: "!contact [email ADDRESS | confirm CODE | webhook on|off]",
    summary: t("usage.contactSummary"),
    details: t("usage.contactDetails"),
    topic: "page",
    audience: "everyone",
    run(ctx, args) {
      const reply = (r: CommandResult): CommandResult => (ctx.place === "dm" ? r : { ...r, replyTo: "dm" });
      if (ctx.place === "room" && args.length > 0) {
        // An address typed in a shared room is already seen by others: nothing is stored from there.
        return reply({ outcome: "refused", reply: Message.of(t("contact.onlyInDm")) });
      }
      const [sub, value, ...rest] = args;
      if (rest.length > 0) throw new UsageError(t("contact.tooManyWords"));
      const now = ctx.now;
      switch (sub?.toLowerCase()) {
        case undefined:
          return reply({ outcome: "ok", reply: describe(d, ctx.sender) });
        case "email": {
          if (!d.offMatrix.has("email")) return reply(refused(t("contact.noEmail")));
          const address = value?.trim() ?? "";
          if (address.length > 254 || !EMAIL.test(address)) throw new UsageError(t("contact.notEmail"));
          const code = d.contacts.proposeEmail(ctx.sender, address, now);
          d.effects.schedule({ kind: CONTACT_CODE_JOB, key: `contact.code:${ctx.sender}:${now}`, dueAt: now, payload: { to: address, code, userId: ctx.sender } });
          return reply({
            outcome: "ok",
            reply: new Message()
              .p(t("contact.codeSent", { address, command: command("!contact confirm") }))
              .p(t("contact.codeSentPrivacy")),
          });
        }
        case "confirm": {
          if (!value) throw new UsageError(t("contact.whichCode", { command: command("!contact confirm 123456") }));
          const out = d.contacts.confirmEmail(ctx.sender, value, now);
          if (out === "confirmed") {
            const addr = d.contacts.confirmed(ctx.sender, "email")?.address;
            return reply({ outcome: "ok", reply: Message.of(t("contact.confirmed", { address: addr ?? "", command: command("!contact remove email") })) });
          }
          if (out === "wrong") return reply(refused(t("contact.wrongCode")));
          if (out === "expired") return reply(refused(t("contact.expiredCode", { command: command("!contact email") })));
          return reply(refused(t("contact.noneWaiting", { command: command("!contact email") })));
        }
        case "webhook": {
          const v = value?.toLowerCase();
          if (v !== "on" && v !== "off") throw new UsageError(t("contact.webhookForms", { on: command("!contact webhook on"), off: command("!contact webhook off") }));
          if (v === "on" && !d.offMatrix.has("webhook")) return reply(refused(t("contact.noWebhook")));
          d.contacts.setWebhook(ctx.sender, v === "on", now);
          return reply({
            outcome: "ok",
            reply: Message.of(v === "on" ? t("contact.webhookOn") : t("contact.webhookOff")),
          });
        }
        case "remove": {
          const kind = value?.toLowerCase();
          if (kind !== "email" && kind !== "webhook") throw new UsageError(t("contact.removeForms", { email: command("!contact remove email"), webhook: command("!contact remove webhook") }));
          const removed = d.contacts.remove(ctx.sender, kind);
          return reply({ outcome: "ok", reply: Message.of(removed ? t("contact.removed", { kind }) : t("contact.notSet", { kind })) });
        }
        default:
          throw new UsageError(
            t("contact.forms", {
              forms: listOf(["!contact", "!contact email ADDRESS", "!contact confirm CODE", "!contact webhook on|off", "!contact remove email|webhook"].map((c) => command(c)), "disjunction"),
            }),
          );
      }
    },
  };
}

function describe(d: ContactCommandDeps, userId: string): Message {
  const m = new Message().heading(t("contact.heading"));
  const lines: Words[] = [];
  for (const c of d.contacts.of(userId)) {
    if (c.kind === "email") lines.push(c.confirmedAt !== null ? t("contact.emailConfirmed", { address: c.address ?? "" }) : t("contact.emailWaiting", { address: c.address ?? "" }));
    else lines.push(t("contact.webhook"));
  }
  const admin = d.config().off_matrix?.contacts?.find((c) => c.user === userId);
  if (admin?.email) lines.push(t("contact.emailByAdmin", { address: admin.email }));
  if (admin?.webhook) lines.push(t("contact.webhookByAdmin"));
  if (lines.length === 0) lines.push(t("contact.nothing"));
  m.list(lines);
  const offered = (["email", "webhook"] as const).filter((channel) => d.offMatrix.has(channel)).map((channel) => t("contact.channel", { channel }));
  m.p(offered.length ? t("contact.offered", { channels: listOf(offered), command: command("!help contact") }) : t("contact.offeredNone"));
  return m;
}
