/**
 * The demo's story: staff, a member, a peer on call now and a backup peer, set up with the
 * same commands people send (`!member add`, `!consent agree`, `!volunteer`, `!rota
 * approve all`), run through carenet's own dispatcher in-process. Safe to run at every
 * start: a command that was already done is refused and changes nothing, and shifts are
 * offered only when nobody is on call now.
 */
import { DateTime } from "luxon";
import type { Carenet } from "../src/app/start";
import { Dispatcher, type DispatchContext } from "../src/commands/dispatcher";

/** The demo config's community (config/demo.yaml). */
export const DEMO_COMMUNITY = "oakwood";

export interface StoryPeople {
  staff: string;
  member: string;
  peer: string;
  backupPeer: string;
}

export interface StoryResult {
  /** Who is asked first and second if the member pages now. */
  onCall: string[];
  backup: string[];
  /** What the story did this time (empty on a run where everything was already in place). */
  did: string[];
}

/** A shift that covers now: from the last quarter hour, for 8 hours (overnight shifts are fine). */
export function shiftCoveringNow(now: number, zone: string): { date: string; from: string; to: string } {
  const start = DateTime.fromMillis(now, { zone }).startOf("minute");
  const from = start.set({ minute: start.minute - (start.minute % 15) });
  const to = from.plus({ hours: 8 });
  return { date: from.toISODate()!, from: from.toFormat("HH:mm"), to: to.toFormat("HH:mm") };
}

export async function playStory(carenet: Carenet, people: StoryPeople, clock: () => number = Date.now, COMMUNITY = DEMO_COMMUNITY): Promise<StoryResult> {
  const app = carenet.app;
  const community = app.config().communities.find((c) => c.id === COMMUNITY);
  if (!community) throw new Error(`the demo config has no community "${COMMUNITY}"`);
  const staffRoom = app.rooms.get(COMMUNITY, "staff")?.roomId;
  if (!staffRoom) throw new Error(`the demo community's staff room was not created`);
  const dispatcher = new Dispatcher(
    app.commands,
    (err) => {
      throw err;
    },
    app.atomically,
  );
  const did: string[] = [];
  let seq = 0;
  const send = async (sender: string, body: string, where: "dm" | "staff") => {
    // Each command at its own moment, as if sent then: stores stamp records with the same clock.
    const now = clock();
    const ctx: DispatchContext = {
      sender,
      place: where === "dm" ? "dm" : "room",
      roomId: where === "dm" ? `!demo-story-dm:${sender}` : staffRoom,
      eventId: `$demo-story-${now}-${++seq}`,
      community: where === "staff" ? community : undefined,
      roomKey: where === "staff" ? "staff" : undefined,
      isStaffHere: where === "staff" && (community.staff.includes(sender) || community.admins.includes(sender)),
      now,
      crisisResources: app.config().crisis_resources,
    };
    const r = await dispatcher.dispatch(body, ctx);
    if (r.outcome === "ok") did.push(`${sender}: ${body}`);
    return r;
  };

  for (const who of [people.member, people.peer, people.backupPeer]) {
    if (!app.members.get(COMMUNITY, who)) await send(people.staff, `!member add ${who}`, "staff");
  }
  for (const who of [people.member, people.peer, people.backupPeer]) {
    if (!carenet.capabilities.hasConsent(COMMUNITY, who)) await send(who, "!consent agree", "dm");
  }
  const before = carenet.capabilities.onCall(COMMUNITY, clock());
  if (!before.peers.includes(people.peer) || !before.backupPeers.includes(people.backupPeer)) {
    const s = shiftCoveringNow(clock(), community.timezone);
    if (!before.peers.includes(people.peer)) await send(people.peer, `!volunteer ${s.date} ${s.from}-${s.to}`, "dm");
    if (!before.backupPeers.includes(people.backupPeer)) await send(people.backupPeer, `!volunteer ${s.date} ${s.from}-${s.to} backup`, "dm");
    await send(people.staff, "!rota approve all", "staff");
  }
  const after = carenet.capabilities.onCall(COMMUNITY, clock());
  return { onCall: after.peers, backup: after.backupPeers, did };
}
