import { utcDate, askedDetail, ASKED, currentRightsText, describeConsent, latestDecision, onboardingMessage } from "../communities/consent";
import type { CommunitiesApp } from "../communities/deps";
import { isStaffOrAdmin } from "../communities/roles";
import { allMemberRoomKeys, inviteTo, kickFrom, roomKeysFor, roomName, type InviteOutcome, type PlaceRoom } from "../communities/memberRooms";
import { readUserId } from "../communities/userIds";
import type { CommunityConfig } from "../config/types";
import { closest } from "../domain/words";
import type { Member } from "../store/members";
import { supportNow } from "./help";
import { Message } from "./message";
import { UsageError, type CommandContext, type CommandResult, type CommandSpec } from "./types";

const VERBS = ["add", "remove", "discharge", "list", "show"] as const;
type Verb = (typeof VERBS)[number];

/** A `!member` command, read and checked for shape (not yet for meaning). */
type MemberRequest =
  | { verb: "list" }
  | { verb: "add"; target: string; sponsor?: string }
  | { verb: "remove"; target: string; reason: string | null }
  | { verb: "discharge" | "show"; target: string };

const USAGE = "!member add @user [--sponsor @staff] | remove @user [reason] | discharge @user | list | show @user";

/**
 * `!member …` in a community's staff room, for its staff: members are added (invited to
 * the Space, the community chat and extra rooms, and sent their rights and choices),
 * removed (from every room, with the reason), discharged (to the alumni room, data and
 * choices kept), listed and shown. The dispatcher has already checked that the sender is
 * staff of the community whose staff room this is; every change is audited.
 */
export function memberCommand(app: CommunitiesApp): CommandSpec {
  return {
    name: "member",
    usage: USAGE,
    summary: "add, remove, discharge, list or show the community's members",
    details:
      "`!member add @name:server` invites them to the community's rooms and sends them their rights and choices; " +
      "the sponsor is you unless you name another member of staff with `--sponsor @staff`. " +
      "`!member remove @name:server [reason]` removes them from every room (they see the reason). " +
      "`!member discharge @name:server` moves them to the alumni room, keeping their data and choices. " +
      "`!member list` and `!member show @name:server` tell you who is who.",
    audience: "staff",

    async precheck(ctx, args) {
      const req = parse(args, app.domain);
      if (req.verb !== "add") return undefined;
      const c = community(ctx);
      const refusal = refuseAdd(app, c, req.target, req.sponsor ?? ctx.sender);
      if (refusal) return refusal;
      if (!(await app.homeserver.userExists(req.target))) {
        return refused(`There is no account \`${req.target}\` on ${app.domain}. Check the spelling, or ask the admins to create it first.`);
      }
      return undefined;
    },

    run(ctx, args) {
      const req = parse(args, app.domain);
      const c = community(ctx);
      switch (req.verb) {
        case "list":
          return list(app, c);
        case "add":
          return add(app, ctx, c, req.target, req.sponsor);
        case "remove":
          return remove(app, ctx, c, req.target, req.reason);
        case "discharge":
          return discharge(app, ctx, c, req.target);
        case "show":
          return show(app, c, req.target);
      }
    },
  };
}

function community(ctx: CommandContext): CommunityConfig {
  // The dispatcher runs staff commands only in a community's staff room.
  if (!ctx.community) throw new Error("internal: a staff command without its community");
  return ctx.community;
}

