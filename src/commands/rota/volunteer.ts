import type { CommunityConfig } from "../../config/types";
import type { RotaEntry } from "../../store/rota";
import { Message } from "../message";
import { UsageError, type CommandContext, type CommandResult, type CommandSpec } from "../types";
import { becomePeer, idArg, ok, othersConcerned, refused, tellStaff, timesIn, withoutConsent, type RotaCommandDeps } from "./common";
import { describeEntry, entryLine } from "./describe";
import { rotaSettings, type Candidate } from "./service";
import { describeDuration } from "../../domain/escalation";
import { dayBounds, dayName, dayOrDate, oneOffOn, readDayOrDate, timeRange } from "./when";
import { t } from "../../words";

export const VOLUNTEER_USAGE = "!volunteer <day|date> <from>-<to> [backup] [community] | !volunteer cancel <number|day|date|all>";

/**
 * `!volunteer`: a member offers a shift on their community's rota (weekly on a day, or once
 * on a date), or takes back shifts they offered. Offering is agreeing; whether staff must
 * approve too comes from the community's `rota.approval_required`.
 */
export function volunteerCommand(deps: RotaCommandDeps): CommandSpec {
  return {
    name: "volunteer",
    usage: VOLUNTEER_USAGE,
    summary: t("usage.volunteerSummary"),
    details: t("usage.volunteerDetails"),
    topic: "rota",
    audience: "everyone",
    run(ctx, args) {
      if (args[0]?.toLowerCase() === "cancel") return cancel(deps, ctx, args.slice(1));
      return offer(deps, ctx, args);
    },
  };
}

/** The community the member means: named, or the room's, or their only one. */
export function communityOfMember(
  deps: RotaCommandDeps,
  ctx: CommandContext,
  args: string[],
  verb: string,
): { c: CommunityConfig; rest: string[] } | CommandResult {
  const communities = deps.config().communities;
  const theirs = deps.members
    .communitiesOf(ctx.sender)
    .map((m) => communities.find((c) => c.id === m.communityId))
    .filter((c): c is CommunityConfig => !!c);
  const namedIndex = args.findIndex((a) => communities.some((c) => c.id === a.toLowerCase()));
  const rest = namedIndex < 0 ? args : args.filter((_, i) => i !== namedIndex);
  const named = namedIndex < 0 ? undefined : communities.find((c) => c.id === args[namedIndex].toLowerCase());
  const wanted = named ?? ctx.community;
  if (wanted) {
    if (!theirs.some((c) => c.id === wanted.id)) {
      return refused(`Only active members of ${wanted.name} can ${verb} its rota, and I don't have you down as one. Staff can add you as a member.`, {
        private: true,
      });
    }
    return { c: wanted, rest };
  }
  if (theirs.length === 1) return { c: theirs[0], rest };
  if (theirs.length === 0) {
    return refused(
      `Only active members of a community can ${verb} its rota, and I don't have you down as a member of one. ` +
        "Staff put themselves on the rota with `!rota add me …` in their staff room.",
      { private: true },
    );
  }
  return refused(
    `You belong to ${theirs.map((c) => `${c.name} (\`${c.id}\`)`).join(" and ")}: say which, e.g. \`!volunteer mon 18:00-22:00 ${theirs[0].id}\`, or ask in that community's room.`,
    { private: true },
  );
}

/** A shift described by `<day|date> <from>-<to>` at `args[0]`, ready to check and store. */
export type ReadShift = { kind: "weekly"; day: NonNullable<Candidate["day"]>; from: string; to: string; used: number } | { kind: "once"; startMs: number; endMs: number; used: number };

/** The rota entry a shift read from a command would be, for one person. */
export function candidateOf(shift: ReadShift, userId: string, role: Candidate["role"], backup: boolean): Candidate {
  return {
    kind: shift.kind,
    userId,
    role,
    backup,
    day: shift.kind === "weekly" ? shift.day : null,
    from: shift.kind === "weekly" ? shift.from : null,
    to: shift.kind === "weekly" ? shift.to : null,
    startMs: shift.kind === "once" ? shift.startMs : null,
    endMs: shift.kind === "once" ? shift.endMs : null,
    coveredUserId: null,
  };
}

