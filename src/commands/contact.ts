import type { CarenetConfig } from "../config/types";
import { CONTACT_CODE_JOB, type OffMatrix } from "../paging/offMatrix/service";
import type { ContactsStore } from "../store/contacts";
import type { Effects } from "./effects";
import { Message } from "./message";
import { UsageError, type CommandResult, type CommandSpec } from "./types";

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
    summary: "how carenet can reach you off Matrix (email, webhook) when you are asked to a page",
    details:
      "When a page reaches its last step (or a Matrix message to you fails), carenet can also email you, or call your community's " +
      "webhook (an SMS or paging gateway). The message names nobody and carries no note: only \"a member of <community> needs support — open your Matrix app\", " +
      "the page number and a link. `!contact email you@example.org` sends a 6-digit code to that address; `!contact confirm 123456` " +
      "(within 24 hours) turns it on. `!contact webhook on` opts in to the webhook. `!contact remove email` takes an address back. " +
      "`!contact` alone shows what is set. Your addresses are in `!mydata` and erased by `!forgetme`.",
    topic: "page",
    audience: "everyone",
    run(ctx, args) {
      const reply = (r: CommandResult): CommandResult => (ctx.place === "dm" ? r : { ...r, replyTo: "dm" });
      if (ctx.place === "room" && args.length > 0) {
        // An address typed in a shared room is already seen by others: nothing is stored from there.
        return reply({ outcome: "refused", reply: Message.of("Please set your contact details in our direct conversation, not in a shared room: nothing was saved.") });
      }
      const [sub, value, ...rest] = args;
      if (rest.length > 0) throw new UsageError("Too many words.");
      const now = ctx.now;
      switch (sub?.toLowerCase()) {
        case undefined:
          return reply({ outcome: "ok", reply: describe(d, ctx.sender) });
        case "email": {
          if (!d.offMatrix.has("email")) return reply(refusedText("This carenet has no email set up (ask your community's admins)."));
          const address = value?.trim() ?? "";
          if (address.length > 254 || !EMAIL.test(address)) throw new UsageError(`"${(value ?? "").slice(0, 80)}" does not look like an email address.`);
          const code = d.contacts.proposeEmail(ctx.sender, address, now);
          d.effects.schedule({ kind: CONTACT_CODE_JOB, key: `contact.code:${ctx.sender}:${now}`, dueAt: now, payload: { to: address, code } });
          return reply({
            outcome: "ok",
            reply: new Message()
              .p(`I have sent a 6-digit code to ${address}. To turn it on, send \`!contact confirm CODE\` here within 24 hours.`)
              .p("Until then nothing else is sent there. Emails say only that a member of your community needs support, with the page number and a link: never who, never a note."),
          });
        }
        case "confirm": {
          if (!value) throw new UsageError("Which code? `!contact confirm 123456`.");
          const out = d.contacts.confirmEmail(ctx.sender, value, now);
          if (out === "confirmed") {
            const addr = d.contacts.confirmed(ctx.sender, "email")?.address;
            return reply({ outcome: "ok", reply: Message.of(`Thank you: when you are asked to come to a page at its last steps, I will also email ${addr}. \`!contact remove email\` stops it.`) });
          }
          if (out === "wrong") return reply(refusedText("That is not the code I sent. Please check the email and try again."));
          if (out === "expired") return reply(refusedText("That code has expired (or too many wrong codes were tried). Send `!contact email ADDRESS` again for a new one."));
          return reply(refusedText("There is no address waiting for a code. Send `!contact email ADDRESS` first."));
        }
        case "webhook": {
          const v = value?.toLowerCase();
          if (v !== "on" && v !== "off") throw new UsageError("`!contact webhook on` or `!contact webhook off`.");
          if (v === "on" && !d.offMatrix.has("webhook")) return reply(refusedText("This carenet has no webhook set up (ask your community's admins)."));
          d.contacts.setWebhook(ctx.sender, v === "on", now);
          return reply({
            outcome: "ok",
            reply: Message.of(
              v === "on"
                ? "Done: when you are asked to come to a page at its last steps, your community's webhook (an SMS or paging gateway) is told too, with your Matrix id and the page number only."
                : "Done: the webhook is no longer told about pages for you.",
            ),
          });
        }
        case "remove": {
          const kind = value?.toLowerCase();
          if (kind !== "email" && kind !== "webhook") throw new UsageError("`!contact remove email` or `!contact remove webhook`.");
          const removed = d.contacts.remove(ctx.sender, kind);
          return reply({ outcome: "ok", reply: Message.of(removed ? `Removed: I no longer keep your ${kind === "email" ? "email address" : "webhook choice"}.` : `You had no ${kind} set.`) });
        }
        default:
          throw new UsageError("`!contact`, `!contact email ADDRESS`, `!contact confirm CODE`, `!contact webhook on|off` or `!contact remove email|webhook`.");
      }
    },
  };
}

function refusedText(text: string): CommandResult {
  return { outcome: "refused", reply: Message.of(text) };
}

function describe(d: ContactCommandDeps, userId: string): Message {
  const m = new Message().heading("How carenet can reach you off Matrix when you are asked to come to a page:");
  const lines: string[] = [];
  for (const c of d.contacts.of(userId)) {
    if (c.kind === "email") lines.push(c.confirmedAt !== null ? `Email: ${c.address} (confirmed)` : `Email: ${c.address} (waiting for the code to be confirmed)`);
    else lines.push("Webhook: on");
  }
  const admin = d.config().off_matrix?.contacts?.find((c) => c.user === userId);
  if (admin?.email) lines.push(`Email set by an admin in the configuration: ${admin.email} (ask them to change it)`);
  if (admin?.webhook) lines.push("Webhook: on (set by an admin in the configuration)");
  if (lines.length === 0) lines.push("Nothing: only Matrix.");
  m.list(lines);
  const offered = [d.offMatrix.has("email") ? "email" : "", d.offMatrix.has("webhook") ? "webhook" : ""].filter(Boolean);
  m.p(offered.length ? `Offered here: ${offered.join(" and ")}. \`!help contact\` says how.` : "This carenet has no off-Matrix channel set up.");
  return m;
}
