import { calendar } from "./calendar";
import { Message } from "../../../messaging/message";
import { UsageError, type CommandContext, type CommandResult, type CommandSpec } from "../../../commands/types";
import type { RotaCommandDeps } from "./common";
import { refused } from "../../../messaging/outcome";
import { command, listOf, t } from "../../../words";
import type { StaffHandler } from "./rotaStaff";
import { add } from "./rotaAdd";
import { remove } from "./rotaRemove";
import { approve } from "./rotaApprove";
import { cover } from "./rotaCover";
import { swap } from "./rotaSwap";
import { show } from "./rotaShow";
import { mine } from "./rotaMine";
import { accept, decline } from "./rotaAnswer";

const STAFF_SUBCOMMANDS = ["add", "remove", "cover", "swap", "show", "approve"] as const;
type StaffSub = (typeof STAFF_SUBCOMMANDS)[number];

const STAFF_USAGE: Record<StaffSub, string> = {
  add: "!rota add <@user|me> <day|date> <from>-<to> [backup]",
  remove: "!rota remove <number> …",
  cover: "!rota cover <@covered> <date>[..<date>] <@cover|me>",
  swap: "!rota swap <@user> <date> <@user> <date>",
  show: "!rota show [this|next|last|<date>]",
  approve: "!rota approve <number …|all>",
};

/**
 * `!rota`: anyone can see their own shifts (`mine`) and answer a proposal (`accept`,
 * `decline`); staff, in their staff room, manage the rota (`add`, `remove`, `cover`,
 * `swap`, `show`, `approve`). The command is open to everyone so peers reach their part;
 * the staff part checks the staff room itself and is audited like any staff command.
 */
export function rotaCommand(deps: RotaCommandDeps): CommandSpec {
  return {
    name: "rota",
    usage: "!rota mine | accept <number> | decline <number> | calendar [reset]",
    summary: t("usage.rotaSummary"),
    details: t("usage.rotaDetails"),
    topic: "rota",
    staffPart: {
      usage: "!rota add|remove|cover|swap|show|approve …",
      summary: t("usage.rotaStaffSummary"),
      details: t("usage.rotaStaffDetails", { forms: listOf(Object.values(STAFF_USAGE).map((u) => command(u))) }),
    },
    audience: "everyone",
    run(ctx, args) {
      const sub = (args[0] ?? "").toLowerCase();
      const rest = args.slice(1);
      if (sub === "mine" || sub === "") return mine(deps, ctx);
      if (sub === "accept") return accept(deps, ctx, rest);
      if (sub === "decline") return decline(deps, ctx, rest);
      if (sub === "calendar") return calendar(deps, ctx, rest);
      if ((STAFF_SUBCOMMANDS as readonly string[]).includes(sub)) return asStaff(deps, ctx, sub as StaffSub, rest);
      throw new UsageError(t("rota.unknownSub", { command: command(`!rota ${sub}`) }));
    },
  };
}

// ---------------------------------------------------------------------------
// Staff

function asStaff(deps: RotaCommandDeps, ctx: CommandContext, sub: StaffSub, args: string[]): CommandResult {
  let result: CommandResult;
  let subject: string | null = null;
  if (!ctx.isStaffHere || !ctx.community) {
    result = refused(
      t("rota.staffOnly", { command: command(`!rota ${sub}`), mine: command("!rota mine"), accept: command("!rota accept <number>"), decline: command("!rota decline <number>") }),
    );
  } else {
    try {
      deps.rota.tidy(ctx.community.id, ctx.now);
      const out = STAFF[sub](deps, ctx, ctx.community, args);
      result = out.result;
      subject = out.subject ?? null;
    } catch (err) {
      // Answered here rather than by the dispatcher so the refusal is audited with the rest.
      if (!(err instanceof UsageError)) throw err;
      result = refused(Message.of(err.text).p(t("commands.usage", { usage: command(STAFF_USAGE[sub]) })));
    }
  }
  const why = result.outcome === "refused" ? `: ${result.reply.plain.split("\n")[0]}` : "";
  deps.audit.append(
    {
      communityId: ctx.community?.id ?? null,
      actor: ctx.sender,
      action: result.outcome === "ok" ? "command.rota" : "command.refused",
      subject,
      detail: `!rota ${sub} ${result.outcome}${why}`,
    },
    ctx.now,
  );
  return result;
}


const STAFF: Record<StaffSub, StaffHandler> = { add, remove, cover, swap, show, approve };
