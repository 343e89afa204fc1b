import { payloadOf, type JobOf, type PayloadOf } from "../../../src/scheduler/registry";
import { TRANSITION_JOB } from "../../../src/features/hours/keeper";
import { PROMPT_JOB, REVIEW_JOB } from "../../../src/features/checkins/jobKinds";

/** The typed job registry (src/scheduler/registry.ts): checked by the compiler, run as a test. */
describe("the typed job registry", () => {
  it("a declared kind gives its handler a typed payload; an undeclared one stays untyped", () => {
    const job: JobOf<typeof TRANSITION_JOB> = {
      id: 1,
      kind: TRANSITION_JOB,
      key: "hours:oakwood:community",
      dueAt: 0,
      attempts: 0,
      createdAt: 0,
      payload: { communityId: "oakwood", roomKey: "community" },
    };
    const roomKey: string = job.payload.roomKey;
    // @ts-expect-error a declared payload has exactly its declared fields' types
    const wrong: PayloadOf<typeof TRANSITION_JOB> = { communityId: "oakwood", roomKey: 1 };
    const untyped: PayloadOf<"not.declared"> = { anything: 1 };
    expect([roomKey, wrong.communityId, untyped.anything]).toEqual(["community", "oakwood", 1]);
  });

  it("payloadOf reads a plain job's payload as its kind declares it, and refuses a job of another kind", () => {
    const job = { kind: REVIEW_JOB, payload: { communityId: "oak", userId: "@amy:example.org" } as Record<string, unknown> };
    const { userId } = payloadOf(REVIEW_JOB, job);
    expect(userId).toBe("@amy:example.org");
    expect(() => payloadOf(PROMPT_JOB, job)).toThrow("internal: a checkins.review job read as checkins.prompt");
  });
});
