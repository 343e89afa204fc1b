import type { CommunityConfig } from "../../../config/types";
import { Message } from "../../../messaging/message";
import { UsageError, type CommandContext } from "../../../commands/types";
import { idArg, type RotaCommandDeps } from "./common";
import { ok } from "../../../messaging/outcome";
import { t, zone } from "../../../words";
import { entryWords, staffLineWords, statusWords } from "../words";
import type { StaffResult } from "./rotaStaff";

/** `!rota approve`: approves waiting shifts (by number, or all). */
export function approve(deps: RotaCommandDeps, ctx: CommandContext, c: CommunityConfig, args: string[]): StaffResult {
  if (args.length === 0) throw new UsageError(t("rota.approveWhich"));
  const waiting = deps.rota.store.list(c.id, ["proposed"]).filter((e) => e.approvedAt === null);
  const chosen =
    args.length === 1 && args[0].toLowerCase() === "all"
      ? waiting
      : args.map((a) => {
          const id = idArg(a);
          const e = waiting.find((x) => x.id === id);
          if (!e) {
            const known = deps.rota.store.get(id);
            if (!known || known.communityId !== c.id) throw new UsageError(t("rota.noSuchShift", { id, community: c.name }));
            throw new UsageError(t("rota.notWaiting", { id, status: statusWords(known) }));
          }
          return e;
        });
  if (chosen.length === 0) return { result: ok(Message.of(t("rota.nothingWaiting"))) };
  const lines = [];
  for (const e of chosen) {
    const now = deps.rota.store.approve(e.id, ctx.sender, ctx.now)!;
    lines.push(staffLineWords(now, c));
    if (now.status === "approved") {
      deps.effects.tell(
        e.userId,
        Message.of(t("rota.approvedYou", { community: c.name, id: e.id, what: entryWords(e, c), zone: zone(c.timezone) })),
        `rota:approved:${e.id}`,
      );
    }
  }
  deps.replan(c.id, ctx.now);
  return { result: ok(new Message().p(t("rota.approved")).list(lines)), subject: chosen.length === 1 ? chosen[0].userId : undefined };
}
