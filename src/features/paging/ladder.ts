import type { OnCallNow } from "../../ports/context";
import type { CommunityConfig } from "../../config/types";
import { type EscalationStep, type NotifyTarget } from "./domain/escalation";
import { parseDuration } from "../../kernel/durations";

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

export function ladderOf(community: CommunityConfig): EscalationStep[] {
  const steps = community.paging?.escalation ?? DEFAULT_ESCALATION;
  return steps.map((s) => ({ notify: s.notify, waitMs: parseDuration(s.wait) ?? 0 }));
}

/** The community's whole staff team: staff and admins from the config. */
export function allStaffOf(community: Pick<CommunityConfig, "staff" | "admins">): string[] {
  return unique([...community.staff, ...community.admins]);
}

export function isStaffTarget(target: NotifyTarget): boolean {
  return target === "on_call_staff" || target === "all_staff";
}

/** Who a ladder step asks, leaving out `exclude` (the member who paged, the bot). */
export function recipientsOf(
  target: NotifyTarget,
  community: Pick<CommunityConfig, "staff" | "admins">,
  onCall: OnCallNow,
  exclude: readonly string[],
): string[] {
  const people =
    target === "on_call_peers"
      ? onCall.peers
      : target === "backup_peers"
        ? onCall.backupPeers
        : target === "on_call_staff"
          ? onCall.staff
          : allStaffOf(community);
  return unique(people).filter((u) => !exclude.includes(u));
}

function unique(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}
