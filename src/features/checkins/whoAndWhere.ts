import { supportNow } from "../../messaging/support";
import { Message } from "../../messaging/message";
import { refused } from "../../messaging/outcome";
import { command, listOf, t } from "../../words";
import type { Where } from "./commands/checkin";
import type { CommandResult } from "../../commands/types";
import type { CommunityConfig, CrisisResources } from "../../config/types";
import { DEFAULT_PLAN, type Plan } from "./domain/checkins";
import type { CheckinPrompt, CheckinsStore } from "./store/checkins";
import type { ConsentNeeded, Member } from "../../ports/communities";
import type { HasConsent, InstallContext, OnBreak, OnCall } from "../../ports/context";
import { communityById } from "../../config/communities";

/** What check-ins are handed of other capabilities: consent and its words (communities), who is on call and on a break (the rota). */
export interface CheckinPorts {
  consentNeeded: ConsentNeeded;
  hasConsent: HasConsent;
  onCall: OnCall;
  isOnBreak: OnBreak;
}

/**
 * Which of their communities a member means, their plan there, whether they agreed, are on
 * a break or on call, and the kind pointer for someone who has not agreed.
 */
export class WhoAndWhere {
  readonly hasConsent: HasConsent;
  readonly onCall: OnCall;
  readonly isOnBreak: OnBreak;
  private readonly consentNeeded: ConsentNeeded;

  constructor(
    private readonly app: InstallContext,
    private readonly store: CheckinsStore,
    ports: CheckinPorts,
  ) {
    ({ hasConsent: this.hasConsent, onCall: this.onCall, isOnBreak: this.isOnBreak, consentNeeded: this.consentNeeded } = ports);
  }

  community(id: string): CommunityConfig | undefined {
    return communityById(this.app.config().communities, id);
  }

  planOf(communityId: string, userId: string): Plan {
    return this.store.plan(communityId, userId)?.plan ?? DEFAULT_PLAN;
  }

  /**
   * The community a member means: the room's, their only one, or (for an answer) the one
   * that prompted them last. `named` is a community id they gave explicitly.
   */
  where(userId: string, opts: { here?: CommunityConfig; named?: string; preferLatestPrompt?: boolean; now: number; crisis: CrisisResources }): Where {
    const configured = new Set(this.app.config().communities.map((c) => c.id));
    const memberships = this.app.members.communitiesOf(userId, { includeDischarged: true }).filter((m) => configured.has(m.communityId));
    const pick = (m: Member | undefined): Where | undefined => {
      const community = m && this.community(m.communityId);
      return m && community ? { ok: true, community, member: m } : undefined;
    };
    for (const wanted of [opts.named, opts.here?.id]) {
      const found = wanted ? pick(memberships.find((m) => m.communityId === wanted)) : undefined;
      if (found) return found;
    }
    if (memberships.length === 1) return pick(memberships[0]) as Where;
    if (memberships.length === 0) {
      return {
        ok: false,
        result: refused(Message.of(t("checkins.notMember")).append(supportNow(opts.crisis))),
      };
    }
    if (opts.preferLatestPrompt) {
      const latest = memberships
        .map((m) => ({ m, p: this.store.latestPrompt(m.communityId, userId, opts.now) }))
        .filter((x) => x.p)
        .sort((a, b) => (b.p as CheckinPrompt).occurrenceAt - (a.p as CheckinPrompt).occurrenceAt)[0];
      if (latest) return pick(latest.m) as Where;
    }
    const ids = memberships.map((m) => m.communityId);
    return {
      ok: false,
      result: refused(
        Message.of(t("checkins.whichCommunity", { communities: listOf(ids), example: command(`!checkin plan ${ids[0]}`) })).append(supportNow(opts.crisis)),
      ),
    };
  }

  /** The kind pointer for someone who has not agreed: nothing optional is recorded for them. */
  consentPointer(c: CommunityConfig, userId: string, crisis: CrisisResources): CommandResult {
    return refused(this.consentNeeded(c, userId, t("checkins.consentWhat"), crisis));
  }
}
