import { command, listOf, t, time } from "../../words";
import type { InstallContext } from "../../ports/context";
import type { PersonalDataSection, PersonalRecord } from "../../ports/personalData";
import { CONTACT_CODE_JOB, OFF_MATRIX_JOB } from "./offMatrix/service";
import { contactLines, involvedLine, pageLine } from "./personalDataWords";
import type { ContactsStore } from "./store/contacts";
import type { PagesStore, PersonPages } from "./store/pages";

/**
 * Paging's part of a person's data: the pages they sent, their own part in the pages of
 * others and in crisis meetings. Erasing it puts a placeholder where their name was, so the
 * counts stay right; while a page of theirs is open they cannot be forgotten.
 */
export function pagesPersonalData(pages: PagesStore): PersonalDataSection {
  return {
    topic: "pages",
    read: (userId) => pagesRecord(pages.aboutPerson(userId)),
    holdsErasure(userId) {
      // A page must end with someone who came or with the crisis resources, and it needs their name to get there.
      const open = pages.activeInvolving(userId);
      if (!open.length) return undefined;
      return t("data.openPage", { pages: listOf(open.map((p) => t("data.pageNumber", { id: p.id }))), resolve: command("!resolve"), forgetme: command("!forgetme") });
    },
    erase(userId, e) {
      const n = pages.forget(userId, e.placeholder);
      return { rows: n.pages + n.contacts + n.meetings + n.notes, communities: [] };
    },
    deleteExpired(now, periods) {
      const n = pages.deleteClosedBefore(now - periods.pages.ms);
      return { pages: n.pages, crisisMeetings: n.meetings };
    },
  };
}

function pagesRecord(p: PersonPages): PersonalRecord {
  const count = p.made.length + p.involved.length + p.meetingsCalled.length + p.meetingsInvited.length;
  return {
    communityIds: [...p.made.map((x) => x.page.communityId), ...p.involved.map((x) => x.communityId), ...p.meetingsCalled.map((x) => x.communityId), ...p.meetingsInvited.map((x) => x.communityId)],
    empty: count === 0,
    inCommunity(m, id, _c, zone) {
      const section = (title: ReturnType<typeof t>, items: ReturnType<typeof t>[]) => {
        if (items.length) m.p(title).list(items);
      };
      section(t("data.pagesMade"), p.made.filter((x) => x.page.communityId === id).map((x) => pageLine(x, zone)));
      section(t("data.pagesInvolved"), p.involved.filter((x) => x.communityId === id).map((x) => involvedLine(x, zone)));
      section(
        t("data.meetingsCalled"),
        p.meetingsCalled.filter((x) => x.communityId === id).map((x) => t("data.meetingsCalledLine", { id: x.id, when: when(x.calledAt, zone), n: x.people.length })),
      );
      section(t("data.meetingsInvited"), p.meetingsInvited.filter((x) => x.communityId === id).map((x) => t("data.meetingsInvitedLine", { id: x.id, when: when(x.calledAt, zone) })));
    },
    general: () => undefined,
    goes: (placeholder) => (count ? [t("data.goesPages", { n: count, forgotten: placeholder })] : []),
  };
}

const when = (ms: number, zone: string) => time(ms, zone, "datetime");

/**
 * The off-Matrix addresses a person set with `!contact`, and what an admin set for them in
 * the configuration (told, not counted: only the admins can take it out). Erasing them also
 * cancels what would still reach those addresses: codes not sent yet, deliveries for pages.
 */
export function contactsPersonalData(app: Pick<InstallContext, "config" | "jobs">, contacts: ContactsStore): PersonalDataSection {
  return {
    topic: "contacts",
    read(userId) {
      const own = contacts.of(userId);
      const admin = app.config().off_matrix?.contacts?.find((c) => c.user === userId);
      return {
        communityIds: [],
        empty: own.length === 0,
        inCommunity: () => undefined,
        general(m, zone) {
          const lines = contactLines(own, admin, zone);
          if (lines.length) m.p(t("data.contacts", { command: command("!contact") })).list(lines);
        },
        goes: () => [],
      };
    },
    erase(userId, e) {
      const rows = contacts.forget(userId);
      // `contact.code:<user>:<time>` and `page.offmatrix:<page>:r<round>:s<step>:<kind>:<user>`.
      app.jobs.cancelMatching(`${CONTACT_CODE_JOB}:${userId}:`, (k) => /^\d+$/.test(k.slice(CONTACT_CODE_JOB.length + userId.length + 2)), e.now);
      app.jobs.cancelMatching(`${OFF_MATRIX_JOB}:`, (k) => /^page\.offmatrix:\d+:r\d+:s\d+:[a-z]+:(.*)$/.exec(k)?.[1] === userId, e.now);
      return { rows, communities: [] };
    },
  };
}
