import type { Clock } from "../../kernel/clock";
import type { Logger } from "../../kernel/logger";
import type { CarenetConfig, CommunityConfig } from "../../config/types";
import type { HomeserverPort } from "../../ports/matrix";
import type { JobSpec } from "../../store/jobs";
import type { WarmRoomsStore } from "./store/warmRooms";
import { inCommunityLanguage, renderWords, t } from "../../words";
import { communityById } from "../../config/communities";

export const WARM_JOB = "page.warm-rooms";
/** Ready rooms per community when `paging.warm_rooms` is not set. */
export const DEFAULT_WARM_ROOMS = 1;

export const warmRoomsWanted = (c: CommunityConfig | undefined): number => (c ? (c.paging?.warm_rooms ?? DEFAULT_WARM_ROOMS) : 0);

/** What a support room is made with, warm or not: private, invite-only, carenet alone invites. */
export function supportRoomBody(p: { name?: string; topic: string }): Record<string, unknown> {
  return {
    preset: "private_chat",
    visibility: "private",
    ...(p.name ? { name: p.name } : {}),
    topic: p.topic,
    initial_state: [
      // Responders asked later can read what was said before they came.
      { type: "m.room.history_visibility", state_key: "", content: { history_visibility: "shared" } },
      { type: "m.room.guest_access", state_key: "", content: { guest_access: "forbidden" } },
    ],
    // Only carenet invites (and removes): the room holds exactly the people a page reached.
    power_level_content_override: { invite: 100, kick: 100, ban: 100, state_default: 100 },
  };
}

/** A warm room's topic while it waits for a page: in English, until a page gives it a community and its language. */
export const SUPPORT_ROOM_TOPIC = renderWords(t("paging.roomTopic")).plain;

export interface WarmRoomsDeps {
  homeserver: Pick<HomeserverPort, "createRoom" | "leaveRoom">;
  store: WarmRoomsStore;
  /** Sets a job to run at its due time, even if its key ran before (see JobsStore.reschedule). */
  schedule: (job: JobSpec) => void;
  atomically: <T>(fn: () => T) => T;
  config: () => CarenetConfig;
  clock: Clock;
  log: Logger;
}

/**
 * The pool of warm rooms: per community, a few support rooms made in advance — private,
 * invite-only, with nobody but the bot in them, so no member sees them, and named only for
 * their community ("Oakwood support room") — that a page takes (see PagingRooms.supportRoom),
 * invites to, then names for its member. A taken room is
 * never handed out again. The "page.warm-rooms" job keeps each pool at `paging.warm_rooms`,
 * one room per run, in the scheduler's background lane; rooms of a community no longer in
 * the config (or more than it wants) are left by the bot, and being empty, are gone.
 *
 * A crash between making a room and recording it leaves an empty room with only the bot
 * in it, which nobody is ever invited to; the next run makes another.
 */
export class WarmRooms {
  constructor(private readonly d: WarmRoomsDeps) {}

  /** The "page.warm-rooms" job: one step towards the community's pool as configured. */
  async topUp(communityId: string): Promise<void> {
    const c = communityById(this.d.config().communities, communityId);
    const wanted = warmRoomsWanted(c);
    const ready = this.d.store.ready(communityId);
    // Oldest first: the newest extras go.
    if (ready.length > wanted) this.d.atomically(() => ready.slice(wanted).forEach((r) => this.d.store.retire(r)));
    for (const roomId of this.d.store.toLeave(communityId)) await this.leave(roomId);
    if (ready.length >= wanted || !c) return;
    // Named for the community now, so a page can invite at once: the invitation shows this
    // name (which does not name the member), and the member's name follows the invitations.
    const name = inCommunityLanguage(c, t("paging.warmRoomName", { community: c.name }));
    const roomId = await this.d.homeserver.createRoom(supportRoomBody({ name, topic: SUPPORT_ROOM_TOPIC }));
    const now = this.d.clock.now();
    this.d.atomically(() => {
      this.d.store.add(roomId, communityId, now);
      if (ready.length + 1 < wanted) this.schedule(communityId, `after:${roomId}`, now);
    });
    this.d.log.info({ communityId, roomId }, "made a warm room for support rooms");
  }

  /** Asks for a run of one community's pool (`why` names the job, e.g. the page that took a room). */
  schedule(communityId: string, why: string, dueAt: number): void {
    this.d.schedule({ kind: WARM_JOB, key: `${WARM_JOB}:${communityId}:${why}`, dueAt, payload: { communityId } });
  }

  /** After a start or a config reload: a run for every pool that is not as configured. */
  reconcile(now: number): void {
    const wanted = new Map(this.d.config().communities.map((c) => [c.id, warmRoomsWanted(c)]));
    const look = new Set(this.d.store.communities());
    for (const [id, n] of wanted) if (n !== this.d.store.ready(id).length) look.add(id);
    for (const id of look) this.schedule(id, "reconcile", now);
  }

  private async leave(roomId: string): Promise<void> {
    try {
      await this.d.homeserver.leaveRoom(roomId, "no longer needed");
    } catch (err) {
      const status = (err as { statusCode?: number })?.statusCode;
      if (status !== 403 && status !== 404) throw err; // not in it (or it is gone): left already
    }
    this.d.store.markLeft(roomId, this.d.clock.now());
    this.d.log.info({ roomId }, "left a warm room that is no longer needed");
  }
}
