import { checkinSettingsOf } from "../checkins/settings";
import { planLines } from "../checkins/words";
import { describeEntry as describeAuditEntry } from "./commands/audit";
import { Message, type Block, type Text } from "../../messaging/message";
import { entryWords, statusWords } from "../rota/words";
import { roomName } from "../communities/memberRooms";
import type { CarenetConfig, CommunityConfig } from "../../config/types";
import { answerLabel } from "../checkins/domain/checkins";
import { rhythmWords } from "../checkins/words";
import { describeDuration } from "../../kernel/durations";
import type { AuditEntry } from "../../store/audit";
import type { PersonCheckins } from "../checkins/store/checkins";
import type { ConsentRecord } from "../../ports/communities";
import type { ForgetRequest } from "./store/forgetRequests";
import type { LeftRoom, Member } from "../../ports/communities";
import type { PersonPages } from "../paging/store/pages";
import type { RotaBreak, RotaEntry } from "../rota/store/rota";
import type { PersonFeeds } from "../rota/store/calendarFeeds";
import type { ContactChannel } from "../paging/store/contacts";
import { BOOKKEEPING_DAYS } from "../../config/retention";
import { command, listOf, person, t, time, zone, type Value } from "../../words";
import { communityById } from "../../config/communities";

/** Everything carenet keeps about one person, as read from every store. */
export interface PersonData {
  userId: string;
  memberships: Member[];
  leftRooms: Array<LeftRoom & { communityId: string }>;
  consent: ConsentRecord[];
  checkins: PersonCheckins[];
  rota: { entries: RotaEntry[]; breaks: RotaBreak[] };
  pages: PersonPages;
  conversations: Array<{ roomId: string; createdAt: number }>;
  forgetRequest: ForgetRequest | undefined;
  /** The display name kept to address alerts to them (from their Matrix profile), if any. */
  displayName?: string;
  /** The language they chose with `!language`, if any. */
  language?: string;
  /** Audit entries whose subject is the person (never deleted). */
  audit: AuditEntry[];
  /** Off-Matrix addresses they set with `!contact` (optional for data built in tests). */
  contacts?: ContactChannel[];
  /** Their rota calendar links (`!rota calendar`), counted: the tokens are not kept (optional for data built in tests). */
  calendarFeeds?: PersonFeeds[];
  /** What an admin set for them in the configuration's off_matrix.contacts. */
  adminContact?: { email?: string; webhook?: boolean };
}

/** True when nothing is kept about the person but the audit log's entries. */
export function onlyAuditRemains(d: PersonData): boolean {
  return (
    d.memberships.length === 0 &&
    d.leftRooms.length === 0 &&
    d.consent.length === 0 &&
    d.checkins.length === 0 &&
    d.rota.entries.length === 0 &&
    d.rota.breaks.length === 0 &&
    d.pages.made.length === 0 &&
    d.pages.involved.length === 0 &&
    d.pages.meetingsCalled.length === 0 &&
    d.pages.meetingsInvited.length === 0 &&
    d.conversations.length === 0 &&
    (d.contacts ?? []).length === 0 &&
    (d.calendarFeeds ?? []).length === 0 &&
    d.forgetRequest === undefined
  );
}

/**
 * A Matrix event may hold 64 KiB; an export larger than this (plain text and HTML
 * together) is sent in several messages, each well inside that limit.
 */
export const EXPORT_PART_BYTES = 24_000;

/**
 * `!mydata`: everything in `d`, in plain words, grouped by community (what belongs to no
 * one community comes last). Only the person's own data is here: of other people's pages
 * they helped with, only their own part; other people appear only where they acted on
 * the person's own record (who added them, who came to their page, who was told about
 * their check-in). Returned as one or more messages, in order.
 */
export function exportMessages(d: PersonData, config: CarenetConfig, now: number): Message[] {
  const ids = communityIds(d);
  const zoneOf = (id: string) => communityById(config.communities, id)?.timezone ?? "UTC";
  // What belongs to no one community is dated in the zone of the first community they belong to.
  const home = d.memberships.length ? zoneOf(d.memberships[0].communityId) : ids.length ? zoneOf(ids[0]) : "UTC";
  const zones = [...new Set([home, ...ids.map(zoneOf)])];
  const blocks = new Message();
  blocks.heading(t("data.heading", { user: person(d.userId), when: time(now, home, "datetime") }));
  blocks.p(t("data.intro", { zone: listOf(zones.map((z) => zone(z))) }));

  for (const id of ids) {
    const c = communityById(config.communities, id);
    blocks.append(communitySection(d, id, c));
  }
  const general = generalSection(d, home);
  if (general.blocks.length) blocks.heading(t("data.general")).append(general);
  if (onlyAuditRemains(d)) blocks.p(d.audit.length ? t("data.onlyAudit") : t("data.nothing"));
  blocks.heading(t("data.notHeading"));
  blocks.list([t("data.notRooms"), t("data.notSent", { days: BOOKKEEPING_DAYS }), t("data.notForget", { forgetme: command("!forgetme") })]);
  return pack(blocks.blocks, EXPORT_PART_BYTES);
}

