import { AUDIT_LATEST_MAX, type AuditEntry, type AuditLog } from "../store/audit";
import { command, person, t, time, zone, type Value, type Words, type RichValue } from "../words";
import { Message } from "../messaging/message";
import { UsageError, type CommandSpec } from "./types";

export const AUDIT_DEFAULT = 20;

/**
 * `!audit [number]` in a staff room: the community's latest audit entries in plain words, with
 * times in the community's zone. Service-wide config changes are listed too, without their
 * details (which may concern other communities).
 */
export function auditCommand(app: { audit: Pick<AuditLog, "latest"> }): CommandSpec {
  return {
    name: "audit",
    usage: "!audit [number]",
    summary: t("audit.summary", { n: AUDIT_DEFAULT, max: AUDIT_LATEST_MAX }),
    details: t("audit.details"),
    audience: "staff",
    run(ctx, args) {
      const c = ctx.community;
      if (!c) throw new Error("internal: a staff command without its community");
      if (args.length > 1) throw new UsageError(t("audit.usage"));
      let n = AUDIT_DEFAULT;
      if (args.length === 1) {
        if (!/^\d+$/.test(args[0]) || Number(args[0]) < 1) throw new UsageError(t("audit.badNumber", { max: AUDIT_LATEST_MAX }));
        n = Number(args[0]);
      }
      const capped = Math.min(n, AUDIT_LATEST_MAX);
      const entries = [...app.audit.latest(c.id, capped), ...app.audit.latest(null, capped).filter((e) => e.action.startsWith("config."))]
        .sort((a, b) => b.id - a.id)
        .slice(0, capped);
      if (!entries.length) return { outcome: "ok", reply: Message.of(t("audit.empty", { community: c.name })) };
      const reply = new Message()
        .heading(t("audit.heading", { n: entries.length, community: c.name, zone: zone(c.timezone) }))
        .list(entries.map((e) => describeEntry(e, c.timezone)));
      if (n > AUDIT_LATEST_MAX) reply.p(t("audit.capped", { max: AUDIT_LATEST_MAX }));
      return { outcome: "ok", reply };
    },
  };
}

/** What each action reads as; `s` is the person it was done to. Keys written out for the catalogue test. */
const WORDS: Record<string, (s: Value) => Words> = {
  "member.add": (s) => t("audit.memberAdd", { s }),
  "member.remove": (s) => t("audit.memberRemove", { s }),
  "member.discharge": (s) => t("audit.memberDischarge", { s }),
  "member.sponsor": (s) => t("audit.memberSponsor", { s }),
  "member.left": () => t("audit.memberLeft"),
  "sponsor.request": () => t("audit.sponsorRequest"),
  "consent.agree": () => t("audit.consentAgree"),
  "consent.decline": () => t("audit.consentDecline"),
  "consent.withdraw": () => t("audit.consentWithdraw"),
  "consent.asked": (s) => t("audit.consentAsked", { s }),
  "page.open": () => t("audit.pageOpen"),
  "page.repeat": () => t("audit.pageRepeat"),
  "page.escalate": (s) => t("audit.pageEscalate", { s }),
  "page.exhausted": (s) => t("audit.pageExhausted", { s }),
  "page.ack": (s) => t("audit.pageAck", { s }),
  "page.resolve": (s) => t("audit.pageResolve", { s }),
  "crisis_meeting.call": () => t("audit.crisisMeeting"),
  "data.erased": () => t("audit.dataErased"),
  "config.reload": () => t("audit.configReload"),
  "config.refused": () => t("audit.configRefused"),
};

/** "closed their own page" reads better than "closed the page of" the same person. */
const OWN: Record<string, () => Words> = {
  "page.resolve": () => t("audit.pageResolveOwn"),
  "page.escalate": () => t("audit.pageEscalateOwn"),
  "page.exhausted": () => t("audit.pageExhaustedOwn"),
};

/** Actions whose words name the person they were about ({s}); for the others "(about …)" is added. */
const NAMES_SUBJECT = new Set(["member.add", "member.remove", "member.discharge", "member.sponsor", "consent.asked", "page.escalate", "page.exhausted", "page.ack", "page.resolve"]);

const who = (id: string): Value => (id === "carenet" ? t("audit.carenet") : person(id));

/** One entry as a line: when (in the community's zone), who, what, to whom, and the detail where it helps. */
export function describeEntry(e: AuditEntry, zoneName: string): Words & RichValue {
  const when = time(e.at, zoneName, "datetime");
  const actor = who(e.actor);
  if (e.communityId === null) return t("audit.line", { when, actor, what: (WORDS[e.action]?.(t("audit.someone")) ?? t("audit.other", { action: e.action })) as Value });
  if (e.action === "command.refused") return t("audit.refused", { when, actor, detail: e.detail ?? e.action });
  const other = e.subject && e.subject !== e.actor ? person(e.subject) : undefined;
  if (e.action.startsWith("command.")) {
    // The detail starts with what was run ("!rota approve ok"): show the subcommand when there is one.
    const name = e.action.slice("command.".length);
    const sub = e.detail?.startsWith(`!${name} `) ? e.detail.split(" ")[1] : undefined;
    const what = t("audit.ran", { command: command(sub && sub !== "ok" ? `!${name} ${sub}` : `!${name}`) });
    return other ? t("audit.lineAbout", { when, actor, what, subject: other }) : t("audit.line", { when, actor, what });
  }
  const own = e.subject === e.actor ? OWN[e.action] : undefined;
  const words = own ? own() : WORDS[e.action]?.(e.subject ? person(e.subject) : t("audit.someone"));
  const what: Value = words ? (words as Words & Value) : t("audit.other", { action: e.action });
  const about = other && !NAMES_SUBJECT.has(e.action) ? other : undefined;
  if (about && e.detail) return t("audit.lineAboutDetail", { when, actor, what, subject: about, detail: e.detail });
  if (about) return t("audit.lineAbout", { when, actor, what, subject: about });
  if (e.detail) return t("audit.lineDetail", { when, actor, what, detail: e.detail });
  return t("audit.line", { when, actor, what });
}
