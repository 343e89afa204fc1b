import { askedDetail, ASKED, currentRightsText, currentRightsVersion, describeConsent, latestDecision, onboardingMessages } from "../consent";
import type { CommunitiesApp } from "../deps";
import { isStaffOf } from "../../../config/roles";
import { allMemberRoomKeys, inviteTo, kickFrom, roomKeysFor, roomName, type InviteOutcome, type PlaceRoom } from "../memberRooms";
import { readUserId, type UserIdProblem } from "../userIds";
import type { CommunityConfig } from "../../../config/types";
import { closest } from "../../../kernel/words";
import { command, inCommunityLanguage, listOf, person, t, time, type Value, type Words } from "../../../words";
import { supportNow } from "../../../messaging/support";
import { Message } from "../../../messaging/message";
import { ok, refused } from "../../../messaging/outcome";
import { UsageError, type CommandContext, type CommandResult, type CommandSpec } from "../../../commands/types";

const VERBS = ["add", "remove", "discharge", "sponsor", "list", "show"] as const;
type Verb = (typeof VERBS)[number];

/** A `!member` command, read and checked for shape (not yet for meaning). */
type MemberRequest =
  | { verb: "list" }
  | { verb: "add"; target: string; sponsor?: string }
  | { verb: "remove"; target: string; reason: string | null }
  | { verb: "sponsor"; target: string; sponsor: string | null }
  | { verb: "discharge" | "show"; target: string };

const USAGE = "!member add @user [--sponsor @staff] | remove @user [reason] | discharge @user | sponsor @user @staff|none | list | show @user";

/**
 * `!member …` in a community's staff room, for its staff: members are added (invited to
 * the Space, the community chat and extra rooms, and sent their rights and choices),
 * removed (from every room, with the reason), discharged (to the alumni room, data and
 * choices kept), given another sponsor or none, listed and shown. The dispatcher has
 * already checked that the sender is staff of the community whose staff room this is;
 * every change is audited (once: the command's own entry says what it did).
 */