function communityIds(d: PersonData): string[] {
  const ids = new Set<string>();
  for (const m of d.memberships) ids.add(m.communityId);
  for (const l of d.leftRooms) ids.add(l.communityId);
  for (const r of d.consent) ids.add(versionCommunity(r.textVersion));
  for (const c of d.checkins) ids.add(c.communityId);
  for (const e of d.rota.entries) ids.add(e.communityId);
  for (const p of d.pages.made) ids.add(p.page.communityId);
  for (const p of d.pages.involved) ids.add(p.communityId);
  for (const m of d.pages.meetingsCalled) ids.add(m.communityId);
  for (const m of d.pages.meetingsInvited) ids.add(m.communityId);
  for (const a of d.audit) if (a.communityId !== null) ids.add(a.communityId);
  return [...ids].sort();
}

/** `oak@1a2b…` → `oak` */
function versionCommunity(version: string): string {
  const at = version.indexOf("@");
  return at < 0 ? version : version.slice(0, at);
}

type W = ReturnType<typeof t>;

/** Parts of one line joined with "; " (the catalogue's separator), in order. */
function joined(parts: W[]): W {
  return parts.slice(1).reduce((line, part) => t("data.parts", { first: line, rest: part }), parts[0]);
}

function communitySection(d: PersonData, id: string, c: CommunityConfig | undefined): Message {
  const z = c?.timezone ?? "UTC";
  const when = (ms: number) => time(ms, z, "datetime");
  const date = (ms: number) => time(ms, z, "date");
  const m = new Message().heading(c ? t("data.communityHeading", { name: c.name, id }) : t("data.communityGone", { id }));
  const section = (title: W, items: Text[]) => {
    if (items.length) m.p(title).list(items);
  };

  section(t("data.membership"), d.memberships.filter((x) => x.communityId === id).map((x) => membershipLine(x, date)));
  section(
    t("data.leftRooms"),
    d.leftRooms.filter((l) => l.communityId === id).map((l) => t("data.leftLine", { room: c ? roomName(c, l.roomKey) : l.roomKey, date: date(l.leftAt) })),
  );
  section(
    t("data.consent"),
    d.consent.filter((r) => versionCommunity(r.textVersion) === id).map((r) => t("data.consentLine", { when: when(r.decidedAt), decision: r.decision, version: r.textVersion })),
  );

  const ck = d.checkins.find((x) => x.communityId === id);
  if (ck) checkinsSection(m, ck, c, z);

  const entries = d.rota.entries.filter((e) => e.communityId === id);
  section(t("data.rota"), entries.map((e) => rotaLine(e, d.userId, c, date)));

  section(t("data.pagesMade"), d.pages.made.filter((p) => p.page.communityId === id).map((p) => pageLine(p, when)));
  section(t("data.pagesInvolved"), d.pages.involved.filter((p) => p.communityId === id).map((p) => involvedLine(p, when)));
  section(
    t("data.meetingsCalled"),
    d.pages.meetingsCalled.filter((x) => x.communityId === id).map((x) => t("data.meetingsCalledLine", { id: x.id, when: when(x.calledAt), n: x.people.length })),
  );
  section(
    t("data.meetingsInvited"),
    d.pages.meetingsInvited.filter((x) => x.communityId === id).map((x) => t("data.meetingsInvitedLine", { id: x.id, when: when(x.calledAt) })),
  );
  section(
    t("data.audit"),
    d.audit.filter((a) => a.communityId === id).map((a) => describeAuditEntry(a, z)),
  );
  return m;
}

function membershipLine(x: Member, date: (ms: number) => Value): W {
  const line = t("data.membershipLine", {
    status: x.status,
    role: x.role,
    sponsor: x.sponsor ? person(x.sponsor) : t("data.nobody"),
    by: person(x.addedBy),
    added: date(x.addedAt),
    changed: date(x.updatedAt),
  });
  return x.removedReason ? t("data.membershipReason", { line, reason: x.removedReason }) : line;
}

