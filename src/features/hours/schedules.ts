import type { CarenetConfig, CommunityConfig, RoomConfig } from "../../config/types";
import { nextTransition, type PostingSchedule } from "./domain/postingHours";

/** A community room that has posting hours in the config. */
export interface ScheduledRoom {
  community: CommunityConfig;
  roomKey: string;
  roomName: string;
  schedule: PostingSchedule;
}

/** The config of one of a community's rooms ("community", "staff", "alumni" or an extra room's id). */
export function roomConfig(community: CommunityConfig, roomKey: string): RoomConfig | undefined {
  if (roomKey === "community" || roomKey === "staff" || roomKey === "alumni") return community.rooms[roomKey];
  return (community.rooms.extra ?? []).find((r) => r.id === roomKey);
}

/** The room's posting hours, or undefined when it has none (it is then always open). */
export function scheduleFor(community: CommunityConfig, roomKey: string): PostingSchedule | undefined {
  const room = roomConfig(community, roomKey);
  const windows = room?.posting_hours ?? [];
  const exceptions = room?.exceptions ?? [];
  if (windows.length === 0 && exceptions.length === 0) return undefined;
  return { timezone: community.timezone, windows, exceptions };
}

/** Every room of every community that has posting hours, in config order. */
export function scheduledRooms(config: Pick<CarenetConfig, "communities">): ScheduledRoom[] {
  const out: ScheduledRoom[] = [];
  for (const community of config.communities) {
    const keys = ["community", "staff", "alumni", ...(community.rooms.extra ?? []).map((r) => r.id)];
    for (const roomKey of keys) {
      const schedule = scheduleFor(community, roomKey);
      if (schedule) out.push({ community, roomKey, roomName: roomConfig(community, roomKey)!.name, schedule });
    }
  }
  return out;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const LOOK_BACK_DAYS = [8, 35, 400];

/**
 * The last transition at or before `atMs`: the instant the current state began. Null when
 * the state has not changed within ~400 days (e.g. a room only ever closed on some dates,
 * long before). Stable for a given schedule, so it can name a notice.
 */
export function periodStart(schedule: PostingSchedule, atMs: number): number | null {
  for (const days of LOOK_BACK_DAYS) {
    let last: number | null = null;
    for (let t = nextTransition(schedule, atMs - days * DAY_MS); t && t.atMs <= atMs; t = nextTransition(schedule, t.atMs)) {
      last = t.atMs;
    }
    if (last !== null) return last;
  }
  return null;
}
