import type { Clock } from "../kernel/clock";
import type { Logger } from "../kernel/logger";
import { supportNow } from "../messaging/support";
import { Message } from "../messaging/message";
import { command, t } from "../words";
import type { Scheduler } from "../scheduler/scheduler";
import type { DmRoomsStore } from "./store/dmRooms";
import type { EncryptionStore } from "./store/encryption";
import type { OutboxStore } from "../store/outbox";
import { noticeContent, type Reader } from "./content";
import { encryptedChatWelcome } from "./encryptedRooms";
import type { Homeserver } from "./homeserver";
import { privacyProblem, privacyProblemWords } from "./privateRoom";
import type { CrisisResources } from "../config/types";

export const JOIN_JOB = "matrix.join";

export interface JoinPayload {
  roomId: string;
  inviter: string;
  direct: boolean;
}

declare module "../scheduler/registry" {
  interface JobPayloads {
    "matrix.join": JoinPayload;
  }
}

export interface InvitationDeps {
  homeserver: Pick<Homeserver, "joinRoom" | "getRoomState">;
  dmRooms: DmRoomsStore;
  outbox: OutboxStore;
  clock: Clock;
  log: Logger;
  botUserId: string;
  crisisResources: () => CrisisResources;
  atomically: <T>(fn: () => T) => T;
  wakeOutbox: () => void;
  /** How the person who opened the chat reads: their language and names (English otherwise). */
  readerFor?: (userId: string) => Reader;
  /** Set: a private chat that is end-to-end encrypted is told so in the welcome, which a reaction then turns into a page. */
  encryption?: EncryptionStore;
  /** True when carenet takes part in end-to-end encryption: then an encrypted chat needs no such paragraph. */
  decrypts?: () => boolean;
}

/**
 * Accepting an invitation is a durable job: a homeserver that is restarting when a member
 * opens a chat with the bot must not lose that chat (the next thing said there may be a
 * `!page`). After joining, a direct chat counts as the person's private conversation with
 * the bot only if nobody else is in it: carenet says private things there (a page, a
 * check-in alert), so a "direct" chat with a third person in it is treated as a room.
 */
export function registerInvitations(scheduler: Scheduler, d: InvitationDeps): void {
  scheduler.on(
    JOIN_JOB,
    async (job) => {
      const { roomId, inviter, direct } = job.payload;
      try {
        await d.homeserver.joinRoom(roomId);
      } catch (err) {
        const status = (err as { statusCode?: number }).statusCode;
        if (status === 403 || status === 404) {
          d.log.info({ roomId }, "an invitation was withdrawn (or the room is gone) before carenet could join");
          return;
        }
        throw err;
      }
      d.log.info({ roomId, direct }, "joined a room on invitation");
      if (!direct) return;
      // The same test as before every private message (privateRoom.ts): a "direct" chat
      // that others can read (a public room, world-readable history, a third person) is
      // never recorded as the person's conversation.
      const state = await d.homeserver.getRoomState(roomId);
      const problem = privacyProblem(state, inviter, d.botUserId);
      const privateChat = problem === undefined;
      const encrypted = privateChat && !!d.encryption && !d.decrypts?.() && state.some((e) => e.type === "m.room.encryption" && e.state_key === "");
      const welcome = privateChat
        ? Message.of(t("onboarding.hello", { help: command("!help") }))
        : Message.of(t("onboarding.helloNotPrivate", { problem: problem ? privacyProblemWords(problem) : "", help: command("!help") }));
      if (encrypted) welcome.append(encryptedChatWelcome());
      welcome.append(supportNow(d.crisisResources()));
      d.atomically(() => {
        if (privateChat) d.dmRooms.record(roomId, inviter, d.clock.now());
        if (encrypted) d.encryption!.addTapNotice(`welcome:${job.key}`, roomId, d.clock.now());
        d.outbox.enqueue({ dedupeKey: `welcome:${job.key}`, roomId, eventType: "m.room.message", content: noticeContent(welcome, undefined, d.readerFor?.(inviter)) }, d.clock.now());
      });
      d.wakeOutbox();
    },
    { usesHomeserver: true },
  );
}
