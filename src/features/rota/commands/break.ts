import { supportNow } from "../../../messaging/support";
import { Message } from "../../../messaging/message";
import type { CommandSpec } from "../../../commands/types";
import { type RotaCommandDeps } from "./common";
import { ok } from "../../../messaging/outcome";
import { zoneOf } from "./common";
import { breakUntil } from "./when";
import { momentWords } from "../words";
import { command, t, zone } from "../../../words";

/**
 * `!break [until …]` takes the sender off every rota they are on, at once and with no
 * questions asked: no reason, no approval, nobody is told why. `!break end` comes back.
 * Their shifts stay theirs; while the break lasts pages go to the next step of the ladder.
 */
export function breakCommand(deps: RotaCommandDeps): CommandSpec {
  return {
    name: "break",
    usage: "!break [until <date|day|time|3d>] | !break end",
    summary: t("usage.breakSummary"),
    details: t("usage.breakDetails"),
    topic: "rota",
    audience: "everyone",
    run(ctx, args) {
      const tz = zoneOf(deps, ctx.sender);
      const communities = [...new Set(deps.rota.store.ofUser(ctx.sender).map((e) => e.communityId))];
      if (args[0]?.toLowerCase() === "end") {
        const ended = deps.rota.store.endBreak(ctx.sender, ctx.now);
        for (const id of communities) deps.replan(id, ctx.now);
        return ok(
          Message.of(ended ? t("rota.breakBack", { mine: command("!rota mine") }) : t("rota.breakNone", { start: command("!break") })),
          { private: true },
        );
      }
      const until = breakUntil(args, tz, ctx.now);
      deps.rota.store.startBreak(ctx.sender, until, ctx.now);
      for (const id of communities) deps.replan(id, ctx.now);
      const end = command("!break end");
      return ok(
        new Message()
          .p(until === null ? t("rota.breakOpenStarted", { end }) : t("rota.breakUntilStarted", { until: momentWords(until, tz, ctx.now), zone: zone(tz), end }))
          .p(t("rota.breakMeanwhile"))
          .append(supportNow(ctx.crisisResources)),
        { private: true },
      );
    },
  };
}
