import type { Clock } from "../kernel/clock";
import type { Logger } from "../kernel/logger";
import type { Effects } from "../messaging/effects";
import { supportNow } from "../messaging/support";
import { Message } from "../messaging/message";
import { command, person, t } from "../words";
import type { CommandResult, CommandSpec } from "../commands/types";
import type { CarenetConfig } from "../config/types";
import type { CommunityRoomsStore } from "../features/communities/store/communityRooms";
import type { DmRoomsStore } from "./store/dmRooms";
import type { EncryptionStore } from "./store/encryption";
import type { OutboxStore } from "../store/outbox";
import type { PagesStore } from "../features/paging/store/pages";
import { noticeContent, reactionContent, type Reader } from "./content";
import type { CommunityPlace, ReactionEvent } from "./eventRouter";
import type { Homeserver } from "./homeserver";
import type { RoomSnapshots } from "./roomSnapshot";
import type { CrisisResources } from "../config/types";
import { communityById } from "../config/communities";

/** The Synapse setting that makes the homeserver encrypt every room it creates. */
export const ENCRYPTION_SETTING = "encryption_enabled_by_default_for_room_type";

/** At most one "I cannot read this" answer per room in this long; later messages in a direct chat get a 🔒. */
export const ANSWER_EVERY_MS = 10 * 60 * 1000;

/** The reaction on an encrypted message in a direct chat that was not answered in full (see ANSWER_EVERY_MS). */
export const UNREADABLE_KEY = "🔒";

import type { EncryptedEvent } from "../ports/hooks";
export type { EncryptedEvent };

export interface EncryptedRoomsDeps {
  encryption: EncryptionStore;
  outbox: OutboxStore;
  dmRooms: DmRoomsStore;
  rooms: CommunityRoomsStore;
  pages: Pick<PagesStore, "bySupportRoom" | "contactIds" | "responses">;
  effects: Effects;
  homeserver: Pick<Homeserver, "getStateEvent" | "getRoomState">;
  config: () => CarenetConfig;
  clock: Clock;
  log: Logger;
  botUserId: string;
  /** The commands in force (`!page` is run from a reaction in an encrypted direct chat). */
  commands: () => ReadonlyArray<CommandSpec>;
  atomically: <T>(fn: () => T) => T;
  /** Who reads the answers (language, names); English with Matrix IDs without it. */
  readers?: { forUser(userId: string): Reader; forRoom(roomId: string): Reader };
  /** Room states provisioning has just read (at start and reload), used instead of reading them again. */
  snapshots?: Pick<RoomSnapshots, "get">;
}

export interface EncryptionHealth {
  /** Provisioned rooms carenet found end-to-end encrypted: it cannot read them. */
  encryptedRooms: number;
  /** True when the homeserver encrypted rooms carenet created (see ENCRYPTION_SETTING). */
  homeserverEncryptsNewRooms: boolean;
  /** What is wrong, in words, when something is. */
  problem?: string;
}

/**
 * carenet cannot read end-to-end encrypted messages (docs/encryption.md). So that nobody
 * meets silence, every encrypted message it receives gets an unencrypted answer — crisis
 * resources first, then what is happening and what to do instead — at most once per room
 * per ANSWER_EVERY_MS; in a member's direct chat a reaction to that answer pages the peers
 * on call (reactions are not encrypted). Provisioned rooms are read back after every
 * provisioning: encrypted ones are logged (naming the homeserver setting when the
 * homeserver encrypted them), reported by /health and told once to the community's staff.
 */
export class EncryptedRooms {
  /**
   * Communities whose staff room someone besides carenet has joined (as last seen). Staff
   * rooms show history only from when one joined, so a notice sent before anyone is there
   * would never be read: it waits for the first to join.
   */
  private readonly staffPresent = new Set<string>();

  constructor(private readonly d: EncryptedRoomsDeps) {}

  /** A membership hook: someone joining a staff room is told what was waiting for them. */
  readonly onMembership = (m: { place: CommunityPlace | undefined; userId: string; membership: string }): void => {
    if (m.place?.roomKey !== "staff" || m.membership !== "join" || m.userId === this.d.botUserId) return;
    this.staffPresent.add(m.place.community.id);
    this.tellStaff(m.place.community.id);
  };

