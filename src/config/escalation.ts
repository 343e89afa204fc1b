import type { CommunityConfig, NotifyTarget } from "./types";
import { parseDuration } from "../kernel/durations";

/**
 * The ladder a community gets when its config has no `paging.escalation`: the people on
 * call first, then the whole staff team, so that a community which never configured
 * escalation still has a human at the end of it. An explicit empty list means "no ladder":
 * every page goes straight to the crisis resources and a staff alert.
 */
export const DEFAULT_ESCALATION: ReadonlyArray<{ notify: NotifyTarget; wait: string }> = [
  { notify: "on_call_peers", wait: "10m" },
  { notify: "backup_peers", wait: "10m" },
  { notify: "on_call_staff", wait: "15m" },
  { notify: "all_staff", wait: "15m" },
];

/** One rung of a community's escalation ladder, its wait in milliseconds. */
export interface LadderStep {
  notify: NotifyTarget;
  waitMs: number;
}

/** A community's escalation ladder, derived from its config (read by paging, the rota and the reports). */
export function ladderOf(community: CommunityConfig): LadderStep[] {
  const steps = community.paging?.escalation ?? DEFAULT_ESCALATION;
  return steps.map((s) => ({ notify: s.notify, waitMs: parseDuration(s.wait) ?? 0 }));
}

/** The community's whole staff team: staff and admins from the config. */
export function allStaffOf(community: Pick<CommunityConfig, "staff" | "admins">): string[] {
  return [...new Set([...community.staff, ...community.admins])];
}
