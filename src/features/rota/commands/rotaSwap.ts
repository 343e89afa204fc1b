import type { CommunityConfig } from "../../../config/types";
import { overlappingOverrides, swapOverrides } from "../domain/overrides";
import { Message } from "../../../messaging/message";
import { UsageError, type CommandContext } from "../../../commands/types";
import { staffConsentRefusal, userArg, type RotaCommandDeps } from "./common";
import { ok, refused } from "../../../messaging/outcome";
import type { Candidate, Stretch } from "../service";
import { dayBounds, readDate } from "./when";
import { capRefusal } from "./volunteer";
import { command, person, t, zone } from "../../../words";
import { dayWords, stretchWords } from "../words";
import { canCover, coverCandidate, liveCovers, newCover } from "./covers";
import { askToAccept, standingOrRefusal, type StaffResult, type Words } from "./rotaStaff";

/** The one stretch `userId` starts on `date`, or a refusal. */
function stretchOn(deps: RotaCommandDeps, c: CommunityConfig, userId: string, token: string | undefined, now: number): Stretch | Words {
  const date = token === undefined ? null : readDate(token, c.timezone, now);
  if (!date) throw new UsageError(t("rota.notADate"));
  const { startMs, endMs } = dayBounds(c.timezone, date);
  const found = deps.rota.stretchesStarting(c, startMs, endMs, now, false).filter((s) => s.userId === userId && s.endMs > now);
  if (found.length === 1) return found[0];
  if (found.length === 0) return t("rota.noShiftOn", { holder: person(userId), day: dayWords(startMs, c.timezone) });
  return t("rota.manyShiftsOn", { holder: person(userId), n: found.length, day: dayWords(startMs, c.timezone), cover: command("!rota cover") });
}

/** `!rota swap`: two people trade one shift each. */
export function swap(deps: RotaCommandDeps, ctx: CommandContext, c: CommunityConfig, args: string[]): StaffResult {
  if (args.length !== 4) throw new UsageError(t("rota.swapArgs"));
  const a = userArg(args[0], ctx);
  const b = userArg(args[2], ctx);
  if (a === b) throw new UsageError(t("rota.swapSame"));
  for (const u of [a, b]) {
    const s = standingOrRefusal(deps, c, u);
    if (typeof s !== "string") return { result: s, subject: a };
    if (!deps.rota.consents(c, u)) return { result: staffConsentRefusal(c, u), subject: a };
  }
  const sa = stretchOn(deps, c, a, args[1], ctx.now);
  if (!("startMs" in sa)) return { result: refused(sa), subject: a };
  const sb = stretchOn(deps, c, b, args[3], ctx.now);
  if (!("startMs" in sb)) return { result: refused(sb), subject: a };
  if (!canCover(sa.role, deps.rota.standing(c, b)!) || !canCover(sb.role, deps.rota.standing(c, a)!)) {
    return { result: refused(t("rota.swapStaff")), subject: a };
  }
  const [ova, ovb] = swapOverrides("new", sa, sb);
  const clash = overlappingOverrides([...liveCovers(deps, c), ova, ovb]).find((pair) => pair.some((id) => id.startsWith("new")) && !pair.every((id) => id.startsWith("new")));
  if (clash) {
    const other = clash.find((id) => !id.startsWith("new"))!;
    return { result: refused(t("rota.swapClash", { other, remove: command(`!rota remove ${other}`) })), subject: a };
  }
  const halves: Candidate[] = [coverCandidate(b, a, sa, sa.role), coverCandidate(a, b, sb, sb.role)];
  for (const u of [a, b]) {
    if (deps.rota.standing(c, u) !== "peer") continue;
    const over = deps.rota.overCap(c, u, halves, ctx.now);
    if (over) return { result: refused(capRefusal(c, u, over)), subject: a };
  }
  const [ea, eb] = deps.rota.store.addSwap(newCover(c, ctx, b, a, sa.role, sa), newCover(c, ctx, a, b, sb.role, sb), ctx.now);
  const summary = t("rota.swapSummary", { first: person(a), second: person(b), whenA: stretchWords(sa.startMs, sa.endMs, c.timezone), whenB: stretchWords(sb.startMs, sb.endMs, c.timezone) });
  if (ea.status === "approved") {
    deps.replan(c.id, ctx.now);
    return { result: ok(Message.of(t("rota.swapOnRota", { first: ea.id, second: eb.id, summary, zone: zone(c.timezone) }))), subject: a };
  }
  for (const e of [ea, eb]) {
    if (e.agreedAt === null) askToAccept(deps, ctx, c, e, t("rota.askSwap", { summary, id: e.id }));
  }
  return { result: ok(Message.of(t("rota.swapProposed", { first: ea.id, second: eb.id, summary, zone: zone(c.timezone) }))), subject: a };
}
