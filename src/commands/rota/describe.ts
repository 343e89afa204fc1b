import type { CommunityConfig } from "../../config/types";
import type { RotaEntry } from "../../store/rota";
import { dayName, stretch, weeklySlot } from "./when";

/** What an entry is, in words: "every Monday, 18:00–22:00 (backup)", "@bea covers @alex from …". */
export function describeEntry(e: RotaEntry, c: CommunityConfig): string {
  const tz = c.timezone;
  const backup = e.backup ? " (backup)" : "";
  const staff = e.role === "staff" ? " (on-call staff)" : "";
  switch (e.kind) {
    case "weekly":
      return `${weeklySlot(e.day!, e.from!, e.to!)}${backup}${staff}`;
    case "once":
      return `${stretch(e.startMs!, e.endMs!, tz)}${backup}${staff}`;
    case "cover":
      if (e.swapWith !== null) return `${e.userId} takes ${e.coveredUserId}'s shift, ${stretch(e.startMs!, e.endMs!, tz)} (swap)`;
      return `${e.userId} covers ${e.coveredUserId}, ${coverRange(e.startMs!, e.endMs!, tz)}`;
  }
}

/** A cover's range of whole days: "all of Tuesday 3 March", "from Tuesday 3 March to Thursday 5 March". */
export function coverRange(startMs: number, endMs: number, timezone: string): string {
  const first = dayName(startMs, timezone);
  const last = dayName(endMs - 1, timezone);
  return first === last ? `all of ${first}` : `from ${first} to ${last}`;
}

/** Where an entry stands, in words, for the person it concerns and for staff. */
export function describeStatus(e: RotaEntry): string {
  if (e.status === "approved") return "on the rota";
  if (e.status === "cancelled") {
    return e.endReason === "declined" ? "declined" : e.endReason === "removed" ? "removed by staff" : "cancelled";
  }
  const waits: string[] = [];
  if (e.agreedAt === null) waits.push(`waiting for ${e.userId} to accept`);
  if (e.approvedAt === null) waits.push("waiting for staff approval");
  if (waits.length === 0) waits.push("waiting for the other half of the swap to be accepted");
  return waits.join(", ");
}

/** "#12 every Monday, 18:00–22:00 — on the rota" */
export function entryLine(e: RotaEntry, c: CommunityConfig, opts: { withCommunity?: boolean } = {}): string {
  const where = opts.withCommunity ? ` (${c.name})` : "";
  return `#${e.id} ${describeEntry(e, c)}${where} — ${describeStatus(e)}`;
}
