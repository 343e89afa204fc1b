import type { CommunityConfig } from "../../../config/types";
import { supportNow } from "../../../messaging/support";
import { Message } from "../../../messaging/message";
import type { CommandSpec } from "../../../commands/types";
import { refusedWithSupport, type RotaCommandDeps } from "./common";
import { ok } from "../../../messaging/outcome";
import { listOf, person, t, time, zone } from "../../../words";
import { momentWords } from "../words";

/** Rooms whose people are all members or staff of the community: an answer there names names. */
const SHARED_WITH_MEMBERS = new Set(["community", "staff"]);

/**
 * `!oncall`: who is on call now. Names go only to members and staff of the community; anyone
 * else is told so, with the crisis resources. Asked in a DM, it answers for every community
 * the sender belongs to.
 */
export function oncallCommand(deps: RotaCommandDeps): CommandSpec {
  return {
    name: "oncall",
    usage: "!oncall",
    summary: t("usage.oncallSummary"),
    details: t("usage.oncallDetails"),
    topic: "support",
    audience: "everyone",
    run(ctx) {
      const communities = ctx.community ? [ctx.community] : deps.config().communities;
      const theirs = communities.filter((c) => deps.rota.standing(c, ctx.sender) !== null);
      const inPlace = !!ctx.community && SHARED_WITH_MEMBERS.has(ctx.roomKey ?? "");
      if (theirs.length === 0) {
        const text = ctx.community ? t("rota.oncallNotYours", { community: ctx.community.name }) : t("rota.oncallNotYoursAny");
        return refusedWithSupport(ctx, text, {
          private: !inPlace,
        });
      }
      const msg = new Message();
      let anyPeer = false;
      for (const c of theirs) anyPeer = describe(deps, c, ctx.now, msg) || anyPeer;
      msg.p(t("rota.oncallPage"));
      if (!anyPeer) msg.append(supportNow(ctx.crisisResources));
      return ok(msg, { private: !inPlace });
    },
  };
}

/** Adds one community's answer; true when some peer is on call. */
function describe(deps: RotaCommandDeps, c: CommunityConfig, now: number, msg: Message): boolean {
  const tz = c.timezone;
  const on = deps.rota.onCall(c.id, now);
  const until = (u: string) => {
    const s = deps.rota.stretchAt(c, u, now);
    return s ? t("rota.oncallUntil", { holder: person(u), until: momentWords(s.endMs, tz, now) }) : person(u);
  };
  const people = (us: string[]) => listOf(us.map(until));
  msg.heading(t("rota.oncallHeading", { community: c.name, at: time(now, tz, "time"), zone: zone(tz) }));
  const { gaps, window } = deps.gapsTonight(c, now, (at) => deps.rota.onCall(c.id, at));
  const showGaps = () => {
    if (gaps.length) msg.p(t("rota.oncallGaps", { window })).list(gaps);
  };
  if (on.peers.length + on.backupPeers.length + on.staff.length === 0) {
    msg.p(t("rota.oncallNobody"));
    showGaps();
    return false;
  }
  msg.list([
    on.peers.length ? t("rota.oncallPeers", { people: people(on.peers) }) : t("rota.oncallPeersNone"),
    ...(on.backupPeers.length ? [t("rota.oncallBackup", { people: people(on.backupPeers) })] : []),
    on.staff.length ? t("rota.oncallStaff", { people: people(on.staff) }) : t("rota.oncallStaffNone"),
  ]);
  showGaps();
  return on.peers.length > 0;
}
