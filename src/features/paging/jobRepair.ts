import { awaitsConfirmation } from "./domain/escalation";
import { confirmKey, CRISIS_MEETING_MS, CRISIS_ROOM_JOB, deadlineKey, ROOM_JOB } from "./jobKeys";
import type { Escalator } from "./escalator";
import type { PagingDeps } from "./pagingDeps";

/**
 * Safety net at start: every open page has its deadline job pending (and a page awaiting
 * confirmation after a repeat page, its confirmation deadline); every page that is not
 * resolved and has no room yet has a room job; and every crisis meeting still within its
 * 12 hours without a room has a room job. Jobs are durable already; this covers a job
 * lost to a bug or parked as failed.
 */
export function ensureJobs(d: PagingDeps, esc: Escalator, now: number): number {
  let repaired = 0;
  for (const page of d.pages.allActive()) {
    if (page.state.status === "open" && page.state.nextDeadlineMs !== null) {
      const job = d.jobs.get(deadlineKey(page.id, page.round, page.state.step));
      if (job?.state !== "pending") {
        esc.scheduleDeadline(page, page.state.step, page.state.nextDeadlineMs, true);
        repaired++;
      }
    }
    if (awaitsConfirmation(page.state)) {
      const job = d.jobs.get(confirmKey(page.id, page.round, page.state.acknowledgedAtMs ?? page.state.openedAtMs));
      if (job?.state !== "pending") {
        esc.scheduleConfirm(page, page.state.nextDeadlineMs!, true);
        repaired++;
      }
    }
    const roomJobPending = d.jobs.pending(ROOM_JOB).some((j) => j.payload.pageId === page.id);
    if (!roomJobPending && (!page.supportRoomId || d.pages.pendingNotes(page.id).length > 0)) {
      d.jobs.reschedule({ kind: ROOM_JOB, key: `page.room:${page.id}:repair`, dueAt: now, payload: { pageId: page.id } }, now);
      repaired++;
    }
  }
  // A meeting past its 12 hours without a room is not made late (its close job has run);
  // the digest still reports it.
  const meetingJobs = d.jobs.pending(CRISIS_ROOM_JOB);
  for (const m of d.pages.meetingsWithoutRoom(now - CRISIS_MEETING_MS)) {
    if (meetingJobs.some((j) => j.payload.meetingId === m.id)) continue;
    d.jobs.reschedule({ kind: CRISIS_ROOM_JOB, key: `crisis.room:${m.id}:repair`, dueAt: now, payload: { meetingId: m.id } }, now);
    repaired++;
  }
  return repaired;
}
