import type { InstallContext } from "../../ports/context";
import { PLAN_JOB, planKey } from "../rota/handoff";
import { Message } from "../../messaging/message";
import { command, person, t } from "../../words";
import { coverRangeWords, entryWords, stretchWords } from "../rota/words";
import type { CommunityConfig } from "../../config/types";
import { isStaffOf } from "../../config/roles";
import { CONTACT_CODE_JOB, OFF_MATRIX_JOB } from "../paging/offMatrix/service";
import type { CheckinsStore } from "../checkins/store/checkins";
import { DisplayNamesStore } from "../communities/store/displayNames";
import { LanguagesStore } from "../communities/store/languages";
import type { ForgetRequestsStore } from "./store/forgetRequests";
import type { Member } from "../../ports/communities";
import type { PageRecord, PagesStore } from "../paging/store/pages";
import type { CalendarFeedsStore } from "../rota/store/calendarFeeds";
import type { ContactsStore } from "../paging/store/contacts";
import type { RotaEntry, RotaStore } from "../rota/store/rota";
import type { PersonData } from "./export";
import { communityById } from "../../config/communities";

/** What pages and crisis meetings say instead of the name of someone who asked to be forgotten. */
export const FORGOTTEN = "someone who asked to be forgotten";
/** The job that leaves a forgotten person's conversation once everything for it was sent. */
export const LEAVE_DM_JOB = "data.leave-dm";

export type DataApp = Pick<
  InstallContext,
  "db" | "config" | "clock" | "log" | "members" | "consent" | "audit" | "dmRooms" | "outbox" | "jobs" | "effects" | "rooms" | "atomically" | "onCall"
>;

/** The stores of other capabilities that hold data about people. */
export interface DataStores {
  checkins: CheckinsStore;
  rota: RotaStore;
  pages: PagesStore;
  requests: ForgetRequestsStore;
  /** Off-Matrix addresses the person set (`!contact`); optional for hand-built stores in tests. */
  contacts?: ContactsStore;
  /** Rota calendar feeds they were given (`!rota calendar`); optional for hand-built stores in tests. */
  calendarFeeds?: CalendarFeedsStore;
}

/** What an erasure did, for the reply to the person. */
export interface ErasureReport {
  /** Their membership records as they were (the staff of the active and alumni ones were told). */
  memberships: Member[];
  /** Communities whose staff or admins the configuration names them as (kept: the admins decide). */
  staffOf: CommunityConfig[];
  checkins: number;
  rotaEntries: number;
  breaks: number;
  consent: number;
  leftRooms: number;
  /** Rows of pages and crisis meetings that no longer name them. */
  pageRecords: number;
  conversations: string[];
  messages: number;
  /** True when anything at all was erased. */
  erased: boolean;
  /** Audit log entries about them, which stay. */
  auditKept: number;
}

/**
 * A person's data across every store: read all of it (`!mydata`), or erase it (`!forgetme`).
 * Everything here is synchronous SQLite plus queued effects, run in the caller's transaction.
 */
export class DataService {
  constructor(
    private readonly app: DataApp,
    readonly stores: DataStores,
  ) {}

  collect(userId: string): PersonData {
    const { memberships, leftRooms } = this.app.members.aboutPerson(userId);
    return {
      userId,
      memberships,
      leftRooms,
      consent: this.app.consent.history(userId),
      checkins: this.stores.checkins.aboutPerson(userId),
      rota: this.stores.rota.aboutPerson(userId),
      pages: this.stores.pages.aboutPerson(userId),
      conversations: this.app.dmRooms.ofUser(userId),
      forgetRequest: this.stores.requests.get(userId),
      displayName: new DisplayNamesStore(this.app.db).get(userId),
      language: new LanguagesStore(this.app.db).get(userId),
      contacts: this.stores.contacts?.of(userId) ?? [],
      calendarFeeds: this.stores.calendarFeeds?.aboutPerson(userId) ?? [],
      adminContact: this.app.config().off_matrix?.contacts?.find((c) => c.user === userId),
      audit: this.app.audit.aboutPerson(userId),
    };
  }

  /**
   * Pages not closed yet that the person sent or said they would come to. While one is
   * open they cannot be forgotten: a page must end with someone who came or with the
   * crisis resources, and it needs their name to get there.
   */
  openPages(userId: string): PageRecord[] {
    return this.stores.pages.activeInvolving(userId);
  }

