import { Message, type Text } from "../../messaging/message";
import { command, t } from "../../words";
import type { InstallContext, OnCall } from "../../ports/context";
import type { PersonalDataSection, PersonalRecord } from "../../ports/personalData";
import { PLAN_JOB, planKey } from "./handoff";
import { breakLines, feedLines, rotaLine, uncoveredLine } from "./personalDataWords";
import type { CalendarFeedsStore, PersonFeeds } from "./store/calendarFeeds";
import type { RotaBreak, RotaEntry, RotaStore } from "./store/rota";
import { communityById } from "../../config/communities";

type RotaApp = Pick<InstallContext, "config" | "jobs" | "rooms" | "effects">;

/**
 * The rota's part of a person's data: their entries and breaks, and the calendar links they
 * were given. Erasing it tells each staff room which shifts became uncovered (not why, nor
 * whose they were) and plans the rota again.
 */
export function rotaPersonalData(app: RotaApp, onCall: OnCall, store: RotaStore, feeds: CalendarFeedsStore): PersonalDataSection {
  return {
    topic: "rota",
    read: (userId) => rotaRecord(userId, store.aboutPerson(userId), feeds.aboutPerson(userId)),
    erase(userId, e) {
      const { entries } = store.aboutPerson(userId);
      tellStaffAboutTheRota(app, onCall, userId, entries, e.key, e.now);
      const rota = store.forget(userId);
      const calendarFeeds = feeds.deleteUser(userId);
      replanRotas(app, entries, e.now);
      return { rows: rota.entries + rota.breaks + calendarFeeds, communities: entries.map((x) => x.communityId) };
    },
    deleteExpired(now, periods) {
      const n = store.deleteEndedBefore(now - periods.rota.ms);
      return { rotaEntries: n.entries, rotaBreaks: n.breaks };
    },
    forgetInCommunity(userId, communityId) {
      store.forget(userId, communityId);
    },
  };
}

function rotaRecord(userId: string, rota: { entries: RotaEntry[]; breaks: RotaBreak[] }, feeds: PersonFeeds[]): PersonalRecord {
  return {
    communityIds: rota.entries.map((e) => e.communityId),
    empty: rota.entries.length === 0 && rota.breaks.length === 0 && feeds.length === 0,
    inCommunity(m, id, c, zone) {
      const lines = rota.entries.filter((e) => e.communityId === id).map((e) => rotaLine(e, userId, c, zone));
      if (lines.length) m.p(t("data.rota")).list(lines);
    },
    general(m, zone) {
      const feedItems = feedLines(feeds);
      if (feedItems.length) m.p(t("data.feeds", { command: command("!rota calendar"), reset: command("!rota calendar reset") })).list(feedItems);
      if (rota.breaks.length) m.p(t("data.breaks")).list(breakLines(rota.breaks, zone));
    },
    goes() {
      const entries = rota.entries.filter((e) => e.userId === userId || e.coveredUserId === userId).length;
      const items: Text[] = [];
      if (entries) items.push(t("data.goesRota", { n: entries }));
      if (rota.breaks.length) items.push(t("data.goesBreaks", { n: rota.breaks.length }));
      return items;
    },
  };
}

/**
 * Before the person's rota entries go: tells each community's staff room which shifts
 * are now uncovered, and that the shift running now (if it was theirs) has ended. It
 * does not say why, nor whose they were.
 */
function tellStaffAboutTheRota(app: RotaApp, onCall: OnCall, userId: string, entries: RotaEntry[], key: string, now: number): void {
  for (const c of app.config().communities) {
    const live = entries.filter((e) => e.communityId === c.id && e.status !== "cancelled" && (e.endMs === null || e.endMs > now));
    const on = onCall(c.id, now);
    const onCallNow = [...on.peers, ...on.backupPeers, ...on.staff].includes(userId);
    if (!live.length && !onCallNow) continue;
    const m = new Message().p(t("data.rotaUncovered", { community: c.name, n: live.length }));
    m.list(live.map((e) => uncoveredLine(e, userId, c)));
    if (onCallNow) m.p(t("data.rotaRunningEnded"));
    m.p(t("data.rotaFill", { show: command("!rota show"), add: command("!rota add"), cover: command("!rota cover") }));
    const staffRoom = app.rooms.get(c.id, "staff");
    if (staffRoom) app.effects.post(staffRoom.roomId, m, `${key}:rota:${c.id}`);
  }
}

/** Handoffs would act on what is gone: the rota is planned again now, which drops theirs. */
function replanRotas(app: RotaApp, entries: RotaEntry[], now: number): void {
  const config = app.config();
  for (const id of new Set(entries.map((e) => e.communityId))) {
    if (communityById(config.communities, id)) app.jobs.reschedule({ kind: PLAN_JOB, key: planKey(id), dueAt: now, payload: { communityId: id } }, now);
  }
}
