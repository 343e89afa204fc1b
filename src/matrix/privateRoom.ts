import type { StateEvent } from "./homeserver";

/**
 * Whether a room is private to one person and the bot, from its current state: the test
 * every private message (an export, a check-in, a page, an alert) passes before it is sent.
 *
 * - join rules `invite` (not public, knock or restricted: nobody else can come in on their own);
 * - history visibility not `world_readable` (readable by anyone, without joining). `shared`,
 *   `invited` and `joined` are fine, because the next rule means no third person has ever
 *   been able to read it;
 * - guest access is not looked at: guests, like everyone else, need an invitation to join
 *   a room whose join rule is `invite` (the trusted_private_chat preset itself sets
 *   `can_join`);
 * - no member event for anyone but the person and the bot — whatever its membership now
 *   (someone invited and gone has been able to read it, and may be invited back) — and the
 *   person themselves joined or invited.
 *
 * A missing join rule counts against privacy; a missing history visibility is `shared`, as
 * the spec says.
 */
export function privacyProblem(state: StateEvent[], userId: string, botUserId: string): string | undefined {
  const content = (type: string, key = "") => state.find((e) => e.type === type && e.state_key === key)?.content;
  const joinRule = content("m.room.join_rules")?.join_rule;
  if (joinRule !== "invite") return `anyone can join it (join rule ${String(joinRule ?? "unset")})`;
  const history = content("m.room.history_visibility")?.history_visibility;
  if (history === "world_readable") return "its history can be read by anyone, without joining";
  const members = state.filter((e) => e.type === "m.room.member");
  const others = members.filter((e) => e.state_key !== userId && e.state_key !== botUserId);
  if (others.length) return "someone else has been in it";
  const mine = members.find((e) => e.state_key === userId)?.content.membership;
  if (mine !== "join" && mine !== "invite") return "the person is no longer in it";
  return undefined;
}
