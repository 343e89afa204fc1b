/**
 * What the communities feature keeps (members, their communities' rooms, consent) as the
 * other features see it: the record shapes and the stores' interfaces. The stores in
 * features/communities/store/ implement them; installers hand them on at install time.
 */
import type { CommunityConfig, CrisisResources } from "../config/types";
import type { Message, Text } from "../messaging/message";

/** Roles kept in the store; staff and admins come from the config. */
export type MemberRole = "member" | "peer" | "alumni";

/** Roles an active member can hold. Alumni are made by {@link Members.discharge}. */
export type ActiveRole = Exclude<MemberRole, "alumni">;

export type MemberStatus = "active" | "removed" | "discharged";

export interface Member {
  communityId: string;
  userId: string;
  role: MemberRole;
  sponsor: string | null;
  status: MemberStatus;
  addedBy: string;
  addedAt: number;
  updatedAt: number;
  removedReason: string | null;
}

export interface NewMember {
  communityId: string;
  userId: string;
  /** Defaults to "member". */
  role?: ActiveRole;
  /** A staff user id, or null when no sponsor is named yet. */
  sponsor: string | null;
  addedBy: string;
}

export type AddResult = "added" | "reactivated" | "already_active";

export type RemoveResult = "removed" | "already_removed" | "not_member";

export type DischargeResult = "discharged" | "already_discharged" | "not_active" | "not_member";

export interface LeftRoom {
  roomKey: string;
  leftAt: number;
}

/** The MembersStore (features/communities/store/) as other features use it. */
export interface Members {
  /**
   * Adds a member, or brings back a removed or discharged one with the given role and
   * sponsor. An already active member is left exactly as they are (use `setRole` or
   * `setSponsor` to change them). Rooms the member left on their own stay remembered.
   */
  add(m: NewMember, now: number): AddResult;
  /** Removes an active or discharged member; `reason` is what staff gave, if anything. */
  remove(communityId: string, userId: string, reason: string | null, now: number): RemoveResult;
  /**
   * Makes an active member alumni. Sponsor and everything recorded about them are kept;
   * a removed member has to be added again first.
   */
  discharge(communityId: string, userId: string, now: number): DischargeResult;
  /** Changes an active member's role (peer when they join the rota); false if not active. */
  setRole(communityId: string, userId: string, role: ActiveRole, now: number): boolean;
  /** Names a member's staff sponsor (any status); false if they were never a member. */
  setSponsor(communityId: string, userId: string, sponsor: string | null, now: number): boolean;
  get(communityId: string, userId: string): Member | undefined;
  /** A community's members by user id; every status unless one is asked for. */
  list(communityId: string, opts?: {
    status?: MemberStatus;
  }): Member[];
  /**
   * The communities a user is an active member of, by community id. `includeDischarged`
   * adds the ones they are alumni of (their lifeline: alumni room and check-ins).
   */
  communitiesOf(userId: string, opts?: {
    includeDischarged?: boolean;
  }): Member[];
  /**
   * Remembers that the user left a room of their own accord. Returns true the first time,
   * so staff are told once; a repeat keeps the first time.
   */
  recordLeft(communityId: string, userId: string, roomKey: string, now: number): boolean;
  hasLeft(communityId: string, userId: string, roomKey: string): boolean;
  /** The rooms the user left on their own in this community, by room key. */
  leftRooms(communityId: string, userId: string): LeftRoom[];
  /** Every membership record of the person (any status) and every room they left, by community. */
  aboutPerson(userId: string): {
    memberships: Member[];
    leftRooms: Array<LeftRoom & {
      communityId: string;
    }>;
  };
  /**
   * Deletes the person's membership records and left-room marks: in one community, or in
   * every one. Returns how many rows of each went.
   */
  forget(userId: string, communityId?: string): {
    members: number;
    leftRooms: number;
  };
  /** Members removed by staff before `beforeMs` (their last change), for retention. */
  removedBefore(beforeMs: number): Member[];
  /**
   * Forgets that the user left (they rejoined, or asked to be invited again); without a
   * room key, forgets every room of that community. Returns how many were forgotten.
   */
  clearLeft(communityId: string, userId: string, roomKey?: string): number;
}

