import { checkinSettingsOf } from "../app/checkinService";
import { describeEntry as describeAuditEntry } from "../commands/audit";
import { Message, type Block, type Text } from "../commands/message";
import { describeEntry as describeRotaEntry, describeStatus } from "../commands/rota/describe";
import { roomName } from "../communities/memberRooms";
import { utcDate, utcTime } from "../communities/consent";
import type { CarenetConfig, CommunityConfig } from "../config/types";
import { answerLabel, describePlan, describeRhythm } from "../domain/checkins";
import { describeDuration } from "../domain/escalation";
import { people } from "../paging/texts";
import type { AuditEntry } from "../store/audit";
import type { PersonCheckins } from "../store/checkins";
import type { ConsentRecord } from "../store/consent";
import type { ForgetRequest } from "../store/forgetRequests";
import type { LeftRoom, Member } from "../store/members";
import type { PersonPages } from "../store/pages";
import type { RotaBreak, RotaEntry } from "../store/rota";
import type { PersonFeeds } from "../store/calendarFeeds";
import type { ContactChannel } from "../store/contacts";
import { BOOKKEEPING_DAYS, daysWord } from "./settings";

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
  const blocks = new Message();
  blocks.heading(`Everything carenet keeps about you (${d.userId}), as of ${utcTime(now)}`);
  blocks.p("Times are in UTC. Only you have been sent this.");

  const ids = communityIds(d);
  for (const id of ids) {
    const c = config.communities.find((x) => x.id === id);
    blocks.append(communitySection(d, id, c));
  }
  const general = generalSection(d);
  if (general.blocks.length) blocks.heading("Not about one community").append(general);
  if (onlyAuditRemains(d)) {
    blocks.p(
      d.audit.length
        ? "carenet keeps nothing else about you: no membership, no consent answers, no check-ins, no rota, no pages with your name, no conversation."
        : "carenet keeps nothing about you.",
    );
  }
  blocks.heading("What is not in this list");
  blocks.list([
    "What you and others wrote in rooms: the Matrix homeserver keeps it, not carenet.",
    `Messages carenet sent you in the last ${daysWord(BOOKKEEPING_DAYS)} (you have them in your conversation with me); carenet deletes its copies after that.`,
    "`!forgetme` erases what is listed here, except the audit log's entries (the record of what staff and carenet did, which is never deleted).",
  ]);
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

function communitySection(d: PersonData, id: string, c: CommunityConfig | undefined): Message {
  const m = new Message().heading(c ? `${c.name} (${id})` : `Community ${id} (no longer in carenet's configuration)`);
  const section = (title: string, items: string[]) => {
    if (items.length) m.p(title).list(items);
  };

  section("Your membership:", d.memberships.filter((x) => x.communityId === id).map(membershipLine));
  section(
    "Rooms you left on your own (you are not invited back to them):",
    d.leftRooms.filter((l) => l.communityId === id).map((l) => `${c ? roomName(c, l.roomKey) : l.roomKey}, on ${utcDate(l.leftAt)}`),
  );
  section(
    "Your answers to the rights text (oldest first):",
    d.consent.filter((r) => versionCommunity(r.textVersion) === id).map((r) => `${utcTime(r.decidedAt)}: ${r.decision} (version ${r.textVersion})`),
  );

  const ck = d.checkins.find((x) => x.communityId === id);
  if (ck) checkinsSection(m, ck, c);

  const entries = d.rota.entries.filter((e) => e.communityId === id);
  section("Your rota entries:", entries.map((e) => rotaLine(e, d.userId, c)));

  section("Pages you sent:", d.pages.made.filter((p) => p.page.communityId === id).map((p) => pageLine(p)));
  section(
    "Other people's pages you were asked to or came to (only your part is shown, not whose page it was):",
    d.pages.involved.filter((p) => p.communityId === id).map(involvedLine),
  );
  section(
    "Crisis meetings you called:",
    d.pages.meetingsCalled.filter((x) => x.communityId === id).map((x) => `Crisis meeting ${x.id}, ${utcTime(x.calledAt)}: ${people(x.people.length)} invited.`),
  );
  section(
    "Crisis meetings you were invited to:",
    d.pages.meetingsInvited.filter((x) => x.communityId === id).map((x) => `Crisis meeting ${x.id}, ${utcTime(x.calledAt)}.`),
  );
  section(
    "The audit log's entries about you (never deleted; it records what staff and carenet did):",
    d.audit.filter((a) => a.communityId === id).map(describeAuditEntry),
  );
  return m;
}

