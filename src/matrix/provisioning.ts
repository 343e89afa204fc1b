import type { Clock } from "../kernel/clock";
import { eachAtMost } from "../kernel/concurrency";
import type { Logger } from "../kernel/logger";
import type { Effects } from "../messaging/effects";
import { Message } from "../messaging/message";
import type { CarenetConfig, CommunityConfig } from "../config/types";
import type { CommunityRoom, CommunityRoomsStore } from "../features/communities/store/communityRooms";
import { SPACE_KEY } from "../features/communities/store/communityRooms";
import type { Db } from "../store/database";
import type { OutboxStore } from "../store/outbox";
import { command, inCommunityLanguage, listOf, person, t } from "../words";
import { noticeContent, type Reader } from "./content";
import { type Homeserver, type StateEvent, withRateLimitRetry } from "./homeserver";
import type { RoomSnapshots } from "./roomSnapshot";

/**
 * Provisioning: gives every community in the config a Space with its rooms, and keeps them
 * in the shape the config describes. Idempotent: run at every start (and on config reload).
 *
 * - A room is found again by the id recorded in SQLite, else by resolving its alias, and
 *   only then created — so a crash between creating and recording cannot make a duplicate
 *   (the alias is created together with the room).
 * - Name, topic, join rules, history visibility, guest access, the Space links and the
 *   config's roles in the power levels are compared with the room's state and sent only
 *   when they differ.
 * - Staff and admins are invited once per room; someone who then leaves is not invited
 *   again against their will. Someone no longer staff or admin loses their power level
 *   everywhere and is removed from the staff room (the staff room is told).
 * - A room or community no longer in the config is left intact (carenet never deletes rooms
 *   or messages) and reported once per removal in the community's staff room.
 * - A homeserver error fails that room (or that community, if its Space fails), is logged
 *   and reported, and never stops the rest.
 */

/** What carenet's provisioning needs from the homeserver (see {@link Homeserver}). */
export type ProvisioningHomeserver = Pick<
  Homeserver,
  "createRoom" | "getRoomState" | "sendState" | "invite" | "resolveAlias" | "joinRoom" | "defaultRoomVersion"
>;

export interface ProvisionerDeps {
  homeserver: ProvisioningHomeserver;
  rooms: CommunityRoomsStore;
  outbox: OutboxStore;
  db: Db;
  clock: Clock;
  log: Logger;
  botUserId: string;
  /** The homeserver's domain: aliases and `via` use it. */
  domain: string;
  /** Start of every alias localpart carenet owns, e.g. "carenet_" (see registration.aliasPrefix). */
  aliasPrefix: string;
  /** Called after notices were queued, so the outbox sends them at once. */
  outboxChanged: () => void;
  /**
   * Removes people who are no longer staff or admins from the staff room (a durable,
   * retried job). Without it they only lose their power level.
   */
  effects?: Pick<Effects, "kick">;
  /** Who reads the staff-room notices (language, names); English with Matrix IDs without it. */
  readers?: { forRoom(roomId: string): Reader };
  /** Where each room's state, as read (and then changed) here, is left for the steps after provisioning. */
  snapshots?: RoomSnapshots;
  /**
   * Room states already read at start (catch-up's one `GET /initialSync`), each taken once:
   * a room found there is not asked for again unless something in it must change.
   */
  knownStates?: { take(roomId: string): StateEvent[] | undefined };
}

export type RoomOutcome = "created" | "updated" | "unchanged" | "orphaned" | "failed";

export interface RoomReport {
  communityId: string;
  /** "space", "community", "staff", "alumni" or an extra room's id. */
  roomKey: string;
  alias: string;
  roomId?: string;
  outcome: RoomOutcome;
  /** How carenet knew the room this time. */
  foundBy?: "database" | "alias" | "created";
  /** What was changed, e.g. "name", "topic", "power levels", "space child". */
  changes: string[];
  /** Staff and admins invited this time. */
  invited: string[];
  /** Problems that did not stop the room, e.g. an invitation the homeserver refused. */
  problems: string[];
  /** Why the room failed. */
  error?: string;
}

