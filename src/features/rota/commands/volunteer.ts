import type { CommunityConfig } from "../../../config/types";
import type { RotaEntry } from "../store/rota";
import { Message } from "../../../messaging/message";
import { UsageError, type CommandContext, type CommandResult, type CommandSpec } from "../../../commands/types";
import { becomePeer, idArg, othersConcerned, tellStaff, withoutConsent, type RotaCommandDeps } from "./common";
import { ok, refused } from "../../../messaging/outcome";
import { command, listOf, person, t, zone, type Words } from "../../../words";
import { dayWords, entryWords, lineWords } from "../words";
import { rotaSettings, type Candidate } from "../service";
import { dayBounds, dayOrDate, oneOffOn, readDayOrDate, timeRange } from "./when";
import { communityById } from "../../../config/communities";

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
): { c: CommunityConfig; rest: string[] } | CommandResult {
  const communities = deps.config().communities;
  const theirs = deps.members
    .communitiesOf(ctx.sender)
    .map((m) => communityById(communities, m.communityId))
    .filter((c): c is CommunityConfig => !!c);
  const namedIndex = args.findIndex((a) => communities.some((c) => c.id === a.toLowerCase()));
  const rest = namedIndex < 0 ? args : args.filter((_, i) => i !== namedIndex);
  const named = namedIndex < 0 ? undefined : communityById(communities, args[namedIndex].toLowerCase());
  const wanted = named ?? ctx.community;
  if (wanted) {
    if (!theirs.some((c) => c.id === wanted.id)) {
      return refused(t("rota.volunteerNotMember", { community: wanted.name }), {
        private: true,
      });
    }
    return { c: wanted, rest };
  }
  if (theirs.length === 1) return { c: theirs[0], rest };
  if (theirs.length === 0) {
    return refused(t("rota.volunteerNoCommunity", { add: command("!rota add me …") }), { private: true });
  }
  return refused(
    t("rota.volunteerWhich", {
      communities: listOf(theirs.map((c) => t("rota.communityWithId", { community: c.name, id: command(c.id) }))),
      example: command(`!volunteer mon 18:00-22:00 ${theirs[0].id}`),
    }),
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
  if (!times) throw new UsageError(t("rota.clocksChange", { date: when.date, from, to }));
  if (times.endMs <= now) throw new UsageError(t("rota.shiftOver", { date: when.date, from, to }));
  return { kind: "once", ...times, used: used + 1 };
}

/** The refusal for a shift that would go over the weekly cap, in words. */
export function capRefusal(c: CommunityConfig, who: "you" | string, over: { weekStartMs: number; shifts: number; cap: number }): Words {
  return t(who === "you" ? "rota.capYou" : "rota.capThem", {
    holder: person(who),
    n: over.shifts,
    week: dayWords(over.weekStartMs, c.timezone),
    community: c.name,
    cap: over.cap,
    cancel: command("!volunteer cancel <number>"),
  });
}

function offer(deps: RotaCommandDeps, ctx: CommandContext, args: string[]): CommandResult {
  if (args.length === 0) throw new UsageError(t("rota.volunteerWhat", { example: command("!volunteer mon 18:00-22:00") }));
  const found = communityOfMember(deps, ctx, args);
  if (!("c" in found)) return found;
  const { c, rest } = found;
  const noConsent = withoutConsent(deps, ctx, c);
  if (noConsent) return noConsent;
  deps.rota.tidy(c.id, ctx.now);
  const backup = rest.some((a) => a.toLowerCase() === "backup");
  const shiftArgs = rest.filter((a) => a.toLowerCase() !== "backup");
  const shift = readShift(shiftArgs, c, ctx.now);
  if (shiftArgs.length > shift.used) throw new UsageError(t("rota.notUnderstood"));

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
  if (same) return refused(t("rota.alreadyOffered", { line: lineWords(same, c) }), { private: true });
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

  const what = entryWords(entry, c);
  if (entry.status === "approved") {
    deps.replan(c.id, ctx.now);
    tellStaff(deps, c, Message.of(t("rota.staffJoined", { holder: person(ctx.sender), id: entry.id, what })), `rota:${ctx.eventId}:staff`);
    const minutes = Math.round(settings.handoffReminderMs / 60000);
    return ok(
      new Message()
        .p(t("rota.volunteeredOnRota", { id: entry.id, what, community: c.name, zone: zone(c.timezone) }))
        .p(
          t(minutes > 0 ? "rota.volunteeredRemind" : "rota.volunteeredStarts", {
            time: minutes % 60 === 0 ? t("rota.hours", { n: minutes / 60 }) : t("rota.minutes", { n: minutes }),
            mine: command("!rota mine"),
            cancel: command(`!volunteer cancel ${entry.id}`),
          }),
        ),
      { private: true },
    );
  }
  tellStaff(
    deps,
    c,
    Message.of(
      t("rota.staffVolunteered", { holder: person(ctx.sender), id: entry.id, what, approve: command(`!rota approve ${entry.id}`), remove: command(`!rota remove ${entry.id}`) }),
    ),
    `rota:${ctx.eventId}:staff`,
  );
  return ok(
    new Message()
      .p(t("rota.volunteeredWaiting", { id: entry.id, what, community: c.name, zone: zone(c.timezone) }))
      .p(t("rota.volunteeredCommands", { mine: command("!rota mine"), cancel: command(`!volunteer cancel ${entry.id}`) })),
    { private: true },
  );
}

function cancel(deps: RotaCommandDeps, ctx: CommandContext, args: string[]): CommandResult {
  if (args.length === 0) throw new UsageError(t("rota.cancelWhich"));
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
      if (!e) return refused(t("rota.notYourShift", { id, mine: command("!rota mine") }), { private: true });
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
  if (chosen.size === 0) return refused(t("rota.noneMatches", { mine: command("!rota mine") }), { private: true });

  const lines: Words[] = [];
  for (const e of chosen.values()) {
    const c = deps.rota.community(e.communityId);
    const ended = deps.rota.store.end(e.id, ctx.sender, "cancelled", ctx.now);
    if (!c || ended.length === 0) continue;
    lines.push(t("rota.idWhat", { id: e.id, what: entryWords(e, c) }));
    deps.replan(c.id, ctx.now);
    if (e.status === "approved") {
      tellStaff(deps, c, Message.of(t("rota.staffSteppedBack", { holder: person(ctx.sender), id: e.id, what: entryWords(e, c) })), `rota:${ctx.eventId}:staff:${e.id}`);
    }
    for (const other of othersConcerned(ended, ctx.sender)) {
      deps.effects.tell(
        other,
        Message.of(t("rota.othersCancelled", { holder: person(ctx.sender), id: e.id, what: entryWords(e, c) })),
        `rota:${ctx.eventId}:tell:${e.id}:${other}`,
      );
    }
  }
  return ok(new Message().p(t("rota.cancelledHeading")).list(lines).p(t("rota.cancelledThanks")), { private: true });
}
