import type { Clock } from "../../kernel/clock";
import type { Logger } from "../../kernel/logger";
import type { Effects } from "../../messaging/effects";
import { Message } from "../../messaging/message";
import type { CarenetConfig } from "../../config/types";
import type { HomeserverPort, MatrixTools } from "../../ports/matrix";
import type { JobsStore } from "../../store/jobs";
import type { PageRecord, PagesStore } from "./store/pages";
import type { TakenRoom, WarmRoomsStore } from "./store/warmRooms";
import { SUPPORT_ROOM_TOPIC, supportRoomBody, type WarmRooms } from "./warmRooms";
import { DEFAULT_CONTEXT, renderWords, t as words, type RenderContext, type Words } from "../../words";
import { supportBlock } from "../../messaging/supportBlock";
import { inviteKey } from "./jobKeys";
import { reasonOf, refusedForGood } from "./refusals";

import * as t from "./texts";
import { communityById } from "../../config/communities";

export const INTRO_JOB = "page.intro";
/** The key of a warm support room's introduction job (one per page). */
export const introKey = (pageId: number) => `page.intro:${pageId}`;

declare module "../../scheduler/registry" {
  interface JobPayloads {
    "page.intro": { pageId: number; roomId: string; rename?: boolean };
  }
}

export type RoomsHomeserver = Pick<HomeserverPort, "createRoom" | "sendEvent" | "displayName" | "getStateContent" | "sendState" | "invite">;

export interface PagingRoomsDeps {
  homeserver: RoomsHomeserver;
  /** Message content, and telling an invitation refused because the person is already in. */
  matrix: Pick<MatrixTools, "noticeContent" | "fitContent" | "alreadyInRoom">;
  pages: PagesStore;
  effects: Effects;
  atomically: <T>(fn: () => T) => T;
  config: () => CarenetConfig;
  clock: Clock;
  log: Logger;
  /** Called once a shown note is deleted, so its text leaves the database file too (see database.ts). */
  afterErasure?: () => void;
  /** The invitations queued as jobs, marked done when they were sent at once. */
  jobs?: Pick<JobsStore, "get" | "completeKey">;
  /** Warm rooms to take a support room from (none: every support room is made when needed). */
  warm?: { store: WarmRoomsStore; pool: WarmRooms };
  /** A person's display name as carenet last saw it, so naming a room asks the homeserver nothing. */
  knownName?: (userId: string) => string | undefined;
  /** How a person reads (their language, names): a room's name, topic and first message are in its member's. */
  readerOf?: (userId: string) => RenderContext;
  /** Waits (briefly) while the page's requests to the people asked are on their way (InstallContext.alertsSent). */
  alertsSent?: () => Promise<void>;
  /** Runs an invitation of someone asked as a summons, before lower priorities (InstallContext.summoning). */
  summoning?: <T>(work: () => Promise<T>) => Promise<T>;
}

/**
 * The homeserver side of paging, run as durable jobs: the private support room of a page
 * (made once, then everyone asked is invited and the member's note is shown there) and a
 * crisis meeting's room.
 *
 * A support room is taken from the community's warm rooms when one is ready (see
 * WarmRooms): then opening it costs only the invitations, all sent at once (the room
 * already has its community's name, which the invitation shows); the member's name and
 * the introduction follow them, and only then is the pool topped up, so nothing else asks
 * the homeserver for work while the page's people are invited. With none ready it is made
 * here, as a crisis meeting's room always is.
 *
 * A room made here gets its first message right after it is made and before it is
 * recorded; a warm room's is a job recorded with the room (INTRO_JOB). Either way it has a
 * transaction id derived from the room id, so a recorded room always has it exactly once.
 * A crash between making a room and recording it leaves an empty room with only the bot
 * in it, and the retry makes another; nobody is ever invited to that one. A warm room
 * taken by a page stays that page's across a crash.
 */
export class PagingRooms {
  /**
   * Rooms being made, or made in this process but not recorded yet: a retry after a failed
   * first message (or a second run of the same job at the same time) reuses them.
   */
  private readonly made = new Map<string, Promise<string>>();

  constructor(private readonly d: PagingRoomsDeps) {}

