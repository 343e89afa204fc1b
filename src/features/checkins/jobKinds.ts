

/** The durable jobs check-ins schedule, each run by its handler (install.ts). */
export const PROMPT_JOB = "checkins.prompt";
export const ALUMNI_JOB = "checkins.alumni";
export const MISSED_JOB = "checkins.missed";
export const REVIEW_JOB = "checkins.review";
declare module "../../scheduler/registry" {
  interface JobPayloads {
    /** One occurrence of a check-in's prompt at one of its times. */
    "checkins.prompt": { communityId: string; checkinId: string; slot: string; occurrenceAt: number };
    /** One occurrence of the alumni check-in. */
    "checkins.alumni": { communityId: string; occurrenceAt: number };
    /** The check for who did not answer one occurrence of a check-in. */
    "checkins.missed": { communityId: string; checkinId: string; occurrenceAt: number };
    /** A member's plan coming up for review. */
    "checkins.review": { communityId: string; userId: string };
  }
}

/** The checkin id alumni prompts are recorded under. */
export const ALUMNI_CHECKIN = "alumni";
