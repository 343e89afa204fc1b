import type { Text } from "../../messaging/message";
import { person, t, time } from "../../words";
import { joined } from "../../words/joined";

type Words = ReturnType<typeof t>;
import type { CommunityConfig } from "../../config/types";
import type { PersonFeeds } from "./store/calendarFeeds";
import type { RotaBreak, RotaEntry } from "./store/rota";
import { coverRangeWords, entryWords, statusWords, stretchWords } from "./words";

/** One of the person's rota entries in `!mydata`: what, its state, and who did what when. */
export function rotaLine(e: RotaEntry, userId: string, c: CommunityConfig | undefined, zone: string): Words {
  const date = (ms: number) => time(ms, zone, "date");
  const what = c ? entryWords(e, c) : t("data.rotaEntry", { kind: e.kind });
  const dates = [e.proposedBy === userId ? t("data.rotaProposedYou", { date: date(e.proposedAt) }) : t("data.rotaProposed", { by: person(e.proposedBy), date: date(e.proposedAt) })];
  if (e.userId === userId && e.agreedAt !== null) dates.push(t("data.rotaAgreed", { date: date(e.agreedAt) }));
  if (e.approvedAt !== null) dates.push(e.approvedBy ? t("data.rotaApproved", { by: person(e.approvedBy), date: date(e.approvedAt) }) : t("data.rotaOnFrom", { date: date(e.approvedAt) }));
  if (e.endedAt !== null) dates.push(t("data.rotaEnded", { date: date(e.endedAt) }));
  return t("data.rotaLine", { id: e.id, what, status: statusWords(e), dates: joined(dates) });
}

/** Their calendar links, counted (the tokens are not kept). */
export function feedLines(feeds: PersonFeeds[]): Text[] {
  return feeds.map((f) => {
    const line = f.kind === "person" ? t("data.feedPerson", { live: f.live }) : t("data.feedCommunity", { id: f.communityId ?? "", live: f.live });
    return f.revoked ? t("data.feedRevoked", { line, revoked: f.revoked }) : line;
  });
}

export function breakLines(breaks: RotaBreak[], zone: string): Text[] {
  const when = (ms: number) => time(ms, zone, "datetime");
  return breaks.map((b) => {
    const line = b.untilMs === null ? t("data.breakOpen", { from: when(b.startedAt) }) : t("data.breakUntil", { from: when(b.startedAt), until: when(b.untilMs) });
    return b.endedAt !== null ? t("data.breakEnded", { line, ended: when(b.endedAt) }) : line;
  });
}

/** One ended entry in words, without the name of the person it was taken from. */
export function uncoveredLine(e: RotaEntry, userId: string, c: CommunityConfig): Words {
  if (e.kind !== "cover") return t("data.uncoveredEntry", { id: e.id, what: entryWords(e, c) });
  if (e.userId === userId) {
    const whose = e.coveredUserId!;
    const when = e.swapWith !== null ? stretchWords(e.startMs!, e.endMs!, c.timezone) : coverRangeWords(e.startMs!, e.endMs!, c.timezone);
    return t("data.uncoveredTheirs", { id: e.id, swap: e.swapWith !== null ? "yes" : "no", whose: person(whose), when });
  }
  return t("data.uncoveredCover", { id: e.id, who: person(e.userId), when: coverRangeWords(e.startMs!, e.endMs!, c.timezone) });
}