export interface CommunityReport {
  communityId: string;
  /** False for a community only the database still knows. */
  configured: boolean;
  rooms: RoomReport[];
  /** Set when the whole community could not be provisioned (e.g. its Space failed). */
  error?: string;
}

export interface ReconcileReport {
  startedAt: number;
  finishedAt: number;
  communities: CommunityReport[];
  /** Every room of every community, the Space first in each. */
  rooms: RoomReport[];
  counts: Record<RoomOutcome, number> & { invited: number };
  /** True when nothing failed. */
  ok: boolean;
}

/** Communities provisioned at the same time. */
export const PROVISIONING_CONCURRENCY = 4;

/** Power levels: who may do what in every provisioned room and Space. */
export const LEVEL = { admin: 100, staff: 50, member: 0 } as const;

interface RoomSpec {
  key: string;
  name: string;
  topic?: string;
  isSpace: boolean;
}

const MEMBERSHIP_HELD = new Set(["join", "invite"]);

export class Provisioner {
  private chain: Promise<unknown> = Promise.resolve();
  private stopping = false;
  private roomVersion: string | undefined;

  constructor(private readonly d: ProvisionerDeps) {}

  /** Reconciles every community; runs one at a time (a second call waits for the first). */
  reconcile(config: Pick<CarenetConfig, "communities">): Promise<ReconcileReport> {
    const run = this.chain.then(() => this.run(config.communities));
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Lets a reconcile in progress stop at the next room, and waits for it. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.chain;
  }

  /** The alias of a community's Space (`roomKey` "space") or of one of its rooms. */
  aliasFor(communityId: string, roomKey: string): string {
    return `#${this.aliasLocalpart(communityId, roomKey)}:${this.d.domain}`;
  }

  private aliasLocalpart(communityId: string, roomKey: string): string {
    // Community and room ids are [a-z0-9-]: "_" separates them unambiguously.
    return roomKey === SPACE_KEY ? `${this.d.aliasPrefix}${communityId}` : `${this.d.aliasPrefix}${communityId}_${roomKey}`;
  }

  private async run(communities: CommunityConfig[]): Promise<ReconcileReport> {
    const startedAt = this.d.clock.now();
    this.roomVersion = undefined; // asked again each run, only if a room must be created
    // A few communities at a time (each one's rooms in order: the Space first), so that
    // hundreds are provisioned in minutes without flooding the homeserver.
    const reports: CommunityReport[] = new Array(communities.length);
    await eachAtMost(communities, PROVISIONING_CONCURRENCY, async (community, i) => {
      reports[i] = await this.guarded(community.id, true, () => this.reconcileCommunity(community));
    });
    const configured = new Set(communities.map((c) => c.id));
    for (const communityId of this.d.rooms.communityIds()) {
      if (!configured.has(communityId)) {
        reports.push(await this.guarded(communityId, false, async () => this.reportRemovedCommunity(communityId)));
      }
    }
    const rooms = reports.flatMap((c) => c.rooms);
    const counts = { created: 0, updated: 0, unchanged: 0, orphaned: 0, failed: 0, invited: 0 };
    for (const r of rooms) {
      counts[r.outcome]++;
      counts.invited += r.invited.length;
    }
    const report: ReconcileReport = {
      startedAt,
      finishedAt: this.d.clock.now(),
      communities: reports,
      rooms,
      counts,
      ok: counts.failed === 0 && reports.every((c) => !c.error),
    };
    const line =
      `provisioning: ${communities.length} communities, ${rooms.length - counts.orphaned} rooms: ` +
      `${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged, ` +
      `${counts.orphaned} no longer configured, ${counts.failed} failed; ${counts.invited} invitations`;
    (report.ok ? this.d.log.info.bind(this.d.log) : this.d.log.warn.bind(this.d.log))({ ...counts }, line);
    return report;
  }

  /** Rooms fail one by one; anything else that goes wrong fails only this community. */
  private async guarded(communityId: string, configured: boolean, fn: () => Promise<CommunityReport>): Promise<CommunityReport> {
    try {
      return await fn();
    } catch (err) {
      const error = describeError(err);
      this.d.log.error({ communityId, err: error }, "a community could not be provisioned; carenet carries on with the others");
      return { communityId, configured, rooms: [], error };
    }
  }