function parse(args: string[], domain: string): MemberRequest {
  const [rawVerb, ...rest] = args;
  if (!rawVerb) throw new UsageError("Say what to do: add, remove, discharge, list or show.");
  const verb = rawVerb.toLowerCase();
  if (!(VERBS as readonly string[]).includes(verb)) {
    const hint = closest(verb, [...VERBS]);
    throw new UsageError(`\`${rawVerb}\` is not something \`!member\` does${hint ? ` — did you mean \`${hint}\`?` : "."}`);
  }
  if (verb === "list") {
    if (rest.length) throw new UsageError("`!member list` takes nothing more.");
    return { verb };
  }
  const [rawTarget, ...more] = rest;
  if (!rawTarget) throw new UsageError(`Name the person: \`!member ${verb} @name:${domain}\`.`);
  const target = userIdOrForeign(rawTarget, domain);
  switch (verb as Exclude<Verb, "list">) {
    case "remove":
      return { verb: "remove", target, reason: more.join(" ").trim() || null };
    case "add": {
      let sponsor: string | undefined;
      for (let i = 0; i < more.length; i++) {
        const [flag, inline] = more[i].split("=", 2);
        if (flag.toLowerCase() !== "--sponsor") throw new UsageError(`I don't understand \`${more[i]}\`; only \`--sponsor @staff\` may follow the person.`);
        if (sponsor !== undefined) throw new UsageError("Name one sponsor only.");
        const value = inline ?? more[++i];
        if (!value) throw new UsageError("Name the sponsor after `--sponsor`, e.g. `--sponsor @sam:" + domain + "`.");
        sponsor = userIdOrForeign(value, domain);
      }
      return { verb: "add", target, sponsor };
    }
    default:
      if (more.length) throw new UsageError(`\`!member ${verb}\` takes only the person.`);
      return { verb: verb as "discharge" | "show", target };
  }
}

/** A well-formed id; one on another homeserver is returned as is for a plain refusal later. */
function userIdOrForeign(raw: string, domain: string): string {
  const r = readUserId(raw, domain);
  if (r.ok) return r.userId;
  if (r.kind === "foreign") return r.userId;
  throw new UsageError(r.problem);
}

function foreign(userId: string, domain: string): CommandResult | undefined {
  const r = readUserId(userId, domain);
  return !r.ok && r.kind === "foreign" ? refused(r.problem) : undefined;
}

/** Why `target` cannot be added with this sponsor, if they cannot. */
function refuseAdd(app: CommunitiesApp, c: CommunityConfig, target: string, sponsor: string): CommandResult | undefined {
  const away = foreign(target, app.domain);
  if (away) return away;
  if (target === app.botUserId || target.startsWith(`@${app.botUserId.slice(1).split(":")[0]}_`)) {
    return refused(`\`${target}\` is carenet's own account, not a person.`);
  }
  if (isStaffOrAdmin(c, target)) {
    return refused(
      `${target} is ${c.admins.includes(target) ? "an admin" : "staff"} of ${c.name} (from carenet's configuration), so they cannot be added as a member. ` +
        "Staff and admins are set in the configuration file.",
    );
  }
  if (!isStaffOrAdmin(c, sponsor)) {
    return refused(`${sponsor} is not staff of ${c.name}: a member's sponsor must be one of its staff or admins.`);
  }
  return undefined;
}

function add(app: CommunitiesApp, ctx: CommandContext, c: CommunityConfig, target: string, named: string | undefined): CommandResult {
  const sponsor = named ?? ctx.sender;
  const refusal = refuseAdd(app, c, target, sponsor);
  if (refusal) return refusal;
  const now = app.clock.now();
  const before = app.members.get(c.id, target);
  const result = app.members.add({ communityId: c.id, userId: target, sponsor, addedBy: ctx.sender }, now);
  if (result === "already_active") {
    if (before && named !== undefined && before.sponsor !== named) {
      app.members.setSponsor(c.id, target, sponsor, now);
      app.audit.append({ communityId: c.id, actor: ctx.sender, action: "member.sponsor", subject: target, detail: `sponsor ${before.sponsor ?? "none"} → ${sponsor}` }, now);
      return ok(`${target} is already a member of ${c.name}; their sponsor is now ${sponsor} (was ${before.sponsor ?? "nobody"}).`);
    }
    return ok(`${target} is already a member of ${c.name} (sponsor: ${before?.sponsor ?? "nobody"}); nothing changed.`);
  }

  const invites = inviteTo(app, c, target, roomKeysFor(c, "active"), `member-add:${ctx.eventId}`, `${ctx.sender} added you to ${c.name} on the care network.`);
  const text = currentRightsText(app, c, ctx.crisisResources);
  app.effects.tell(target, onboardingMessage(c, text, sponsor, result === "reactivated"), `onboarding:${ctx.eventId}`);
  const wasBefore = before ? ` (was ${before.status === "discharged" ? "alumni" : "removed"})` : "";
  app.audit.append(
    { communityId: c.id, actor: ctx.sender, action: "member.add", subject: target, detail: `sponsor ${sponsor}${wasBefore}; invited to ${keysOf(invites.invited)}` },
    now,
  );
  app.audit.append({ communityId: c.id, actor: "carenet", action: ASKED, subject: target, detail: askedDetail(text.version) }, now);

  const reply = new Message().p(
    `${result === "reactivated" ? "Added back" : "Added"} ${target} to ${c.name}${wasBefore}, with ${sponsor === ctx.sender ? "you" : sponsor} as their sponsor.`,
  );
  describeInvites(reply, invites);
  reply.p("They have been sent their rights and choices by direct message. Nothing optional is recorded about them until they agree.");
  return { outcome: "ok", reply };
}

