import type { CommunityConfig } from "./types";

/** Someone's role in a community that comes from the config: admin, staff, or neither. */
export function configRole(c: Pick<CommunityConfig, "staff" | "admins">, userId: string): "admin" | "staff" | undefined {
  if (c.admins.includes(userId)) return "admin";
  if (c.staff.includes(userId)) return "staff";
  return undefined;
}

/** Staff or admin of this community: who may run its staff commands and sponsor its members. */
export function isStaffOf(c: Pick<CommunityConfig, "staff" | "admins">, userId: string): boolean {
  return configRole(c, userId) !== undefined;
}
