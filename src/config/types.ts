// The configuration as validated by config/config.schema.json, with defaults applied.
// Keys keep the YAML's spelling so the docs, the sample and the code read alike.

import type { Weekday } from "../kernel/localTime";

export type { Weekday };

export interface PostingWindowConfig {
  days: Weekday[];
  from: string;
  to: string;
}

export interface PostingExceptionConfig {
  date: string;
  open: boolean;
  from?: string;
  to?: string;
  message?: string;
}

export interface RoomConfig {
  name: string;
  topic?: string;
  posting_hours?: PostingWindowConfig[];
  exceptions?: PostingExceptionConfig[];
}

export interface ExtraRoomConfig extends RoomConfig {
  id: string;
}

export interface CheckinConfig {
  id: string;
  at: string;
  days?: Weekday[];
  prompt: string;
  /** Other times a member may choose for this prompt (the default is `at`). */
  times?: string[];
  /** "dm" (the default, filled in by the schema) or a room key for one prompt in that room. */
  delivery?: string;
}

export type AlumniRhythm = "weekly" | "fortnightly" | "monthly";

export interface CheckinSettingsConfig {
  /** Worded answers, lowest first: answer 1 is scale[0]. */
  scale: string[];
  low_at_or_below: number;
  grace: string;
  missed_after: string;
  /** e.g. "8w" or "30d". */
  review_every: string;
  alumni: {
    enabled: boolean;
    every: AlumniRhythm;
    day: Weekday;
    at: string;
    prompt: string;
    delivery: string;
  };
}

export type NotifyTarget = "on_call_peers" | "backup_peers" | "on_call_staff" | "all_staff";

/** `communities[].rota`; filled with defaults by the schema, optional for configs built in code. */
export interface RotaConfig {
  approval_required?: boolean;
  max_shifts_per_week?: number;
  /** Read by paging: the most pages one peer is asked to answer in a night. */
  max_pages_per_night?: number;
  handoff_reminder?: string;
}

/** A way to reach someone: at least a name; any of a phone number, a text (SMS) number, an email address, a web page. */
export interface ReachConfig {
  name: string;
  phone?: string;
  sms?: string;
  email?: string;
  url?: string;
  /** A few plain words more, e.g. opening hours or who it is for. */
  note?: string;
}

/** `communities[].rights`: what people who were never told their rights need to know. */
export interface CommunityRightsConfig {
  /** The independent advocacy service members can turn to, and how to reach it. */
  advocacy?: ReachConfig;
  /** Where a complaint goes, and how. */
  complaints?: ReachConfig;
  /** The community's own words on what its staff and care teams see, shown after carenet's. */
  staff_note?: string;
}

export interface CommunityConfig {
  id: string;
  name: string;
  timezone: string;
  /** How times are labelled for people ("UK time"); the zone's localised name otherwise. */
  time_label?: string;
  /** The language carenet writes in for this community (schema default "en"). */
  language?: string;
  staff: string[];
  admins: string[];
  rooms: {
    community: RoomConfig;
    staff: RoomConfig;
    alumni: RoomConfig;
    extra: ExtraRoomConfig[];
  };
  /** The community's rules in plain words; shown on onboarding, by !rules and in !rights. */
  rules?: string[];
  /** Help from outside the community and what staff see: shown on onboarding and by `!rights`. */
  rights?: CommunityRightsConfig;
  checkins: CheckinConfig[];
  rota?: RotaConfig;
  /** Filled in by the schema's defaults; optional so hand-built configs (tests) may leave it out. */
  checkin_settings?: CheckinSettingsConfig;
  paging?: {
    escalation?: Array<{ notify: NotifyTarget; wait: string }>;
    digest_at?: string;
    /** Also post a version of the digest without names in the community room. */
    digest_to_community?: boolean;
    /** Community time of the daily warning about hours tonight with nobody on call at a ladder step. */
    gap_warning_at?: string;
    /** The ladder step (1-based) from which off-Matrix channels are used too; default the last. */
    off_matrix_at_step?: number;
    /** Empty private rooms kept ready for this community's support rooms (default 1; 0: none). */
    warm_rooms?: number;
  };
  /** The weekly report to the staff room (day and time in the community's zone); absent: none. */
  weekly_report?: { day: Weekday; at: string };
}

/** A crisis service with its numbers: rendered as tappable tel:/sms: links. */
export interface CrisisLine {
  label: string;
  /** A number to call. */
  phone?: string;
  /** A number to text. */
  sms?: string;
  url?: string;
  /** Shown with the label ("free, 24/7", "text SHOUT"); the admin's words, not translated. */
  note?: string;
}

/**
 * Where to get help now: free text (numbers in it are made tappable), or a list of free
 * text and services. Free text stays valid so existing configs keep loading.
 */
export type CrisisResources = string | ReadonlyArray<string | CrisisLine>;

export interface CarenetConfig {
  homeserver: { url: string; domain: string };
  appservice: { bind: string; port: number; registration: string };
  database: { path: string };
  bot: { localpart: string; displayname: string };
  logging: { level: "trace" | "debug" | "info" | "warn" | "error" | "fatal" };
  events: { max_age: string };
  /** Filled in by the schema's defaults; optional so hand-built configs (tests) may leave it out. */
  sending?: { concurrency: number };
  /** Filled in by the schema's defaults; optional so hand-built configs (tests) may leave it out. */
  retention?: RetentionConfig;
  /** Prometheus metrics on a listener of their own; absent: no metrics listener. */
  metrics?: MetricsConfig;
  /** Rota calendar feeds (`!rota calendar`); absent: the command says they are not set up. */
  calendar?: { public_url: string };
  crisis_resources: CrisisResources;
  communities: CommunityConfig[];
  /** Off-Matrix channels for pages (email, a signed webhook); none without it. */
  off_matrix?: OffMatrixConfig;
  /** End-to-end encryption for the bot (docs/encryption.md); absent or not enabled: off. */
  encryption?: EncryptionConfig;
}

/** `encryption`: the bot's device and its crypto store (the schema fills in the defaults). */
export interface EncryptionConfig {
  enabled: boolean;
  /** 32 random bytes, 0600; made on first start. */
  key_file: string;
  /** The crypto store (SQLite), every record sealed with the key. */
  store: string;
  /** The bot's one device. */
  device_id: string;
}

export interface OffMatrixConfig {
  link?: string;
  email?: {
    host: string;
    port?: number;
    secure?: boolean;
    require_tls?: boolean;
    auth?: { user: string; pass: string };
    from: string;
  };
  webhook?: { url: string; secret: string };
  contacts?: Array<{ user: string; email?: string; webhook?: boolean }>;
}

/** `metrics`: where GET /metrics listens (loopback by default) and the optional bearer token. */
export interface MetricsConfig {
  bind?: string;
  port: number;
  token?: string;
}

/** `retention`: how long records are kept before the daily job deletes them, in days ("365d"). */
export interface RetentionConfig {
  checkins?: string;
  pages?: string;
  rota?: string;
  removed_members?: string;
}
