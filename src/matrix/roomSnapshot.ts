import type { StateEvent } from "./homeserver";
import type { RoomFacts, RoomSnapshotsPort } from "../ports/matrix";
export type { RoomFacts };


/**
 * The room states provisioning read during one reconcile, kept for the steps that run
 * right after it (posting hours, the encryption check, member invitations), so that a
 * restart with nothing to change reads each room's state once (`GET /state`) rather than
 * once per step. Only facts are kept, not the events, and only until the reconcile ends
 * (`clear`): a reading that old is no guide to a later change. A step that is about to
 * change a room reads it again first.
 */
export class RoomSnapshots implements RoomSnapshotsPort {
  private readonly rooms = new Map<string, RoomFacts>();

  /** Records what `state` (a room's whole current state) says. */
  remember(roomId: string, state: Iterable<StateEvent>): void {
    const facts: RoomFacts = { powerLevels: {}, encryption: null, memberships: new Map() };
    for (const ev of state) {
      if (ev.type === "m.room.power_levels" && ev.state_key === "") facts.powerLevels = ev.content ?? {};
      else if (ev.type === "m.room.encryption" && ev.state_key === "") facts.encryption = ev;
      else if (ev.type === "m.room.member" && typeof ev.content?.membership === "string") facts.memberships.set(ev.state_key, ev.content.membership);
    }
    this.rooms.set(roomId, facts);
  }

  get(roomId: string): RoomFacts | undefined {
    return this.rooms.get(roomId);
  }

  clear(): void {
    this.rooms.clear();
  }
}

/**
 * Room states read once at start (catch-up's `GET /initialSync`), for provisioning to use
 * instead of a `GET /state` per room. Each is taken once and the rest dropped when the
 * start's reconcile ends: later reconciles read rooms afresh.
 */
export class KnownStates {
  private rooms = new Map<string, StateEvent[]>();

  fill(states: Map<string, StateEvent[]>): void {
    this.rooms = states;
  }

  take(roomId: string): StateEvent[] | undefined {
    const state = this.rooms.get(roomId);
    this.rooms.delete(roomId);
    return state;
  }

  clear(): void {
    this.rooms = new Map();
  }
}
