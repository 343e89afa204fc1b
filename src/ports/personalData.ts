/**
 * What each capability keeps about a person, as the data capability reads it for `!mydata`,
 * erases it for `!forgetme` and thins it out every day (retention). Each capability's
 * installer adds its own sections (from its own stores) to `InstallContext.personalData`;
 * the data capability composes them, so it never reads another capability's tables.
 */
import type { CommunityConfig } from "../config/types";
import type { RetentionPeriods } from "../config/retention";
import type { Message, Text } from "../messaging/message";

/**
 * The order the parts are told in, whatever order the capabilities were installed in: the
 * order a person reads them in, community by community and then what belongs to none.
 * `memberships`, `conversations`, `request` and `audit` are the data capability's own
 * (memberships and consent, their chats with the bot, a pending `!forgetme`, the audit log).
 */
export const PERSONAL_DATA_ORDER = ["memberships", "checkins", "contacts", "rota", "pages", "conversations", "profile", "request", "audit"] as const;
export type PersonalDataTopic = (typeof PERSONAL_DATA_ORDER)[number];

/** One section's part of a person's data, as read at one moment. */
export interface PersonalRecord {
  /** Communities it holds something about (the export has a part for each). */
  communityIds: string[];
  /**
   * True when it holds nothing that counts as kept about them: a profile name and language,
   * the audit log's entries and what the configuration says do not (`!mydata` then says
   * nothing is kept, and `!forgetme` has nothing to ask about).
   */
  empty: boolean;
  /** Adds its lines to the export's part for community `id` (`c` is undefined once the community is gone). */
  inCommunity(m: Message, id: string, c: CommunityConfig | undefined, zone: string): void;
  /** Adds its lines to the export's part that belongs to no one community, dated in `zone`. */
  general(m: Message, zone: string): void;
  /** What an erasure removes, as items of `!forgetme`'s list; `placeholder` is what replaces their name where a record stays. */
  goes(placeholder: string): Text[];
  /** The language they chose (`!language`), where this section keeps it: carenet says goodbye in it. */
  language?: string;
}

/** What an erasure is told: the key its messages are sent under, when, and what replaces the person's name. */
export interface Erasure {
  key: string;
  now: number;
  placeholder: string;
}

/** What one section's erasure did. */
export interface ErasedPart {
  /** Rows deleted or made anonymous (what is not counted as erased, such as a public profile name, is left out). */
  rows: number;
  /** Communities whose audit log records the erasure. */
  communities: string[];
}

export interface PersonalDataSection {
  topic: PersonalDataTopic;
  read(userId: string): PersonalRecord;
  /** Why the person cannot be forgotten yet (a page of theirs still open), if so. */
  holdsErasure?(userId: string): Text | undefined;
  /**
   * Erases the person's part, in the caller's transaction, with what has to go with it
   * (jobs that would act on it cancelled, staff told what became uncovered). Sections are
   * erased in `PERSONAL_DATA_ORDER`, before memberships and consent answers go.
   */
  erase(userId: string, e: Erasure): ErasedPart;
  /** The daily retention run: deletes what is older than its period; counts by kind, for the log. */
  deleteExpired?(now: number, periods: RetentionPeriods): Record<string, number>;
  /** A removed member past their period: what is kept about them in that community goes. */
  forgetInCommunity?(userId: string, communityId: string, now: number): void;
}
