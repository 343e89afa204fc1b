import { eachAtMost } from "../kernel/concurrency";
import type { CarenetConfig, CommunityConfig } from "../config/types";
import { SPACE_KEY } from "../features/communities/store/communityRooms";
import { inCommunityLanguage, t } from "../words";
import { describeError, errcode, isForbidden } from "./errors";
import { type StateEvent, withRateLimitRetry } from "./homeserver";
import { creatorsHavePower, desiredUsers, LEVEL, powerLevels, roles } from "./powerLevels";
import type { ProvisionerDeps, RoomSpec } from "./provisioningDeps";
import { removeFormerStaff, reportOrphans } from "./provisioningNotices";
import { roomReport, summarise, type CommunityReport, type ReconcileReport, type RoomReport } from "./provisioningReport";
import { applySettings, linkChild, wouldChange, type RoomTarget } from "./roomSettings";
import { membership, noteSent, stateEvent, stateKey, toStateMap, type StateMap } from "./stateMap";

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

// The provisioner's deps, its report and the power levels it sets, for those who start it.
export type { ProvisionerDeps, ProvisioningHomeserver } from "./provisioningDeps";
export type { CommunityReport, ReconcileReport, RoomOutcome, RoomReport } from "./provisioningReport";
export { creatorsHavePower, desiredUsers, powerLevels } from "./powerLevels";

/** Communities provisioned at the same time. */
export const PROVISIONING_CONCURRENCY = 4;

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
    const report = summarise(reports, startedAt, this.d.clock.now());
    const { counts } = report;
    const line =
      `provisioning: ${communities.length} communities, ${report.rooms.length - counts.orphaned} rooms: ` +
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
      removeFormerStaff(this.d, c, keep);
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
    report.rooms.push(...reportOrphans(this.d, c.id, gone, false));

    const created = report.rooms.filter((r) => r.outcome === "created").length;
    const updated = report.rooms.filter((r) => r.outcome === "updated").length;
    if (report.error) {
      this.d.log.error({ communityId: c.id, err: report.error }, "a community could not be provisioned; carenet carries on with the others");
    } else if (created || updated) {
      this.d.log.info({ communityId: c.id, created, updated }, "provisioned a community");
    }
    return report;
  }

  private reportRemovedCommunity(communityId: string): CommunityReport {
    const rooms = this.d.rooms.list(communityId);
    return { communityId, configured: false, rooms: reportOrphans(this.d, communityId, rooms, true) };
  }

  private failedReport(communityId: string, roomKey: string, error: string, roomId?: string): RoomReport {
    return { ...roomReport(communityId, roomKey, this.aliasFor(communityId, roomKey)), ...(roomId ? { roomId } : {}), outcome: "failed", error };
  }

  /** Finds or creates one room, brings its state in line, and invites staff and admins. */
  private async reconcileRoom(
    c: CommunityConfig,
    spec: RoomSpec,
    people: Map<string, number>,
    space: { roomId: string; state: StateMap } | undefined,
  ): Promise<{ report: RoomReport; state?: StateMap }> {
    const report = roomReport(c.id, spec.key, this.aliasFor(c.id, spec.key));
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
        const target: RoomTarget = { roomId, spec, people, space };
        if (!state || (await wouldChange(this.d, target, state))) state = await this.stateAsMember(roomId);
        await applySettings(this.d, target, state, report);
        if (report.changes.length) report.outcome = "updated";
      }
      if (!state) throw new Error("internal: no room state"); // unreachable: set on every path above
      if (space) await linkChild(this.d, space, roomId, report);
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
        noteSent(state, this.d.botUserId, "m.room.member", userId, { membership: "invite" });
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

function pick(room: { name: string; topic?: string }): { name: string; topic?: string } {
  return room.topic !== undefined ? { name: room.name, topic: room.topic } : { name: room.name };
}