  /** An encrypted event: answered (rate-limited). Runs inside the event's handling transaction. */
  onEncrypted(e: EncryptedEvent): void {
    const now = this.d.clock.now();
    const dmUser = this.d.dmRooms.userFor(e.roomId);
    if (e.relatesTo?.rel_type === "m.annotation" && typeof e.relatesTo.event_id === "string") {
      // A client that encrypts reactions still shows what was reacted to.
      if (this.tapToPage(e.roomId, e.sender, e.relatesTo.event_id, e.eventId)) return;
    }
    if (e.place && !this.d.encryption.isEncrypted(e.roomId) && !this.decrypts()) {
      // Turned on in the room since carenet last looked (someone in it did): staff must know.
      this.d.encryption.recordRoom({ roomId: e.roomId, communityId: e.place.community.id, roomKey: e.place.roomKey, byHomeserver: false }, now);
      if (this.staffPresent.has(e.place.community.id)) this.tellStaff(e.place.community.id);
      this.d.log.warn({ communityId: e.place.community.id, roomKey: e.place.roomKey, roomId: e.roomId }, "end-to-end encryption was turned on in a community room: carenet cannot read it");
    }
    const key = `encrypted:${e.eventId}`;
    if (!this.d.encryption.claimAnswer(e.roomId, now, ANSWER_EVERY_MS)) {
      // Answered a moment ago: a direct chat still shows each message was seen, without a flood.
      if (dmUser === e.sender) {
        this.d.outbox.enqueue({ dedupeKey: `react:${e.eventId}`, roomId: e.roomId, eventType: "m.reaction", content: reactionContent(e.eventId, UNREADABLE_KEY) }, now);
      }
      return;
    }
    const crisis = this.d.config().crisis_resources;
    let message: Message;
    if (this.decrypts()) {
      // carenet reads encrypted messages: this one's key did not reach it (yet).
      message = undecryptableAnswer(crisis, dmUser === e.sender);
      if (dmUser === e.sender) this.d.encryption.addTapNotice(key, e.roomId, now);
    } else if (dmUser === e.sender) {
      message = dmAnswer(crisis);
      this.d.encryption.addTapNotice(key, e.roomId, now);
    } else {
      const page = this.d.pages.bySupportRoom(e.roomId);
      if (page) message = supportRoomAnswer(crisis, page.member, e.sender, this.peersOf(page.id, page.member, e.sender));
      else if (e.place?.roomKey === "staff") message = staffRoomAnswer(crisis);
      else message = roomAnswer(crisis, this.d.botUserId, !!e.place);
    }
    this.d.outbox.enqueue({ dedupeKey: key, roomId: e.roomId, eventType: "m.room.message", content: noticeContent(message, e.eventId, dmUser === e.sender ? this.d.readers?.forUser(e.sender) : this.d.readers?.forRoom(e.roomId)) }, now);
    this.d.log.info({ roomId: e.roomId, in: dmUser === e.sender ? "direct chat" : (e.place?.roomKey ?? "room") }, "answered an end-to-end encrypted message carenet cannot read");
  }

  /** True when carenet takes part in end-to-end encryption (`encryption.enabled`): encrypted rooms are no problem then. */
  private decrypts(): boolean {
    return this.d.config().encryption?.enabled === true;
  }

  /** A reaction hook: a reaction to a tap-to-page notice in the member's own direct chat pages. */
  readonly onReaction = (r: ReactionEvent): void => {
    this.tapToPage(r.roomId, r.sender, r.targetEventId, r.eventId);
  };

  /**
   * Runs `!page` for the member who reacted to one of carenet's tap-to-page notices in their
   * own direct chat, exactly as if they had sent it; the answer goes to that chat.
   */
  private tapToPage(roomId: string, sender: string, targetEventId: string, eventId: string): boolean {
    if (this.d.dmRooms.userFor(roomId) !== sender || this.d.encryption.tapNoticeRoom(targetEventId) !== roomId) return false;
    const page = this.d.commands().find((c) => c.name === "page");
    if (!page) return false;
    const now = this.d.clock.now();
    const result: CommandResult = page.run(
      {
        sender,
        place: "dm",
        roomId,
        eventId,
        isStaffHere: false,
        now,
        crisisResources: this.d.config().crisis_resources,
        commands: this.d.commands(),
      },
      [],
    );
    this.d.effects.tell(sender, result.urgent ? result.reply.urgently() : result.reply, `tap-page:${eventId}`);
    this.d.log.info({ roomId, outcome: result.outcome }, "a reaction in an encrypted direct chat asked for a page");
    return true;
  }

