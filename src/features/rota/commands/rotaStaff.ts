import type { CommunityConfig } from "../../../config/types";
import type { RotaEntry } from "../store/rota";
import { Message } from "../../../messaging/message";
import type { CommandContext, CommandResult } from "../../../commands/types";
import type { RotaCommandDeps } from "./common";
import { refused } from "../../../messaging/outcome";
import { command, person, t, zone } from "../../../words";

/** What a staff subcommand returns: its answer, and whom it was about (for the audit log). */
export type StaffResult = { result: CommandResult; subject?: string };

export type StaffHandler = (deps: RotaCommandDeps, ctx: CommandContext, c: CommunityConfig, args: string[]) => StaffResult;

export type Words = ReturnType<typeof t>;

/** The role someone can hold on this rota, or a refusal naming why not. */
export function standingOrRefusal(deps: RotaCommandDeps, c: CommunityConfig, userId: string): "staff" | "peer" | CommandResult {
  const standing = deps.rota.standing(c, userId);
  if (standing) return standing;
  return refused(t("rota.notMember", { holder: person(userId), community: c.name }));
}

export function askToAccept(deps: RotaCommandDeps, ctx: CommandContext, c: CommunityConfig, entry: RotaEntry, what: Words): void {
  deps.effects.tell(
    entry.userId,
    new Message()
      .p(t("rota.askTake", { staff: person(ctx.sender), community: c.name, what, zone: zone(c.timezone) }))
      .p(t("rota.askAgree", { accept: command(`!rota accept ${entry.id}`), decline: command(`!rota decline ${entry.id}`) })),
    `rota:ask:${entry.id}`,
  );
}
