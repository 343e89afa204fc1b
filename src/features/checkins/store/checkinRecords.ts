/**
 * What the check-ins store keeps, as carenet sees it, and how its rows read back. Knows
 * nothing of Matrix.
 */
import type { AlumniRhythm, Plan } from "../domain/checkins";

export interface CheckinPrompt {
  id: number;
  communityId: string;
  userId: string;
  /** The config's prompt id, or "alumni". */
  checkinId: string;
  occurrenceAt: number;
  localDate: string;
  sentAt: number;
  late: boolean;
  outboxKey: string;
  eventId: string | null;
  missedAt: number | null;
}

export type NewPrompt = Omit<CheckinPrompt, "id" | "eventId" | "missedAt" | "sentAt">;

export type AnswerVia = "command" | "reply" | "reaction";

export interface CheckinAnswer {
  id: number;
  communityId: string;
  userId: string;
  promptId: number | null;
  localDate: string;
  value: number;
  note: string | null;
  shared: boolean;
  noteShared: boolean;
  via: AnswerVia;
  answeredAt: number;
  answeredDate: string;
  changedAt: number | null;
}

export interface NewAnswer extends Omit<CheckinAnswer, "id" | "answeredAt" | "answeredDate" | "changedAt"> {
  /** The local date now, in the community's zone: the day the answer may still be changed. */
  today: string;
}

export interface StoredPlan {
  plan: Plan;
  createdAt: number;
  updatedAt: number;
  reviewedAt: number;
  reviewRemindedAt: number | null;
}

export interface PlanChange {
  id: number;
  at: number;
  setting: string;
  before: string;
  after: string;
}

export interface AlumniChoice {
  enabled: boolean;
  /** null: the community's default rhythm. */
  rhythm: AlumniRhythm | null;
  updatedAt: number;
}

/** A person's check-in record in one community (see CheckinsStore.aboutPerson). */
export interface PersonCheckins {
  communityId: string;
  prompts: { sent: number; missed: number; firstAt: number | null; lastAt: number | null };
  /** With the config's prompt id each answered (null: an answer without a prompt). */
  answers: Array<CheckinAnswer & { checkinId: string | null }>;
  /** Low or missed check-ins of theirs that someone was told about, and who. */
  alerts: Array<{ kind: "low" | "missed"; recipients: string[]; at: number }>;
  plan: StoredPlan | undefined;
  changes: PlanChange[];
  alumni: AlumniChoice | undefined;
}

export interface PromptRow {
  id: number;
  community_id: string;
  user_id: string;
  checkin_id: string;
  occurrence_at: number;
  local_date: string;
  sent_at: number;
  late: number;
  outbox_key: string;
  event_id: string | null;
  missed_at: number | null;
}

export interface AnswerRow {
  id: number;
  community_id: string;
  user_id: string;
  prompt_id: number | null;
  local_date: string;
  value: number;
  note: string | null;
  shared: number;
  note_shared: number;
  via: AnswerVia;
  answered_at: number;
  answered_date: string;
  changed_at: number | null;
}

export const toPrompt = (r: PromptRow): CheckinPrompt => ({
  id: r.id,
  communityId: r.community_id,
  userId: r.user_id,
  checkinId: r.checkin_id,
  occurrenceAt: r.occurrence_at,
  localDate: r.local_date,
  sentAt: r.sent_at,
  late: r.late === 1,
  outboxKey: r.outbox_key,
  eventId: r.event_id,
  missedAt: r.missed_at,
});

export const toAnswer = (r: AnswerRow): CheckinAnswer => ({
  id: r.id,
  communityId: r.community_id,
  userId: r.user_id,
  promptId: r.prompt_id,
  localDate: r.local_date,
  value: r.value,
  note: r.note,
  shared: r.shared === 1,
  noteShared: r.note_shared === 1,
  via: r.via,
  answeredAt: r.answered_at,
  answeredDate: r.answered_date,
  changedAt: r.changed_at,
});

export type SaveAnswerResult =
  | { outcome: "recorded"; answer: CheckinAnswer }
  | { outcome: "changed"; answer: CheckinAnswer; previous: CheckinAnswer }
  | { outcome: "unchanged"; answer: CheckinAnswer }
  /** The answer was given on an earlier day and can no longer be changed. */
  | { outcome: "too_late"; answer: CheckinAnswer };