function checkinsSection(m: Message, ck: PersonCheckins, c: CommunityConfig | undefined, z: string): void {
  const when = (ms: number) => time(ms, z, "datetime");
  const date = (ms: number) => time(ms, z, "date");
  const scale = c ? checkinSettingsOf(c).scale : [];
  const summary: W[] = [];
  if (ck.prompts.sent > 0) {
    summary.push(t("data.checkinPrompts", { n: ck.prompts.sent, first: date(ck.prompts.firstAt!), last: date(ck.prompts.lastAt!), missed: ck.prompts.missed }));
  }
  if (ck.plan) {
    summary.push(t("data.checkinPlanDates", { created: date(ck.plan.createdAt), changed: date(ck.plan.updatedAt), reviewed: date(ck.plan.reviewedAt) }));
  }
  if (ck.alumni) {
    const a = c ? checkinSettingsOf(c).alumni : undefined;
    const rhythm = ck.alumni.rhythm ? t("data.checkinAlumniRhythm", { rhythm: a ? rhythmWords(ck.alumni.rhythm, a.day, a.at) : ck.alumni.rhythm }) : "";
    summary.push(t("data.checkinAlumni", { on: ck.alumni.enabled ? "on" : "off", rhythm, date: date(ck.alumni.updatedAt) }));
  }
  if (summary.length) m.p(t("data.checkins")).list(summary);
  if (ck.plan && c) m.p(t("data.checkinPlan")).list(planLines(c, ck.plan.plan));
  if (ck.changes.length) {
    m.p(t("data.checkinChanges")).list(
      ck.changes.map((x) =>
        x.before ? t("data.checkinChange", { when: when(x.at), setting: x.setting, before: x.before, after: x.after }) : t("data.checkinChangeNew", { when: when(x.at), setting: x.setting, after: x.after }),
      ),
    );
  }
  if (ck.answers.length) {
    m.p(t("data.checkinAnswers")).list(
      ck.answers.map((a) =>
        t("data.checkinAnswer", {
          date: a.localDate,
          checkin: a.checkinId ?? t("data.unprompted"),
          label: scale.length ? answerLabel(scale, a.value) : String(a.value),
          note: a.note ? t("data.checkinNote", { note: a.note }) : "",
          via: a.via,
          shared: a.shared ? "yes" : "no",
          changed: a.changedAt ? t("data.checkinChanged", { when: when(a.changedAt) }) : "",
        }),
      ),
    );
  }
  if (ck.alerts.length) {
    m.p(t("data.checkinAlerts")).list(
      ck.alerts.map((a) => t("data.checkinAlert", { when: when(a.at), kind: a.kind, who: a.recipients.length ? listOf(a.recipients.map(person)) : t("data.nobody") })),
    );
  }
}

function rotaLine(e: RotaEntry, userId: string, c: CommunityConfig | undefined, date: (ms: number) => Value): W {
  const what = c ? entryWords(e, c) : t("data.rotaEntry", { kind: e.kind });
  const dates = [e.proposedBy === userId ? t("data.rotaProposedYou", { date: date(e.proposedAt) }) : t("data.rotaProposed", { by: person(e.proposedBy), date: date(e.proposedAt) })];
  if (e.userId === userId && e.agreedAt !== null) dates.push(t("data.rotaAgreed", { date: date(e.agreedAt) }));
  if (e.approvedAt !== null) dates.push(e.approvedBy ? t("data.rotaApproved", { by: person(e.approvedBy), date: date(e.approvedAt) }) : t("data.rotaOnFrom", { date: date(e.approvedAt) }));
  if (e.endedAt !== null) dates.push(t("data.rotaEnded", { date: date(e.endedAt) }));
  return t("data.rotaLine", { id: e.id, what, status: statusWords(e), dates: joined(dates) });
}

