import type { CommunityConfig } from "../../../config/types";
import { Message } from "../../../messaging/message";
import { UsageError, type CommandContext } from "../../../commands/types";
import { idArg, othersConcerned, type RotaCommandDeps } from "./common";
import { ok, refused } from "../../../messaging/outcome";
import { command, t } from "../../../words";
import { entryWords } from "../words";
import type { StaffResult, Words } from "./rotaStaff";

/** `!rota remove`: takes shifts off the rota; whoever they concerned is told. */
export function remove(deps: RotaCommandDeps, ctx: CommandContext, c: CommunityConfig, args: string[]): StaffResult {
  if (args.length === 0) throw new UsageError(t("rota.removeWhich", { show: command("!rota show") }));
  const entries = args.map((a) => {
    const id = idArg(a);
    const e = deps.rota.store.get(id);
    if (!e || e.communityId !== c.id) throw new UsageError(t("rota.noSuchShift", { id, community: c.name }));
    return e;
  });
  const lines: Words[] = [];
  for (const e of entries) {
    const ended = deps.rota.store.end(e.id, ctx.sender, "removed", ctx.now);
    if (ended.length === 0) continue;
    const what = entryWords(e, c);
    lines.push(t("rota.idWhat", { id: e.id, what }));
    for (const other of othersConcerned(ended, ctx.sender)) {
      const wasVolunteered = e.proposedBy === e.userId && e.status === "proposed" && other === e.userId;
      deps.effects.tell(
        other,
        Message.of(
          wasVolunteered
            ? t("rota.removedNotTaken", { community: c.name, id: e.id, what })
            : t("rota.removedTaken", { community: c.name, id: e.id, what }),
        ),
        `rota:removed:${e.id}:${other}`,
      );
    }
  }
  deps.replan(c.id, ctx.now);
  if (lines.length === 0) return { result: refused(t("rota.alreadyOff")) };
  return { result: ok(new Message().p(t("rota.takenOff")).list(lines)), subject: entries[0]?.userId };
}
