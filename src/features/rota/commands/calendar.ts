import { feedUrl } from "../calendar/service";
import { FEED_AHEAD_MS, FEED_PAST_MS } from "../calendar/feed";
import { echoableWord } from "../../../commands/echo";
import { Message } from "../../../messaging/message";
import { UsageError, type CommandContext, type CommandResult } from "../../../commands/types";
import { type RotaCommandDeps } from "./common";
import { ok, refused } from "../../../messaging/outcome";
import { command, t } from "../../../words";

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
    return refused(t("calendar.notSetUp"), { private: true });
  }
  const sub = (args[0] ?? "").toLowerCase();
  if (sub !== "" && sub !== "reset") {
    // Repeat the argument only if it is a plain word: never a link, a number or a long text.
    const what = echoableWord(args[0]);
    const known = { calendar: command("!rota calendar"), reset: command("!rota calendar reset") };
    throw new UsageError(what ? t("calendar.unknownSub", { command: command(`!rota calendar ${what}`), ...known }) : t("calendar.unknown", known));
  }
  const staffFeed = ctx.isStaffHere && ctx.community ? ctx.community : undefined;
  const kind = staffFeed ? "community" : "person";
  const communityId = staffFeed?.id ?? null;
  const audit = (detail: string) =>
    deps.audit.append({ communityId, actor: ctx.sender, action: "rota.calendar", subject: staffFeed ? null : ctx.sender, detail }, ctx.now);

  if (sub === "reset") {
    const n = feeds.revoke(kind, ctx.sender, communityId, ctx.now);
    audit(`${kind} calendar links revoked (${n})`);
    const what = staffFeed ? t("calendar.theirs", { community: staffFeed.name }) : t("calendar.yours");
    return ok(Message.of(n === 0 ? t("calendar.nothingToRevoke", { what }) : t("calendar.revoked", { n, what, calendar: command("!rota calendar") })), { private: true });
  }

  if (!staffFeed && !deps.config().communities.some((c) => deps.rota.standing(c, ctx.sender) !== null)) {
    return refused(t("calendar.notMember"), { private: true });
  }
  const token = feeds.issue(kind, ctx.sender, communityId, ctx.now);
  audit(`${kind} calendar link issued`);
  const url = feedUrl(publicUrl, token);
  const msg = new Message()
    .p(staffFeed ? t("calendar.communityFeed", { community: staffFeed.name }) : t("calendar.personFeed"))
    .p(url)
    .p(t("calendar.howTo", { past: FEED_PAST_MS / WEEK, ahead: FEED_AHEAD_MS / WEEK }))
    .p(t("calendar.keepPrivate", { reset: command("!rota calendar reset") }));
  return ok(msg, { private: true });
}