function membershipLine(x: Member): string {
  const status = x.status === "active" ? "active" : x.status === "discharged" ? "discharged (alumni)" : "removed by staff";
  const role = x.role === "peer" ? "peer supporter" : x.role;
  const parts = [
    `status: ${status}; role: ${role}; sponsor: ${x.sponsor ?? "nobody"}`,
    `added by ${x.addedBy} on ${utcDate(x.addedAt)}; last change ${utcDate(x.updatedAt)}`,
  ];
  if (x.removedReason) parts.push(`the reason staff gave for removing you: ${x.removedReason}`);
  return parts.join("; ");
}

function checkinsSection(m: Message, ck: PersonCheckins, c: CommunityConfig | undefined): void {
  const scale = c ? checkinSettingsOf(c).scale : [];
  const summary: string[] = [];
  if (ck.prompts.sent > 0) {
    summary.push(
      `${ck.prompts.sent} check-in prompt${ck.prompts.sent === 1 ? "" : "s"} sent to you, from ${utcDate(ck.prompts.firstAt!)} to ${utcDate(ck.prompts.lastAt!)}; ` +
        `${ck.prompts.missed} counted as missed.`,
    );
  }
  if (ck.plan) {
    summary.push(`Your plan: started ${utcDate(ck.plan.createdAt)}, last changed ${utcDate(ck.plan.updatedAt)}, last reviewed ${utcDate(ck.plan.reviewedAt)}.`);
  }
  if (ck.alumni) {
    summary.push(
      `Alumni check-ins: ${ck.alumni.enabled ? "on" : "off"}` +
        (ck.alumni.rhythm && c ? `, ${describeRhythm(ck.alumni.rhythm, checkinSettingsOf(c).alumni.day, checkinSettingsOf(c).alumni.at)}` : ck.alumni.rhythm ? `, ${ck.alumni.rhythm}` : "") +
        ` (chosen ${utcDate(ck.alumni.updatedAt)}).`,
    );
  }
  if (summary.length) m.p("Check-ins:").list(summary);
  if (ck.plan && c) m.p("Your check-in plan as it stands:").list(describePlan(c.checkins, ck.plan.plan, c.timezone));
  if (ck.changes.length) {
    m.p("Changes to your check-in plan:").list(
      ck.changes.map((x) => `${utcTime(x.at)}: ${x.setting}${x.before ? ` ${x.before} →` : ""} ${x.after}`),
    );
  }
  if (ck.answers.length) {
    m.p("Your check-in answers, with your notes:").list(
      ck.answers.map((a) => {
        const label = scale.length ? answerLabel(scale, a.value) : String(a.value);
        const note = a.note ? ` — your note: “${a.note}”` : "";
        const seen = a.shared ? "staff could see it" : "private";
        const changed = a.changedAt ? `; changed ${utcTime(a.changedAt)}` : "";
        return `${a.localDate}, ${a.checkinId ?? "unprompted"}: ${label}${note} (by ${a.via}; ${seen}${changed})`;
      }),
    );
  }
  if (ck.alerts.length) {
    m.p("Who was told about a check-in of yours (as your plan said):").list(
      ck.alerts.map((a) => `${utcTime(a.at)}: a ${a.kind === "low" ? "low answer" : "missed check-in"} — told ${a.recipients.join(", ") || "nobody"}`),
    );
  }
}

function rotaLine(e: RotaEntry, userId: string, c: CommunityConfig | undefined): string {
  const what = c ? describeRotaEntry(e, c) : `${e.kind} entry`;
  const dates = [`proposed by ${e.proposedBy === userId ? "you" : e.proposedBy} on ${utcDate(e.proposedAt)}`];
  if (e.userId === userId && e.agreedAt !== null) dates.push(`you agreed on ${utcDate(e.agreedAt)}`);
  if (e.approvedAt !== null) dates.push(e.approvedBy ? `approved by ${e.approvedBy} on ${utcDate(e.approvedAt)}` : `on the rota from ${utcDate(e.approvedAt)}`);
  if (e.endedAt !== null) dates.push(`ended on ${utcDate(e.endedAt)}`);
  return `#${e.id} ${what} — ${describeStatus(e)} (${dates.join("; ")})`;
}