function describeInvites(reply: Message, out: InviteOutcome): void {
  if (out.invited.length) reply.p(`Invited to: ${names(out.invited)}.`);
  if (out.leftOnTheirOwn.length) reply.p(`Not invited back to ${names(out.leftOnTheirOwn)}: they left on their own before.`);
  if (out.notReady.length) reply.p(`Not yet set up, so not invited yet: ${names(out.notReady)}. They will be invited once it is.`);
}

function remove(app: CommunitiesApp, ctx: CommandContext, c: CommunityConfig, target: string, reason: string | null): CommandResult {
  const refusal = foreign(target, app.domain) ?? refuseStaffTarget(c, target, "remove");
  if (refusal) return refusal;
  const now = app.clock.now();
  const result = app.members.remove(c.id, target, reason, now);
  if (result === "not_member") return refused(`${target} is not a member of ${c.name}.`);
  if (result === "already_removed") return ok(`${target} was already removed from ${c.name}; nothing changed.`);

  const seen = `Removed from ${c.name} by staff${reason ? `: ${reason}` : "."}`;
  const rooms = kickFrom(app, c, target, allMemberRoomKeys(c), `member-remove:${ctx.eventId}`, seen);
  app.effects.tell(
    target,
    new Message()
      .p(`You have been removed from ${c.name} on the care network${reason ? `. The reason staff gave: ${reason}` : "."}`)
      .p("What carenet kept about you stays as a closed record; your choices are kept with it. If you think this is a mistake, talk to your sponsor or the staff.")
      .append(supportNow(ctx.crisisResources)),
    `member-removed:${ctx.eventId}`,
  );
  app.audit.append({ communityId: c.id, actor: ctx.sender, action: "member.remove", subject: target, detail: reason ? `reason: ${reason}` : "no reason given" }, now);
  return ok(`Removed ${target} from ${c.name}${rooms.length ? ` and from ${names(rooms)}` : ""}${reason ? `, with the reason “${reason}”` : ""}. Their record is kept, marked removed.`);
}

function discharge(app: CommunitiesApp, ctx: CommandContext, c: CommunityConfig, target: string): CommandResult {
  const refusal = foreign(target, app.domain) ?? refuseStaffTarget(c, target, "discharge");
  if (refusal) return refusal;
  const now = app.clock.now();
  const result = app.members.discharge(c.id, target, now);
  if (result === "not_member") return refused(`${target} is not a member of ${c.name}.`);
  if (result === "not_active") return refused(`${target} was removed from ${c.name}; add them again first if they are to become alumni.`);
  if (result === "already_discharged") return ok(`${target} is already one of the alumni of ${c.name}; nothing changed.`);

  const activeOnly = roomKeysFor(c, "active").filter((k) => !roomKeysFor(c, "discharged").includes(k));
  const left = kickFrom(app, c, target, activeOnly, `member-discharge:${ctx.eventId}`, `Discharged from ${c.name}: you are now one of its alumni, and have been invited to the alumni room.`);
  const invites = inviteTo(app, c, target, ["alumni"], `member-discharge:${ctx.eventId}`, `You are now one of the alumni of ${c.name}: this room is your lifeline.`);
  app.effects.tell(
    target,
    new Message()
      .p(`You have been discharged from ${c.name}: you are now one of its alumni. Congratulations on getting here.`)
      .p(
        invites.invited.length
          ? `You have been invited to ${names(invites.invited)}, where alumni keep in touch; you stay in the ${c.name} Space.`
          : `You stay in the ${c.name} Space.`,
      )
      .p("Everything carenet kept about you, and your choices, stay as they were. `!consent` and `!rights` still work here.")
      .append(supportNow(ctx.crisisResources)),
    `member-discharged:${ctx.eventId}`,
  );
  app.audit.append({ communityId: c.id, actor: ctx.sender, action: "member.discharge", subject: target, detail: "now alumni" }, now);
  const reply = new Message().p(`${target} is now one of the alumni of ${c.name}. Their data and choices are kept.`);
  if (left.length) reply.p(`Removed from ${names(left)}.`);
  describeInvites(reply, invites);
  return { outcome: "ok", reply };
}

