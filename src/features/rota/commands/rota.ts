import type { CommunityConfig } from "../../../config/types";
import { calendar } from "./calendar";
import { isOnBreak, overlappingOverrides, swapOverrides, type Override } from "../domain/rota";
import type { NewCover, RotaEntry } from "../store/rota";
import { Message } from "../../../messaging/message";
import { UsageError, type CommandContext, type CommandResult, type CommandSpec } from "../../../commands/types";
import { becomePeer, idArg, othersConcerned, staffConsentRefusal, tellStaff, userArg, withoutConsent, type RotaCommandDeps } from "./common";
import { ok, refused } from "../../../messaging/outcome";
import { LONGEST_SHIFT_MS, type Candidate, type Stretch } from "../service";
import { dayBounds, readDate, readWeek } from "./when";
import { candidateOf, capRefusal, readShift } from "./volunteer";
import { command, listOf, person, t, time, zone } from "../../../words";
import { coverRangeWords, dayWords, entryWords, lineWords, momentWords, staffLineWords, statusWords, stretchWords } from "../words";
import { communityById } from "../../../config/communities";

type Words = ReturnType<typeof t>;

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

type StaffHandler = (deps: RotaCommandDeps, ctx: CommandContext, c: CommunityConfig, args: string[]) => { result: CommandResult; subject?: string };

const STAFF: Record<StaffSub, StaffHandler> = { add, remove, cover, swap, show, approve };

/** The role someone can hold on this rota, or a refusal naming why not. */
function standingOrRefusal(deps: RotaCommandDeps, c: CommunityConfig, userId: string): "staff" | "peer" | CommandResult {
  const standing = deps.rota.standing(c, userId);
  if (standing) return standing;
  return refused(t("rota.notMember", { holder: person(userId), community: c.name }));
}

function askToAccept(deps: RotaCommandDeps, ctx: CommandContext, c: CommunityConfig, entry: RotaEntry, what: Words): void {
  deps.effects.tell(
    entry.userId,
    new Message()
      .p(t("rota.askTake", { staff: person(ctx.sender), community: c.name, what, zone: zone(c.timezone) }))
      .p(t("rota.askAgree", { accept: command(`!rota accept ${entry.id}`), decline: command(`!rota decline ${entry.id}`) })),
    `rota:ask:${entry.id}`,
  );
}

function add(deps: RotaCommandDeps, ctx: CommandContext, c: CommunityConfig, args: string[]): { result: CommandResult; subject?: string } {
  const userId = userArg(args[0], ctx);
  const backup = args.slice(1).some((a) => a.toLowerCase() === "backup");
  const shiftArgs = args.slice(1).filter((a) => a.toLowerCase() !== "backup");
  const shift = readShift(shiftArgs, c, ctx.now);
  if (shiftArgs.length > shift.used) throw new UsageError(t("rota.notUnderstood"));
  const standing = standingOrRefusal(deps, c, userId);
  if (typeof standing !== "string") return { result: standing, subject: userId };
  const role = standing;
  if (role === "peer" && !deps.rota.consents(c, userId)) return { result: staffConsentRefusal(c, userId), subject: userId };
  const candidate = candidateOf(shift, userId, role, backup);
  if (role === "peer") {
    const over = deps.rota.overCap(c, userId, [candidate], ctx.now);
    if (over) return { result: refused(capRefusal(c, userId, over)), subject: userId };
  }
  const self = userId === ctx.sender;
  const base = { communityId: c.id, userId, role, proposedBy: ctx.sender, agreed: self, approved: { by: ctx.sender }, backup };
  const entry =
    shift.kind === "weekly"
      ? deps.rota.store.addWeekly({ ...base, day: shift.day, from: shift.from, to: shift.to }, ctx.now)
      : deps.rota.store.addOnce({ ...base, startMs: shift.startMs, endMs: shift.endMs }, ctx.now);
  const what = entryWords(entry, c);
  if (entry.status === "approved") {
    deps.replan(c.id, ctx.now);
    return { result: ok(Message.of(t("rota.addedOnRota", { id: entry.id, what, holder: person(userId), zone: zone(c.timezone) }))), subject: userId };
  }
  askToAccept(deps, ctx, c, entry, what);
  return {
    result: ok(Message.of(t("rota.addedProposed", { id: entry.id, what, holder: person(userId), zone: zone(c.timezone) }))),
    subject: userId,
  };
}

