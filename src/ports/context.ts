/**
 * The install-time contract between the composition root (src/app/) and the features
 * (src/features/): what an installer is handed. Types only; src/app/ builds it and
 * src/matrix/ implements the Matrix side (ports/matrix.ts, ports/hooks.ts).
 */
import type { Readers } from "./readers";
import type { Effects } from "../messaging/effects";
import type { CommandSpec } from "../commands/types";
import type { CarenetConfig, OffMatrixConfig } from "../config/types";
import type { EncryptedEvent, MembershipHook, ReactionHook, ReplyHook, PlainAnswerHook, RoomMessageHook } from "./hooks";
import type { DirectChats, HomeserverPort, MatrixTools, RoomSnapshotsPort } from "./matrix";
import type { Scheduler } from "../scheduler/scheduler";
import type { AuditLog } from "../store/audit";
import type { CommunityRooms, Consents, Members } from "./communities";
import type { Db } from "../store/database";
import type { JobsStore } from "../store/jobs";
import type { OutboxStore } from "../store/outbox";
import type { MetricsPort } from "../metrics/port";
import type { Clock } from "../kernel/clock";
import type { Logger } from "../kernel/logger";
import type { Channel } from "./offMatrix";
import type { PersonalDataSection } from "./personalData";

/** Who is on call in a community at a moment: the rota's answer, which paging and check-ins are handed. */
export type OnCall = (communityId: string, atMs: number) => OnCallNow;

/** True while the person is on a break (`!break`): off the rota and off check-in prompts. The rota's answer. */
export type OnBreak = (communityId: string, userId: string, atMs: number) => boolean;

/**
 * True when the person agreed to the current rights text of that community. Nothing
 * optional (check-ins, rota) is recorded without it; help and paging never ask for it.
 * The communities capability's answer.
 */
export type HasConsent = (communityId: string, userId: string) => boolean;

export interface OnCallNow {
  /** Peers whose shift covers the moment, in rota order. */
  peers: string[];
  /** Peers who agreed to be backup at that moment (the ladder's backup_peers step). */
  backupPeers: string[];
  /** Staff on call at that moment (their own shifts on the rota). */
  staff: string[];
  /**
   * People whose shift covers the moment but who are not on call: on a break, or (peers)
   * without agreement to the current rights text. Paging records them as skipped.
   */
  leftOut?: Array<{ userId: string; slot: "peers" | "backupPeers" | "staff"; reason: "break" | "no_consent" }>;
}

/**
 * What each capability's installer (communities, posting hours, rota, paging, check-ins)
 * gets from the composition root: shared stores and services, and the places to plug in
 * its commands, scheduled-job handlers and event hooks. An installer adds to these; it
 * never reaches around them.
 */
export interface InstallContext {
  db: Db;
  /** The config in force now; it changes when a reload succeeds. */
  config: () => CarenetConfig;
  clock: Clock;
  log: Logger;
  botUserId: string;
  domain: string;
  homeserver: HomeserverPort;
  /** Matrix helpers (message content, posting hours as power levels, error descriptions). */
  matrix: MatrixTools;
  /**
   * Room states as provisioning read them during the reconcile in progress (empty
   * otherwise): steps in `afterReconcile` use them instead of reading each room again.
   */
  roomSnapshots?: RoomSnapshotsPort;
  effects: Effects;
  /** Who reads a message sent to a person or a room: language, names, zone labels. */
  readers: Readers;
  scheduler: Scheduler;
  jobs: JobsStore;
  outbox: OutboxStore;
  dmRooms: DirectChats;
  rooms: CommunityRooms;
  members: Members;
  consent: Consents;
  audit: AuditLog;
  /** Counts for the service manager's view (Prometheus); per community, never per person. */
  metrics: MetricsPort;
  /** For tests: off-Matrix channels other than those the config describes (src/paging/offMatrix). */
  offMatrixChannels?: (cfg: OffMatrixConfig | undefined) => Channel[];
  /** Runs `fn` in one SQLite transaction. */
  atomically: <T>(fn: () => T) => T;
  /**
   * Resolves once the summonses due (a page's requests to the people asked) are sent, or
   * after a quarter of a second at most: homeserver work beside a page waits for it (OutboxSender).
   */
  alertsSent?: () => Promise<void>;
  /**
   * Runs `work`, a homeserver request that summons someone but is not a message (a peer's
   * invitation to a page's support room), as a summons on its way: lower priorities wait
   * (a quarter of a second at most).
   */
  summoning?: <T>(work: () => Promise<T>) => Promise<T>;

  /** Add commands here (the order is the order !help lists them). */
  commands: CommandSpec[];
  roomMessageHooks: RoomMessageHook[];
  membershipHooks: MembershipHook[];
  /** Called for every reaction someone (not the bot) sends in a room the bot is in. */
  reactionHooks: ReactionHook[];
  /** Offered every plain reply to an earlier event (e.g. an answer to a check-in prompt). */
  replyHooks: ReplyHook[];
  /** Offered every plain message in someone's own DM that no reply hook took (e.g. "3" under an open check-in prompt). */
  plainAnswerHooks?: PlainAnswerHook[];
  /** Called for every end-to-end encrypted event (which carenet cannot read) in a room the bot is in. */
  encryptedHooks?: Array<(e: EncryptedEvent) => void>;
  /** What each capability keeps about a person, for `!mydata`, `!forgetme` and retention (read when asked, in `PERSONAL_DATA_ORDER`). */
  personalData?: PersonalDataSection[];
  /**
   * Run after provisioning at start and after every successful reload (with the new
   * config): reschedule what depends on the config, catch up what was missed. Awaited in
   * order; a failure is logged and does not stop the others.
   */
  afterReconcile: Array<(config: CarenetConfig, reason: "start" | "reload") => Promise<void> | void>;
}
