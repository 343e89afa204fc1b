import type { CommunityConfig } from "../../../config/types";
import type { RotaEntry } from "../store/rota";
import { Message } from "../../../messaging/message";
import { UsageError, type CommandContext, type CommandResult } from "../../../commands/types";
import { becomePeer, idArg, othersConcerned, tellStaff, withoutConsent, type RotaCommandDeps } from "./common";
import { ok, refused } from "../../../messaging/outcome";
import { capRefusal } from "./volunteer";
import { command, person, t, zone } from "../../../words";
import { entryWords, statusWords } from "../words";
import { tellCovered } from "./covers";

function proposalFor(deps: RotaCommandDeps, ctx: CommandContext, args: string[], verb: "accept" | "decline"): { e: RotaEntry; c: CommunityConfig } | CommandResult {
  if (args.length !== 1) throw new UsageError(t("rota.proposalWhich", { verb }));
  const id = idArg(args[0]);
  const e = deps.rota.store.get(id);
  const c = e && deps.rota.community(e.communityId);
  if (!e || !c || e.userId !== ctx.sender) return refused(t("rota.notYourProposal", { id, mine: command("!rota mine") }), { private: true });
  if (e.status === "cancelled") return refused(t("rota.noLongerOpen", { id, status: statusWords(e) }), { private: true });
  if (e.agreedAt !== null) return refused(t("rota.alreadyAccepted", { id, status: statusWords(e) }), { private: true });
  return { e, c };
}

/** `!rota accept`: the person agrees to a shift proposed to them. */
export function accept(deps: RotaCommandDeps, ctx: CommandContext, args: string[]): CommandResult {
  const found = proposalFor(deps, ctx, args, "accept");
  if (!("e" in found)) return found;
  const { e, c } = found;
  const standing = deps.rota.standing(c, ctx.sender);
  if (standing === null || (e.role === "staff" && standing !== "staff")) {
    return refused(t("rota.acceptNotMember", { community: c.name }), { private: true });
  }
  if (standing === "peer") {
    const noConsent = withoutConsent(deps, ctx, c);
    if (noConsent) return noConsent;
    const partner = e.swapWith !== null ? deps.rota.store.get(e.swapWith) : undefined;
    const over = deps.rota.overCap(c, ctx.sender, [e, ...(partner ? [partner] : [])], ctx.now);
    if (over) return refused(capRefusal(c, "you", over), { private: true });
    becomePeer(deps, c, ctx.sender, ctx.now);
  }
  const now = deps.rota.store.agree(e.id, ctx.now)!;
  const what = entryWords(now, c);
  if (now.status === "approved") {
    deps.replan(c.id, ctx.now);
    const live = [now, ...(now.swapWith !== null ? [deps.rota.store.get(now.swapWith)!] : [])];
    for (const x of live) tellCovered(deps, c, x);
    tellStaff(deps, c, Message.of(t("rota.staffAccepted", { holder: person(ctx.sender), id: e.id, what })), `rota:accepted:${e.id}`);
    return ok(Message.of(t("rota.acceptedOnRota", { id: e.id, what, zone: zone(c.timezone), mine: command("!rota mine") })), { private: true });
  }
  tellStaff(deps, c, Message.of(t("rota.staffAcceptedWaiting", { holder: person(ctx.sender), id: e.id, what, status: statusWords(now) })), `rota:accepted:${e.id}`);
  return ok(Message.of(t("rota.acceptedWaiting", { id: e.id, what, status: statusWords(now) })), { private: true });
}

/** `!rota decline`: the person turns down a shift proposed to them. */
export function decline(deps: RotaCommandDeps, ctx: CommandContext, args: string[]): CommandResult {
  const found = proposalFor(deps, ctx, args, "decline");
  if (!("e" in found)) return found;
  const { e, c } = found;
  const ended = deps.rota.store.end(e.id, ctx.sender, "declined", ctx.now);
  const what = entryWords(e, c);
  tellStaff(deps, c, Message.of(t("rota.staffDeclined", { holder: person(ctx.sender), id: e.id, what })), `rota:declined:${e.id}`);
  for (const other of othersConcerned(ended, ctx.sender)) {
    if (other === e.coveredUserId && e.swapWith === null) continue; // a cover never agreed changes nothing for them
    deps.effects.tell(other, Message.of(t("rota.swapDeclined", { what, holder: person(ctx.sender) })), `rota:declined:${e.id}:${other}`);
  }
  return ok(Message.of(t("rota.declined", { id: e.id })), { private: true });
}
