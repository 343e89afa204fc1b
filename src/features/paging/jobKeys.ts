/**
 * The durable jobs paging schedules and the keys of what it causes. Every key is built from
 * the page id, round, step and person, so running the same step again (after a crash)
 * queues nothing twice.
 */
export const DEADLINE_JOB = "page.deadline";
export const ROOM_JOB = "page.room";
export const CRISIS_ROOM_JOB = "crisis.room";
export const CRISIS_CLOSE_JOB = "crisis.close";
/** The staff alert when a ladder ran out: a job, so the member's own answer is queued (and sent) first. */
export const STAFF_ALERT_JOB = "page.staff-alert";

declare module "../../scheduler/registry" {
  interface JobPayloads {
    "page.deadline": { pageId: number; round: number; step?: number; confirm?: boolean };
    "page.staff-alert": { pageId: number; round: number };
  }
}

/** How long a crisis meeting room stays open for talking; then it is kept read-only. */
export const CRISIS_MEETING_MS = 12 * 60 * 60 * 1000;

export const deadlineKey = (pageId: number, round: number, stepIndex: number) => `page.deadline:${pageId}:${round}:${stepIndex}`;
/** The deadline for confirming an acknowledgement after a repeat page (one per acknowledgement). */
export const confirmKey = (pageId: number, round: number, acknowledgedAtMs: number) => `page.deadline:${pageId}:${round}:confirm${acknowledgedAtMs}`;
export const deadlinePrefix = (pageId: number) => `page.deadline:${pageId}:`;
/** The outbox key of the message asking an acknowledger to confirm (a ✅ on it confirms; see PagesStore.pageOfConfirmRequest). */
export const confirmRequestKey = (pageId: number, repeat: number, userId: string) => `page:${pageId}:again${repeat}:ask:${userId}`;
export const inviteKey = (pageId: number, userId: string) => `page:${pageId}:invite:${userId}`;
export const gapKey = (communityId: string, atMs: number) => `page.gaps:${communityId}:${atMs}`;
