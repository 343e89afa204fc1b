import type { InstallContext } from "../../ports/context";
import { PERSONAL_DATA_ORDER, type ErasedPart, type PersonalDataSection, type PersonalRecord } from "../../ports/personalData";
import { Message, type Text } from "../../messaging/message";
import { command, person, t } from "../../words";
import type { CommunityConfig } from "../../config/types";
import { isStaffOf } from "../../config/roles";
import { communityById } from "../../config/communities";
import type { Member } from "../../ports/communities";
import type { ForgetRequestsStore } from "./store/forgetRequests";
import type { PersonData } from "./export";
import { auditRecord, conversationsRecord, membershipsRecord, requestRecord, versionCommunity, type OwnData } from "./ownRecords";

/** What pages and crisis meetings say instead of the name of someone who asked to be forgotten. */
export const FORGOTTEN = "someone who asked to be forgotten";
/** The job that leaves a forgotten person's conversation once everything for it was sent. */
export const LEAVE_DM_JOB = "data.leave-dm";

export type DataApp = Pick<
  InstallContext,
  "db" | "config" | "clock" | "log" | "members" | "consent" | "audit" | "dmRooms" | "outbox" | "jobs" | "effects" | "rooms" | "atomically" | "personalData"
>;

/** The data capability's own store. */
export interface DataStores {
  requests: ForgetRequestsStore;
}

/** What an erasure did, for the reply to the person. */
export interface ErasureReport {
  /** Their membership records as they were (the staff of the active and alumni ones were told). */
  memberships: Member[];
  /** Communities whose staff or admins the configuration names them as (kept: the admins decide). */
  staffOf: CommunityConfig[];
  conversations: string[];
  messages: number;
  /** True when anything at all was erased. */
  erased: boolean;
  /** Audit log entries about them, which stay. */
  auditKept: number;
}

/** What the erasure of the data capability's own part did. */
interface OwnErasure {
  rows: number;
  request: boolean;
  conversations: string[];
  messages: number;
}

/**
 * A person's data across every capability: read all of it (`!mydata`), or erase it
 * (`!forgetme`). The other capabilities' parts are the sections their installers added to
 * `personalData`. Everything here is synchronous SQLite plus queued effects, run in the
 * caller's transaction.
 */
export class DataService {
  constructor(
    private readonly app: DataApp,
    readonly stores: DataStores,
  ) {}

  /** The other capabilities' sections, in the order they are told and erased. */
  sections(): PersonalDataSection[] {
    const place = (s: PersonalDataSection) => PERSONAL_DATA_ORDER.indexOf(s.topic);
    return [...(this.app.personalData ?? [])].sort((a, b) => place(a) - place(b));
  }

  collect(userId: string): PersonData {
    const own = this.readOwn(userId);
    const read = this.sections().map((s) => ({ topic: s.topic, record: s.read(userId) }));
    const ownRecords: Partial<Record<(typeof PERSONAL_DATA_ORDER)[number], PersonalRecord>> = {
      memberships: membershipsRecord(own, this.app.config()),
      conversations: conversationsRecord(own),
      request: requestRecord(own),
      audit: auditRecord(own),
    };
    const records = PERSONAL_DATA_ORDER.flatMap((topic) => ownRecords[topic] ?? read.filter((s) => s.topic === topic).map((s) => s.record));
    return { userId, ...own, records, language: read.find((s) => s.record.language !== undefined)?.record.language };
  }

  private readOwn(userId: string): OwnData {
    const { memberships, leftRooms } = this.app.members.aboutPerson(userId);
    return {
      memberships,
      leftRooms,
      consent: this.app.consent.history(userId),
      conversations: this.app.dmRooms.ofUser(userId),
      forgetRequest: this.stores.requests.get(userId),
      audit: this.app.audit.aboutPerson(userId),
    };
  }

  /**
   * Why the person cannot be forgotten yet, if so: while a page they sent or said they
   * would come to is open, it needs their name to end with someone who came.
   */
  holds(userId: string): Text | undefined {
    for (const s of this.sections()) {
      const why = s.holdsErasure?.(userId);
      if (why !== undefined) return why;
    }
    return undefined;
  }