  private async reconcileCommunity(c: CommunityConfig): Promise<CommunityReport> {
    const specs: RoomSpec[] = [
      { key: SPACE_KEY, name: c.name, isSpace: true },
      { key: "community", ...pick(c.rooms.community), isSpace: false },
      { key: "staff", ...pick(c.rooms.staff), isSpace: false },
      { key: "alumni", ...pick(c.rooms.alumni), isSpace: false },
      ...(c.rooms.extra ?? []).map((r) => ({ key: r.id, ...pick(r), isSpace: false })),
    ];
    const report: CommunityReport = { communityId: c.id, configured: true, rooms: [] };
    const people = roles(c, this.d.botUserId);
    const keep = [...people.keys()].filter((u) => u !== this.d.botUserId);
    // One transaction: the invitation records are how carenet knows who was staff, so
    // they are forgotten only together with queueing the removal from the staff room.
    this.d.db.transaction(() => {
      this.removeFormerStaff(c, keep);
      this.d.rooms.forgetInvitesExcept(c.id, keep);
    })();

    const space = await this.reconcileRoom(c, specs[0], people, undefined);
    report.rooms.push(space.report);
    if (!space.state) {
      report.error = `the Space could not be provisioned: ${space.report.error}`;
      for (const spec of specs.slice(1)) {
        report.rooms.push(this.failedReport(c.id, spec.key, "not provisioned because the community's Space failed", this.d.rooms.get(c.id, spec.key)?.roomId));
      }
    } else {
      const spaceRef = { roomId: space.report.roomId!, state: space.state };
      for (const spec of specs.slice(1)) {
        report.rooms.push((await this.reconcileRoom(c, spec, people, spaceRef)).report);
      }
    }

    // Rooms carenet made for this community that the config no longer lists.
    const wanted = new Set(specs.map((s) => s.key));
    const gone = this.d.rooms.list(c.id).filter((r) => !wanted.has(r.roomKey));
    report.rooms.push(...this.reportOrphans(c.id, gone, false));

    const created = report.rooms.filter((r) => r.outcome === "created").length;
    const updated = report.rooms.filter((r) => r.outcome === "updated").length;
    if (report.error) {
      this.d.log.error({ communityId: c.id, err: report.error }, "a community could not be provisioned; carenet carries on with the others");
    } else if (created || updated) {
      this.d.log.info({ communityId: c.id, created, updated }, "provisioned a community");
    }
    return report;
  }

  /**
   * People carenet invited to the staff room as staff or admins who no longer are: removed
   * from it with a reason (the job does nothing if they already left), and staff told.
   */
  private removeFormerStaff(c: CommunityConfig, keep: string[]): void {
    const staffRoom = this.d.rooms.get(c.id, "staff");
    if (!staffRoom || !this.d.effects) return;
    const former = this.d.rooms.invitesTo(staffRoom.roomId).filter((i) => !keep.includes(i.userId));
    if (!former.length) return;
    const now = this.d.clock.now();
    for (const { userId, invitedAt } of former) {
      const key = `provisioning:former-staff:${staffRoom.roomId}:${userId}:${invitedAt}`;
      this.d.effects.kick(staffRoom.roomId, userId, inCommunityLanguage(c, t("rooms.formerStaffReason", { community: c.name })), key);
    }
    const who = former.map((f) => f.userId);
    this.d.outbox.enqueue(
      {
        dedupeKey: `provisioning:former-staff:${staffRoom.roomId}:${former.map((f) => `${f.userId}@${f.invitedAt}`).join(",")}`,
        roomId: staffRoom.roomId,
        eventType: "m.room.message",
        content: noticeContent(
          Message.of(t("rooms.formerStaff", { count: who.length, people: listOf(who.map(person)), community: c.name })),
          undefined,
          this.d.readers?.forRoom(staffRoom.roomId),
        ),
      },
      now,
    );
    this.d.outboxChanged();
    this.d.log.info({ communityId: c.id, removed: who.length }, "removing people who are no longer staff from the staff room");
  }

  private reportRemovedCommunity(communityId: string): CommunityReport {
    const rooms = this.d.rooms.list(communityId);
    return { communityId, configured: false, rooms: this.reportOrphans(communityId, rooms, true) };
  }

