import { utcTime } from "../communities/consent";
import type { CommunitiesApp } from "../communities/deps";
import type { AuditEntry } from "../store/audit";
import { AUDIT_LATEST_MAX } from "../store/audit";
import { Message } from "./message";
import { UsageError, type CommandSpec } from "./types";

export const AUDIT_DEFAULT = 20;

/**
 * `!audit [number]` in a staff room: the community's latest audit entries in plain words, with
 * UTC times. Service-wide config changes are listed too, without their details (which
 * may concern other communities).
 */
export function auditCommand(app: Pick<CommunitiesApp, "audit">): CommandSpec {
  return {
    name: "audit",
    usage: "!audit [number]",
    summary: `the latest entries of the community's audit log (default ${AUDIT_DEFAULT}, at most ${AUDIT_LATEST_MAX})`,
    details:
      "Every staff command (done or refused), membership change, consent change and config reload is recorded, with who and when. " +
      "Nobody can change or delete an entry. Message content is never recorded.",
    audience: "staff",
    run(ctx, args) {
      if (!ctx.community) throw new Error("internal: a staff command without its community");
      if (args.length > 1) throw new UsageError("`!audit` takes at most one number.");
      let n = AUDIT_DEFAULT;
      if (args.length === 1) {
        if (!/^\d+$/.test(args[0]) || Number(args[0]) < 1) throw new UsageError(`\`${args[0]}\` is not a number of entries; give a whole number from 1 to ${AUDIT_LATEST_MAX}.`);
        n = Number(args[0]);
      }
      const capped = Math.min(n, AUDIT_LATEST_MAX);
      const entries = [
        ...app.audit.latest(ctx.community.id, capped),
        ...app.audit.latest(null, capped).filter((e) => e.action.startsWith("config.")),
      ]
        .sort((a, b) => b.id - a.id)
        .slice(0, capped);
      if (!entries.length) return { outcome: "ok", reply: Message.of(`The audit log of ${ctx.community.name} is empty.`) };
      const reply = new Message()
        .heading(`The latest ${entries.length === 1 ? "entry" : `${entries.length} entries`} of ${ctx.community.name}'s audit log, newest first (times in UTC):`)
        .list(entries.map(describeEntry));
      if (n > AUDIT_LATEST_MAX) reply.p(`(${AUDIT_LATEST_MAX} is the most I show at once.)`);
      return { outcome: "ok", reply };
    },
  };
}

/** What each action reads as; `{s}` is the person it was done to. */
const WORDS: Record<string, string> = {
  "member.add": "added {s} as a member",
  "member.remove": "removed {s} from the community",
  "member.discharge": "discharged {s} to the alumni",
  "member.sponsor": "changed the sponsor of {s}",
  "member.left": "left a room on their own",
  "consent.agree": "agreed to the rights text",
  "consent.decline": "declined the rights text",
  "consent.withdraw": "withdrew their agreement to the rights text",
  "consent.asked": "sent the rights text to {s}, to agree to or not",
  "page.open": "paged for support",
  "page.repeat": "paged again",
  "page.escalate": "asked the next people for the page of {s}",
  "page.exhausted": "could reach nobody for the page of {s}",
  "page.ack": "said they are coming to {s}",
  "page.resolve": "closed the page of {s}",
  "crisis_meeting.call": "called a crisis meeting",
  "data.erased": "asked carenet to erase what it kept about them, and it did",
  "config.reload": "reloaded the configuration",
  "config.refused": "refused a changed configuration that was not valid",
};

/** One entry as a line: when, who, what, to whom, and the detail where it helps. */
export function describeEntry(e: AuditEntry): string {
  const when = utcTime(e.at);
  if (e.communityId === null) return `${when} — ${e.actor} ${WORDS[e.action] ?? e.action}`;
  if (e.action === "command.refused") return `${when} — ${e.actor}: ${e.detail ?? "a command"}`;
  if (e.action.startsWith("command.")) {
    // The detail starts with what was run ("!rota approve ok"): show the subcommand when there is one.
    const name = e.action.slice("command.".length);
    const sub = e.detail?.startsWith(`!${name} `) ? e.detail.split(" ")[1] : undefined;
    const ran = sub && sub !== "ok" ? `!${name} ${sub}` : `!${name}`;
    return `${when} — ${e.actor} ran \`${ran}\`${e.subject && e.subject !== e.actor ? ` (about ${e.subject})` : ""}`;
  }
  // "closed their own page" reads better than "closed the page of" the same person.
  const words = e.subject === e.actor ? WORDS[e.action]?.replace("the page of {s}", "their own page") : WORDS[e.action];
  const subject = e.subject ?? "someone";
  const what = words ? words.replace("{s}", subject) : `${e.action}${e.subject && e.subject !== e.actor ? ` ${e.subject}` : ""}`;
  const about = words && !words.includes("{s}") && e.subject && e.subject !== e.actor ? ` (about ${e.subject})` : "";
  return `${when} — ${e.actor} ${what}${about}${e.detail ? ` (${e.detail})` : ""}`;
}
