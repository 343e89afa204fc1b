import type { CommunityConfig } from "../../config/types";
import { gapLines, ladderGaps, tonight, windowText } from "../../paging/gaps";
import { ladderOf } from "../../paging/ladder";
import { supportNow } from "../help";
import { Message } from "../message";
import type { CommandSpec } from "../types";
import { ok, refusedWithSupport, type RotaCommandDeps } from "./common";
import { clock, moment } from "./when";

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
    summary: "who is on call in your community right now",
    details:
      "Names the peer supporters (and backup peers and staff) on call now and until when. Names are shown only to members and staff of the community; " +
      "asked in a room other than the community or staff room, the answer comes to you by direct message.",
    topic: "support",
    audience: "everyone",
    run(ctx) {
      const communities = ctx.community ? [ctx.community] : deps.config().communities;
      const theirs = communities.filter((c) => deps.rota.standing(c, ctx.sender) !== null);
      const inPlace = !!ctx.community && SHARED_WITH_MEMBERS.has(ctx.roomKey ?? "");
      if (theirs.length === 0) {
        const where = ctx.community ? ctx.community.name : "a community";
        return refusedWithSupport(ctx, `I only tell members and staff of ${where} who is on call there, and I don't have you down as one.`, {
          private: !inPlace,
        });
      }
      const msg = new Message();
      let anyPeer = false;
      for (const c of theirs) anyPeer = describe(deps, c, ctx.now, msg) || anyPeer;
      msg.p("`!page` reaches whoever is on call.");
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
    return s ? `${u} until ${moment(s.endMs, tz, now)}` : u;
  };
  msg.heading(`On call in ${c.name} now (${clock(now, tz)}, ${tz} time):`);
  const window = tonight(tz, now);
  const gaps = gapLines(ladderGaps(ladderOf(c), c, (at) => deps.rota.onCall(c.id, at), window), tz);
  const showGaps = () => {
    if (gaps.length) msg.p(`Gaps, ${windowText(window, tz)} (a page then passes these steps at once):`).list(gaps);
  };
  if (on.peers.length + on.backupPeers.length + on.staff.length === 0) {
    msg.p("Nobody is on the rota right now.");
    showGaps();
    return false;
  }
  msg.list([
    on.peers.length ? `Peers: ${on.peers.map(until).join("; ")}` : "Peers: nobody right now",
    ...(on.backupPeers.length ? [`Backup peers: ${on.backupPeers.map(until).join("; ")}`] : []),
    on.staff.length ? `Staff: ${on.staff.map(until).join("; ")}` : "Staff: nobody on call right now",
  ]);
  showGaps();
  return on.peers.length > 0;
}