export function readShift(args: string[], c: CommunityConfig, now: number): ReadShift {
  const when = dayOrDate(args[0], c.timezone, now);
  const { from, to, used } = timeRange(args, 1);
  if (when.kind === "day") return { kind: "weekly", day: when.day, from, to, used: used + 1 };
  const times = oneOffOn(c.timezone, when.date, from, to);
  if (!times) throw new UsageError(`On ${when.date} the clocks change and ${from}–${to} does not happen; pick other times.`);
  if (times.endMs <= now) throw new UsageError(`That shift (${when.date} ${from}–${to}) is already over.`);
  return { kind: "once", ...times, used: used + 1 };
}

/** The refusal for a shift that would go over the weekly cap, in words. */
export function capRefusal(c: CommunityConfig, who: "you" | string, over: { weekStartMs: number; shifts: number; cap: number }): string {
  const subject = who === "you" ? "you" : who;
  return (
    `That would give ${subject} ${over.shifts} shifts in the week starting ${dayName(over.weekStartMs, c.timezone)}; ` +
    `${c.name} keeps it to ${over.cap} a week per peer so that nobody carries too much. ` +
    (who === "you" ? "You can take one back with `!volunteer cancel <number>`, or pick another week." : "Ask someone else, or move one of their shifts.")
  );
}

function offer(deps: RotaCommandDeps, ctx: CommandContext, args: string[]): CommandResult {
  if (args.length === 0) throw new UsageError("Say which day or date and the times, like `!volunteer mon 18:00-22:00`.");
  const found = communityOfMember(deps, ctx, args, "volunteer for");
  if (!("c" in found)) return found;
  const { c, rest } = found;
  const noConsent = withoutConsent(deps, ctx, c);
  if (noConsent) return noConsent;
  deps.rota.tidy(c.id, ctx.now);
  const backup = rest.some((a) => a.toLowerCase() === "backup");
  const shiftArgs = rest.filter((a) => a.toLowerCase() !== "backup");
  const shift = readShift(shiftArgs, c, ctx.now);
  if (shiftArgs.length > shift.used) throw new UsageError(`I did not understand "${shiftArgs.slice(shift.used).join(" ")}".`);

  const candidate = candidateOf(shift, ctx.sender, "peer", backup);
  const same = deps.rota.store
    .ofUser(ctx.sender)
    .find(
      (e) =>
        e.communityId === c.id &&
        e.kind === candidate.kind &&
        e.backup === backup &&
        e.day === candidate.day &&
        e.from === candidate.from &&
        e.to === candidate.to &&
        e.startMs === candidate.startMs,
    );
  if (same) return refused(`You already offered that: ${entryLine(same, c)}.`, { private: true });
  const over = deps.rota.overCap(c, ctx.sender, [candidate], ctx.now);
  if (over) return refused(capRefusal(c, "you", over), { private: true });

  const settings = rotaSettings(c);
  const base = {
    communityId: c.id,
    userId: ctx.sender,
    role: "peer" as const,
    proposedBy: ctx.sender,
    agreed: true,
    approved: settings.approvalRequired ? undefined : { by: null },
    backup,
  };
  const entry =
    shift.kind === "weekly"
      ? deps.rota.store.addWeekly({ ...base, day: shift.day, from: shift.from, to: shift.to }, ctx.now)
      : deps.rota.store.addOnce({ ...base, startMs: shift.startMs, endMs: shift.endMs }, ctx.now);
  becomePeer(deps, c, ctx.sender, ctx.now);

  const what = describeEntry(entry, c);
  if (entry.status === "approved") {
    deps.replan(c.id, ctx.now);
    tellStaff(deps, c, Message.of(`${ctx.sender} joined the rota: #${entry.id} ${what}.`), `rota:${ctx.eventId}:staff`);
    const reminder = settings.handoffReminderMs > 0 ? ` I will remind you ${describeDuration(settings.handoffReminderMs)} before it starts, and` : " I will";
    return ok(
      new Message()
        .p(`Thank you — #${entry.id} ${what} is on the ${c.name} rota. ${timesIn(c)}`)
        .p(`${reminder} message you when it starts. \`!rota mine\` lists your shifts; \`!volunteer cancel ${entry.id}\` takes this one back.`),
      { private: true },
    );
  }
  tellStaff(
    deps,
    c,
    Message.of(
      `${ctx.sender} volunteered: #${entry.id} ${what}. To put it on the rota: \`!rota approve ${entry.id}\`; to decline it: \`!rota remove ${entry.id}\`.`,
    ),
    `rota:${ctx.eventId}:staff`,
  );
  return ok(
    new Message()
      .p(`Thank you — #${entry.id} ${what} is waiting for staff of ${c.name} to approve it; I will tell you when they do. ${timesIn(c)}`)
      .p(`\`!rota mine\` lists your shifts; \`!volunteer cancel ${entry.id}\` takes this one back.`),
    { private: true },
  );
}