  /**
   * Reports rooms no longer in the config. The first time a room is seen missing it is
   * marked, and the staff room told, in one transaction: once per removal, not per start.
   */
  private reportOrphans(communityId: string, rooms: CommunityRoom[], wholeCommunity: boolean): RoomReport[] {
    const now = this.d.clock.now();
    const fresh = rooms.filter((r) => r.orphanedAt === null);
    if (fresh.length) {
      const staffRoom = this.d.rooms.get(communityId, "staff");
      const describe = (r: CommunityRoom) => t("rooms.room", { space: r.roomKey === SPACE_KEY ? "yes" : "no", name: r.name ?? r.roomKey, alias: r.alias });
      const message = wholeCommunity
        ? new Message()
            .p(t("rooms.communityGone", { id: command(communityId) }))
            .p(t("rooms.communityRoomsLeft"))
            .list(fresh.map(describe))
        : new Message()
            .p(t("rooms.roomsGone", { count: fresh.length }))
            .list(fresh.map(describe))
            .p(t("rooms.roomsLeft", { count: fresh.length }));
      let queued = false;
      this.d.db.transaction(() => {
        for (const r of fresh) this.d.rooms.markOrphaned(communityId, r.roomKey, now);
        if (staffRoom) {
          queued = this.d.outbox.enqueue(
            {
              dedupeKey: `provisioning:orphaned:${communityId}:${now}:${fresh.map((r) => r.roomId).join(",")}`,
              roomId: staffRoom.roomId,
              eventType: "m.room.message",
              content: noticeContent(message, undefined, this.d.readers?.forRoom(staffRoom.roomId)),
            },
            now,
          );
        }
      })();
      if (queued) this.d.outboxChanged();
      this.d.log.warn(
        { communityId, rooms: fresh.map((r) => ({ roomKey: r.roomKey, roomId: r.roomId, alias: r.alias })), toldStaff: queued },
        wholeCommunity
          ? "a community is no longer in the config: its Space and rooms are left intact"
          : "rooms are no longer in the config: they are left intact",
      );
    }
    return rooms.map((r) => ({
      communityId,
      roomKey: r.roomKey,
      alias: r.alias,
      roomId: r.roomId,
      outcome: "orphaned" as const,
      changes: [],
      invited: [],
      problems: [],
    }));
  }

  private failedReport(communityId: string, roomKey: string, error: string, roomId?: string): RoomReport {
    return {
      communityId,
      roomKey,
      alias: this.aliasFor(communityId, roomKey),
      ...(roomId ? { roomId } : {}),
      outcome: "failed",
      changes: [],
      invited: [],
      problems: [],
      error,
    };
  }