function remove(deps: RotaCommandDeps, ctx: CommandContext, c: CommunityConfig, args: string[]): { result: CommandResult; subject?: string } {
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

function approve(deps: RotaCommandDeps, ctx: CommandContext, c: CommunityConfig, args: string[]): { result: CommandResult; subject?: string } {
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

/** Dates as `<date>`, `<date>..<date>`, `<date> <date>` or `<date> to <date>`: whole local days. */
function readDateRange(tokens: string[], c: CommunityConfig, now: number): { startMs: number; endMs: number } {
  const parts = tokens.flatMap((t) => t.split("..")).filter((t) => t !== "" && t.toLowerCase() !== "to");
  if (parts.length === 0 || parts.length > 2) throw new UsageError(t("rota.coverDates"));
  const dates = parts.map((p) => {
    const d = readDate(p, c.timezone, now);
    if (!d) throw new UsageError(t("rota.notADate"));
    return d;
  });
  const first = dayBounds(c.timezone, dates[0]);
  const last = dayBounds(c.timezone, dates[dates.length - 1]);
  if (last.endMs <= first.startMs) throw new UsageError(t("rota.lastBeforeFirst"));
  if (last.endMs <= now) throw new UsageError(t("rota.datesOver"));
  return { startMs: first.startMs, endMs: last.endMs };
}

function liveCovers(deps: RotaCommandDeps, c: CommunityConfig): Override[] {
  return deps.rota.store
    .list(c.id)
    .filter((e) => e.kind === "cover")
    .map((e) => ({ id: String(e.id), coveredUserId: e.coveredUserId, coverUserId: e.userId, startMs: e.startMs!, endMs: e.endMs! }));
}

/** Who may hold a covered person's shifts: staff shifts only go to staff. */
function canCover(covered: "staff" | "peer", cover: "staff" | "peer"): boolean {
  return covered === "peer" || cover === "staff";
}

function cover(deps: RotaCommandDeps, ctx: CommandContext, c: CommunityConfig, args: string[]): { result: CommandResult; subject?: string } {
  if (args.length < 3) throw new UsageError(t("rota.coverWho"));
  const covered = userArg(args[0], ctx, "covered");
  const tail = args.slice(1);
  const coverToken = tail[tail.length - 1];
  const dateTokens = tail.slice(0, -1).filter((t) => t.toLowerCase() !== "by");
  const coverId = userArg(coverToken, ctx, "covering");
  const range = readDateRange(dateTokens, c, ctx.now);
  if (covered === coverId) throw new UsageError(t("rota.coverSelf"));
  const coveredStanding = standingOrRefusal(deps, c, covered);
  if (typeof coveredStanding !== "string") return { result: coveredStanding, subject: covered };
  const coverStanding = standingOrRefusal(deps, c, coverId);
  if (typeof coverStanding !== "string") return { result: coverStanding, subject: covered };
  if (!deps.rota.consents(c, coverId)) return { result: staffConsentRefusal(c, coverId), subject: covered };

  const theirs = deps.rota
    .stretchesStarting(c, range.startMs - LONGEST_SHIFT_MS, range.endMs, ctx.now, false)
    .filter((s) => s.userId === covered && s.endMs > range.startMs && s.endMs > ctx.now);
  if (theirs.length === 0) {
    return { result: refused(t("rota.nothingToCover", { covered: person(covered), range: coverRangeWords(range.startMs, range.endMs, c.timezone) })), subject: covered };
  }
  if (theirs.some((s) => !canCover(s.role, coverStanding))) {
    return { result: refused(t("rota.staffShiftsCover", { covered: person(covered) })), subject: covered };
  }
  const candidate: Override = { id: "new", coveredUserId: covered, coverUserId: coverId, ...range };
  const clash = overlappingOverrides([...liveCovers(deps, c), candidate]).find((pair) => pair.includes("new"));
  if (clash) {
    const other = clash[0] === "new" ? clash[1] : clash[0];
    return { result: refused(t("rota.coverClash", { other, covered: person(covered), remove: command(`!rota remove ${other}`) })), subject: covered };
  }
  if (coverStanding === "peer") {
    const over = deps.rota.overCap(c, coverId, [coverCandidate(coverId, covered, range, coveredStanding)], ctx.now);
    if (over) return { result: refused(capRefusal(c, coverId, over)), subject: covered };
  }
  const entry = deps.rota.store.addCover(
    {
      communityId: c.id,
      userId: coverId,
      role: coveredStanding,
      coveredUserId: covered,
      startMs: range.startMs,
      endMs: range.endMs,
      proposedBy: ctx.sender,
      agreed: coverId === ctx.sender,
      approved: { by: ctx.sender },
    },
    ctx.now,
  );
  const what = entryWords(entry, c);
  if (entry.status === "approved") {
    deps.replan(c.id, ctx.now);
    tellCovered(deps, c, entry);
    return { result: ok(Message.of(t("rota.coverOnRota", { id: entry.id, what, zone: zone(c.timezone) }))), subject: covered };
  }
  askToAccept(deps, ctx, c, entry, t("rota.askCovering", { covered: person(covered), range: coverRangeWords(range.startMs, range.endMs, c.timezone) }));
  return { result: ok(Message.of(t("rota.coverProposed", { id: entry.id, what, cover: person(coverId), zone: zone(c.timezone) }))), subject: covered };
}

function coverCandidate(userId: string, covered: string, range: { startMs: number; endMs: number }, role: "staff" | "peer"): Candidate {
  return { kind: "cover", userId, role, backup: false, day: null, from: null, to: null, startMs: range.startMs, endMs: range.endMs, coveredUserId: covered };
}

/** The person whose shifts are covered hears of it once the cover is agreed. */
function tellCovered(deps: RotaCommandDeps, c: CommunityConfig, e: RotaEntry): void {
  if (!e.coveredUserId || e.coveredUserId === e.proposedBy) return;
  const text =
    e.swapWith !== null
      ? t("rota.swapAgreed", { holder: person(e.userId), when: stretchWords(e.startMs!, e.endMs!, c.timezone), id: e.id, zone: zone(c.timezone) })
      : t("rota.coversYourShifts", { holder: person(e.userId), community: c.name, range: coverRangeWords(e.startMs!, e.endMs!, c.timezone), id: e.id, zone: zone(c.timezone) });
  deps.effects.tell(e.coveredUserId, Message.of(text), `rota:covered:${e.id}`);
}

/** The one stretch `userId` starts on `date`, or a refusal. */
function stretchOn(deps: RotaCommandDeps, c: CommunityConfig, userId: string, token: string | undefined, now: number): Stretch | Words {
  const date = token === undefined ? null : readDate(token, c.timezone, now);
  if (!date) throw new UsageError(t("rota.notADate"));
  const { startMs, endMs } = dayBounds(c.timezone, date);
  const found = deps.rota.stretchesStarting(c, startMs, endMs, now, false).filter((s) => s.userId === userId && s.endMs > now);
  if (found.length === 1) return found[0];
  if (found.length === 0) return t("rota.noShiftOn", { holder: person(userId), day: dayWords(startMs, c.timezone) });
  return t("rota.manyShiftsOn", { holder: person(userId), n: found.length, day: dayWords(startMs, c.timezone), cover: command("!rota cover") });
}

function swap(deps: RotaCommandDeps, ctx: CommandContext, c: CommunityConfig, args: string[]): { result: CommandResult; subject?: string } {
  if (args.length !== 4) throw new UsageError(t("rota.swapArgs"));
  const a = userArg(args[0], ctx);
  const b = userArg(args[2], ctx);
  if (a === b) throw new UsageError(t("rota.swapSame"));
  for (const u of [a, b]) {
    const s = standingOrRefusal(deps, c, u);
    if (typeof s !== "string") return { result: s, subject: a };
    if (!deps.rota.consents(c, u)) return { result: staffConsentRefusal(c, u), subject: a };
  }
  const sa = stretchOn(deps, c, a, args[1], ctx.now);
  if (!("startMs" in sa)) return { result: refused(sa), subject: a };
  const sb = stretchOn(deps, c, b, args[3], ctx.now);
  if (!("startMs" in sb)) return { result: refused(sb), subject: a };
  if (!canCover(sa.role, deps.rota.standing(c, b)!) || !canCover(sb.role, deps.rota.standing(c, a)!)) {
    return { result: refused(t("rota.swapStaff")), subject: a };
  }
  const [ova, ovb] = swapOverrides("new", sa, sb);
  const clash = overlappingOverrides([...liveCovers(deps, c), ova, ovb]).find((pair) => pair.some((id) => id.startsWith("new")) && !pair.every((id) => id.startsWith("new")));
  if (clash) {
    const other = clash.find((id) => !id.startsWith("new"))!;
    return { result: refused(t("rota.swapClash", { other, remove: command(`!rota remove ${other}`) })), subject: a };
  }
  const halves: Candidate[] = [coverCandidate(b, a, sa, sa.role), coverCandidate(a, b, sb, sb.role)];
  for (const u of [a, b]) {
    if (deps.rota.standing(c, u) !== "peer") continue;
    const over = deps.rota.overCap(c, u, halves, ctx.now);
    if (over) return { result: refused(capRefusal(c, u, over)), subject: a };
  }
  const half = (covered: string, holder: string, s: Stretch): NewCover => ({
    communityId: c.id,
    userId: holder,
    role: s.role,
    coveredUserId: covered,
    startMs: s.startMs,
    endMs: s.endMs,
    proposedBy: ctx.sender,
    agreed: holder === ctx.sender,
    approved: { by: ctx.sender },
  });
  const [ea, eb] = deps.rota.store.addSwap(half(a, b, sa), half(b, a, sb), ctx.now);
  const summary = t("rota.swapSummary", { first: person(a), second: person(b), whenA: stretchWords(sa.startMs, sa.endMs, c.timezone), whenB: stretchWords(sb.startMs, sb.endMs, c.timezone) });
  if (ea.status === "approved") {
    deps.replan(c.id, ctx.now);
    return { result: ok(Message.of(t("rota.swapOnRota", { first: ea.id, second: eb.id, summary, zone: zone(c.timezone) }))), subject: a };
  }
  for (const e of [ea, eb]) {
    if (e.agreedAt === null) askToAccept(deps, ctx, c, e, t("rota.askSwap", { summary, id: e.id }));
  }
  return { result: ok(Message.of(t("rota.swapProposed", { first: ea.id, second: eb.id, summary, zone: zone(c.timezone) }))), subject: a };
}

function show(deps: RotaCommandDeps, ctx: CommandContext, c: CommunityConfig, args: string[]): { result: CommandResult; subject?: string } {
  if (args.length > 1) throw new UsageError(t("rota.showWeeks"));
  const week = readWeek(args[0], c.timezone, ctx.now);
  const tz = c.timezone;
  const breaks = deps.rota.store.breaksFrom(ctx.now);
  const stretches = deps.rota.stretchesStarting(c, week.startMs, week.endMs, ctx.now, false);
  const msg = new Message().heading(t("rota.showHeading", { community: c.name, date: dayWords(week.startMs, tz), zone: zone(tz) }));
  const covers = new Map(deps.rota.store.list(c.id, ["approved"]).map((e) => [String(e.id), e]));
  for (let day = week.startMs; day < week.endMs; ) {
    const { endMs: dayEnd } = dayBoundsAt(tz, day);
    const today = stretches.filter((s) => s.startMs >= day && s.startMs < dayEnd);
    msg.p(t("rota.weekdayDate", { date: dayWords(day, tz) }));
    msg.list(
      today.length === 0
        ? [t("rota.nobody")]
        : today.map((s) => {
            const notes = [];
            if (s.backup) notes.push(t("rota.noteBackup"));
            if (s.role === "staff") notes.push(t("rota.noteStaff"));
            if (s.coveringFor) notes.push(t(covers.get(s.overrideId ?? "")?.swapWith ? "rota.noteSwapped" : "rota.noteCovering", { person: person(s.coveringFor) }));
            if (isOnBreak(breaks, s.userId, Math.max(s.startMs, ctx.now))) notes.push(t("rota.noteBreak"));
            if (!deps.rota.consents(c, s.userId)) notes.push(t("rota.noteNoConsent"));
            const span = spanWords(s.startMs, s.endMs, tz);
            return notes.length ? t("rota.showLineNotes", { span, holder: person(s.userId), notes: listOf(notes) }) : t("rota.showLine", { span, holder: person(s.userId) });
          }),
    );
    day = dayEnd;
  }
  // Waiting shifts with whose they are: staff answer them by name, not by number alone.
  const waiting = deps.rota.store.list(c.id, ["proposed"]);
  if (waiting.length) msg.heading(t("rota.waitingHeading")).list(waiting.map((e) => staffLineWords(e, c)));
  const resting = [...new Set(breaks.map((b) => b.userId))].filter((u) => deps.rota.standing(c, u) !== null && deps.rota.store.ofUser(u).some((e) => e.communityId === c.id));
  if (resting.length) {
    msg.heading(t("rota.breakHeading")).list(
      resting.map((u) => {
        const b = deps.rota.store.currentBreak(u, ctx.now);
        return b?.untilMs ? t("rota.breakLineUntil", { holder: person(u), until: momentWords(b.untilMs, tz, ctx.now) }) : t("rota.breakLineOpen", { holder: person(u) });
      }),
    );
  }
  return { result: ok(msg) };
}

/** "18:00–22:00", "18:00–24:00", "22:00–06:00 the next day", or with the end's day named. */
function spanWords(startMs: number, endMs: number, timezone: string) {
  const from = time(startMs, timezone, "time");
  const startDay = dayBoundsAt(timezone, startMs);
  if (endMs <= startDay.endMs) return t("rota.span", { kind: "sameDay", from, to: endMs === startDay.endMs ? "24:00" : time(endMs, timezone, "time"), day: "" });
  const kind = endMs < dayBoundsAt(timezone, startDay.endMs).endMs ? "nextDay" : "other";
  return t("rota.span", { kind, from, to: time(endMs, timezone, "time"), day: dayWords(endMs, timezone) });
}

function dayBoundsAt(timezone: string, ms: number): { startMs: number; endMs: number } {
  const date = readDate("today", timezone, ms)!;
  return dayBounds(timezone, date);
}

// ---------------------------------------------------------------------------
// Everyone

function mine(deps: RotaCommandDeps, ctx: CommandContext): CommandResult {
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

/** The time zone to speak to a person in: their first community's. */
export function zoneOf(deps: RotaCommandDeps, userId: string): string {
  const ids = [...deps.rota.store.ofUser(userId).map((e) => e.communityId), ...deps.members.communitiesOf(userId).map((m) => m.communityId)];
  const communities = deps.config().communities;
  for (const id of ids) {
    const c = communityById(communities, id);
    if (c) return c.timezone;
  }
  return communities.find((c) => deps.rota.standing(c, userId) !== null)?.timezone ?? communities[0]?.timezone ?? "UTC";
}

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

function accept(deps: RotaCommandDeps, ctx: CommandContext, args: string[]): CommandResult {
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

function decline(deps: RotaCommandDeps, ctx: CommandContext, args: string[]): CommandResult {
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
