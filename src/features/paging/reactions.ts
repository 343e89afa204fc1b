import type { Clock } from "../../kernel/clock";
import type { Effects } from "../../messaging/effects";
import type { MembershipHook, ReactionEvent, ReactionHook } from "../../ports/hooks";
import type { PagesStore } from "./store/pages";
import type { PagingService } from "./service";
import * as t from "./texts";

/** Reactions that say "I'm coming" on a page message: a check mark, with or without the emoji variation selector. */
const ACK_KEYS = new Set(["✅", "✔", "☑"]);

export function isAckReaction(key: string): boolean {
  return ACK_KEYS.has(key.replace(/\uFE0F/g, "").trim());
}

/** Reactions that say "I cannot come" on a page request: no entry, or the prohibited sign. */
const DECLINE_KEYS = new Set(["⛔", "🚫"]);

export function isDeclineReaction(key: string): boolean {
  return DECLINE_KEYS.has(key.replace(/\uFE0F/g, "").trim());
}

interface ReactionDeps {
  pages: PagesStore;
  service: PagingService;
  effects: Effects;
  clock: Clock;
  botUserId: string;
}

/**
 * ✅ on a page request (or on the "please confirm" message) acknowledges; ⛔ declines.
 * Late reactions too (carenet was down longer than events.max_age): "I'm coming" is as
 * true late as on time, and a page waiting for a human must not lose the one who answered.
 */
export function pageReactionHook(d: ReactionDeps): ReactionHook {
  return Object.assign((r: ReactionEvent) => {
    if (isDeclineReaction(r.key)) {
      const pageId = d.pages.pageOfNotice(r.targetEventId, r.sender);
      const page = pageId === undefined ? undefined : d.pages.get(pageId);
      if (!page) return;
      const out = d.service.decline(page, r.sender, "reaction", d.clock.now());
      if (out.kind === "declined") d.effects.tell(r.sender, t.declineReply(page.id, out.movedOn), `page:${page.id}:r${page.round}:decline-reply:${r.sender}`);
      return;
    }
    if (!isAckReaction(r.key)) return;
    const pageId = d.pages.pageOfNotice(r.targetEventId, r.sender) ?? d.pages.pageOfConfirmRequest(r.targetEventId, r.sender);
    const page = pageId === undefined ? undefined : d.pages.get(pageId);
    if (!page) return;
    const out = d.service.ack(page, r.sender, "reaction", d.clock.now());
    // A reaction gets no reply of its own: the person who reacted is thanked and told where to go, as `!ack` is.
    const round = page.round === 1 ? "" : `:r${page.round}`;
    if (out.kind === "first" || out.kind === "also") {
      d.effects.tell(r.sender, t.ackReply(page.id, page.member, out.kind === "first"), `page:${page.id}${round}:ack-reply:${r.sender}`);
    } else if (out.kind === "confirmed") {
      d.effects.tell(r.sender, t.confirmReply(page.id, page.member), `page:${page.id}:again${page.state.repeatCount}:confirm-reply:${r.sender}`);
    }
  }, { acceptsLate: true });
}

/** Someone joining a support room on their own: they are coming. */
export function supportRoomJoinHook(d: ReactionDeps): MembershipHook {
  return (m) => {
    if (m.membership !== "join" || m.previous === "join" || m.sender !== m.userId) return;
    const page = d.pages.bySupportRoom(m.roomId);
    if (!page || m.userId === page.member || m.userId === d.botUserId) return;
    d.service.ack(page, m.userId, "join", d.clock.now());
  };
}
