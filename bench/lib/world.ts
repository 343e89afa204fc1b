/**
 * The community the latency measures run in, set up the way people would: carenet
 * provisions "bench"; its staff member joins the staff room and adds members with
 * `!member add`; the peer agrees to the rights text, volunteers for a shift covering now and
 * staff approve it, so the peer is on call on the real rota.
 */
import path from "node:path";
import type { MatrixEvent, MatrixUser } from "../../test/e2e/harness/matrixUser";
import { acceptBotDm, botSays } from "../../test/e2e/harness/paging";
import { command, onCallNow } from "../../test/e2e/harness/rota";
import { community, TIMEZONE } from "./carenetConfig";
import { CarenetRunner } from "./carenetProcess";
import type { BenchHomeserver } from "./homeserver";
import { mapLimit } from "./pool";

export const BENCH_COMMUNITY = "bench";

/**
 * A page's request to the peer on call about `member`. Its HTML names them by a pill that
 * links their Matrix ID; its plain body shows only their display name.
 */
export const pageRequestAbout = (bot: string, member: string) => (ev: MatrixEvent): boolean =>
  botSays(bot, "needs support and has paged")(ev) && String(ev.content.formatted_body ?? "").includes(member);

export interface World {
  carenet: CarenetRunner;
  bot: string;
  staff: MatrixUser;
  staffRoom: string;
  communityRoom: string;
  peer: MatrixUser;
  peerDm: string;
  /** The bench community's config entry (kept in every later, larger config). */
  communityConfig: Record<string, unknown>;
  /** Makes each user a member with `!member add`; returns the DM the bot opened with each. */
  addMembers(users: MatrixUser[]): Promise<string[]>;
}

export async function setUpWorld(hs: BenchHomeserver, say: (line: string) => void): Promise<World> {
  const bot = `@carenet:${hs.domain}`;
  const [staff, peer] = await Promise.all([hs.user("staff"), hs.user("peer")]);
  const carenet = new CarenetRunner(
    {
      homeserverUrl: hs.synapse.url,
      domain: hs.domain,
      asPort: hs.carenet.port,
      registrationPath: hs.carenet.registrationPath,
      dbPath: path.join(hs.dir, "carenet.db"),
    },
    hs.dir,
  );
  const communityConfig = community(BENCH_COMMUNITY, [staff.userId]);
  carenet.writeConfig([communityConfig]);
  say("starting carenet (one community) …");
  await carenet.start();
  const staffRoom = carenet.roomId(BENCH_COMMUNITY, "staff");
  const communityRoom = carenet.roomId(BENCH_COMMUNITY, "community");
  await staff.waitForInvite((inv) => inv.roomId === staffRoom, 60_000);
  await staff.joinRoom(staffRoom);

  const addMembers = (users: MatrixUser[]) =>
    mapLimit(users, 5, async (u) => {
      const added = await command(bot, staff, staffRoom, `!member add ${u.userId}`);
      if (added.reaction !== "✅") throw new Error(`!member add ${u.userId}: ${added.reply}`);
      return acceptBotDm(u, bot, 60_000);
    });

  const [peerDm] = await addMembers([peer]);
  say("putting a peer on call (consent, !volunteer, !rota approve) …");
  await onCallNow({ bot, peer, peerDm, staff, staffRoom, timezone: TIMEZONE });
  return { carenet, bot, staff, staffRoom, communityRoom, peer, peerDm, communityConfig, addMembers };
}