  private async someoneInStaffRoom(communityId: string): Promise<boolean> {
    const staffRoom = this.d.rooms.get(communityId, "staff");
    if (!staffRoom) return false;
    try {
      const known = this.d.snapshots?.get(staffRoom.roomId);
      const present = known
        ? [...known.memberships].some(([userId, membership]) => userId !== this.d.botUserId && membership === "join")
        : (await this.d.homeserver.getRoomState(staffRoom.roomId)).some(
            (e) => e.type === "m.room.member" && e.state_key !== this.d.botUserId && e.content.membership === "join",
          );
      if (present) this.staffPresent.add(communityId);
      else this.staffPresent.delete(communityId);
      return present;
    } catch (err) {
      this.d.log.warn({ communityId, err: (err as Error).message }, "could not read the staff room's members; staff will be told when one joins");
      return false;
    }
  }

  /** Who in a support room should hear that carenet cannot read it: those who came, else those asked. */
  private peersOf(pageId: number, member: string, sender: string): string[] {
    const came = this.d.pages.responses(pageId).map((r) => r.userId);
    const people = came.length ? came : this.d.pages.contactIds(pageId);
    return [...new Set(people)].filter((u) => u !== member && u !== sender && u !== this.d.botUserId);
  }

  /**
   * Reads back every provisioned room's m.room.encryption (after provisioning, at start and
   * on reload). Never throws: a room that cannot be read is skipped until next time.
   */
  async check(config: CarenetConfig): Promise<EncryptionHealth> {
    const now = this.d.clock.now();
    for (const c of config.communities) {
      for (const room of this.d.rooms.list(c.id)) {
        if (room.orphanedAt !== null || this.d.encryption.isEncrypted(room.roomId)) continue;
        try {
          const known = this.d.snapshots?.get(room.roomId);
          const ev = known ? known.encryption : await this.d.homeserver.getStateEvent(room.roomId, "m.room.encryption");
          if (!ev) continue;
          // carenet never sends m.room.encryption: one in its name was added by the homeserver when carenet created the room.
          const byHomeserver = ev.sender === this.d.botUserId;
          this.d.encryption.recordRoom({ roomId: room.roomId, communityId: c.id, roomKey: room.roomKey, byHomeserver }, now);
        } catch (err) {
          this.d.log.warn({ communityId: c.id, roomKey: room.roomKey, err: (err as Error).message }, "could not read a room's encryption state; will look again at the next start or reload");
        }
      }
      if (!this.decrypts() && (await this.someoneInStaffRoom(c.id))) this.d.atomically(() => this.tellStaff(c.id));
    }
    const health = this.health();
    const encrypted = this.d.encryption.list();
    if (this.decrypts()) {
      if (encrypted.length) this.d.log.info({ encryptedRooms: encrypted.length }, "carenet's rooms are end-to-end encrypted; carenet takes part in encryption (encryption.enabled)");
    } else if (health.homeserverEncryptsNewRooms) {
      this.d.log.error(
        { setting: ENCRYPTION_SETTING, encryptedRooms: encrypted.length },
        `the homeserver encrypts the rooms carenet creates (${ENCRYPTION_SETTING} in Synapse's homeserver.yaml): carenet cannot read ` +
          `messages in them, so commands such as !page sent there never reach it. Set ${ENCRYPTION_SETTING}: off and restart Synapse ` +
          "(rooms already encrypted stay so); see docs/encryption.md",
      );
    } else if (encrypted.length) {
      this.d.log.warn({ encryptedRooms: encrypted.length }, "end-to-end encryption was turned on in community rooms: carenet cannot read them (see docs/encryption.md)");
    }
    return health;
  }

  health(): EncryptionHealth {
    return encryptionHealth(this.d.encryption, this.decrypts());
  }

  /** Tells the community's staff room, once per room, which of its rooms carenet cannot read. */
  private tellStaff(communityId: string): void {
    if (this.decrypts()) return;
    const staffRoom = this.d.rooms.get(communityId, "staff");
    const untold = this.d.encryption.untold(communityId);
    if (!staffRoom || !untold.length) return;
    const community = communityById(this.d.config().communities, communityId);
    const now = this.d.clock.now();
    const message = staffNotice(
      community?.name ?? communityId,
      untold.map((r) => {
        const room = this.d.rooms.byRoomId(r.roomId);
        return { roomKey: r.roomKey, name: room?.name ?? undefined, alias: room?.alias, byHomeserver: r.byHomeserver };
      }),
      untold.some((r) => r.byHomeserver),
    );
    this.d.effects.post(staffRoom.roomId, message, `encryption:staff:${untold.map((r) => r.roomId).join(",")}`);
    this.d.encryption.markStaffTold(untold.map((r) => r.roomId), now);
  }
}

