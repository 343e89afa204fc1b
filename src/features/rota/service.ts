/**
 * The rota as the rest of carenet sees it: the store's entries turned into the domain's
 * shifts (src/features/rota/domain/rota.ts) for a community, and the questions asked of them — who is
 * on call, what starts when, would this shift take someone over their weekly cap.
 *
 * Backup model: a backup peer is someone who volunteered (or agreed to be added) for a
 * **backup** slot (`!volunteer mon 18:00-22:00 backup`). They are asked only when the
 * ladder reaches its backup_peers step. Nobody becomes a backup without agreeing to it,
 * so neighbours of a shift are never paged by guesswork.
 */
import type { OnCallNow } from "../../ports/context";
import { LONGEST_SHIFT_MS } from "../../config/rotaSettings";
import type { CarenetConfig, CommunityConfig } from "../../config/types";
import { rotaSettings } from "../../config/rotaSettings";
import {
  onCallAt,
  shiftsStartingBetween,
  type OneOffShift,
  type Override,
  type RecurringShift,
  type RotaInput,
  type ShiftOccurrence,
} from "./domain/rota";
import { weekBounds, weeklyLoad } from "./domain/load";
import { isStaffOf } from "../../config/roles";
import type { Members } from "../../ports/communities";
import type { RotaEntry, RotaStore } from "./store/rota";
import { communityById } from "../../config/communities";

export { rotaSettings, type RotaSettings } from "../../config/rotaSettings";

/** An on-call stretch, and whether it comes from a backup slot. */
export interface Stretch extends ShiftOccurrence {
  backup: boolean;
}

/** A shift that is not in the store yet (a proposal being checked against the cap). */
export type Candidate = Pick<RotaEntry, "kind" | "userId" | "role" | "backup" | "day" | "from" | "to" | "startMs" | "endMs" | "coveredUserId">;

export { LONGEST_SHIFT_MS };
const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

export class RotaService {
  constructor(
    private readonly d: {
      store: RotaStore;
      members: Members;
      config: () => CarenetConfig;
      /**
       * Whether a member agreed to their community's current rights text. A peer who has not
       * (or withdrew, or has not yet answered a changed text) keeps their shifts on the plan
       * but is not on call: nothing optional is recorded about them, pages included.
       */
      hasConsent: (communityId: string, userId: string) => boolean;
    },
  ) {}

  get store(): RotaStore {
    return this.d.store;
  }

  community(id: string): CommunityConfig | undefined {
    return communityById(this.d.config().communities, id);
  }

  /**
   * How a person can be on this community's rota: "staff" for its staff and admins,
   * "peer" for its active members, null for anyone else.
   */
  standing(c: CommunityConfig, userId: string): "staff" | "peer" | null {
    if (isStaffOf(c, userId)) return "staff";
    return this.d.members.get(c.id, userId)?.status === "active" ? "peer" : null;
  }

  /**
   * Still entitled to hold a stretch in this role (a removed member's old shifts lapse);
   * `inForce` also asks that a member holding it agreed to the current rights text.
   */
  private eligible(c: CommunityConfig, userId: string, role: "peer" | "staff", inForce = true): boolean {
    const standing = this.standing(c, userId);
    if (role === "staff" ? standing !== "staff" : standing === null) return false;
    return !inForce || this.consents(c, userId);
  }

  /** Staff are not asked for consent; a member is on call only with their current agreement. */
  consents(c: CommunityConfig, userId: string): boolean {
    return isStaffOf(c, userId) || this.d.hasConsent(c.id, userId);
  }

  /**
   * A peer's entry counts only if they agreed to it during their current membership: a
   * member removed or discharged and later added again starts with an empty rota rather
   * than finding old shifts back in force.
   */
  private agreedAsMember(c: CommunityConfig, e: RotaEntry): boolean {
    if (isStaffOf(c, e.userId)) return true;
    if (e.role === "staff") return false;
    const m = this.d.members.get(c.id, e.userId);
    return !!m && m.status === "active" && (e.agreedAt === null || m.addedAt <= e.agreedAt);
  }

  /**
   * Ends the live entries of people who can no longer hold them (a member removed or
   * discharged, staff no longer in the config), so lists say what is really in force.
   * On-call answers already leave them out; this keeps the record in line. Returns them.
   */
  tidy(communityId: string, now: number): RotaEntry[] {
    const c = this.community(communityId);
    if (!c) return [];
    const ended: RotaEntry[] = [];
    for (const e of this.d.store.list(c.id)) {
      if (!this.agreedAsMember(c, e)) ended.push(...this.d.store.end(e.id, "carenet", "removed", now));
    }
    return ended;
  }

  /**
   * The domain's view of a community's rota. `which` picks ordinary or backup slots (covers
   * apply to both); `committed` counts every entry its holder agreed to, approved or not
   * (for load caps); `extra` adds a candidate; `withBreaks` leaves breaks out when false.
   */
  input(
    c: CommunityConfig,
    now: number,
    opts: { which: "primary" | "backup" | "all"; committed?: boolean; extra?: Candidate[]; withBreaks?: boolean },
  ): RotaInput {
    const stored = this.d.store
      .list(c.id, opts.committed ? ["proposed", "approved"] : ["approved"])
      .filter((e) => e.agreedAt !== null && this.agreedAsMember(c, e));
    const all: Array<Candidate & { id: string }> = [
      ...stored.map((e) => ({ ...e, id: String(e.id) })),
      ...(opts.extra ?? []).map((e, i) => ({ ...e, id: `new-${i}` })),
    ];
    const slot = (e: Candidate) => opts.which === "all" || e.backup === (opts.which === "backup");
    const recurring: RecurringShift[] = all
      .filter((e) => e.kind === "weekly" && slot(e))
      .map((e) => ({ id: e.id, userId: e.userId, role: e.role, day: e.day!, from: e.from!, to: e.to! }));
    const oneOff: OneOffShift[] = all
      .filter((e) => e.kind === "once" && slot(e))
      .map((e) => ({ id: e.id, userId: e.userId, role: e.role, startMs: e.startMs!, endMs: e.endMs! }));
    const overrides: Override[] = all
      .filter((e) => e.kind === "cover")
      .map((e) => ({ id: e.id, coveredUserId: e.coveredUserId, coverUserId: e.userId, startMs: e.startMs!, endMs: e.endMs! }));
    return { timezone: c.timezone, recurring, oneOff, overrides, breaks: opts.withBreaks === false ? [] : this.d.store.breaksFrom(now) };
  }

