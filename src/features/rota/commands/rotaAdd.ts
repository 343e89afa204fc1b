import type { CommunityConfig } from "../../../config/types";
import { Message } from "../../../messaging/message";
import { UsageError, type CommandContext } from "../../../commands/types";
import { staffConsentRefusal, userArg, type RotaCommandDeps } from "./common";
import { ok, refused } from "../../../messaging/outcome";
import { candidateOf, capRefusal, readShift } from "./volunteer";
import { person, t, zone } from "../../../words";
import { entryWords } from "../words";
import { askToAccept, standingOrRefusal, type StaffResult } from "./rotaStaff";

/** `!rota add`: puts someone on the rota (at once for staff and for oneself; else they are asked to accept). */
export function add(deps: RotaCommandDeps, ctx: CommandContext, c: CommunityConfig, args: string[]): StaffResult {
  const userId = userArg(args[0], ctx);
  const backup = args.slice(1).some((a) => a.toLowerCase() === "backup");
  const shiftArgs = args.slice(1).filter((a) => a.toLowerCase() !== "backup");
  const shift = readShift(shiftArgs, c, ctx.now);
  if (shiftArgs.length > shift.used) throw new UsageError(t("rota.notUnderstood"));
  const standing = standingOrRefusal(deps, c, userId);
  if (typeof standing !== "string") return { result: standing, subject: userId };
  const role = standing;
  if (role === "peer" && !deps.rota.consents(c, userId)) return { result: staffConsentRefusal(c, userId), subject: userId };
  const candidate = candidateOf(shift, userId, role, backup);
  if (role === "peer") {
    const over = deps.rota.overCap(c, userId, [candidate], ctx.now);
    if (over) return { result: refused(capRefusal(c, userId, over)), subject: userId };
  }
  const self = userId === ctx.sender;
  const base = { communityId: c.id, userId, role, proposedBy: ctx.sender, agreed: self, approved: { by: ctx.sender }, backup };
  const entry =
    shift.kind === "weekly"
      ? deps.rota.store.addWeekly({ ...base, day: shift.day, from: shift.from, to: shift.to }, ctx.now)
      : deps.rota.store.addOnce({ ...base, startMs: shift.startMs, endMs: shift.endMs }, ctx.now);
  const what = entryWords(entry, c);
  if (entry.status === "approved") {
    deps.replan(c.id, ctx.now);
    return { result: ok(Message.of(t("rota.addedOnRota", { id: entry.id, what, holder: person(userId), zone: zone(c.timezone) }))), subject: userId };
  }
  askToAccept(deps, ctx, c, entry, what);
  return {
    result: ok(Message.of(t("rota.addedProposed", { id: entry.id, what, holder: person(userId), zone: zone(c.timezone) }))),
    subject: userId,
  };
}
