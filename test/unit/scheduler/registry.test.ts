import type { JobOf, PayloadOf } from "../../../src/scheduler/registry";
import { TRANSITION_JOB } from "../../../src/features/hours/keeper";

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
});