function pageLine({ page, notes }: PersonPages["made"][number], when: (ms: number) => Value): W {
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

function involvedLine(p: PersonPages["involved"][number], when: (ms: number) => Value): W {
  const parts = [t("data.involvedOpened", { id: p.pageId, when: when(p.openedAt) })];
  for (const a of p.asked) parts.push(t("data.involvedAsked", { when: when(a.at), step: a.step + 1 }));
  if (p.response) parts.push(t("data.involvedCame", { when: when(p.response.at), how: p.response.how === "command" ? command("!ack") : p.response.how }));
  if (p.acknowledgedFirst) parts.push(t("data.involvedFirst"));
  if (p.closed) parts.push(t("data.involvedClosed"));
  return joined(parts);
}

function generalSection(d: PersonData, z: string): Message {
  const when = (ms: number) => time(ms, z, "datetime");
  const m = new Message();
  const contacts: W[] = (d.contacts ?? []).map((c) =>
    c.kind === "email"
      ? c.confirmedAt !== null
        ? t("data.contactEmail", { address: c.address ?? "", set: when(c.createdAt), confirmed: when(c.confirmedAt) })
        : t("data.contactEmailUnconfirmed", { address: c.address ?? "", set: when(c.createdAt) })
      : t("data.contactWebhook", { since: when(c.createdAt) }),
  );
  if (d.adminContact?.email) contacts.push(t("data.contactAdminEmail", { address: d.adminContact.email, forgetme: command("!forgetme") }));
  if (d.adminContact?.webhook) contacts.push(t("data.contactAdminWebhook"));
  if (contacts.length) m.p(t("data.contacts", { command: command("!contact") })).list(contacts);
  const feeds = (d.calendarFeeds ?? []).map((f) => {
    const line = f.kind === "person" ? t("data.feedPerson", { live: f.live }) : t("data.feedCommunity", { id: f.communityId ?? "", live: f.live });
    return f.revoked ? t("data.feedRevoked", { line, revoked: f.revoked }) : line;
  });
  if (feeds.length) m.p(t("data.feeds", { command: command("!rota calendar"), reset: command("!rota calendar reset") })).list(feeds);
  if (d.rota.breaks.length) {
    m.p(t("data.breaks")).list(
      d.rota.breaks.map((b) => {
        const line = b.untilMs === null ? t("data.breakOpen", { from: when(b.startedAt) }) : t("data.breakUntil", { from: when(b.startedAt), until: when(b.untilMs) });
        return b.endedAt !== null ? t("data.breakEnded", { line, ended: when(b.endedAt) }) : line;
      }),
    );
  }
  if (d.conversations.length) {
    m.p(t("data.conversations")).list(d.conversations.map((x) => t("data.conversationLine", { room: x.roomId, date: time(x.createdAt, z, "date") })));
  }
  if (d.displayName !== undefined) m.p(t("data.displayName")).list([d.displayName]);
  if (d.language !== undefined) m.p(t("data.language", { command: command("!language") })).list([d.language]);
  if (d.forgetRequest) {
    m.p(t("data.forgetRequest")).list([
      t("data.forgetRequestLine", { asked: when(d.forgetRequest.askedAt), lapses: when(d.forgetRequest.expiresAt), command: command("!forgetme confirm") }),
    ]);
  }
  const serviceWide = d.audit.filter((a) => a.communityId === null);
  if (serviceWide.length) m.p(t("data.auditServiceWide")).list(serviceWide.map((a) => describeAuditEntry(a, z)));
  return m;
}

/**
 * Splits blocks into messages of at most `budget` bytes (plain and HTML together), cutting
 * long lists between items; with more than one, each says which part it is.
 */
export function pack(blocks: ReadonlyArray<Block>, budget: number): Message[] {
  const parts: Block[][] = [[]];
  let used = 0;
  const size = (b: Block) => {
    const m = new Message();
    m.blocks.push(b);
    return Buffer.byteLength(m.plain) + Buffer.byteLength(m.html);
  };
  const add = (b: Block) => {
    const n = size(b);
    if (used + n > budget && parts[parts.length - 1].length) {
      parts.push([]);
      used = 0;
    }
    parts[parts.length - 1].push(b);
    used += n;
  };
  for (const b of blocks) {
    if (b.kind !== "list" || size(b) <= budget / 2) {
      add(b);
      continue;
    }
    // A long list goes in pieces, each small enough to share a message.
    let items: Text[] = [];
    for (const item of b.items) {
      if (items.length && size({ kind: "list", items: [...items, item] }) > budget / 2) {
        add({ kind: "list", items });
        items = [];
      }
      items.push(item);
    }
    if (items.length) add({ kind: "list", items });
  }
  return parts.map((bs, i) => {
    const m = new Message();
    if (parts.length > 1) m.p(t("data.part", { n: i + 1, total: parts.length }));
    m.blocks.push(...bs);
    return m;
  });
}
