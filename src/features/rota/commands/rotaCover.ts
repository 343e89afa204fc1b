import type { CommunityConfig } from "../../../config/types";
import type { Override } from "../domain/rota";
import { overlappingOverrides } from "../domain/overrides";
import { Message } from "../../../messaging/message";
import { UsageError, type CommandContext } from "../../../commands/types";
import { staffConsentRefusal, userArg, type RotaCommandDeps } from "./common";
import { ok, refused } from "../../../messaging/outcome";
import { LONGEST_SHIFT_MS } from "../service";
import { dayBounds, readDate } from "./when";
import { capRefusal } from "./volunteer";
import { command, person, t, zone } from "../../../words";
import { coverRangeWords, entryWords } from "../words";
import { canCover, coverCandidate, liveCovers, newCover, tellCovered } from "./covers";
import { askToAccept, standingOrRefusal, type StaffResult } from "./rotaStaff";

/** Dates as `<date>`, `<date>..<date>`, `<date> <date>` or `<date> to <date>`: whole local days. */
function readDateRange(tokens: string[], c: CommunityConfig, now: number): { startMs: number; endMs: number } {
  const parts = tokens.flatMap((t) => t.split("..")).filter((t) => t !== "" && t.toLowerCase() !== "to");
  if (parts.length === 0 || parts.length > 2) throw new UsageError(t("rota.coverDates"));
  const dates = parts.map((p) => {
    const d = readDate(p, c.timezone, now);
    if (!d) throw new UsageError(t("rota.notADate"));
    return d;
  });
  const first = dayBounds(c.timezone, dates[0]);
  const last = dayBounds(c.timezone, dates[dates.length - 1]);
  if (last.endMs <= first.startMs) throw new UsageError(t("rota.lastBeforeFirst"));
  if (last.endMs <= now) throw new UsageError(t("rota.datesOver"));
  return { startMs: first.startMs, endMs: last.endMs };
}

/** `!rota cover`: someone takes another's shifts over a range of days. */
export function cover(deps: RotaCommandDeps, ctx: CommandContext, c: CommunityConfig, args: string[]): StaffResult {
  if (args.length < 3) throw new UsageError(t("rota.coverWho"));
  const covered = userArg(args[0], ctx, "covered");
  const tail = args.slice(1);
  const coverToken = tail[tail.length - 1];
  const dateTokens = tail.slice(0, -1).filter((t) => t.toLowerCase() !== "by");
  const coverId = userArg(coverToken, ctx, "covering");
  const range = readDateRange(dateTokens, c, ctx.now);
  if (covered === coverId) throw new UsageError(t("rota.coverSelf"));
  const coveredStanding = standingOrRefusal(deps, c, covered);
  if (typeof coveredStanding !== "string") return { result: coveredStanding, subject: covered };
  const coverStanding = standingOrRefusal(deps, c, coverId);
  if (typeof coverStanding !== "string") return { result: coverStanding, subject: covered };
  if (!deps.rota.consents(c, coverId)) return { result: staffConsentRefusal(c, coverId), subject: covered };

  const theirs = deps.rota
    .stretchesStarting(c, range.startMs - LONGEST_SHIFT_MS, range.endMs, ctx.now, false)
    .filter((s) => s.userId === covered && s.endMs > range.startMs && s.endMs > ctx.now);
  if (theirs.length === 0) {
    return { result: refused(t("rota.nothingToCover", { covered: person(covered), range: coverRangeWords(range.startMs, range.endMs, c.timezone) })), subject: covered };
  }
  if (theirs.some((s) => !canCover(s.role, coverStanding))) {
    return { result: refused(t("rota.staffShiftsCover", { covered: person(covered) })), subject: covered };
  }
  const candidate: Override = { id: "new", coveredUserId: covered, coverUserId: coverId, ...range };
  const clash = overlappingOverrides([...liveCovers(deps, c), candidate]).find((pair) => pair.includes("new"));
  if (clash) {
    const other = clash[0] === "new" ? clash[1] : clash[0];
    return { result: refused(t("rota.coverClash", { other, covered: person(covered), remove: command(`!rota remove ${other}`) })), subject: covered };
  }
  if (coverStanding === "peer") {
    const over = deps.rota.overCap(c, coverId, [coverCandidate(coverId, covered, range, coveredStanding)], ctx.now);
    if (over) return { result: refused(capRefusal(c, coverId, over)), subject: covered };
  }
  const entry = deps.rota.store.addCover(newCover(c, ctx, coverId, covered, coveredStanding, range), ctx.now);
  const what = entryWords(entry, c);
  if (entry.status === "approved") {
    deps.replan(c.id, ctx.now);
    tellCovered(deps, c, entry);
    return { result: ok(Message.of(t("rota.coverOnRota", { id: entry.id, what, zone: zone(c.timezone) }))), subject: covered };
  }
  askToAccept(deps, ctx, c, entry, t("rota.askCovering", { covered: person(covered), range: coverRangeWords(range.startMs, range.endMs, c.timezone) }));
  return { result: ok(Message.of(t("rota.coverProposed", { id: entry.id, what, cover: person(coverId), zone: zone(c.timezone) }))), subject: covered };
}