  /** Finds or creates one room, brings its state in line, and invites staff and admins. */
  private async reconcileRoom(
    c: CommunityConfig,
    spec: RoomSpec,
    people: Map<string, number>,
    space: { roomId: string; state: StateMap } | undefined,
  ): Promise<{ report: RoomReport; state?: StateMap }> {
    const report: RoomReport = {
      communityId: c.id,
      roomKey: spec.key,
      alias: this.aliasFor(c.id, spec.key),
      outcome: "unchanged",
      changes: [],
      invited: [],
      problems: [],
    };
    try {
      if (this.stopping) throw new Error("carenet is stopping");
      if (!spec.isSpace && spec.key === SPACE_KEY) {
        throw new Error(`the room id "${SPACE_KEY}" is reserved for the community's Space; give this room another id`);
      }
      const recorded = this.d.rooms.get(c.id, spec.key);
      if (recorded?.orphanedAt != null) {
        this.d.rooms.clearOrphaned(c.id, spec.key);
        this.d.log.info({ communityId: c.id, roomKey: spec.key, roomId: recorded.roomId }, "a room is in the config again");
      }
      let roomId = recorded?.roomId;
      let state: StateMap | undefined;
      if (roomId) {
        report.foundBy = "database";
      } else {
        roomId = (await this.hs(() => this.d.homeserver.resolveAlias(report.alias))) ?? undefined;
        if (roomId) {
          report.foundBy = "alias";
          this.record(c.id, spec, roomId, report.alias, "found");
          this.d.log.info({ communityId: c.id, roomKey: spec.key, roomId }, "found a provisioned room by its alias and recorded it");
        }
      }
      if (!roomId) {
        const created = await this.create(c, spec, people, space, report.alias);
        roomId = created.roomId;
        report.roomId = roomId;
        if (created.state) {
          state = created.state;
          report.foundBy = "created";
          report.outcome = "created";
          this.d.log.info({ communityId: c.id, roomKey: spec.key, roomId, alias: report.alias }, spec.isSpace ? "created a Space" : "created a room");
        } else {
          report.foundBy = "alias"; // made by someone else just before us
        }
      }
      if (report.outcome !== "created") {
        report.roomId = roomId;
        const known = this.d.knownStates?.take(roomId);
        state = known ? toStateMap(known) : undefined;
        // A state read earlier is enough to see that nothing must change; a change is made
        // on the room's state read now, so that nothing changed since is undone.
        if (!state || (await this.wouldChange(roomId, spec, state, people, space))) state = await this.stateAsMember(roomId);
        await this.applyState(roomId, spec, state, people, space, report);
        if (report.changes.length) report.outcome = "updated";
      }
      if (!state) throw new Error("internal: no room state"); // unreachable: set on every path above
      if (space) await this.linkChild(space, roomId, report);
      await this.inviteStaff(c, roomId, state, people, report);
      // A room just created is known only by what carenet asked for (the homeserver may have
      // added more, e.g. encryption): the steps after read it themselves.
      if (report.outcome !== "created") this.d.snapshots?.remember(roomId, state.values());
      if (report.outcome === "updated") {
        this.d.log.info({ communityId: c.id, roomKey: spec.key, roomId, changes: report.changes }, "updated a provisioned room");
      }
      return { report, state };
    } catch (err) {
      report.outcome = "failed";
      report.error = describeError(err);
      this.d.log.error(
        { communityId: c.id, roomKey: spec.key, roomId: report.roomId, alias: report.alias, err: report.error },
        spec.isSpace ? "could not provision a community's Space" : "could not provision a room",
      );
      return { report };
    }
  }

  private record(communityId: string, spec: RoomSpec, roomId: string, alias: string, origin: "created" | "found"): void {
    this.d.rooms.record({ communityId, roomKey: spec.key, roomId, alias, name: spec.name, origin }, this.d.clock.now());
  }

  /** The room's state as the bot sees it, joining first if the bot is not in the room. */
  private async stateAsMember(roomId: string): Promise<StateMap> {
    let state: StateMap | undefined;
    try {
      state = toStateMap(await this.hs(() => this.d.homeserver.getRoomState(roomId)));
    } catch (err) {
      if (!isForbidden(err)) throw err;
    }
    // A room the bot left still answers with its state as it was when the bot left.
    if (state && membership(state, this.d.botUserId) === "join") return state;
    try {
      await this.hs(() => this.d.homeserver.joinRoom(roomId));
    } catch (err) {
      throw new Error(
        `carenet is not in the room ${roomId} and cannot join it (${describeError(err)}); ` +
          "invite the bot back and give it power level 100 — carenet will not create a replacement",
      );
    }
    return toStateMap(await this.hs(() => this.d.homeserver.getRoomState(roomId)));
  }