function cancel(deps: RotaCommandDeps, ctx: CommandContext, args: string[]): CommandResult {
  if (args.length === 0) throw new UsageError("Say which shifts to take back: a number, a day, a date, or `all`.");
  const mine = deps.rota.store.ofUser(ctx.sender);
  const chosen = new Map<number, RotaEntry>();
  for (const token of args) {
    if (token.toLowerCase() === "all") {
      for (const e of mine) chosen.set(e.id, e);
      continue;
    }
    if (/^#?\d+$/.test(token)) {
      const id = idArg(token);
      const e = mine.find((x) => x.id === id);
      if (!e) return refused(`#${id} is not one of your shifts. \`!rota mine\` lists yours.`, { private: true });
      chosen.set(e.id, e);
      continue;
    }
    let matched = false;
    for (const e of mine) {
      const c = deps.rota.community(e.communityId);
      if (!c) continue;
      const when = readDayOrDate(token, c.timezone, ctx.now);
      if (!when) continue;
      matched = true;
      if (when.kind === "day" && e.kind === "weekly" && e.day === when.day) chosen.set(e.id, e);
      if (when.kind === "date" && e.kind !== "weekly") {
        const { startMs, endMs } = dayBounds(c.timezone, when.date);
        if (e.startMs! >= startMs && e.startMs! < endMs) chosen.set(e.id, e);
      }
    }
    if (!matched) dayOrDate(token, "UTC", ctx.now); // throws the explanation for a bad day or date
  }
  if (chosen.size === 0) return refused("None of your shifts matches that. `!rota mine` lists yours.", { private: true });

  const lines: string[] = [];
  for (const e of chosen.values()) {
    const c = deps.rota.community(e.communityId);
    const ended = deps.rota.store.end(e.id, ctx.sender, "cancelled", ctx.now);
    if (!c || ended.length === 0) continue;
    lines.push(`#${e.id} ${describeEntry(e, c)}`);
    deps.replan(c.id, ctx.now);
    if (e.status === "approved") {
      tellStaff(deps, c, Message.of(`${ctx.sender} has stepped back from #${e.id} ${describeEntry(e, c)}; that time is open again.`), `rota:${ctx.eventId}:staff:${e.id}`);
    }
    for (const other of othersConcerned(ended, ctx.sender)) {
      deps.effects.tell(
        other,
        Message.of(`${ctx.sender} cancelled #${e.id} ${describeEntry(e, c)}. Your own shifts are as they were before it.`),
        `rota:${ctx.eventId}:tell:${e.id}:${other}`,
      );
    }
  }
  return ok(new Message().p("Done — these are off the rota:").list(lines).p("Thank you for offering them."), { private: true });
}
