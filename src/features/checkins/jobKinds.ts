

/** The durable jobs check-ins schedule, each run by its handler (install.ts). */
export const PROMPT_JOB = "checkins.prompt";
export const ALUMNI_JOB = "checkins.alumni";
export const MISSED_JOB = "checkins.missed";
export const REVIEW_JOB = "checkins.review";
/** The checkin id alumni prompts are recorded under. */
export const ALUMNI_CHECKIN = "alumni";
