import type { CommunityConfig } from "../../../config/types";
import type { Override } from "../domain/rota";
import type { NewCover, RotaEntry } from "../store/rota";
import { Message } from "../../../messaging/message";
import type { CommandContext } from "../../../commands/types";
import type { RotaCommandDeps } from "./common";
import type { Candidate } from "../service";
import { person, t, zone } from "../../../words";
import { coverRangeWords, stretchWords } from "../words";

export function liveCovers(deps: RotaCommandDeps, c: CommunityConfig): Override[] {
  return deps.rota.store
    .list(c.id)
    .filter((e) => e.kind === "cover")
    .map((e) => ({ id: String(e.id), coveredUserId: e.coveredUserId, coverUserId: e.userId, startMs: e.startMs!, endMs: e.endMs! }));
}

/** Who may hold a covered person's shifts: staff shifts only go to staff. */
export function canCover(covered: "staff" | "peer", cover: "staff" | "peer"): boolean {
  return covered === "peer" || cover === "staff";
}

export function coverCandidate(userId: string, covered: string, range: { startMs: number; endMs: number }, role: "staff" | "peer"): Candidate {
  return { kind: "cover", userId, role, backup: false, day: null, from: null, to: null, startMs: range.startMs, endMs: range.endMs, coveredUserId: covered };
}

/** The person whose shifts are covered hears of it once the cover is agreed. */
export function tellCovered(deps: RotaCommandDeps, c: CommunityConfig, e: RotaEntry): void {
  if (!e.coveredUserId || e.coveredUserId === e.proposedBy) return;
  const text =
    e.swapWith !== null
      ? t("rota.swapAgreed", { holder: person(e.userId), when: stretchWords(e.startMs!, e.endMs!, c.timezone), id: e.id, zone: zone(c.timezone) })
      : t("rota.coversYourShifts", { holder: person(e.userId), community: c.name, range: coverRangeWords(e.startMs!, e.endMs!, c.timezone), id: e.id, zone: zone(c.timezone) });
  deps.effects.tell(e.coveredUserId, Message.of(text), `rota:covered:${e.id}`);
}


/** A cover entry to record: `holder` takes `covered`'s shifts in `range`, proposed by the sender (agreed if it is them). */
export function newCover(c: CommunityConfig, ctx: CommandContext, holder: string, covered: string, role: "staff" | "peer", range: { startMs: number; endMs: number }): NewCover {
  return {
    communityId: c.id,
    userId: holder,
    role,
    coveredUserId: covered,
    startMs: range.startMs,
    endMs: range.endMs,
    proposedBy: ctx.sender,
    agreed: holder === ctx.sender,
    approved: { by: ctx.sender },
  };
}