  private async create(
    c: CommunityConfig,
    spec: RoomSpec,
    people: Map<string, number>,
    space: { roomId: string } | undefined,
    alias: string,
  ): Promise<{ roomId: string; state?: StateMap }> {
    this.roomVersion ??= (await this.hs(() => this.d.homeserver.defaultRoomVersion())) ?? "10";
    const roomVersion = this.roomVersion;
    const creators = creatorsHavePower(roomVersion) ? new Set([this.d.botUserId]) : new Set<string>();
    const initialState: StateEvent[] = [
      stateEvent("m.room.join_rules", "", { join_rule: "invite" }),
      stateEvent("m.room.history_visibility", "", { history_visibility: "joined" }),
      stateEvent("m.room.guest_access", "", { guest_access: "forbidden" }),
      ...(space ? [stateEvent("m.space.parent", space.roomId, { via: [this.d.domain], canonical: true })] : []),
    ];
    const body: Record<string, unknown> = {
      preset: "private_chat",
      visibility: "private",
      room_version: roomVersion,
      name: spec.name,
      ...(spec.topic !== undefined ? { topic: spec.topic } : {}),
      room_alias_name: this.aliasLocalpart(c.id, spec.key),
      ...(spec.isSpace ? { creation_content: { type: "m.space" } } : {}),
      power_level_content_override: powerLevels(desiredUsers({}, people, creators), creators.size > 0),
      initial_state: initialState,
    };
    let roomId: string;
    let origin: "created" | "found" = "created";
    try {
      roomId = await this.hs(() => this.d.homeserver.createRoom(body));
    } catch (err) {
      // Someone (another carenet run?) made the alias in the meantime: use that room.
      const existing = errcode(err) === "M_ROOM_IN_USE" ? await this.hs(() => this.d.homeserver.resolveAlias(alias)) : null;
      if (!existing) throw err;
      roomId = existing;
      origin = "found";
    }
    this.record(c.id, spec, roomId, alias, origin);
    if (origin === "found") return { roomId };
    const state: StateMap = new Map();
    for (const ev of initialState) state.set(stateKey(ev.type, ev.state_key), { ...ev, sender: this.d.botUserId });
    state.set(stateKey("m.room.member", this.d.botUserId), stateEvent("m.room.member", this.d.botUserId, { membership: "join" }));
    return { roomId, state };
  }

  /** Whether applyState would send anything to this room given `state` (nothing is sent). */
  private async wouldChange(
    roomId: string,
    spec: RoomSpec,
    state: StateMap,
    people: Map<string, number>,
    space: { roomId: string } | undefined,
  ): Promise<boolean> {
    const probe: RoomReport = { communityId: "", roomKey: spec.key, alias: "", outcome: "unchanged", changes: [], invited: [], problems: [] };
    try {
      await this.applyState(roomId, spec, new Map(state), people, space, probe, true);
      return false;
    } catch (err) {
      if (err === WOULD_CHANGE) return true;
      throw err;
    }
  }

  /** Sends what differs between the room's state and the config. */
  private async applyState(
    roomId: string,
    spec: RoomSpec,
    state: StateMap,
    people: Map<string, number>,
    space: { roomId: string } | undefined,
    report: RoomReport,
    dryRun = false,
  ): Promise<void> {
    const send = async (type: string, key: string, content: Record<string, unknown>, change: string) => {
      if (dryRun) throw WOULD_CHANGE;
      await this.hs(() => this.d.homeserver.sendState(roomId, type, key, content));
      state.set(stateKey(type, key), { ...stateEvent(type, key, content), sender: this.d.botUserId });
      report.changes.push(change);
    };
    const content = (type: string, key = "") => state.get(stateKey(type, key))?.content ?? {};

    if (content("m.room.name").name !== spec.name) {
      await send("m.room.name", "", { name: spec.name }, "name");
      this.d.rooms.setName(report.communityId, spec.key, spec.name);
    }
    // A room with no topic in the config keeps whatever topic people gave it.
    if (spec.topic !== undefined && (content("m.room.topic").topic ?? "") !== spec.topic) {
      await send("m.room.topic", "", { topic: spec.topic }, "topic");
    }
    if (content("m.room.join_rules").join_rule !== "invite") {
      await send("m.room.join_rules", "", { join_rule: "invite" }, "join rules");
    }
    if (content("m.room.history_visibility").history_visibility !== "joined") {
      await send("m.room.history_visibility", "", { history_visibility: "joined" }, "history visibility");
    }
    if (content("m.room.guest_access").guest_access !== "forbidden") {
      await send("m.room.guest_access", "", { guest_access: "forbidden" }, "guest access");
    }

    const create = state.get(stateKey("m.room.create", ""));
    const version = String(create?.content.room_version ?? "1");
    const creators = new Set<string>();
    if (creatorsHavePower(version) && create) {
      creators.add(create.sender);
      for (const u of (create.content.additional_creators as unknown[] | undefined) ?? []) if (typeof u === "string") creators.add(u);
    }
    const pl = content("m.room.power_levels");
    const currentUsers = (pl.users ?? {}) as Record<string, number>;
    const users = desiredUsers(currentUsers, people, creators);
    if (!sameLevels(currentUsers, users)) {
      // Only the users map: other levels (e.g. events_default, raised by posting hours) stay as they are.
      await send("m.room.power_levels", "", { ...pl, users }, "power levels");
    }

    if (space) {
      const parent = content("m.space.parent", space.roomId);
      if (parent.canonical !== true || !nonEmptyArray(parent.via)) {
        await send("m.space.parent", space.roomId, { via: [this.d.domain], canonical: true }, "space parent");
      }
    }
  }