/** What /health reports, from what is recorded (so it is right from the first moment of a restart). */
export function encryptionHealth(store: Pick<EncryptionStore, "list">, decrypts = false): EncryptionHealth {
  const rooms = store.list();
  const byHomeserver = rooms.some((r) => r.byHomeserver);
  return {
    encryptedRooms: rooms.length,
    homeserverEncryptsNewRooms: byHomeserver,
    // When carenet takes part in encryption, encrypted rooms are read like any other.
    ...(decrypts
      ? {}
      : byHomeserver
        ? { problem: `the homeserver encrypts new rooms (${ENCRYPTION_SETTING}); carenet cannot read ${rooms.length} of its rooms` }
        : rooms.length
          ? { problem: `end-to-end encryption was turned on in ${rooms.length} of carenet's rooms; carenet cannot read them` }
          : {}),
  };
}

/**
 * The answer to an encrypted message carenet could not decrypt although it takes part in
 * encryption (its key did not reach carenet's device). In a direct chat a reaction pages.
 */
export function undecryptableAnswer(crisisResources: CrisisResources, directChat: boolean): Message {
  const m = supportNow(crisisResources).p(t("encryption.undecryptable"));
  if (directChat) m.p(t("encryption.reactToPage", { page: command("!page") }));
  return m;
}

export function dmAnswer(crisisResources: CrisisResources): Message {
  return supportNow(crisisResources)
    .p(t("encryption.dmCannotRead", { page: command("!page") }))
    .p(t("encryption.dmReactToPage", { page: command("!page") }))
    .p(t("encryption.dmSomeoneYouTrust"));
}

/** The paragraph a member's encrypted direct chat gets in carenet's welcome (a reaction to it pages too). */
export function encryptedChatWelcome(): Message {
  return new Message().p(t("encryption.welcome"));
}

export function supportRoomAnswer(crisisResources: CrisisResources, member: string, sender: string, peers: string[]): Message {
  const m = supportNow(crisisResources);
  const commands = { ack: command("!ack"), resolve: command("!resolve") };
  if (sender === member) {
    m.p(t("encryption.supportRoomMember", { member: person(member), ...commands }));
    if (peers.length) m.alert(...peers);
  } else {
    m.p(t("encryption.supportRoomOther", commands));
  }
  return m;
}

export function staffRoomAnswer(crisisResources: CrisisResources): Message {
  return supportNow(crisisResources).p(t("encryption.staffRoom", { setting: command(ENCRYPTION_SETTING) }));
}

export function roomAnswer(crisisResources: CrisisResources, botUserId: string, community: boolean): Message {
  return supportNow(crisisResources)
    .p(t("encryption.room", { page: command("!page") }))
    .p(t("encryption.roomOpenDm", { bot: person(botUserId), community: community ? "yes" : "no" }));
}

/** One line of the staff notice: which room, and how it came to be encrypted. */
export interface EncryptedRoomLine {
  roomKey: string;
  name?: string;
  alias?: string;
  byHomeserver: boolean;
}

export function staffNotice(communityName: string, rooms: EncryptedRoomLine[], byHomeserver: boolean): Message {
  const m = new Message()
    .p(t("encryption.staffCannotRead", { community: communityName }))
    .list(
      rooms.map((r) =>
        t("encryption.staffRoomLine", {
          which: r.roomKey === "space" ? "space" : r.roomKey === "staff" ? "staff" : "other",
          name: r.name ?? r.roomKey,
          alias: r.alias ?? "none",
          how: r.byHomeserver ? "homeserver" : "someone",
        }),
      ),
    )
    .p(t("encryption.staffMeans", { page: command("!page"), ack: command("!ack"), minutes: ANSWER_EVERY_MS / 60_000 }));
  if (byHomeserver) {
    m.p(t("encryption.fixHomeserver", { setting: command(ENCRYPTION_SETTING), settingOff: command(`${ENCRYPTION_SETTING}: off`) }));
  } else {
    m.p(t("encryption.fixRoom"));
  }
  return m;
}
