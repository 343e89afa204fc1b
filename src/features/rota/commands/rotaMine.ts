import type { RotaEntry } from "../store/rota";
import { Message } from "../../../messaging/message";
import type { CommandContext, CommandResult } from "../../../commands/types";
import { zoneOf, type RotaCommandDeps } from "./common";
import { ok } from "../../../messaging/outcome";
import { LONGEST_SHIFT_MS, type Stretch } from "../service";
import { command, listOf, person, t, zone } from "../../../words";
import { coverRangeWords, lineWords, momentWords, stretchWords } from "../words";

// Everyone

export function mine(deps: RotaCommandDeps, ctx: CommandContext): CommandResult {
  for (const id of new Set(deps.rota.store.ofUser(ctx.sender).map((e) => e.communityId))) deps.rota.tidy(id, ctx.now);
  const msg = new Message();
  const entries = deps.rota.store.ofUser(ctx.sender);
  const breakNow = deps.rota.store.currentBreak(ctx.sender, ctx.now);
  const byCommunity = new Map<string, RotaEntry[]>();
  for (const e of entries) byCommunity.set(e.communityId, [...(byCommunity.get(e.communityId) ?? []), e]);
  const coveredBy = deps.rota.store.coveringFor(ctx.sender).filter((e) => e.status === "approved" && e.endMs! > ctx.now);
  if (breakNow) {
    const tz = zoneOf(deps, ctx.sender);
    msg.p(
      breakNow.untilMs
        ? t("rota.breakUntil", { until: momentWords(breakNow.untilMs, tz, ctx.now), zone: zone(tz), command: command("!break end") })
        : t("rota.breakOpen", { command: command("!break end") }),
    );
  }
  if (entries.length === 0 && coveredBy.length === 0) {
    msg.p(t("rota.noShifts", { example: command("!volunteer mon 18:00-22:00") }));
    return ok(msg, { private: true });
  }
  for (const [communityId, list] of byCommunity) {
    const c = deps.rota.community(communityId);
    if (!c) continue;
    msg.heading(t("rota.communityHeading", { community: c.name, zone: zone(c.timezone) })).list(
      list.map((e) => {
        const line = lineWords(e, c);
        return e.status === "proposed" && e.agreedAt === null
          ? t("rota.answerProposal", { line, accept: command(`!rota accept ${e.id}`), decline: command(`!rota decline ${e.id}`) })
          : line;
      }),
    );
    const next = deps.rota
      .stretchesStarting(c, ctx.now - LONGEST_SHIFT_MS, ctx.now + 8 * 24 * 60 * 60 * 1000, ctx.now)
      .filter((s) => s.userId === ctx.sender && s.endMs > ctx.now)
      .slice(0, 3);
    const shiftWords = (s: Stretch) => (s.backup ? t("rota.backupShift", { shift: stretchWords(s.startMs, s.endMs, c.timezone) }) : stretchWords(s.startMs, s.endMs, c.timezone));
    // A shift already running is "now", not "coming up".
    const running = next.filter((s) => s.startMs <= ctx.now);
    const coming = next.filter((s) => s.startMs > ctx.now);
    for (const s of running) msg.p(t("rota.now", { shift: shiftWords(s), until: momentWords(s.endMs, c.timezone, ctx.now) }));
    if (coming.length) msg.p(t("rota.comingUp", { shifts: listOf(coming.map(shiftWords)) }));
    if (!deps.rota.consents(c, ctx.sender)) {
      msg.p(t("rota.notAgreed", { community: c.name, rights: command("!rights"), agree: command("!consent agree") }));
    }
  }
  for (const e of coveredBy) {
    const c = deps.rota.community(e.communityId);
    if (c) {
      const when = e.swapWith !== null ? stretchWords(e.startMs!, e.endMs!, c.timezone) : coverRangeWords(e.startMs!, e.endMs!, c.timezone);
      msg.p(t("rota.coversYou", { holder: person(e.userId), when, id: e.id }));
    }
  }
  return ok(msg, { private: true });
}
