import { t } from "../words";
import type { StateEvent } from "./homeserver";

/** Why a chat is not private to one person and the bot (see privacyProblem). */
export type PrivacyProblem =
  /** Its join rule lets people in without an invitation (or it has none). */
  | { code: "joinable"; joinRule: string }
  /** Its history is world-readable. */
  | { code: "worldReadable" }
  /** A third person has a member event in it. */
  | { code: "someoneElse" }
  /** The person has left it (or was never in it). */
  | { code: "personGone" }
  /** The bot can no longer read the room (it left, or the room is gone). */
  | { code: "unreadable" };

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
export function privacyProblem(state: StateEvent[], userId: string, botUserId: string): PrivacyProblem | undefined {
  const content = (type: string, key = "") => state.find((e) => e.type === type && e.state_key === key)?.content;
  const joinRule = content("m.room.join_rules")?.join_rule;
  if (joinRule !== "invite") return { code: "joinable", joinRule: String(joinRule ?? "unset") };
  const history = content("m.room.history_visibility")?.history_visibility;
  if (history === "world_readable") return { code: "worldReadable" };
  const members = state.filter((e) => e.type === "m.room.member");
  const others = members.filter((e) => e.state_key !== userId && e.state_key !== botUserId);
  if (others.length) return { code: "someoneElse" };
  const mine = members.find((e) => e.state_key === userId)?.content.membership;
  if (mine !== "join" && mine !== "invite") return { code: "personGone" };
  return undefined;
}

/** Why a chat is not private, said to the person (quoted in a welcome, or in the new private chat). */
export function privacyProblemWords(p: PrivacyProblem): ReturnType<typeof t> {
  switch (p.code) {
    case "joinable":
      return t("privacy.joinable", { joinRule: p.joinRule });
    case "worldReadable":
      return t("privacy.worldReadable");
    case "someoneElse":
      return t("privacy.someoneElse");
    case "personGone":
      return t("privacy.personGone");
    case "unreadable":
      return t("privacy.unreadable");
  }
}