function pageLine({ page, notes }: PersonPages["made"][number]): string {
  const s = page.state;
  const parts = [`Page ${page.id}, ${utcTime(s.openedAtMs)}`];
  if (s.repeatCount > 0) parts.push(`you paged again ${s.repeatCount === 1 ? "once" : `${s.repeatCount} times`}`);
  if (s.acknowledgedBy !== undefined && s.acknowledgedAtMs !== undefined) {
    parts.push(`${s.acknowledgedBy} came after ${describeDuration(s.acknowledgedAtMs - s.openedAtMs)}`);
  }
  if (s.exhaustedAtMs !== undefined) parts.push("nobody acknowledged in time and you were given the crisis resources");
  switch (s.status) {
    case "resolved":
      parts.push(`closed ${s.resolvedBy === page.member ? "by you" : `by ${s.resolvedBy}`} on ${utcTime(s.resolvedAtMs ?? s.openedAtMs)}`);
      break;
    case "open":
      parts.push("still open");
      break;
    default:
      parts.push("not closed yet");
  }
  if (notes.length) parts.push(`your note${notes.length === 1 ? "" : "s"} waiting to be shown in the support room: ${notes.map((n) => `“${n}”`).join(", ")}`);
  return parts.join("; ");
}

function involvedLine(p: PersonPages["involved"][number]): string {
  const parts = [`Page ${p.pageId}, opened ${utcTime(p.openedAt)}`];
  for (const a of p.asked) parts.push(`you were asked at ${utcTime(a.at)} (step ${a.step + 1})`);
  if (p.response) parts.push(`you said you were coming at ${utcTime(p.response.at)} (by ${p.response.how === "command" ? "`!ack`" : p.response.how})`);
  if (p.acknowledgedFirst) parts.push("you were the first");
  if (p.closed) parts.push("you closed it");
  return parts.join("; ");
}

function generalSection(d: PersonData): Message {
  const m = new Message();
  const contacts = (d.contacts ?? []).map((c) =>
    c.kind === "email"
      ? `Email address ${c.address}, set ${utcTime(c.createdAt)}${c.confirmedAt !== null ? `, confirmed ${utcTime(c.confirmedAt)}` : ", not confirmed yet (a code was sent to it)"}`
      : `Reached through the webhook when asked to a page, since ${utcTime(c.createdAt)}`,
  );
  if (d.adminContact?.email) contacts.push(`Email address ${d.adminContact.email}, set by an admin in the configuration (\`!forgetme\` cannot erase it: ask them)`);
  if (d.adminContact?.webhook) contacts.push("Reached through the webhook, set by an admin in the configuration");
  if (contacts.length) m.p("How carenet may reach you off Matrix when you are asked to come to a page (`!contact`):").list(contacts);
  const feeds = (d.calendarFeeds ?? []).map((f) => {
    const links = (n: number) => `${n} ${n === 1 ? "link" : "links"}`;
    const what = f.kind === "person" ? "your own shifts" : `the rota of community ${f.communityId} (as its staff)`;
    return `${what}: ${links(f.live)} that work${f.revoked ? `, ${links(f.revoked)} revoked` : ""}`;
  });
  if (feeds.length) {
    m.p("Your rota calendar links (`!rota calendar`; `!rota calendar reset` revokes them). Only a fingerprint of each link is kept, never the link:").list(feeds);
  }
  if (d.rota.breaks.length) {
    m.p("Your breaks from the rota (every community):").list(
      d.rota.breaks.map((b) => {
        const until = b.untilMs === null ? "until you ended it" : `until ${utcTime(b.untilMs)}`;
        const ended = b.endedAt !== null ? `; ended ${utcTime(b.endedAt)}` : "";
        return `from ${utcTime(b.startedAt)} ${until}${ended}`;
      }),
    );
  }
  if (d.conversations.length) {
    m.p("Your conversations with carenet (which room is your direct conversation):").list(
      d.conversations.map((x) => `${x.roomId}, since ${utcDate(x.createdAt)}`),
    );
  }
  if (d.displayName !== undefined) {
    m.p("The name I address you by when I must wake you (as your Matrix profile showed it):").list([d.displayName]);
  }
  if (d.language !== undefined) {
    m.p("The language you chose for my messages (`!language`):").list([d.language]);
  }
  if (d.forgetRequest) {
    m.p("Your request to be forgotten:").list([
      `asked ${utcTime(d.forgetRequest.askedAt)}; it lapses at ${utcTime(d.forgetRequest.expiresAt)} unless you send \`!forgetme confirm\``,
    ]);
  }
  const serviceWide = d.audit.filter((a) => a.communityId === null);
  if (serviceWide.length) m.p("The audit log's entries about you (never deleted):").list(serviceWide.map(describeAuditEntry));
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
    if (parts.length > 1) m.p(`(Part ${i + 1} of ${parts.length}.)`);
    m.blocks.push(...bs);
    return m;
  });
}
