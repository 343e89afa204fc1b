import { feedUrl } from "../../calendar/service";
import { FEED_AHEAD_MS, FEED_PAST_MS } from "../../calendar/feed";
import { echoableWord } from "../echo";
import { Message } from "../message";
import { UsageError, type CommandContext, type CommandResult } from "../types";
import { ok, refused, type RotaCommandDeps } from "./common";

const WEEK = 7 * 24 * 3600_000;

/**
 * `!rota calendar [reset]`: a secret iCal URL, always sent by DM. In a community's staff
 * room, staff get that community's feed (every shift and the gaps); anywhere else a person
 * gets their own shifts, in every community they hold them in. `reset` revokes every such
 * URL they were given. Only the token's hash is stored; the URL is never logged or audited.
 */
export function calendar(deps: RotaCommandDeps, ctx: CommandContext, args: string[]): CommandResult {
  const feeds = deps.calendarFeeds;
  const publicUrl = deps.config().calendar?.public_url;
  if (!feeds || !publicUrl) {
    return refused("Calendar links are not set up on this carenet (the admin sets `calendar.public_url` in the config).", { private: true });
  }
  const sub = (args[0] ?? "").toLowerCase();
  if (sub !== "" && sub !== "reset") {
    // Repeat the argument only if it is a plain word: never a link, a number or a long text.
    const what = echoableWord(args[0]);
    throw new UsageError(
      `${what ? `\`!rota calendar ${what}\` is` : "That is"} not something I know: \`!rota calendar\` or \`!rota calendar reset\`.`,
    );
  }
  const staffFeed = ctx.isStaffHere && ctx.community ? ctx.community : undefined;
  const kind = staffFeed ? "community" : "person";
  const communityId = staffFeed?.id ?? null;
  const audit = (detail: string) =>
    deps.audit.append({ communityId, actor: ctx.sender, action: "rota.calendar", subject: staffFeed ? null : ctx.sender, detail }, ctx.now);

  if (sub === "reset") {
    const n = feeds.revoke(kind, ctx.sender, communityId, ctx.now);
    audit(`${kind} calendar links revoked (${n})`);
    const what = staffFeed ? `${staffFeed.name}'s rota calendar` : "your rota calendar";
    return ok(
      Message.of(
        n === 0
          ? `You had no links to ${what}; nothing to revoke.`
          : `Done: the ${n === 1 ? "link" : `${n} links`} to ${what} you were given no longer work. \`!rota calendar\` gives you a new one.`,
      ),
      { private: true },
    );
  }

  if (!staffFeed && !deps.config().communities.some((c) => deps.rota.standing(c, ctx.sender) !== null)) {
    return refused("Rota calendars are for members and staff of a community carenet serves.", { private: true });
  }
  const token = feeds.issue(kind, ctx.sender, communityId, ctx.now);
  audit(`${kind} calendar link issued`);
  const url = feedUrl(publicUrl, token);
  const span = `the last ${FEED_PAST_MS / WEEK} weeks and the next ${FEED_AHEAD_MS / WEEK}`;
  const msg = new Message()
    .p(staffFeed ? `${staffFeed.name}'s rota as a calendar (every shift, with who holds it, and the gaps with no peer on call):` : "Your rota as a calendar:")
    .p(url)
    .p(
      `Add it to your calendar app as a subscription ("From URL" or "Subscribe to calendar"). It shows ${span}, ` +
        `in the community's own time zone, and follows new shifts, swaps and covers as they happen.`,
    )
    .p("Keep it private: anyone with the link can see these shifts. `!rota calendar reset` stops every link you have been given.");
  return ok(msg, { private: true });
}