  /** Makes the room a child of the Space (m.space.child in the Space). */
  private async linkChild(space: { roomId: string; state: StateMap }, roomId: string, report: RoomReport): Promise<void> {
    const child = space.state.get(stateKey("m.space.child", roomId))?.content ?? {};
    if (nonEmptyArray(child.via)) return;
    const content = { via: [this.d.domain] };
    await this.hs(() => this.d.homeserver.sendState(space.roomId, "m.space.child", roomId, content));
    space.state.set(stateKey("m.space.child", roomId), { ...stateEvent("m.space.child", roomId, content), sender: this.d.botUserId });
    if (report.outcome !== "created") {
      report.changes.push("space child");
      report.outcome = "updated";
    }
  }

  /**
   * Invites staff and admins not already in the room or invited. Someone carenet invited
   * before who is no longer there left (or declined) on their own: not invited again.
   */
  private async inviteStaff(c: CommunityConfig, roomId: string, state: StateMap, people: Map<string, number>, report: RoomReport) {
    for (const [userId, level] of people) {
      if (userId === this.d.botUserId) continue;
      const now = this.d.clock.now();
      const held = membership(state, userId);
      if (held && MEMBERSHIP_HELD.has(held)) {
        this.d.rooms.recordInvite(c.id, roomId, userId, now);
        continue;
      }
      if (held === "ban" || this.d.rooms.wasInvited(roomId, userId)) continue;
      try {
        const reason = inCommunityLanguage(c, t("rooms.staffInviteReason", { role: level >= LEVEL.admin ? "admin" : "staff", community: c.name }));
        await this.hs(() => this.d.homeserver.invite(roomId, userId, reason));
        state.set(stateKey("m.room.member", userId), { ...stateEvent("m.room.member", userId, { membership: "invite" }), sender: this.d.botUserId });
        this.d.rooms.recordInvite(c.id, roomId, userId, now);
        report.invited.push(userId);
      } catch (err) {
        const problem = `could not invite ${userId}: ${describeError(err)}`;
        report.problems.push(problem);
        this.d.log.warn({ communityId: c.id, roomKey: report.roomKey, roomId, userId, err: describeError(err) }, "could not invite staff to a room");
      }
    }
  }

  private hs<T>(fn: () => Promise<T>): Promise<T> {
    return withRateLimitRetry(fn);
  }
}

type StateMap = Map<string, StateEvent>;

/** Thrown by applyState's dry run at the first thing it would send. */
const WOULD_CHANGE = Symbol("would change");

const stateKey = (type: string, key: string) => `${type}\u0000${key}`;

function toStateMap(events: StateEvent[]): StateMap {
  return new Map(events.map((ev) => [stateKey(ev.type, ev.state_key), ev]));
}

function stateEvent(type: string, key: string, content: Record<string, unknown>): StateEvent {
  return { type, state_key: key, sender: "", content };
}

function membership(state: StateMap, userId: string): string | undefined {
  const m = state.get(stateKey("m.room.member", userId))?.content.membership;
  return typeof m === "string" ? m : undefined;
}

function pick(room: { name: string; topic?: string }): { name: string; topic?: string } {
  return room.topic !== undefined ? { name: room.name, topic: room.topic } : { name: room.name };
}

/** The config's roles as power levels: the bot and admins 100, staff 50. */
export function roles(c: Pick<CommunityConfig, "staff" | "admins">, botUserId: string): Map<string, number> {
  const levels = new Map<string, number>([[botUserId, LEVEL.admin]]);
  for (const u of c.staff ?? []) if (!levels.has(u)) levels.set(u, LEVEL.staff);
  for (const u of c.admins ?? []) levels.set(u, LEVEL.admin);
  return levels;
}