  /**
   * Erases what carenet keeps about the person, in one transaction: check-ins, rota entries
   * and breaks, consent answers, membership records and left-room marks, their name on
   * pages and crisis meetings, their conversations with the bot (which it then leaves) and
   * the copies of messages already sent to or about them. The audit log stays (it is
   * append-only: the record of what staff and carenet did), and the erasure is added to it.
   * Staff are told that a member asked to leave, and that shifts became uncovered (not why).
   * Running it again erases nothing more and tells nobody anything.
   */
  erase(userId: string, key: string, now: number): ErasureReport {
    return this.app.atomically(() => {
      const config = this.app.config();
      const before = this.collect(userId);
      if (this.openPages(userId).length) throw new Error("internal: erasure with a page still open");

      this.tellStaffAboutTheRota(userId, before.rota.entries, key, now);

      const checkins = this.stores.checkins.forget(userId);
      const rota = this.stores.rota.forget(userId);
      const consent = this.app.consent.forget(userId);
      const members = this.app.members.forget(userId);
      const pages = this.stores.pages.forget(userId, FORGOTTEN);
      const contacts = this.stores.contacts?.forget(userId) ?? 0;
      const calendarFeeds = this.stores.calendarFeeds?.deleteUser(userId) ?? 0;
      const conversations = this.app.dmRooms.forgetUser(userId);
      const messages = this.app.outbox.forgetAbout(userId, conversations);
      const request = this.stores.requests.clear(userId);
      // The display name kept to address alerts by (not counted as "erased": it is their public profile name).
      new DisplayNamesStore(this.app.db).forget(userId);
      // Their language goes with everything else; the reason given on leaving their conversation is said in it once more.
      const home = config.communities.find((c) => before.memberships.some((m) => m.communityId === c.id));
      const language = new LanguagesStore(this.app.db).get(userId) ?? home?.language;
      new LanguagesStore(this.app.db).forget(userId);

      // Jobs that would act on what is gone: their plan review reminders; handoffs (the
      // rota is planned again now, which drops theirs); their conversations (left once
      // the last message for them there has gone).
      for (const c of config.communities) this.app.jobs.cancel(`checkins:review:${c.id}:${userId}`, now);
      // Jobs that carry or reach their off-Matrix address: confirmation codes not sent yet
      // (`contact.code:<user>:<time>`) and deliveries for pages (`page.offmatrix:…:<kind>:<user>`).
      this.app.jobs.cancelMatching(`${CONTACT_CODE_JOB}:${userId}:`, (k) => /^\d+$/.test(k.slice(CONTACT_CODE_JOB.length + userId.length + 2)), now);
      this.app.jobs.cancelMatching(`${OFF_MATRIX_JOB}:`, (k) => /^page\.offmatrix:\d+:r\d+:s\d+:[a-z]+:(.*)$/.exec(k)?.[1] === userId, now);
      for (const id of new Set(before.rota.entries.map((e) => e.communityId))) {
        if (config.communities.some((c) => c.id === id)) this.app.jobs.reschedule({ kind: PLAN_JOB, key: planKey(id), dueAt: now, payload: { communityId: id } }, now);
      }
      for (const roomId of conversations) this.app.effects.schedule({ kind: LEAVE_DM_JOB, key: `${LEAVE_DM_JOB}:${roomId}`, dueAt: now, payload: { roomId, ...(language ? { language } : {}) } });

      const pageRecords = pages.pages + pages.contacts + pages.meetings + pages.notes;
      const erased =
        checkins + rota.entries + rota.breaks + consent + members.members + members.leftRooms + pageRecords + contacts + calendarFeeds + conversations.length + messages > 0 || request;

      for (const m of before.memberships) {
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

      if (erased) {
        const touched = new Set<string>([
          ...before.memberships.map((m) => m.communityId),
          ...before.leftRooms.map((l) => l.communityId),
          ...before.checkins.map((c) => c.communityId),
          ...before.rota.entries.map((e) => e.communityId),
          ...before.consent.map((r) => r.textVersion.split("@")[0]),
        ]);
        const where = touched.size ? [...touched].sort() : [null];
        // No detail: what was erased is not recorded anywhere, only that it was.
        for (const communityId of where) this.app.audit.append({ communityId, actor: userId, action: "data.erased", subject: userId, detail: "at their request" }, now);
        this.app.log.child({ component: "data" }).info({ communities: where.length }, "erased a person's data at their request");
      }

      return {
        memberships: before.memberships,
        staffOf: config.communities.filter((c) => isStaffOf(c, userId)),
        checkins,
        rotaEntries: rota.entries,
        breaks: rota.breaks,
        consent,
        leftRooms: members.leftRooms,
        pageRecords,
        conversations,
        messages,
        erased,
        auditKept: this.app.audit.aboutPerson(userId).length,
      };
    });
  }

  /**
   * Before the person's rota entries go: tells each community's staff room which shifts
   * are now uncovered, and that the shift running now (if it was theirs) has ended. It
   * does not say why, nor whose they were.
   */
  private tellStaffAboutTheRota(userId: string, entries: RotaEntry[], key: string, now: number): void {
    const config = this.app.config();
    for (const c of config.communities) {
      const live = entries.filter((e) => e.communityId === c.id && e.status !== "cancelled" && (e.endMs === null || e.endMs > now));
      const on = this.app.onCall(c.id, now);
      const onCallNow = [...on.peers, ...on.backupPeers, ...on.staff].includes(userId);
      if (!live.length && !onCallNow) continue;
      const lines = live.map((e) => uncoveredLine(e, userId, c));
      const m = new Message().p(t("data.rotaUncovered", { community: c.name, n: live.length }));
      m.list(lines);
      if (onCallNow) m.p(t("data.rotaRunningEnded"));
      m.p(t("data.rotaFill", { show: command("!rota show"), add: command("!rota add"), cover: command("!rota cover") }));
      const staffRoom = this.app.rooms.get(c.id, "staff");
      if (staffRoom) this.app.effects.post(staffRoom.roomId, m, `${key}:rota:${c.id}`);
    }
  }
}

/** One ended entry in words, without the name of the person it was taken from. */
function uncoveredLine(e: RotaEntry, userId: string, c: CommunityConfig): ReturnType<typeof t> {
  if (e.kind !== "cover") return t("data.uncoveredEntry", { id: e.id, what: entryWords(e, c) });
  if (e.userId === userId) {
    const whose = e.coveredUserId!;
    const when = e.swapWith !== null ? stretchWords(e.startMs!, e.endMs!, c.timezone) : coverRangeWords(e.startMs!, e.endMs!, c.timezone);
    return t("data.uncoveredTheirs", { id: e.id, swap: e.swapWith !== null ? "yes" : "no", whose: person(whose), when });
  }
  return t("data.uncoveredCover", { id: e.id, who: person(e.userId), when: coverRangeWords(e.startMs!, e.endMs!, c.timezone) });
}