/** The display names carenet has seen, sanitised (the communities' DisplayNamesStore), as other features read them. */
export interface KnownNames {
  /** Undefined when no name is known. */
  get(userId: string): string | undefined;
}

export interface CommunityRoom {
  communityId: string;
  /** "space", "community", "staff", "alumni" or an extra room's id. */
  roomKey: string;
  roomId: string;
  alias: string;
  /** The name last set from the config. */
  name: string | null;
  origin: "created" | "found";
  createdAt: number;
  /** When carenet first saw the room missing from the config (and reported it); null while configured. */
  orphanedAt: number | null;
}

/** The CommunityRoomsStore (features/communities/store/) as other features use it. */
export interface CommunityRooms {
  get(communityId: string, roomKey: string): CommunityRoom | undefined;
  /** Which community room a Matrix room is, if it is one. */
  byRoomId(roomId: string): CommunityRoom | undefined;
  /** Every recorded room (of one community, if given), the Space first. */
  list(communityId?: string): CommunityRoom[];
  /** Ids of every community that has recorded rooms. */
  communityIds(): string[];
  /**
   * Records a room carenet created or found. A (community, key) already recorded keeps its
   * room: returns false and changes nothing.
   */
  record(room: Omit<CommunityRoom, "createdAt" | "orphanedAt">, now: number): boolean;
  setName(communityId: string, roomKey: string, name: string): void;
  /** Marks a room as no longer configured; returns false if it already was. */
  markOrphaned(communityId: string, roomKey: string, now: number): boolean;
  /** The room is configured again; a later removal is reported anew. */
  clearOrphaned(communityId: string, roomKey: string): void;
  /** True if carenet already invited (or found) this person in this room. */
  wasInvited(roomId: string, userId: string): boolean;
  recordInvite(communityId: string, roomId: string, userId: string, now: number): void;
  /** Who carenet invited (or found) in a room as staff or admin, and when. */
  invitesTo(roomId: string): Array<{
    userId: string;
    invitedAt: number;
  }>;
  /** Forgets invitations of people who are no longer staff or admins of the community. */
  forgetInvitesExcept(communityId: string, keep: string[]): number;
}

export type ConsentDecision = "agreed" | "declined" | "withdrawn";

/** A member's privacy choices as they stood when they decided; shaped by the caller. */
export type ConsentChoices = Record<string, unknown>;

export interface ConsentRecord {
  id: number;
  userId: string;
  /** The version of the onboarding/rights text the person was shown. */
  textVersion: string;
  decision: ConsentDecision;
  choices: ConsentChoices;
  decidedAt: number;
}

/** The ConsentStore (features/communities/store/) as other features use it. */
export interface Consents {
  record(userId: string, textVersion: string, decision: ConsentDecision, choices: ConsentChoices, now: number): ConsentRecord;
  current(userId: string): ConsentRecord | undefined;
  /**
   * True only when the latest decision is "agreed" to exactly this text version: a changed
   * text asks again, and a later decline or withdrawal undoes an earlier agreement.
   */
  hasAgreedTo(userId: string, textVersion: string): boolean;
  /**
   * Deletes the person's decisions: every one, or those about versions starting with
   * `versionPrefix` (one community's text, `<id>@`). Returns how many went.
   */
  forget(userId: string, versionPrefix?: string): number;
  /** Every decision the user made, oldest first (for `!mydata`). */
  history(userId: string): ConsentRecord[];
}

/**
 * What a member who asked for something optional (a check-in, a rota shift) without having
 * agreed to their community's current rights text is told: nothing was recorded, how to
 * read the text and agree, that support does not depend on it. `what` is the subject of
 * its first sentence. The communities capability words it; the others are handed it.
 */
export type ConsentNeeded = (c: CommunityConfig, userId: string, what: Text, crisisResources: CrisisResources) => Message;
