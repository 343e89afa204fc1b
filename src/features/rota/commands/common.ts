import type { CarenetConfig, CommunityConfig } from "../../../config/types";
import type { AuditLog } from "../../../store/audit";
import type { CommunityRooms } from "../../../ports/communities";
import type { ConsentNeeded, Members } from "../../../ports/communities";
import type { LadderGapsTonight } from "../../../ports/paging";
import type { RotaEntry } from "../store/rota";
import type { CalendarFeedsStore } from "../store/calendarFeeds";
import type { Effects } from "../../../messaging/effects";
import { Message, type Text } from "../../../messaging/message";
import { refused } from "../../../messaging/outcome";
import { UsageError, type CommandContext, type CommandResult } from "../../../commands/types";
import type { RotaService } from "../service";
import { command, person, t } from "../../../words";
import { communityById } from "../../../config/communities";

/** What the rota commands need; all of it SQLite or queued effects (commands run synchronously). */
export interface RotaCommandDeps {
  rota: RotaService;
  members: Members;
  rooms: CommunityRooms;
  effects: Effects;
  audit: AuditLog;
  config: () => CarenetConfig;
  /** Brings a community's handoff messages in line with its rota (after every change). */
  replan: (communityId: string, now: number) => void;
  /** Whether a member agreed to their community's current rights text: no shift is recorded for them otherwise. */
  hasConsent: (communityId: string, userId: string) => boolean;
  /** The kind refusal for a member who has not (the communities capability's words). */
  consentNeeded: ConsentNeeded;
  /** Tonight's gaps in the community's escalation ladder (paging's), for `!oncall`. */
  gapsTonight: LadderGapsTonight;
  /** Secret calendar URLs (`!rota calendar`); without it the subcommand says calendars are not set up. */
  calendarFeeds?: CalendarFeedsStore;
}

/** A refusal for someone who may be struggling: it says how to get support now. */
export function refusedWithSupport(ctx: CommandContext, text: Text, opts: { private?: boolean } = {}): CommandResult {
  return refused(text, { ...opts, support: ctx.crisisResources });
}

const USER_ID = /^@[^:\s]+:\S+$/;

/** A Matrix user id argument (`me` is the sender); `what` names the person asked for. */
export function userArg(token: string | undefined, ctx: CommandContext, what: "person" | "covered" | "covering" = "person"): string {
  if (token === undefined) throw new UsageError(t("rota.whichPerson", { what }));
  if (token.toLowerCase() === "me") return ctx.sender;
  if (!USER_ID.test(token)) throw new UsageError(t("rota.notMatrixId"));
  return token;
}

/** An entry id argument: "12" or "#12". */
export function idArg(token: string | undefined): number {
  if (token === undefined) throw new UsageError(t("rota.whichShift", { mine: command("!rota mine") }));
  const m = /^#?(\d{1,9})$/.exec(token);
  if (!m) throw new UsageError(t("rota.notShiftNumber"));
  return Number(m[1]);
}

/**
 * A member taking on a shift must have agreed to their community's current text (staff are
 * not asked). Returns the kind refusal, with how to agree and the crisis resources, or null.
 */
export function withoutConsent(deps: RotaCommandDeps, ctx: CommandContext, c: CommunityConfig): CommandResult | null {
  if (deps.rota.consents(c, ctx.sender)) return null;
  return refused(deps.consentNeeded(c, ctx.sender, t("rota.consentWhat"), ctx.crisisResources), { private: true });
}

/** What staff are told when they would put a member on the rota who has not agreed to the current text. */
export function staffConsentRefusal(c: CommunityConfig, userId: string): CommandResult {
  return refused(
    t("rota.staffNoConsent", { holder: person(userId), community: c.name, rights: command("!rights"), agree: command("!consent agree"), show: command(`!member show ${userId}`) }),
  );
}

/** Posts in the community's staff room, if it has been provisioned. */
export function tellStaff(deps: RotaCommandDeps, c: CommunityConfig, message: Message, key: string): void {
  const room = deps.rooms.get(c.id, "staff");
  if (room) deps.effects.post(room.roomId, message, key);
}

/** Volunteering or agreeing makes an active member a peer supporter. */
export function becomePeer(deps: RotaCommandDeps, c: CommunityConfig, userId: string, now: number): void {
  const m = deps.members.get(c.id, userId);
  if (m?.status === "active" && m.role === "member") deps.members.setRole(c.id, userId, "peer", now);
}

/** Everyone besides `actor` who is on one of these entries, or whose shifts they cover. */
export function othersConcerned(entries: RotaEntry[], actor: string): string[] {
  const people = new Set<string>();
  for (const e of entries) {
    if (e.userId !== actor) people.add(e.userId);
    if (e.coveredUserId && e.coveredUserId !== actor) people.add(e.coveredUserId);
  }
  return [...people].sort();
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