  /** The "page.room" job: make the support room if needed, invite, show pending notes. */
  async supportRoom(pageId: number): Promise<void> {
    let page = await this.afterAlerts(pageId);
    if (!page) return;
    if (!page.supportRoomId) {
      if (page.state.status === "resolved") {
        this.d.pages.deleteNotes(pageId); // closed before a room was needed
        this.giveBackWarm(page);
        return;
      }
      const reader = this.readerOf(page.member);
      const label = () => this.labelOf(page!.member, reader);
      const warm = await this.fromWarm(page, label);
      const roomId = warm?.roomId ?? (await this.make(`page:${pageId}`, await label()));
      if (!warm) await this.firstMessage(roomId, this.introOf(pageId), reader);
      const toInvite = this.d.atomically(() => {
        if (!this.d.pages.setSupportRoom(pageId, roomId)) return [];
        // A warm room's introduction (and the member's name) is a job recorded with the room,
        // so a crash still sends it; it is sent below, after the invitations.
        if (warm) {
          const payload = { pageId, roomId, ...(warm.named ? { rename: true } : {}) };
          this.d.effects.schedule({ kind: INTRO_JOB, key: introKey(pageId), dueAt: this.d.clock.now(), payload });
        }
        // Every invitation is a job, so one that failed is retried; those sent already are done.
        const everyone = this.peopleToInvite(pageId);
        for (const u of everyone) this.d.effects.invite(roomId, u, inviteKey(pageId, u));
        for (const u of warm?.invited ?? []) this.d.jobs?.completeKey(inviteKey(pageId, u), this.d.clock.now());
        return everyone.filter((u) => !warm?.invited.has(u));
      });
      this.made.delete(`page:${pageId}`);
      this.d.log.info({ pageId, roomId, warm: warm !== undefined }, "opened a support room");
      await this.inviteNow(pageId, roomId, toInvite);
      if (warm) await this.introduceNow(pageId, roomId, warm.named);
      // Only now, so making the next room does not slow the homeserver down for this page's
      // invitations. A crash before this is made up at start (WarmRooms.reconcile).
      if (this.d.warm) this.d.atomically(() => this.d.warm!.pool.schedule(page!.communityId, `page:${pageId}`, this.d.clock.now()));
      page = this.d.pages.get(pageId)!;
    }
    const roomId = page.supportRoomId!;
    for (const note of this.d.pages.pendingNotes(pageId)) {
      // Straight to the homeserver, not through the outbox, so the note is stored nowhere
      // once shown; its fixed transaction ids make a resend after a crash show it once.
      // A long note goes as several messages (fitContent), so it always fits.
      try {
        const parts = this.d.matrix.fitContent(this.d.matrix.noticeContent(t.noteInRoom(page.member, note.note)));
        for (const [i, part] of parts.entries()) {
          await this.d.homeserver.sendEvent(roomId, "m.room.message", part, i === 0 ? note.txnId : `${note.txnId}.${i}`);
        }
      } catch (err) {
        // Only a refusal that no retry can fix gives the note up; anything else (the
        // homeserver is down, a rate limit) fails the job, which is retried. Either way one
        // bad note never holds back the notes after it for good.
        if (!refusedForGood(err)) throw err;
        this.d.log.error({ pageId, reason: reasonOf(err) }, "the homeserver refused a page note; the member and the room are told");
        this.d.atomically(() => {
          this.d.effects.post(roomId, t.noteNotShownInRoom(page!.member), `page:${pageId}:note-not-shown:${note.id}`);
          this.d.effects.tell(page!.member, t.noteNotShown(pageId), `page:${pageId}:note-not-shown-member:${note.id}`);
          this.d.pages.deleteNote(note.id);
        });
        this.d.afterErasure?.();
        continue;
      }
      this.d.pages.deleteNote(note.id);
      this.d.afterErasure?.();
    }
  }

  /**
   * The page, once its requests to the people asked are sent when it still needs a room: the
   * room's invitations (or its making) would slow them down, and the peer's invitation comes
   * sooner after the request than beside it.
   */
  private async afterAlerts(pageId: number): Promise<PageRecord | undefined> {
    const page = this.d.pages.get(pageId);
    if (!page || page.supportRoomId || !this.d.alertsSent) return page;
    await this.d.alertsSent();
    return this.d.pages.get(pageId);
  }

  /** The "crisis.room" job: make the meeting room and invite the caller and everyone called. */
  async crisisRoom(meetingId: number): Promise<void> {
    const meeting = this.d.pages.meeting(meetingId);
    if (!meeting || meeting.roomId) return;
    const community = communityById(this.d.config().communities, meeting.communityId);
    const reader = this.readerOf(meeting.caller);
    const roomId = await this.make(`crisis:${meetingId}`, {
      name: text(words("paging.meetingRoomName", { community: community?.name ?? meeting.communityId }), reader),
      topic: text(words("paging.meetingRoomTopic"), reader),
    });
    await this.firstMessage(
      roomId,
      new Message()
        .p(words("paging.meetingIntro", { caller: t.who(meeting.caller), invited: meeting.people.length }))
        .p(words("paging.meetingOpenFor"))
        .append(supportBlock(this.d.config().crisis_resources)),
      reader,
    );
    this.d.atomically(() => {
      if (!this.d.pages.setMeetingRoom(meetingId, roomId)) return;
      // Only Matrix ids: someone who asked to be forgotten is no longer named here.
      for (const u of new Set([meeting.caller, ...meeting.people])) if (u.startsWith("@")) this.d.effects.invite(roomId, u, `crisis:${meetingId}:invite:${u}`);
    });
    this.made.delete(`crisis:${meetingId}`);
    this.d.log.info({ meetingId, roomId }, "opened a crisis meeting room");
  }