  /**
   * Erases what carenet keeps about the person, in one transaction: every capability's
   * section (check-ins, contacts, rota, their name on pages and crisis meetings, their
   * profile name and language), then consent answers, membership records and left-room
   * marks, their conversations with the bot (which it then leaves) and the copies of
   * messages already sent to or about them. The audit log stays (it is append-only: the
   * record of what staff and carenet did), and the erasure is added to it. Staff are told
   * that a member asked to leave. Running it again erases nothing more and tells nobody anything.
   */
  erase(userId: string, key: string, now: number): ErasureReport {
    return this.app.atomically(() => {
      const before = this.collect(userId);
      if (this.holds(userId) !== undefined) throw new Error("internal: erasure with a page still open");
      // The sections go first: the rota tells staff what became uncovered while the
      // person's consent (which decides who is on call) is still there.
      const parts = this.sections().map((s) => s.erase(userId, { key, now, placeholder: FORGOTTEN }));
      const own = this.eraseOwn(userId, before, now);
      const erased = parts.some((p) => p.rows > 0) || own.rows > 0 || own.request;
      this.tellStaffTheyLeft(userId, before.memberships, key);
      if (erased) this.recordErasure(userId, before, parts, now);
      return {
        memberships: before.memberships,
        staffOf: this.app.config().communities.filter((c) => isStaffOf(c, userId)),
        conversations: own.conversations,
        messages: own.messages,
        erased,
        auditKept: this.app.audit.aboutPerson(userId).length,
      };
    });
  }

  /** Consent answers, memberships, conversations (left once the last message for them there has gone), copies of messages, a pending request. */
  private eraseOwn(userId: string, before: PersonData, now: number): OwnErasure {
    const consent = this.app.consent.forget(userId);
    const members = this.app.members.forget(userId);
    const conversations = this.app.dmRooms.forgetUser(userId);
    const messages = this.app.outbox.forgetAbout(userId, conversations);
    const request = this.stores.requests.clear(userId);
    // The reason given on leaving their conversation is said in their language once more.
    const home = this.app.config().communities.find((c) => before.memberships.some((m) => m.communityId === c.id));
    const language = before.language ?? home?.language;
    for (const roomId of conversations) {
      this.app.effects.schedule({ kind: LEAVE_DM_JOB, key: `${LEAVE_DM_JOB}:${roomId}`, dueAt: now, payload: { roomId, ...(language ? { language } : {}) } });
    }
    return { rows: consent + members.members + members.leftRooms + conversations.length + messages, request, conversations, messages };
  }

  /** Each staff room of a community they were an active or alumni member of is told they asked to leave. */
  private tellStaffTheyLeft(userId: string, memberships: Member[], key: string): void {
    const config = this.app.config();
    for (const m of memberships) {
      if (m.status === "removed") continue;
      const c = communityById(config.communities, m.communityId);
      const staffRoom = c && this.app.rooms.get(c.id, "staff");
      if (!c || !staffRoom) continue;
      this.app.effects.post(
        staffRoom.roomId,
        new Message()
          .p(t(m.status === "discharged" ? "data.staffToldAlumni" : "data.staffTold", { user: person(userId), community: c.name }))
          .p(t("data.staffToldNext", { member: command("!member") })),
        `${key}:staff:${c.id}`,
      );
    }
  }

  /** The audit log of every community the erasure touched records that it happened. No detail: what was erased is not recorded anywhere, only that it was. */
  private recordErasure(userId: string, before: PersonData, parts: ErasedPart[], now: number): void {
    const touched = new Set<string>([
      ...before.memberships.map((m) => m.communityId),
      ...before.leftRooms.map((l) => l.communityId),
      ...parts.flatMap((p) => p.communities),
      ...before.consent.map((r) => versionCommunity(r.textVersion)),
    ]);
    const where = touched.size ? [...touched].sort() : [null];
    for (const communityId of where) this.app.audit.append({ communityId, actor: userId, action: "data.erased", subject: userId, detail: "at their request" }, now);
    this.app.log.child({ component: "data" }).info({ communities: where.length }, "erased a person's data at their request");
  }
}