function refuseStaffTarget(c: CommunityConfig, target: string, verb: string): CommandResult | undefined {
  if (!isStaffOrAdmin(c, target)) return undefined;
  return refused(
    `${target} is staff or an admin of ${c.name} (from carenet's configuration); \`!member ${verb}\` does not act on staff. ` +
      "Change the configuration file to change who is staff.",
  );
}

function list(app: CommunitiesApp, c: CommunityConfig): CommandResult {
  const active = app.members.list(c.id, { status: "active" });
  const alumni = app.members.list(c.id, { status: "discharged" });
  const removed = app.members.list(c.id, { status: "removed" });
  const reply = new Message();
  if (!active.length && !alumni.length) {
    reply.p(`${c.name} has no members yet. Add one with \`!member add @name:server\`.`);
  } else {
    reply.heading(`Members of ${c.name} (${active.length}):`).list(active.map((m) => `${m.userId} — ${roleWord(m)}, sponsor ${m.sponsor ?? "nobody"}, since ${utcDate(m.addedAt)}`));
    if (!active.length) reply.p("No active members.");
    reply.heading(`Alumni (${alumni.length}):`).list(alumni.map((m) => `${m.userId} — sponsor ${m.sponsor ?? "nobody"}, alumni since ${utcDate(m.updatedAt)}`));
  }
  if (removed.length) reply.p(`${removed.length} removed (\`!member show @name:server\` for one of them).`);
  reply.p(`Staff: ${c.staff.join(", ") || "none"}. Admins: ${c.admins.join(", ") || "none"}.`);
  return { outcome: "ok", reply };
}

function show(app: CommunitiesApp, c: CommunityConfig, target: string): CommandResult {
  const away = foreign(target, app.domain);
  if (away) return away;
  if (isStaffOrAdmin(c, target)) {
    return ok(`${target} is ${c.admins.includes(target) ? "an admin" : "staff"} of ${c.name} (from carenet's configuration).`);
  }
  const m = app.members.get(c.id, target);
  if (!m) return refused(`${target} is not a member of ${c.name}.`);
  const text = currentRightsText(app, c, app.config().crisis_resources);
  const left = app.members.leftRooms(c.id, target);
  const reply = new Message().heading(`${target} in ${c.name}`).list([
    `status: ${statusWord(m)}`,
    `role: ${roleWord(m)}`,
    `sponsor: ${m.sponsor ?? "nobody"}`,
    `added by ${m.addedBy} on ${utcDate(m.addedAt)}; last change ${utcDate(m.updatedAt)}`,
    ...(m.removedReason ? [`reason given for removal: ${m.removedReason}`] : []),
    `rights and choices: ${lowerFirst(describeConsent(latestDecision(app, c.id, target), text.version))}`,
    left.length ? `left on their own (not invited back): ${left.map((l) => roomName(c, l.roomKey)).join(", ")}` : "has not left any room on their own",
  ]);
  return { outcome: "ok", reply };
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function roleWord(m: Member): string {
  return m.role === "peer" ? "peer supporter" : m.role === "alumni" ? "alumni" : "member";
}

function statusWord(m: Member): string {
  return m.status === "active" ? "active member" : m.status === "discharged" ? "discharged (alumni)" : "removed";
}

function names(rooms: PlaceRoom[]): string {
  return rooms.map((r) => r.name).join(", ");
}

function keysOf(rooms: PlaceRoom[]): string {
  return rooms.map((r) => r.key).join(", ") || "no room";
}

function ok(text: string): CommandResult {
  return { outcome: "ok", reply: Message.of(text) };
}

function refused(text: string): CommandResult {
  return { outcome: "refused", reply: Message.of(text) };
}