  /** The "crisis.close" job: the meeting room becomes read-only, and says so. */
  async closeCrisisRoom(meetingId: number): Promise<void> {
    const meeting = this.d.pages.meeting(meetingId);
    if (!meeting?.roomId) return;
    const levels = (await this.d.homeserver.getStateContent(meeting.roomId, "m.room.power_levels")) ?? {};
    if (levels.events_default !== 100) {
      await this.d.homeserver.sendState(meeting.roomId, "m.room.power_levels", "", { ...levels, events_default: 100 });
    }
    this.d.effects.post(meeting.roomId, Message.of(words("paging.meetingEnded")), `crisis:${meetingId}:closed`);
  }

  /**
   * A warm room for the page (see WarmRooms); undefined when the community has none ready.
   * A room made with its community's name needs no state update: the people are invited at
   * once, before the room is recorded, and the invitations show that name; the member's
   * name follows them (introduce). A room made before warm rooms were named is named first,
   * alone, so its invitation is never unnamed. Either first step is the room's check: one the
   * homeserver will not let carenet use (gone, or the bot was removed: the name, or every
   * invitation, refused for good) is given up and the next one tried. A crash before the
   * room is recorded takes the same room again (its invitations then find people invited).
   */
  private async fromWarm(page: PageRecord, label: () => Promise<RoomLabel>): Promise<(TakenRoom & { invited: Set<string> }) | undefined> {
    const warm = this.d.warm;
    if (!warm) return undefined;
    for (;;) {
      const taken = this.d.atomically(() => warm.store.take(page.communityId, page.id, this.d.clock.now()));
      if (!taken) return undefined;
      let refused: string;
      if (taken.named) {
        const people = this.d.atomically(() => this.peopleToInvite(page.id));
        const sent = await this.invite(page.id, taken.roomId, people);
        if (people.length === 0 || sent.refused < people.length) return { ...taken, invited: sent.invited };
        refused = sent.reason ?? "?"; // every invitation refused for good
      } else {
        try {
          await this.name(taken.roomId, await label());
          return { ...taken, invited: new Set() };
        } catch (err) {
          if (!refusedForGood(err)) throw err; // retried with the same room
          refused = reasonOf(err);
        }
      }
      this.d.log.warn({ pageId: page.id, roomId: taken.roomId, reason: refused }, "a warm room could not be used; it is given up");
      this.d.atomically(() => {
        warm.store.discard(taken.roomId);
        warm.pool.schedule(page.communityId, `refused:${page.id}`, this.d.clock.now());
      });
    }
  }

  /**
   * Who a page's support room is for: everyone asked so far and whoever said they are coming,
   * then the member. The people asked first: Synapse takes one room's invitations one after
   * another, and theirs brings help; the member, just told the room is coming, follows.
   */
  private peopleToInvite(pageId: number): string[] {
    const page = this.d.pages.get(pageId)!;
    const responders = this.d.pages.responses(pageId).map((r) => r.userId);
    return [...new Set([...this.d.pages.contactIds(pageId), ...responders, page.member])];
  }

  /**
   * Invites `users` all at once. Returns who is invited now (or was already in the room) and
   * how many were refused in a way no retry would change; any other failure is left out of both.
   */
  private async invite(pageId: number, roomId: string, users: string[]): Promise<{ invited: Set<string>; refused: number; reason?: string }> {
    const invited = new Set<string>();
    let refused = 0;
    let reason: string | undefined;
    const member = this.d.pages.get(pageId)?.member;
    await Promise.all(
      users.map(async (userId) => {
        try {
          // The people asked are summoned: their invitations go before the member's answer.
          const send = () => this.d.homeserver.invite(roomId, userId);
          await (userId !== member && this.d.summoning ? this.d.summoning(send) : send());
        } catch (err) {
          if (!this.d.matrix.alreadyInRoom(err)) {
            if (refusedForGood(err)) [refused, reason] = [refused + 1, reasonOf(err)];
            this.d.log.warn({ pageId, roomId, reason: reasonOf(err) }, "an invitation to a support room failed; its job retries it");
            return;
          }
        }
        invited.add(userId);
      }),
    );
    return { invited, refused, reason };
  }