  /** Who is on call in the community at `atMs` (what paging asks at page time). */
  onCall(communityId: string, atMs: number): OnCallNow {
    const c = this.community(communityId);
    if (!c) return { peers: [], backupPeers: [], staff: [] };
    const primary = onCallAt(this.input(c, atMs, { which: "primary" }), atMs);
    const backup = onCallAt(this.input(c, atMs, { which: "backup" }), atMs);
    const peers = primary.peers.filter((u) => this.eligible(c, u, "peer"));
    const backupPeers = backup.peers.filter((u) => !peers.includes(u) && this.eligible(c, u, "peer"));
    const staff = [...new Set([...primary.staff, ...backup.staff])].filter((u) => this.eligible(c, u, "staff")).sort();
    const leftOut = this.leftOut(c, atMs, { peers, backupPeers, staff });
    return leftOut.length > 0 ? { peers, backupPeers, staff, leftOut } : { peers, backupPeers, staff };
  }

  /** Who would be on call at `atMs` but for a break or (peers) missing consent: paging records them as skipped. */
  private leftOut(c: CommunityConfig, atMs: number, on: Omit<OnCallNow, "leftOut">): NonNullable<OnCallNow["leftOut"]> {
    const planned = (which: "primary" | "backup") => onCallAt(this.input(c, atMs, { which, withBreaks: false }), atMs);
    const primary = planned("primary");
    const backup = planned("backup");
    const out: NonNullable<OnCallNow["leftOut"]> = [];
    const seen = new Set<string>();
    const add = (userId: string, slot: "peers" | "backupPeers" | "staff", role: "peer" | "staff") => {
      if (seen.has(`${slot}:${userId}`) || on[slot].includes(userId) || !this.eligible(c, userId, role, false)) return;
      seen.add(`${slot}:${userId}`);
      out.push({ userId, slot, reason: role === "peer" && !this.consents(c, userId) ? "no_consent" : "break" });
    };
    for (const u of primary.peers) add(u, "peers", "peer");
    for (const u of backup.peers) if (!on.peers.includes(u)) add(u, "backupPeers", "peer");
    for (const u of [...primary.staff, ...backup.staff]) add(u, "staff", "staff");
    return out;
  }

  /**
   * On-call stretches starting in [fromMs, toMs), ordinary and backup, held by people still
   * entitled to them. `inForce` (the default) gives the stretches that really put someone
   * on call: breaks, and members without current consent, leave theirs out. With `inForce`
   * false it is the rota as planned (for staff views, covers and swaps).
   */
  stretchesStarting(c: CommunityConfig, fromMs: number, toMs: number, now: number, inForce = true): Stretch[] {
    const out: Stretch[] = [];
    for (const which of ["primary", "backup"] as const) {
      for (const o of shiftsStartingBetween(this.input(c, now, { which, withBreaks: inForce }), fromMs, toMs)) {
        if (this.eligible(c, o.userId, o.role, inForce)) out.push({ ...o, backup: which === "backup" });
      }
    }
    return out.sort((a, b) => a.startMs - b.startMs || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
  }

  /** The stretch `userId` is holding at `atMs`, if any (for "on call until …"). */
  stretchAt(c: CommunityConfig, userId: string, atMs: number): Stretch | undefined {
    return this.stretchesStarting(c, atMs - LONGEST_SHIFT_MS, atMs + 1, atMs).find(
      (s) => s.userId === userId && s.startMs <= atMs && atMs < s.endMs,
    );
  }

  /**
   * Whether taking on `candidates` (one shift, or both halves of a swap) would put `userId` over the community's weekly cap in any
   * week the candidates give them time in (looking five weeks ahead). Only shifts the person agreed to count.
   * Returns the week's start and the count it would reach, or null when within the cap.
   */
  overCap(c: CommunityConfig, userId: string, candidates: Candidate[], now: number): { weekStartMs: number; shifts: number; cap: number } | null {
    const cap = rotaSettings(c).maxShiftsPerWeek;
    const committed = this.input(c, now, { which: "all", committed: true, extra: candidates, withBreaks: false });
    // The weeks in which the candidate gives the person time on call.
    const isNew = (o: ShiftOccurrence) => o.shiftId.startsWith("new-") || !!o.overrideId?.startsWith("new-");
    const weeks = new Set<number>();
    for (const o of shiftsStartingBetween(committed, now - LONGEST_SHIFT_MS, now + 5 * WEEK_MS)) {
      if (o.userId === userId && isNew(o) && o.endMs > now) weeks.add(weekBounds(c.timezone, o.startMs).startMs);
    }
    for (const weekStartMs of [...weeks].sort((a, b) => a - b)) {
      const shifts = weeklyLoad(committed, weekStartMs).find((l) => l.userId === userId)?.shifts ?? 0;
      if (shifts > cap) return { weekStartMs, shifts, cap };
    }
    return null;
  }
}