/**
 * The users map a room should have. The config decides every level of staff rank (50 and
 * up): someone no longer staff or admin loses it. Lower levels set by others (e.g. a muted
 * member at -1) are kept. Room creators are left out in room versions where they hold
 * unlimited power (v12+), which forbid listing them.
 */
export function desiredUsers(current: Record<string, number>, people: Map<string, number>, creators: Set<string>): Record<string, number> {
  const users: Record<string, number> = {};
  for (const [u, level] of Object.entries(current)) {
    if (!people.has(u) && !creators.has(u) && typeof level === "number" && level < LEVEL.staff) users[u] = level;
  }
  for (const [u, level] of people) if (!creators.has(u)) users[u] = level;
  return users;
}

/**
 * Power levels for a new room or Space: everyone posts (0), staff invite, kick, ban and
 * redact (50), and only admins change power levels, Space children, join rules and the
 * like (100). Synapse merges this over its defaults key by key, so `events` is complete.
 */
export function powerLevels(users: Record<string, number>, creatorsHavePower: boolean): Record<string, unknown> {
  return {
    users,
    users_default: LEVEL.member,
    events_default: LEVEL.member,
    state_default: LEVEL.staff,
    invite: LEVEL.staff,
    kick: LEVEL.staff,
    ban: LEVEL.staff,
    redact: LEVEL.staff,
    notifications: { room: LEVEL.staff },
    events: {
      "m.room.power_levels": LEVEL.admin,
      "m.space.child": LEVEL.admin,
      "m.space.parent": LEVEL.admin,
      "m.room.join_rules": LEVEL.admin,
      "m.room.history_visibility": LEVEL.admin,
      "m.room.guest_access": LEVEL.admin,
      "m.room.encryption": LEVEL.admin,
      "m.room.server_acl": LEVEL.admin,
      // Upgrading a room would leave carenet's records behind: in v12+ only the creator (the bot) may.
      "m.room.tombstone": creatorsHavePower ? 150 : LEVEL.admin,
      "m.room.name": LEVEL.staff,
      "m.room.topic": LEVEL.staff,
      "m.room.avatar": LEVEL.staff,
      "m.room.canonical_alias": LEVEL.staff,
      "m.room.pinned_events": LEVEL.staff,
    },
  };
}

/**
 * Room versions where creators have unlimited power and may not appear in the power
 * levels' users map (MSC4289: room version 12 and later).
 */
export function creatorsHavePower(roomVersion: string): boolean {
  if (roomVersion === "org.matrix.hydra.11") return true;
  return /^\d+$/.test(roomVersion) && Number(roomVersion) >= 12;
}

function sameLevels(a: Record<string, number>, b: Record<string, number>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k]);
}

function nonEmptyArray(v: unknown): boolean {
  return Array.isArray(v) && v.length > 0;
}

function errcode(err: unknown): string | undefined {
  return (err as { errcode?: string })?.errcode;
}

function isForbidden(err: unknown): boolean {
  const e = err as { errcode?: string; statusCode?: number };
  return e?.errcode === "M_FORBIDDEN" || e?.statusCode === 403;
}

/** A short reason for logs and reports: the Matrix error code and text, never a body. */
export function describeError(err: unknown): string {
  const e = err as { errcode?: string; error?: string; statusCode?: number; message?: string; code?: unknown };
  if (e?.errcode) return `${e.statusCode ?? ""} ${e.errcode}${e.error ? `: ${e.error}` : ""}`.trim();
  if (typeof e?.statusCode === "number") return `HTTP ${e.statusCode}`;
  if (typeof e?.code === "string") return e.message ? `${e.code}: ${e.message}` : e.code;
  // fetch() hides the network error (ECONNREFUSED, …) in `cause`.
  const cause = (err as { cause?: { code?: unknown } })?.cause?.code;
  if (typeof cause === "string") return `${e?.message ?? "request failed"} (${cause})`;
  return e?.message ?? String(err);
}