  /** Sets a support room's name and, when it is not the warm rooms' English one, its topic. */
  private async name(roomId: string, { name, topic }: RoomLabel): Promise<void> {
    await Promise.all([
      this.d.homeserver.sendState(roomId, "m.room.name", "", { name }),
      // Warm rooms are made before anyone's language is known: a topic in another language is set now.
      ...(topic !== SUPPORT_ROOM_TOPIC ? [this.d.homeserver.sendState(roomId, "m.room.topic", "", { topic })] : []),
    ]);
  }

  /**
   * A warm room's introduction, sent once its invitations are out (so they never wait for
   * it) and before any note; its job (INTRO_JOB) is marked done. If it fails, the job sends
   * it later (retried), so the room is never left without it.
   */
  private async introduceNow(pageId: number, roomId: string, rename: boolean): Promise<void> {
    const jobs = this.d.jobs;
    if (!jobs) return; // the scheduler runs the job
    try {
      await this.introduce(pageId, roomId, rename);
    } catch (err) {
      this.d.log.warn({ pageId, roomId, reason: reasonOf(err) }, "a support room's introduction failed; its job sends it again");
      return;
    }
    jobs.completeKey(introKey(pageId), this.d.clock.now());
  }

  /**
   * The INTRO_JOB: a warm support room's introduction, with the fixed transaction id of a
   * room's first message; `rename`: the room still has its community's name, and is given
   * the member's first (setting the same name again changes nothing, so a retry is safe).
   */
  async introduce(pageId: number, roomId: string, rename = false): Promise<void> {
    const page = this.d.pages.get(pageId);
    if (!page) return;
    const reader = this.readerOf(page.member);
    if (rename) await this.name(roomId, await this.labelOf(page.member, reader));
    await this.firstMessage(roomId, this.introOf(pageId), reader);
  }

  /** A support room's name (the member's) and topic, in the member's language. */
  private async labelOf(member: string, reader: RenderContext): Promise<RoomLabel> {
    return { name: text(t.supportRoomName(await this.nameOf(member)), reader), topic: text(words("paging.roomTopic"), reader) };
  }

  /** A support room's introduction: whose room it is, how many were asked, who is coming. */
  private introOf(pageId: number): Message {
    const page = this.d.pages.get(pageId)!;
    const coming = this.d.pages.responses(pageId).map((r) => r.userId);
    return t.roomIntro({ pageId, member: page.member, asked: this.d.pages.contactIds(pageId).length, coming }, this.d.config().crisis_resources);
  }

  /** A page closed before its room was recorded: a warm room it took is never used, and is left. */
  private giveBackWarm(page: PageRecord): void {
    const warm = this.d.warm;
    const roomId = warm?.store.takenBy(page.id);
    if (!warm || !roomId) return;
    this.d.atomically(() => {
      warm.store.discard(roomId);
      warm.pool.schedule(page.communityId, `closed:${page.id}`, this.d.clock.now());
    });
  }

  /**
   * Sends the invitations just queued at once, all together, rather than one job after
   * another; each sent is marked done, and any that fails is left to its job (retried).
   */
  private async inviteNow(pageId: number, roomId: string, users: string[]): Promise<void> {
    const jobs = this.d.jobs;
    if (!jobs) return;
    const due = users.filter((u) => {
      const job = jobs.get(inviteKey(pageId, u));
      return job?.state === "pending" && job.payload.roomId === roomId;
    });
    const { invited } = await this.invite(pageId, roomId, due);
    for (const u of invited) jobs.completeKey(inviteKey(pageId, u), this.d.clock.now());
  }

  private make(key: string, p: { name: string; topic: string }): Promise<string> {
    let room = this.made.get(key);
    if (!room) {
      room = this.create(p);
      this.made.set(key, room);
      room.catch(() => this.made.delete(key));
    }
    return room;
  }

  private create(p: { name: string; topic: string }): Promise<string> {
    return this.d.homeserver.createRoom(supportRoomBody(p));
  }

  private async firstMessage(roomId: string, message: Message, reader: RenderContext): Promise<void> {
    await this.d.homeserver.sendEvent(roomId, "m.room.message", this.d.matrix.noticeContent(message, undefined, reader), `carenet.first.${roomId}`);
  }

  private readerOf(userId: string): RenderContext {
    try {
      return this.d.readerOf?.(userId) ?? DEFAULT_CONTEXT;
    } catch {
      return DEFAULT_CONTEXT; // a language is a courtesy: never a reason to hold up a room
    }
  }

  private async nameOf(userId: string): Promise<string> {
    const known = this.d.knownName?.(userId);
    if (known) return known;
    try {
      return (await this.d.homeserver.displayName(userId)) ?? userId;
    } catch {
      return userId; // a name is a nicety: never a reason to hold up a support room
    }
  }
}

type RoomLabel = { name: string; topic: string };

/** A room's name or topic: plain text, in the reader's language. */
function text(w: Words, reader: RenderContext): string {
  return renderWords(w, reader).plain;
}
