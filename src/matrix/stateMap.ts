import type { StateEvent } from "./homeserver";

/** A room's current state, by event type and state key (see stateKey). */
export type StateMap = Map<string, StateEvent>;

export const stateKey = (type: string, key: string) => `${type}\u0000${key}`;

export function toStateMap(events: StateEvent[]): StateMap {
  return new Map(events.map((ev) => [stateKey(ev.type, ev.state_key), ev]));
}

export function stateEvent(type: string, key: string, content: Record<string, unknown>): StateEvent {
  return { type, state_key: key, sender: "", content };
}

/** Notes in `state` an event `sender` has just sent, so later steps see the room as it now is. */
export function noteSent(state: StateMap, sender: string, type: string, key: string, content: Record<string, unknown>): void {
  state.set(stateKey(type, key), { ...stateEvent(type, key, content), sender });
}

/** The content of a state event, or {} when the room has none. */
export function contentOf(state: StateMap, type: string, key = ""): Record<string, unknown> {
  return state.get(stateKey(type, key))?.content ?? {};
}

export function membership(state: StateMap, userId: string): string | undefined {
  const m = contentOf(state, "m.room.member", userId).membership;
  return typeof m === "string" ? m : undefined;
}
