import { MatrixError } from "matrix-bot-sdk";
import type { StateEvent } from "../../../src/matrix/homeserver";
import type { ProvisioningHomeserver } from "../../../src/matrix/provisioning";

interface FakeRoom {
  roomId: string;
  state: Map<string, StateEvent>;
}

export interface Call {
  method: string;
  args: unknown[];
}

const key = (type: string, stateKey: string) => `${type}\u0000${stateKey}`;

export function matrixError(status: number, errcode: string, error = errcode, extra: Record<string, unknown> = {}): MatrixError {
  return new MatrixError({ errcode, error, ...extra }, status);
}

/**
 * An in-memory homeserver good enough for provisioning: rooms with state, aliases,
 * memberships, a call log, and failures injected per call.
 */
export class FakeHomeserver implements ProvisioningHomeserver {
  readonly rooms = new Map<string, FakeRoom>();
  readonly aliases = new Map<string, string>();
  readonly calls: Call[] = [];
  roomVersion = "12";
  /** Return an error to make a call fail (checked before every call). */
  failWith: (method: string, args: unknown[]) => Error | undefined = () => undefined;
  private next = 1;

  constructor(
    readonly botUserId: string,
    readonly domain: string,
  ) {}

  callsOf(method: string): Call[] {
    return this.calls.filter((c) => c.method === method);
  }

  state(roomId: string, type: string, stateKey = ""): Record<string, any> | undefined {
    return this.rooms.get(roomId)?.state.get(key(type, stateKey))?.content;
  }

  /** Sets state as someone else would (e.g. an admin in Element). */
  setState(roomId: string, type: string, stateKey: string, content: Record<string, unknown>, sender = "@someone:example.org"): void {
    this.room(roomId).state.set(key(type, stateKey), { type, state_key: stateKey, sender, content });
  }

  private record(method: string, args: unknown[]): void {
    this.calls.push({ method, args });
    const err = this.failWith(method, args);
    if (err) throw err;
  }

  private room(roomId: string): FakeRoom {
    const room = this.rooms.get(roomId);
    if (!room) throw matrixError(404, "M_NOT_FOUND", "Unknown room");
    return room;
  }

  async createRoom(body: Record<string, any>): Promise<string> {
    this.record("createRoom", [body]);
    const alias = body.room_alias_name ? `#${body.room_alias_name}:${this.domain}` : undefined;
    if (alias && this.aliases.has(alias)) throw matrixError(400, "M_ROOM_IN_USE", "Room alias already taken");
    const roomId = `!room${this.next++}:${this.domain}`;
    const room: FakeRoom = { roomId, state: new Map() };
    this.rooms.set(roomId, room);
    const set = (type: string, stateKey: string, content: Record<string, unknown>) =>
      room.state.set(key(type, stateKey), { type, state_key: stateKey, sender: this.botUserId, content });
    set("m.room.create", "", { room_version: body.room_version ?? this.roomVersion, ...(body.creation_content ?? {}) });
    set("m.room.member", this.botUserId, { membership: "join" });
    set("m.room.power_levels", "", { users: { [this.botUserId]: 100 }, ...(body.power_level_content_override ?? {}) });
    set("m.room.join_rules", "", { join_rule: "invite" });
    set("m.room.history_visibility", "", { history_visibility: "shared" });
    set("m.room.guest_access", "", { guest_access: "can_join" });
    for (const ev of body.initial_state ?? []) set(ev.type, ev.state_key ?? "", ev.content);
    if (body.name) set("m.room.name", "", { name: body.name });
    if (body.topic) set("m.room.topic", "", { topic: body.topic });
    if (alias) {
      this.aliases.set(alias, roomId);
      set("m.room.canonical_alias", "", { alias });
    }
    return roomId;
  }

  async getRoomState(roomId: string): Promise<StateEvent[]> {
    this.record("getRoomState", [roomId]);
    return [...this.room(roomId).state.values()].map((e) => structuredClone(e));
  }

  async sendState(roomId: string, eventType: string, stateKey: string, content: object): Promise<string> {
    this.record("sendState", [roomId, eventType, stateKey, content]);
    this.room(roomId).state.set(key(eventType, stateKey), {
      type: eventType,
      state_key: stateKey,
      sender: this.botUserId,
      content: structuredClone(content) as Record<string, unknown>,
    });
    return `$ev${this.next++}`;
  }

  async invite(roomId: string, userId: string): Promise<void> {
    this.record("invite", [roomId, userId]);
    this.setState(roomId, "m.room.member", userId, { membership: "invite" }, this.botUserId);
  }

  async resolveAlias(alias: string): Promise<string | null> {
    this.record("resolveAlias", [alias]);
    return this.aliases.get(alias) ?? null;
  }

  async joinRoom(roomId: string): Promise<void> {
    this.record("joinRoom", [roomId]);
    const room = this.room(roomId);
    const join = room.state.get(key("m.room.join_rules", ""))?.content.join_rule;
    const mine = room.state.get(key("m.room.member", this.botUserId))?.content.membership;
    if (join !== "public" && mine !== "invite") throw matrixError(403, "M_FORBIDDEN", "You are not invited to this room.");
    this.setState(roomId, "m.room.member", this.botUserId, { membership: "join" }, this.botUserId);
  }

  async defaultRoomVersion(): Promise<string | undefined> {
    this.record("defaultRoomVersion", []);
    return this.roomVersion;
  }
}
