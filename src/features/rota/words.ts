import { DateTime } from "luxon";
import type { CommunityConfig } from "../../config/types";
import { WEEKDAYS, type ShiftTimeProblem, type Weekday } from "./domain/rota";
import { parseHHMM } from "../../kernel/localTime";
import type { RotaEntry } from "./store/rota";
import { person, t, time } from "../../words";

/**
 * The rota in its reader's words: shifts, covers and where each stands, with people by name
 * and times in the community's zone: for replies, `!mydata` and the data export alike.
 */

type Words = ReturnType<typeof t>;

const local = (ms: number, zoneName: string) => DateTime.fromMillis(ms, { zone: zoneName });

/** "Mon, Mar 2" (the reader's way of writing a date). */
export function dayWords(ms: number, zoneName: string) {
  return time(ms, zoneName, "date");
}

export function weekdayWords(day: Weekday): Words {
  return t("rota.weekday", { day });
}

/** A weekly slot: "every Monday, 18:00–22:00" or "every Monday 22:00 to Tuesday 06:00". */
export function weeklyWords(day: Weekday, from: string, to: string): Words {
  const overnight = (parseHHMM(to, true) ?? 0) <= (parseHHMM(from, true) ?? 0);
  if (!overnight) return t("rota.weekly", { day: weekdayWords(day), from, to });
  const next = WEEKDAYS[(WEEKDAYS.indexOf(day) + 1) % 7]!;
  return t("rota.weeklyOvernight", { day: weekdayWords(day), from, next: weekdayWords(next), to });
}

/** One stretch of time: "Mon, Mar 2, 18:00–22:00", or across midnight with both days. */
export function stretchWords(startMs: number, endMs: number, zoneName: string): Words {
  const s = local(startMs, zoneName);
  const e = local(endMs, zoneName);
  const from = time(startMs, zoneName, "time");
  if (s.hasSame(e, "day")) return t("rota.sameDay", { day: dayWords(startMs, zoneName), from, to: time(endMs, zoneName, "time") });
  if (e.hour === 0 && e.minute === 0 && s.plus({ days: 1 }).hasSame(e, "day")) return t("rota.toMidnight", { day: dayWords(startMs, zoneName), from });
  return t("rota.across", { day: dayWords(startMs, zoneName), from, endDay: dayWords(endMs, zoneName), to: time(endMs, zoneName, "time") });
}

/** "22:00 today", "06:00 tomorrow", "09:00 on Fri, Mar 6". */
export function momentWords(ms: number, zoneName: string, now: number): Words {
  const m = local(ms, zoneName);
  const today = local(now, zoneName);
  const day = m.hasSame(today, "day") ? "today" : m.hasSame(today.plus({ days: 1 }), "day") ? "tomorrow" : "other";
  return t("rota.moment", { day, at: time(ms, zoneName, "time"), date: dayWords(ms, zoneName) });
}

/** A cover's whole days: "all of Tue, Mar 3", "from Tue, Mar 3 to Thu, Mar 5". */
export function coverRangeWords(startMs: number, endMs: number, zoneName: string): Words {
  const first = local(startMs, zoneName);
  const last = local(endMs - 1, zoneName);
  if (first.hasSame(last, "day")) return t("rota.allOf", { day: dayWords(startMs, zoneName) });
  return t("rota.fromTo", { first: dayWords(startMs, zoneName), last: dayWords(endMs - 1, zoneName) });
}

/** What an entry is: "every Monday, 18:00–22:00 (backup)", "Bea covers Alex, all of Tue, Mar 3". */
export function entryWords(e: RotaEntry, c: CommunityConfig): Words {
  const tz = c.timezone;
  let what: Words;
  switch (e.kind) {
    case "weekly":
      what = weeklyWords(e.day!, e.from!, e.to!);
      break;
    case "once":
      what = stretchWords(e.startMs!, e.endMs!, tz);
      break;
    case "cover":
      return e.swapWith !== null
        ? t("rota.swapEntry", { holder: person(e.userId), covered: person(e.coveredUserId ?? ""), when: stretchWords(e.startMs!, e.endMs!, tz) })
        : t("rota.coverEntry", { holder: person(e.userId), covered: person(e.coveredUserId ?? ""), range: coverRangeWords(e.startMs!, e.endMs!, tz) });
  }
  if (e.backup) what = t("rota.backup", { what });
  if (e.role === "staff") what = t("rota.onCallStaff", { what });
  return what;
}

/** Where an entry stands: on the rota, declined, or what it waits for. */
export function statusWords(e: RotaEntry): Words {
  if (e.status === "approved") return t("rota.status", { status: "approved" });
  if (e.status === "cancelled") return t("rota.status", { status: e.endReason === "declined" ? "declined" : e.endReason === "removed" ? "removed" : "cancelled" });
  if (e.agreedAt === null) return t("rota.waitingAccept", { holder: person(e.userId) });
  if (e.approvedAt === null) return t("rota.waitingApproval");
  return t("rota.waitingSwap");
}

/** "#12 every Monday, 18:00–22:00 — on the rota": for the person it concerns. */
export function lineWords(e: RotaEntry, c: CommunityConfig): Words {
  return t("rota.line", { id: e.id, what: entryWords(e, c), status: statusWords(e) });
}

/** "#12 Mia: every Monday, 18:00–22:00 — waiting for staff approval": for staff, with whose shift it is. */
export function staffLineWords(e: RotaEntry, c: CommunityConfig): Words {
  return t("rota.staffLine", { id: e.id, holder: person(e.userId), what: entryWords(e, c), status: statusWords(e) });
}

/** What is wrong with a shift's times, in the reader's words. */
export function shiftTimeProblemWords(p: ShiftTimeProblem): Words {
  switch (p.code) {
    case "notATime":
      return t("rota.timeNotATime", { which: p.which, value: p.value });
    case "outOfRange":
      return t("rota.timeOutOfRange", { which: p.which, value: p.value });
    case "startsAt24":
      return t("rota.startsAt24");
  }
}