export function memberCommand(app: CommunitiesApp): CommandSpec {
  return {
    name: "member",
    usage: USAGE,
    summary: t("member.summary"),
    details: t("member.details", {
      add: command("!member add @name:server"),
      flag: command("--sponsor @staff"),
      remove: command("!member remove @name:server [reason]"),
      discharge: command("!member discharge @name:server"),
      sponsor: command("!member sponsor @name:server @staff|none"),
      list: command("!member list"),
      show: command("!member show @name:server"),
    }),
    audience: "staff",

    async precheck(ctx, args) {
      const req = parse(args, app.domain);
      if (req.verb !== "add") return undefined;
      const c = community(ctx);
      const refusal = refuseAdd(app, c, req.target, req.sponsor ?? ctx.sender);
      if (refusal) return refusal;
      if (!(await app.homeserver.userExists(req.target))) {
        return refused(t("member.noAccount", { user: command(req.target), domain: app.domain }));
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
        case "sponsor":
          return changeSponsor(app, ctx, c, req.target, req.sponsor);
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
  if (!rawVerb) throw new UsageError(t("member.sayWhat"));
  const verb = rawVerb.toLowerCase();
  if (!(VERBS as readonly string[]).includes(verb)) {
    const hint = closest(verb, [...VERBS]);
    throw new UsageError(hint ? t("member.notAVerbHint", { member: command("!member"), hint: command(hint) }) : t("member.notAVerb", { member: command("!member") }));
  }
  if (verb === "list") {
    if (rest.length) throw new UsageError(t("member.listTakesNothing", { command: command("!member list") }));
    return { verb };
  }
  const [rawTarget, ...more] = rest;
  if (!rawTarget) throw new UsageError(t("member.namePerson", { example: command(`!member ${verb} @name:${domain}`) }));
  const target = userIdOrForeign(rawTarget, domain);
  switch (verb as Exclude<Verb, "list">) {
    case "remove":
      return { verb: "remove", target, reason: more.join(" ").trim() || null };
    case "sponsor": {
      if (more.length !== 1) throw new UsageError(t("member.sponsorTarget", { example: command(`!member sponsor ${target} @staff:${domain}`) }));
      return { verb: "sponsor", target, sponsor: more[0].toLowerCase() === "none" ? null : userIdOrForeign(more[0], domain) };
    }
    case "add": {
      let sponsor: string | undefined;
      for (let i = 0; i < more.length; i++) {
        const [flag, inline] = more[i].split("=", 2);
        if (flag.toLowerCase() !== "--sponsor") throw new UsageError(t("member.onlySponsorFlag", { flag: command("--sponsor @staff") }));
        if (sponsor !== undefined) throw new UsageError(t("member.oneSponsor"));
        const value = inline ?? more[++i];
        if (!value) throw new UsageError(t("member.nameSponsor", { flag: command("--sponsor"), example: command(`--sponsor @sam:${domain}`) }));
        sponsor = userIdOrForeign(value, domain);
      }
      return { verb: "add", target, sponsor };
    }
    default:
      if (more.length) throw new UsageError(t("member.onlyPerson", { command: command(`!member ${verb}`) }));
      return { verb: verb as "discharge" | "show", target };
  }
}

/** A well-formed id; one on another homeserver is returned as is for a plain refusal later. */
function userIdOrForeign(raw: string, domain: string): string {
  const r = readUserId(raw, domain);
  if (r.ok) return r.userId;
  if (r.kind === "foreign") return r.userId;
  throw new UsageError(userIdProblemWords(r.problem));
}

function foreign(userId: string, domain: string): CommandResult | undefined {
  const r = readUserId(userId, domain);
  return !r.ok && r.kind === "foreign" ? refused(userIdProblemWords(r.problem)) : undefined;
}

/** What is wrong with a typed Matrix user id, for the staff who typed it. */
export function userIdProblemWords(p: UserIdProblem): Words {
  switch (p.code) {
    case "noAt":
      return t("member.idNoAt", { raw: command(p.raw), example: command(p.example) });
    case "noServer":
      return t("member.idNoServer", { raw: command(p.raw), example: command(p.example) });
    case "noName":
      return t("member.idNoName", { raw: command(p.raw) });
    case "capitals":
      return t("member.idCapitals", { raw: command(p.raw), example: command(p.example) });
    case "badName":
      return t("member.idBadName", { raw: command(p.raw) });
    case "badServer":
      return t("member.idBadServer", { raw: command(p.raw), server: command(p.server) });
    case "foreign":
      return t("member.idForeign", { user: command(p.userId), server: p.server, domain: p.domain });
  }
}

/** Why `target` cannot be added with this sponsor, if they cannot. */
function refuseAdd(app: CommunitiesApp, c: CommunityConfig, target: string, sponsor: string): CommandResult | undefined {
  const away = foreign(target, app.domain);
  if (away) return away;
  if (target === app.botUserId || target.startsWith(`@${app.botUserId.slice(1).split(":")[0]}_`)) {
    return refused(t("member.isBot", { user: command(target) }));
  }
  if (isStaffOf(c, target)) {
    return refused(t("member.isStaff", { user: person(target), role: c.admins.includes(target) ? "admin" : "staff", community: c.name }));
  }
  return refuseSponsor(c, sponsor);
}

function refuseSponsor(c: CommunityConfig, sponsor: string): CommandResult | undefined {
  return isStaffOf(c, sponsor) ? undefined : refused(t("member.sponsorNotStaff", { sponsor: person(sponsor), community: c.name }));
}

const sponsorName = (sponsor: string | null): Value => (sponsor ? person(sponsor) : t("member.nobody"));

function add(app: CommunitiesApp, ctx: CommandContext, c: CommunityConfig, target: string, named: string | undefined): CommandResult {
  const sponsor = named ?? ctx.sender;
  const refusal = refuseAdd(app, c, target, sponsor);
  if (refusal) return refusal;
  const now = app.clock.now();
  const before = app.members.get(c.id, target);
  const result = app.members.add({ communityId: c.id, userId: target, sponsor, addedBy: ctx.sender }, now);
  const user = person(target);
  if (result === "already_active") {
    if (before && named !== undefined && before.sponsor !== named) {
      app.members.setSponsor(c.id, target, sponsor, now);
      app.audit.append({ communityId: c.id, actor: ctx.sender, action: "member.sponsor", subject: target, detail: `sponsor ${before.sponsor ?? "none"} → ${sponsor}` }, now);
      return { ...ok(t("member.alreadySponsorChanged", { user, community: c.name, sponsor: person(sponsor), before: sponsorName(before.sponsor) })), audited: true };
    }
    return ok(t("member.alreadyMember", { user, community: c.name, sponsor: sponsorName(before?.sponsor ?? null) }));
  }

  const invites = inviteTo(app, c, target, roomKeysFor(c, "active"), `member-add:${ctx.eventId}`, inCommunityLanguage(c, t("member.inviteAdded", { staff: ctx.sender, community: c.name })));
  const text = currentRightsText(app, c, ctx.crisisResources);
  const [first, ...rest] = onboardingMessages(c, text, sponsor, result === "reactivated", ctx.crisisResources);
  app.effects.tell(target, first, `onboarding:${ctx.eventId}`);
  rest.forEach((m, i) => app.effects.tell(target, m, `onboarding:${ctx.eventId}:${i + 2}`));
  const was = before ? (before.status === "discharged" ? "alumni" : "removed") : undefined;
  app.audit.append(
    { communityId: c.id, actor: ctx.sender, action: "member.add", subject: target, detail: `sponsor ${sponsor}${was ? ` (was ${was})` : ""}; invited to ${keysOf(invites.invited)}` },
    now,
  );
  app.audit.append({ communityId: c.id, actor: "carenet", action: ASKED, subject: target, detail: askedDetail(text.version) }, now);

  const sponsorWord: Value = sponsor === ctx.sender ? t("member.you") : person(sponsor);
  const reply = Message.of(was ? t("member.addedBack", { user, community: c.name, was, sponsor: sponsorWord }) : t("member.added", { user, community: c.name, sponsor: sponsorWord }));
  describeInvites(reply, invites);
  reply.p(t("member.addedTold"));
  return { outcome: "ok", reply, audited: true };
}

function describeInvites(reply: Message, out: InviteOutcome): void {
  if (out.invited.length) reply.p(t("member.invitedTo", { rooms: names(out.invited) }));
  if (out.leftOnTheirOwn.length) reply.p(t("member.notInvitedBack", { rooms: names(out.leftOnTheirOwn) }));
  if (out.notReady.length) reply.p(t("member.notReady", { rooms: names(out.notReady) }));
}

function remove(app: CommunitiesApp, ctx: CommandContext, c: CommunityConfig, target: string, reason: string | null): CommandResult {
  const refusal = foreign(target, app.domain) ?? refuseStaffTarget(c, target, "remove");
  if (refusal) return refusal;
  const now = app.clock.now();
  const user = person(target);
  const result = app.members.remove(c.id, target, reason, now);
  if (result === "not_member") return refused(t("member.notMember", { user, community: c.name }));
  if (result === "already_removed") return ok(t("member.alreadyRemoved", { user, community: c.name }));

  const seen = inCommunityLanguage(c, reason ? t("member.removedSeenReason", { community: c.name, reason }) : t("member.removedSeen", { community: c.name }));
  const rooms = kickFrom(app, c, target, allMemberRoomKeys(c), `member-remove:${ctx.eventId}`, seen);
  app.effects.tell(
    target,
    new Message()
      .p(reason ? t("member.removedYouReason", { community: c.name, reason }) : t("member.removedYou", { community: c.name }))
      .p(t("member.removedKept"))
      .append(supportNow(ctx.crisisResources)),
    `member-removed:${ctx.eventId}`,
  );
  app.audit.append({ communityId: c.id, actor: ctx.sender, action: "member.remove", subject: target, detail: reason ? `reason: ${reason}` : "no reason given" }, now);
  const reply = Message.of(rooms.length ? t("member.removedRooms", { user, community: c.name, rooms: names(rooms) }) : t("member.removed", { user, community: c.name }));
  if (reason) reply.p(t("member.removedReason", { reason }));
  return { outcome: "ok", reply, audited: true };
}

function discharge(app: CommunitiesApp, ctx: CommandContext, c: CommunityConfig, target: string): CommandResult {
  const refusal = foreign(target, app.domain) ?? refuseStaffTarget(c, target, "discharge");
  if (refusal) return refusal;
  const now = app.clock.now();
  const user = person(target);
  const result = app.members.discharge(c.id, target, now);
  if (result === "not_member") return refused(t("member.notMember", { user, community: c.name }));
  if (result === "not_active") return refused(t("member.wasRemoved", { user, community: c.name }));
  if (result === "already_discharged") return ok(t("member.alreadyAlumni", { user, community: c.name }));

  const activeOnly = roomKeysFor(c, "active").filter((k) => !roomKeysFor(c, "discharged").includes(k));
  const left = kickFrom(app, c, target, activeOnly, `member-discharge:${ctx.eventId}`, inCommunityLanguage(c, t("member.dischargedSeen", { community: c.name })));
  const invites = inviteTo(app, c, target, ["alumni"], `member-discharge:${ctx.eventId}`, inCommunityLanguage(c, t("member.alumniInvite", { community: c.name })));
  app.effects.tell(
    target,
    new Message()
      .p(t("member.dischargedYou", { community: c.name }))
      .p(invites.invited.length ? t("member.dischargedInvited", { rooms: names(invites.invited), community: c.name }) : t("member.dischargedStay", { community: c.name }))
      .p(t("member.dischargedKept", { consent: command("!consent"), rights: command("!rights") }))
      .append(supportNow(ctx.crisisResources)),
    `member-discharged:${ctx.eventId}`,
  );
  app.audit.append({ communityId: c.id, actor: ctx.sender, action: "member.discharge", subject: target, detail: "now alumni" }, now);
  const reply = Message.of(t("member.discharged", { user, community: c.name }));
  if (left.length) reply.p(t("member.dischargedRooms", { rooms: names(left) }));
  describeInvites(reply, invites);
  return { outcome: "ok", reply, audited: true };
}

/** `!member sponsor @member @staff|none`: staff decide (often after `!sponsor change|none`); the member is told. */
function changeSponsor(app: CommunitiesApp, ctx: CommandContext, c: CommunityConfig, target: string, sponsor: string | null): CommandResult {
  const refusal = foreign(target, app.domain) ?? refuseStaffTarget(c, target, "sponsor") ?? (sponsor ? (foreign(sponsor, app.domain) ?? refuseSponsor(c, sponsor)) : undefined);
  if (refusal) return refusal;
  const user = person(target);
  const m = app.members.get(c.id, target);
  if (!m || m.status === "removed") return refused(t("member.notMember", { user, community: c.name }));
  if (m.sponsor === sponsor) return ok(t("member.sponsorSame", { user }));
  const now = app.clock.now();
  app.members.setSponsor(c.id, target, sponsor, now);
  app.audit.append({ communityId: c.id, actor: ctx.sender, action: "member.sponsor", subject: target, detail: `sponsor ${m.sponsor ?? "none"} → ${sponsor ?? "none"}` }, now);
  app.effects.tell(
    target,
    Message.of(
      sponsor ? t("member.sponsorToldNew", { community: c.name, sponsor: person(sponsor), command: command("!sponsor") }) : t("member.sponsorToldNone", { community: c.name, command: command("!sponsor change") }),
    ),
    `member-sponsor:${ctx.eventId}`,
  );
  const before = sponsorName(m.sponsor);
  return { ...ok(sponsor ? t("member.sponsorChanged", { user, sponsor: person(sponsor), before }) : t("member.sponsorRemoved", { user, before })), audited: true };
}

function refuseStaffTarget(c: CommunityConfig, target: string, verb: string): CommandResult | undefined {
  if (!isStaffOf(c, target)) return undefined;
  return refused(t("member.staffTarget", { user: person(target), community: c.name, command: command(`!member ${verb}`) }));
}

/** Where a member stands with the current text, in a word or two for the list. */
function consentWord(app: CommunitiesApp, c: CommunityConfig, userId: string, version: string): Value {
  const latest = latestDecision(app, c.id, userId);
  const state = !latest ? "none" : latest.decision === "agreed" ? (latest.textVersion === version ? "agreed" : "earlier") : latest.decision;
  return t("member.consentShort", { state });
}

function list(app: CommunitiesApp, c: CommunityConfig): CommandResult {
  const active = app.members.list(c.id, { status: "active" });
  const alumni = app.members.list(c.id, { status: "discharged" });
  const removed = app.members.list(c.id, { status: "removed" });
  const version = currentRightsVersion(app, c, app.config().crisis_resources);
  const date = (ms: number) => time(ms, c.timezone, "date");
  const reply = new Message();
  if (!active.length && !alumni.length) reply.p(t("member.noMembers", { community: c.name, command: command("!member add @name:server") }));
  // A heading only over a list that has something under it.
  if (active.length) {
    reply.heading(t("member.membersHeading", { community: c.name, n: active.length })).list(
      active.map((m) =>
        t("member.memberLine", { user: person(m.userId), role: m.role, sponsor: sponsorName(m.sponsor), date: date(m.addedAt), consent: consentWord(app, c, m.userId, version) }),
      ),
    );
  }
  if (alumni.length) {
    reply
      .heading(t("member.alumniHeading", { n: alumni.length }))
      .list(alumni.map((m) => t("member.alumniLine", { user: person(m.userId), sponsor: sponsorName(m.sponsor), date: date(m.updatedAt), consent: consentWord(app, c, m.userId, version) })));
  }
  if (removed.length) reply.p(t("member.removedCount", { n: removed.length, command: command("!member show @name:server") }));
  const people = (ids: string[]): Value => (ids.length ? listOf(ids.map(person)) : t("member.none"));
  reply.p(t("member.staffLine", { staff: people(c.staff), admins: people(c.admins) }));
  return { outcome: "ok", reply };
}

function show(app: CommunitiesApp, c: CommunityConfig, target: string): CommandResult {
  const away = foreign(target, app.domain);
  if (away) return away;
  const user = person(target);
  if (isStaffOf(c, target)) return ok(t("member.isConfigStaff", { user, role: c.admins.includes(target) ? "admin" : "staff", community: c.name }));
  const m = app.members.get(c.id, target);
  // A look-up that finds nobody is an answer, not a refusal: the audit log must not call it one.
  if (!m) return ok(t("member.notMemberLookup", { user, community: c.name, command: command(`!member add ${target}`) }));
  const text = currentRightsText(app, c, app.config().crisis_resources);
  const left = app.members.leftRooms(c.id, target);
  const date = (ms: number) => time(ms, c.timezone, "date");
  const reply = new Message().heading(t("member.showHeading", { user, community: c.name })).list([
    t("member.showStatus", { status: m.status }),
    t("member.showRole", { role: m.role }),
    t("member.showSponsor", { sponsor: sponsorName(m.sponsor) }),
    t("member.showAdded", { by: person(m.addedBy), added: date(m.addedAt), changed: date(m.updatedAt) }),
    ...(m.removedReason ? [t("member.showReason", { reason: m.removedReason })] : []),
    t("member.showConsent", { state: describeConsent(latestDecision(app, c.id, target), text.version, "they, mid-sentence", c.timezone) }),
    left.length ? t("member.showLeft", { rooms: listOf(left.map((l) => roomName(c, l.roomKey))) }) : t("member.showNotLeft"),
  ]);
  return { outcome: "ok", reply };
}

function names(rooms: PlaceRoom[]): Value {
  return listOf(rooms.map((r) => r.name));
}

function keysOf(rooms: PlaceRoom[]): string {
  return rooms.map((r) => r.key).join(", ") || "no room";
}

