import type { Text } from "../../messaging/message";
import { command, listOf, person, t, time } from "../../words";
import { joined } from "../../words/joined";

type Words = ReturnType<typeof t>;
import { describeDuration } from "../../kernel/durations";
import type { ContactChannel } from "./store/contacts";
import type { PersonPages } from "./store/pages";

/** A page the person sent: opened, repeated, who came and when, how it ended, their notes not shown yet. */
export function pageLine({ page, notes }: PersonPages["made"][number], zone: string): Words {
  const when = (ms: number) => time(ms, zone, "datetime");
  const s = page.state;
  const parts = [t("data.pageOpened", { id: page.id, when: when(s.openedAtMs) })];
  if (s.repeatCount > 0) parts.push(t("data.pageAgain", { n: s.repeatCount }));
  if (s.acknowledgedBy !== undefined && s.acknowledgedAtMs !== undefined) {
    parts.push(t("data.pageCame", { who: person(s.acknowledgedBy), after: describeDuration(s.acknowledgedAtMs - s.openedAtMs) }));
  }
  if (s.exhaustedAtMs !== undefined) parts.push(t("data.pageExhausted"));
  switch (s.status) {
    case "resolved":
      parts.push(
        s.resolvedBy === page.member
          ? t("data.pageClosedByYou", { when: when(s.resolvedAtMs ?? s.openedAtMs) })
          : t("data.pageClosedBy", { who: s.resolvedBy ? person(s.resolvedBy) : t("data.nobody"), when: when(s.resolvedAtMs ?? s.openedAtMs) }),
      );
      break;
    case "open":
      parts.push(t("data.pageOpen"));
      break;
    default:
      parts.push(t("data.pageNotClosed"));
  }
  if (notes.length) parts.push(t("data.pageNotes", { n: notes.length, notes: listOf(notes.map((n) => `“${n}”`)) }));
  return joined(parts);
}

/** Their own part in someone else's page, never whose page it was. */
export function involvedLine(p: PersonPages["involved"][number], zone: string): Words {
  const when = (ms: number) => time(ms, zone, "datetime");
  const parts = [t("data.involvedOpened", { id: p.pageId, when: when(p.openedAt) })];
  for (const a of p.asked) parts.push(t("data.involvedAsked", { when: when(a.at), step: a.step + 1 }));
  if (p.response) parts.push(t("data.involvedCame", { when: when(p.response.at), how: p.response.how === "command" ? command("!ack") : p.response.how }));
  if (p.acknowledgedFirst) parts.push(t("data.involvedFirst"));
  if (p.closed) parts.push(t("data.involvedClosed"));
  return joined(parts);
}

export function contactLines(own: ContactChannel[], admin: { email?: string; webhook?: boolean } | undefined, zone: string): Text[] {
  const when = (ms: number) => time(ms, zone, "datetime");
  const lines: Text[] = own.map((c) =>
    c.kind === "email"
      ? c.confirmedAt !== null
        ? t("data.contactEmail", { address: c.address ?? "", set: when(c.createdAt), confirmed: when(c.confirmedAt) })
        : t("data.contactEmailUnconfirmed", { address: c.address ?? "", set: when(c.createdAt) })
      : t("data.contactWebhook", { since: when(c.createdAt) }),
  );
  if (admin?.email) lines.push(t("data.contactAdminEmail", { address: admin.email, forgetme: command("!forgetme") }));
  if (admin?.webhook) lines.push(t("data.contactAdminWebhook"));
  return lines;
}
