import type { OnCallNow } from "../../ports/context";
import type { CommunityConfig } from "../../config/types";
import { type NotifyTarget } from "./domain/escalation";
import { allStaffOf } from "../../config/escalation";

// The ladder itself is derived in config/, where the rota and the reports read it too.
export { DEFAULT_ESCALATION, ladderOf, allStaffOf } from "../../config/escalation";

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
