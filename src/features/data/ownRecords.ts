import type { Message, Text } from "../../messaging/message";
import { command, person, t, time, type Value, type Words } from "../../words";
import { describeEntry as describeAuditEntry } from "../../commands/audit";
import type { CarenetConfig } from "../../config/types";
import { communityById } from "../../config/communities";
import { roomName } from "../../config/roomNames";
import type { AuditEntry } from "../../store/audit";
import type { ConsentRecord, LeftRoom, Member } from "../../ports/communities";
import type { PersonalRecord } from "../../ports/personalData";
import type { ForgetRequest } from "./store/forgetRequests";

/** What the data capability reads itself, from the stores every capability shares. */
export interface OwnData {
  memberships: Member[];
  leftRooms: Array<LeftRoom & { communityId: string }>;
  consent: ConsentRecord[];
  conversations: Array<{ roomId: string; createdAt: number }>;
  forgetRequest: ForgetRequest | undefined;
  /** Audit entries whose subject is the person (never deleted). */
  audit: AuditEntry[];
}

const nothingInCommunity = () => undefined;

/** `oak@1a2b…` → `oak` */
export function versionCommunity(version: string): string {
  const at = version.indexOf("@");
  return at < 0 ? version : version.slice(0, at);
}

/** Memberships and roles, rooms left, consent answers: told per community. */
export function membershipsRecord(d: OwnData, config: CarenetConfig): PersonalRecord {
  return {
    communityIds: [...d.memberships.map((m) => m.communityId), ...d.leftRooms.map((l) => l.communityId), ...d.consent.map((r) => versionCommunity(r.textVersion))],
    empty: d.memberships.length === 0 && d.leftRooms.length === 0 && d.consent.length === 0,
    inCommunity(m, id, c, zone) {
      const date = (ms: number) => time(ms, zone, "date");
      const section = (title: Words, items: Text[]) => {
        if (items.length) m.p(title).list(items);
      };
      section(t("data.membership"), d.memberships.filter((x) => x.communityId === id).map((x) => membershipLine(x, date)));
      section(t("data.leftRooms"), d.leftRooms.filter((l) => l.communityId === id).map((l) => t("data.leftLine", { room: c ? roomName(c, l.roomKey) : l.roomKey, date: date(l.leftAt) })));
      section(
        t("data.consent"),
        d.consent.filter((r) => versionCommunity(r.textVersion) === id).map((r) => t("data.consentLine", { when: time(r.decidedAt, zone, "datetime"), decision: r.decision, version: r.textVersion })),
      );
    },
    general: () => undefined,
    goes() {
      const name = (id: string) => communityById(config.communities, id)?.name ?? id;
      const items: Text[] = d.memberships.map((m) => t("data.goesMembership", { community: name(m.communityId) }));
      if (d.consent.length) items.push(t("data.goesConsent", { n: d.consent.length }));
      if (d.leftRooms.length) items.push(t("data.goesLeft", { n: d.leftRooms.length }));
      return items;
    },
  };
}


function membershipLine(x: Member, date: (ms: number) => Value): Words {
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

/** Their direct conversations with the bot. */
export function conversationsRecord(d: OwnData): PersonalRecord {
  return {
    communityIds: [],
    empty: d.conversations.length === 0,
    inCommunity: nothingInCommunity,
    general(m, zone) {
      if (d.conversations.length) m.p(t("data.conversations")).list(d.conversations.map((x) => t("data.conversationLine", { room: x.roomId, date: time(x.createdAt, zone, "date") })));
    },
    goes: () => (d.conversations.length ? [t("data.goesConversations")] : []),
  };
}

/** A `!forgetme` waiting for its confirmation. */
export function requestRecord(d: OwnData): PersonalRecord {
  const r = d.forgetRequest;
  return {
    communityIds: [],
    empty: r === undefined,
    inCommunity: nothingInCommunity,
    general(m: Message, zone) {
      const when = (ms: number) => time(ms, zone, "datetime");
      if (r) m.p(t("data.forgetRequest")).list([t("data.forgetRequestLine", { asked: when(r.askedAt), lapses: when(r.expiresAt), command: command("!forgetme confirm") })]);
    },
    goes: () => (r ? [t("data.goesRequest")] : []),
  };
}

/** The audit log's entries about them: told, never erased (so they do not count as something kept). */
export function auditRecord(d: OwnData): PersonalRecord {
  return {
    communityIds: d.audit.flatMap((a) => (a.communityId !== null ? [a.communityId] : [])),
    empty: true,
    inCommunity(m, id, _c, zone) {
      const lines = d.audit.filter((a) => a.communityId === id).map((a) => describeAuditEntry(a, zone));
      if (lines.length) m.p(t("data.audit")).list(lines);
    },
    general(m, zone) {
      const serviceWide = d.audit.filter((a) => a.communityId === null);
      if (serviceWide.length) m.p(t("data.auditServiceWide")).list(serviceWide.map((a) => describeAuditEntry(a, zone)));
    },
    goes: () => [],
  };
}
