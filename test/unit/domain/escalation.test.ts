import { awaitsConfirmation, Effect, EscalationStep, isActive, isAckStale, PageEvent, PageState, step, totalEscalationMs } from "../../../src/features/paging/domain/escalation";
import { describeDuration, parseDuration } from "../../../src/kernel/durations";

const MIN = 60_000;
const T0 = Date.parse("2026-01-12T22:00:00Z");

/** The sample config's ladder: peers 10m, backup peers 10m, on-call staff 15m. */
const LADDER: EscalationStep[] = [
  { notify: "on_call_peers", waitMs: 10 * MIN },
  { notify: "backup_peers", waitMs: 10 * MIN },
  { notify: "on_call_staff", waitMs: 15 * MIN },
];

/** A new round from step 0: the peers on call asked again, the member told, the crisis resources sent, the first wait until `nextAt`. */
const newRound = (nextAt: number): Effect[] => [
  { kind: "new_round" },
  { kind: "notify", target: "on_call_peers", step: 0 },
  { kind: "tell_member", what: "paging" },
  { kind: "send_crisis_resources" },
  { kind: "schedule", atMs: nextAt },
];

const EXHAUSTED_EFFECTS: Effect[] = [
  { kind: "tell_member", what: "nobody_reached" },
  { kind: "send_crisis_resources" },
  { kind: "alert_staff", why: "exhausted" },
];

function open(ladder: EscalationStep[] = LADDER, at = T0) {
  return step(null, { kind: "open" }, ladder, at);
}

/** Opens at T0 and lets deadlines fire on time until the page has notified step `n`. */
function openedAtStep(n: number): PageState {
  let s = open().state;
  while (s.step < n) s = step(s, { kind: "deadline" }, LADDER, s.nextDeadlineMs!).state;
  return s;
}

describe("opening a page", () => {
  it("notifies step 0, tells the member, sends the crisis resources and schedules the deadline", () => {
    const { state, effects } = open();
    expect(state).toEqual({ status: "open", step: 0, openedAtMs: T0, nextDeadlineMs: T0 + 10 * MIN, repeatCount: 0 });
    expect(effects).toEqual([
      { kind: "notify", target: "on_call_peers", step: 0 },
      { kind: "tell_member", what: "paging" },
      { kind: "send_crisis_resources" },
      { kind: "schedule", atMs: T0 + 10 * MIN },
    ]);
  });

  it("with an empty ladder goes straight to exhausted, and the member still gets the crisis resources", () => {
    const { state, effects } = open([]);
    expect(state).toEqual({ status: "exhausted", step: -1, openedAtMs: T0, nextDeadlineMs: null, repeatCount: 0, exhaustedAtMs: T0 });
    expect(effects).toEqual(EXHAUSTED_EFFECTS);
  });

  it("refuses events other than open/repeat for a page that does not exist", () => {
    expect(() => step(null, { kind: "ack", by: "@bob:x" }, LADDER, T0)).toThrow('Cannot apply "ack" to a page that does not exist');
    expect(() => step(null, { kind: "deadline" }, LADDER, T0)).toThrow(/deadline/);
    expect(() => step(null, { kind: "resolve", by: "@bob:x" }, LADDER, T0)).toThrow(/resolve/);
  });

  it("a repeat with no page opens one (a page is never swallowed)", () => {
    expect(step(null, { kind: "repeat" }, LADDER, T0)).toEqual(open());
  });
});

describe("escalating without an ack", () => {
  it("walks the ladder on time and ends exhausted with the crisis resources after sum(waits)", () => {
    const s0 = open().state;
    const r1 = step(s0, { kind: "deadline" }, LADDER, T0 + 10 * MIN);
    expect(r1.state).toMatchObject({ status: "open", step: 1, nextDeadlineMs: T0 + 20 * MIN });
    expect(r1.effects).toEqual([
      { kind: "notify", target: "backup_peers", step: 1 },
      { kind: "schedule", atMs: T0 + 20 * MIN },
    ]);
    const r2 = step(r1.state, { kind: "deadline" }, LADDER, T0 + 20 * MIN);
    expect(r2.state).toMatchObject({ status: "open", step: 2, nextDeadlineMs: T0 + 35 * MIN });
    expect(r2.effects).toEqual([
      { kind: "notify", target: "on_call_staff", step: 2 },
      { kind: "schedule", atMs: T0 + 35 * MIN },
    ]);
    const r3 = step(r2.state, { kind: "deadline" }, LADDER, T0 + 35 * MIN);
    expect(r3.state).toEqual({ status: "exhausted", step: 2, openedAtMs: T0, nextDeadlineMs: null, repeatCount: 0, exhaustedAtMs: T0 + 35 * MIN });
    expect(r3.effects).toEqual(EXHAUSTED_EFFECTS);
    expect(totalEscalationMs(LADDER)).toBe(35 * MIN);
  });

  it("ignores an early deadline (timer fired before the wait ran out)", () => {
    const s0 = open().state;
    const r = step(s0, { kind: "deadline" }, LADDER, T0 + 10 * MIN - 1);
    expect(r.state).toBe(s0);
    expect(r.effects).toEqual([]);
  });

  it("ignores a duplicate deadline for a step already taken", () => {
    const s1 = step(open().state, { kind: "deadline" }, LADDER, T0 + 10 * MIN).state;
    const dup = step(s1, { kind: "deadline" }, LADDER, T0 + 10 * MIN);
    expect(dup.state).toBe(s1);
    expect(dup.effects).toEqual([]);
  });

  it("ignores a deadline once exhausted", () => {
    const s = openedAtStep(2);
    const exhausted = step(s, { kind: "deadline" }, LADDER, T0 + 35 * MIN).state;
    const again = step(exhausted, { kind: "deadline" }, LADDER, T0 + 99 * MIN);
    expect(again.state).toBe(exhausted);
    expect(again.effects).toEqual([]);
  });

  it("treats a zero or negative wait as 'escalate at once'", () => {
    const ladder: EscalationStep[] = [
      { notify: "on_call_peers", waitMs: 0 },
      { notify: "all_staff", waitMs: -5 },
    ];
    const r0 = open(ladder);
    expect(r0.state.nextDeadlineMs).toBe(T0);
    const r1 = step(r0.state, { kind: "deadline" }, ladder, T0);
    expect(r1.effects).toEqual([
      { kind: "notify", target: "all_staff", step: 1 },
      { kind: "schedule", atMs: T0 },
    ]);
    expect(step(r1.state, { kind: "deadline" }, ladder, T0).state.status).toBe("exhausted");
  });
});

describe("acknowledging", () => {
  it.each([0, 1, 2])("an ack at step %i stops escalation; the pending deadline is then a no-op", (n) => {
    const s = openedAtStep(n);
    const pending = s.nextDeadlineMs!;
    const ackAt = pending - MIN;
    const r = step(s, { kind: "ack", by: "@bob:x" }, LADDER, ackAt);
    expect(r.state).toEqual({
      status: "acknowledged",
      step: n,
      openedAtMs: T0,
      nextDeadlineMs: null,
      acknowledgedBy: "@bob:x",
      acknowledgedAtMs: ackAt,
      repeatCount: 0,
    });
    expect(r.effects).toEqual([{ kind: "tell_member", what: "acknowledged" }]);
    const late = step(r.state, { kind: "deadline" }, LADDER, pending);
    expect(late.state).toBe(r.state);
    expect(late.effects).toEqual([]);
  });

  it("a second ack keeps the first acknowledger", () => {
    const acked = step(open().state, { kind: "ack", by: "@bob:x" }, LADDER, T0 + MIN).state;
    const r = step(acked, { kind: "ack", by: "@cat:x" }, LADDER, T0 + 2 * MIN);
    expect(r.state).toBe(acked);
    expect(r.effects).toEqual([]);
  });

  it("an ack after exhaustion means a human arrived late: the page becomes acknowledged", () => {
    const exhausted = step(openedAtStep(2), { kind: "deadline" }, LADDER, T0 + 35 * MIN).state;
    const r = step(exhausted, { kind: "ack", by: "@sam:x" }, LADDER, T0 + 50 * MIN);
    expect(r.state).toMatchObject({ status: "acknowledged", acknowledgedBy: "@sam:x", acknowledgedAtMs: T0 + 50 * MIN, nextDeadlineMs: null });
    expect(r.effects).toEqual([{ kind: "tell_member", what: "acknowledged" }]);
  });
});

describe("repeat pages", () => {
  it("on an open page: joins it, is counted, and does not re-notify or move the deadline", () => {
    const s0 = open().state;
    const r = step(s0, { kind: "repeat" }, LADDER, T0 + 3 * MIN);
    expect(r.state).toEqual({ ...s0, repeatCount: 1 });
    expect(r.effects).toEqual([{ kind: "tell_member", what: "paging" }]);
    const r2 = step(r.state, { kind: "repeat" }, LADDER, T0 + 4 * MIN);
    expect(r2.state.repeatCount).toBe(2);
    expect(r2.state.nextDeadlineMs).toBe(T0 + 10 * MIN);
  });

  it("`open` on an existing page is treated as a repeat, never as a restart", () => {
    const s1 = openedAtStep(1);
    const r = step(s1, { kind: "open" }, LADDER, T0 + 12 * MIN);
    expect(r.state).toEqual({ ...s1, repeatCount: 1 });
    expect(r.effects).toEqual([{ kind: "tell_member", what: "paging" }]);
  });

  it("on an acknowledged page: never swallowed — the acknowledger is asked to confirm within one first-step wait", () => {
    const acked = step(open().state, { kind: "ack", by: "@bob:x" }, LADDER, T0 + MIN).state;
    const r = step(acked, { kind: "repeat" }, LADDER, T0 + 5 * MIN);
    expect(r.state).toEqual({ ...acked, repeatCount: 1, nextDeadlineMs: T0 + 15 * MIN });
    expect(awaitsConfirmation(r.state)).toBe(true);
    expect(r.effects).toEqual([
      { kind: "ask_acknowledger", userId: "@bob:x" },
      { kind: "tell_member", what: "paged_again" },
      { kind: "send_crisis_resources" },
      { kind: "schedule", atMs: T0 + 15 * MIN },
    ]);
  });

  it("paging again while a confirmation is awaited asks the acknowledger again and leaves the deadline", () => {
    const acked = step(open().state, { kind: "ack", by: "@bob:x" }, LADDER, T0 + MIN).state;
    const waiting = step(acked, { kind: "repeat" }, LADDER, T0 + 5 * MIN).state;
    const r = step(waiting, { kind: "repeat" }, LADDER, T0 + 8 * MIN);
    expect(r.state).toEqual({ ...waiting, repeatCount: 2 });
    expect(r.effects).toEqual([
      { kind: "ask_acknowledger", userId: "@bob:x" },
      { kind: "tell_member", what: "paged_again" },
      { kind: "send_crisis_resources" },
    ]);
  });

  it("an ack while a confirmation is awaited confirms: whoever answered is the acknowledger, the deadline is cleared", () => {
    const acked = step(open().state, { kind: "ack", by: "@bob:x" }, LADDER, T0 + MIN).state;
    const waiting = step(acked, { kind: "repeat" }, LADDER, T0 + 5 * MIN).state;
    const byBob = step(waiting, { kind: "ack", by: "@bob:x" }, LADDER, T0 + 7 * MIN);
    expect(byBob.state).toEqual({ ...waiting, nextDeadlineMs: null, acknowledgedAtMs: T0 + 7 * MIN });
    expect(byBob.effects).toEqual([{ kind: "tell_member", what: "acknowledged" }]);
    const byCat = step(waiting, { kind: "ack", by: "@cat:x" }, LADDER, T0 + 7 * MIN);
    expect(byCat.state).toMatchObject({ status: "acknowledged", acknowledgedBy: "@cat:x", nextDeadlineMs: null });
    // The confirmation's deadline, fired after it, changes nothing.
    expect(step(byBob.state, { kind: "deadline" }, LADDER, T0 + 15 * MIN)).toEqual({ state: byBob.state, effects: [] });
  });

  it("no confirmation by the deadline: a new round from step 0, the old acknowledgement forgotten; an early timer does nothing", () => {
    const acked = step(open().state, { kind: "ack", by: "@bob:x" }, LADDER, T0 + MIN).state;
    const waiting = step(acked, { kind: "repeat" }, LADDER, T0 + 5 * MIN).state;
    expect(step(waiting, { kind: "deadline" }, LADDER, T0 + 15 * MIN - 1)).toEqual({ state: waiting, effects: [] });
    const r = step(waiting, { kind: "deadline" }, LADDER, T0 + 15 * MIN);
    expect(r.state).toEqual({ status: "open", step: 0, openedAtMs: T0, nextDeadlineMs: T0 + 25 * MIN, repeatCount: 1 });
    expect(r.effects).toEqual(newRound(T0 + 25 * MIN));
  });

  it("on a page acknowledged longer ago than the ladder's total time: a new round at once, and the acknowledger is told", () => {
    const acked = step(open().state, { kind: "ack", by: "@bob:x" }, LADDER, T0 + MIN).state;
    const total = totalEscalationMs(LADDER); // 35 minutes
    expect(isAckStale(acked, LADDER, T0 + MIN + total - 1)).toBe(false);
    expect(isAckStale(acked, LADDER, T0 + MIN + total)).toBe(true);
    const thursday = T0 + 3 * 24 * 60 * MIN;
    const r = step(acked, { kind: "repeat" }, LADDER, thursday);
    expect(r.state).toEqual({ status: "open", step: 0, openedAtMs: T0, nextDeadlineMs: thursday + 10 * MIN, repeatCount: 1 });
    expect(r.effects).toEqual([{ kind: "ask_acknowledger", userId: "@bob:x" }, ...newRound(thursday + 10 * MIN)]);
  });

  it("on an acknowledged page with an empty ladder: nothing to wait for, so a new round that is exhausted at once", () => {
    const acked = step(open().state, { kind: "ack", by: "@bob:x" }, LADDER, T0 + MIN).state;
    const r = step(acked, { kind: "repeat" }, [], T0 + 2 * MIN);
    expect(r.state).toMatchObject({ status: "exhausted", exhaustedAtMs: T0 + 2 * MIN, nextDeadlineMs: null });
    expect(r.effects).toEqual([{ kind: "ask_acknowledger", userId: "@bob:x" }, { kind: "new_round" }, ...EXHAUSTED_EFFECTS]);
  });

  it("on an exhausted page: starts the ladder again from step 0 on the same page", () => {
    const exhausted = step(openedAtStep(2), { kind: "deadline" }, LADDER, T0 + 35 * MIN).state;
    const r = step(exhausted, { kind: "repeat" }, LADDER, T0 + 60 * MIN);
    expect(r.state).toEqual({
      status: "open",
      step: 0,
      openedAtMs: T0,
      nextDeadlineMs: T0 + 70 * MIN,
      repeatCount: 1,
      exhaustedAtMs: T0 + 35 * MIN,
    });
    expect(r.effects).toEqual(newRound(T0 + 70 * MIN));
  });

  it("on a resolved page: opens a new page", () => {
    const resolved = step(open().state, { kind: "resolve", by: "@bob:x" }, LADDER, T0 + MIN).state;
    expect(step(resolved, { kind: "repeat" }, LADDER, T0 + 90 * MIN)).toEqual(open(LADDER, T0 + 90 * MIN));
    expect(step(resolved, { kind: "open" }, LADDER, T0 + 90 * MIN)).toEqual(open(LADDER, T0 + 90 * MIN));
  });
});

describe("resolving", () => {
  it("from acknowledged: ends the page and asks the acknowledger for a debrief", () => {
    const acked = step(openedAtStep(1), { kind: "ack", by: "@bob:x" }, LADDER, T0 + 12 * MIN).state;
    const r = step(acked, { kind: "resolve", by: "@cat:x" }, LADDER, T0 + 40 * MIN);
    expect(r.state).toEqual({
      status: "resolved",
      step: 1,
      openedAtMs: T0,
      nextDeadlineMs: null,
      acknowledgedBy: "@bob:x",
      acknowledgedAtMs: T0 + 12 * MIN,
      resolvedBy: "@cat:x",
      resolvedAtMs: T0 + 40 * MIN,
      repeatCount: 0,
    });
    expect(r.effects).toEqual([
      { kind: "tell_member", what: "resolved" },
      { kind: "debrief", userId: "@bob:x" },
    ]);
    expect(isActive(r.state)).toBe(false);
    expect(isActive(acked)).toBe(true);
  });

  it("from open: ends escalation; no acknowledger, so no debrief; the pending deadline is a no-op", () => {
    const s0 = open().state;
    const r = step(s0, { kind: "resolve", by: "@amy:x" }, LADDER, T0 + 2 * MIN);
    expect(r.state).toMatchObject({ status: "resolved", resolvedBy: "@amy:x", resolvedAtMs: T0 + 2 * MIN, nextDeadlineMs: null });
    expect(r.effects).toEqual([{ kind: "tell_member", what: "resolved" }]);
    const late = step(r.state, { kind: "deadline" }, LADDER, T0 + 10 * MIN);
    expect(late.state).toBe(r.state);
    expect(late.effects).toEqual([]);
  });

  it("from exhausted", () => {
    const exhausted = step(openedAtStep(2), { kind: "deadline" }, LADDER, T0 + 35 * MIN).state;
    const r = step(exhausted, { kind: "resolve", by: "@sam:x" }, LADDER, T0 + 80 * MIN);
    expect(r.state).toMatchObject({ status: "resolved", resolvedBy: "@sam:x", exhaustedAtMs: T0 + 35 * MIN });
    expect(r.effects).toEqual([{ kind: "tell_member", what: "resolved" }]);
  });

  it("twice is a no-op, and a late ack does not reopen it", () => {
    const resolved = step(open().state, { kind: "resolve", by: "@bob:x" }, LADDER, T0 + MIN).state;
    for (const ev of [{ kind: "resolve", by: "@cat:x" }, { kind: "ack", by: "@cat:x" }] as PageEvent[]) {
      const r = step(resolved, ev, LADDER, T0 + 2 * MIN);
      expect(r.state).toBe(resolved);
      expect(r.effects).toEqual([]);
    }
  });
});

describe("catch-up after downtime", () => {
  it("advances one step per deadline event, re-scheduling from now, and skips no step", () => {
    const s0 = open().state;
    // The service was down from T0+1m to T0+2h: every deadline of the ladder has passed.
    const back = T0 + 120 * MIN;
    const r1 = step(s0, { kind: "deadline" }, LADDER, back);
    expect(r1.state).toMatchObject({ status: "open", step: 1, nextDeadlineMs: back + 10 * MIN });
    expect(r1.effects).toEqual([
      { kind: "notify", target: "backup_peers", step: 1 },
      { kind: "schedule", atMs: back + 10 * MIN },
    ]);
    // A second overdue timer found by the same scan does not jump ahead.
    const dup = step(r1.state, { kind: "deadline" }, LADDER, back);
    expect(dup.state).toBe(r1.state);
    expect(dup.effects).toEqual([]);

    const r2 = step(r1.state, { kind: "deadline" }, LADDER, back + 10 * MIN);
    expect(r2.effects).toEqual([
      { kind: "notify", target: "on_call_staff", step: 2 },
      { kind: "schedule", atMs: back + 25 * MIN },
    ]);
    const r3 = step(r2.state, { kind: "deadline" }, LADDER, back + 25 * MIN);
    expect(r3.state).toMatchObject({ status: "exhausted", exhaustedAtMs: back + 25 * MIN });
    expect(r3.effects).toEqual(EXHAUSTED_EFFECTS);
  });
});

/** Small deterministic PRNG (mulberry32) so failures of the random runs below are reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("invariant: without ack or resolve, every page ends exhausted with the crisis resources", () => {
  const targets = ["on_call_peers", "backup_peers", "on_call_staff", "all_staff"] as const;

  it.each(Array.from({ length: 200 }, (_, i) => i + 1))("random run %i", (seed) => {
    const rand = rng(seed);
    const ladder: EscalationStep[] = Array.from({ length: Math.floor(rand() * 5) }, () => ({
      notify: targets[Math.floor(rand() * targets.length)]!,
      waitMs: Math.floor(rand() * 31) * MIN,
    }));
    let now = T0;
    let r = step(null, { kind: "open" }, ladder, now);
    const all: Effect[] = [...r.effects];
    let exhaustingEffects: Effect[] = r.state.status === "exhausted" ? r.effects : [];
    for (let i = 0; i < 1000 && r.state.status === "open"; i++) {
      const deadline = r.state.nextDeadlineMs!;
      const roll = rand();
      let ev: PageEvent;
      if (roll < 0.3) {
        ev = { kind: "repeat" }; // the member pages again before the deadline
        const t = now + Math.floor(rand() * MIN);
        if (t >= deadline) continue;
        now = t;
      } else if (roll < 0.5) {
        ev = { kind: "deadline" }; // early or duplicate timer
        if (deadline <= now) continue;
        now = now + Math.floor(rand() * (deadline - now));
      } else {
        ev = { kind: "deadline" }; // the timer fires on time
        now = deadline;
      }
      r = step(r.state, ev, ladder, now);
      all.push(...r.effects);
      if (r.state.status === "exhausted") exhaustingEffects = r.effects;
    }
    expect(r.state.status).toBe("exhausted");
    expect(exhaustingEffects).toEqual(EXHAUSTED_EFFECTS);
    expect(r.state.exhaustedAtMs).toBe(T0 + totalEscalationMs(ladder));
    // Every step was notified exactly once, in order.
    expect(all.filter((e) => e.kind === "notify").map((e) => (e.kind === "notify" ? [e.step, e.target] : null))).toEqual(
      ladder.map((s, i) => [i, s.notify]),
    );
    // Crisis resources at opening, and again at exhaustion when the ladder was not empty.
    expect(all.filter((e) => e.kind === "send_crisis_resources")).toHaveLength(ladder.length === 0 ? 1 : 2);
  });
});

describe("invariant: a repeat page is never swallowed by an acknowledgement nobody stands behind", () => {

  // Acks and repeats in any order; then the member pages once more and nobody answers: the
  // page must end exhausted (crisis resources, staff alerted), within a first-step wait plus
  // the ladder's total time of that last page when timers fire on time.
  it.each(Array.from({ length: 200 }, (_, i) => i + 1))("random run %i", (seed) => {
    const rand = rng(seed);
    const ladder: EscalationStep[] = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => ({
      notify: "on_call_peers" as const,
      waitMs: (1 + Math.floor(rand() * 30)) * MIN,
    }));
    let now = T0;
    let r = step(null, { kind: "open" }, ladder, now);
    for (let i = 0; i < 30; i++) {
      now += Math.floor(rand() * 90) * MIN;
      const roll = rand();
      const ev: PageEvent =
        roll < 0.35 ? { kind: "ack", by: rand() < 0.5 ? "@bob:x" : "@cat:x" } : roll < 0.7 ? { kind: "repeat" } : { kind: "deadline" };
      r = step(r.state, ev, ladder, now);
      if (r.state.status === "resolved") return; // closed by nobody here; kept for exhaustiveness
    }
    now += MIN;
    const lastPage = now;
    r = step(r.state, { kind: "repeat" }, ladder, now);
    for (let i = 0; i < 20 && r.state.status !== "exhausted"; i++) {
      expect(r.state.nextDeadlineMs).not.toBeNull(); // something is always due: never a silent wait
      now = r.state.nextDeadlineMs!;
      r = step(r.state, { kind: "deadline" }, ladder, now);
    }
    expect(r.state.status).toBe("exhausted");
    expect(r.effects).toEqual(EXHAUSTED_EFFECTS);
    expect(r.state.exhaustedAtMs! - lastPage).toBeLessThanOrEqual(ladder[0]!.waitMs + totalEscalationMs(ladder));
  });
});

describe("durations", () => {
  it.each([
    ["10m", 600_000],
    ["90s", 90_000],
    ["1h", 3_600_000],
    ["1h30m", 5_400_000],
    ["2d", 172_800_000],
    ["1d2h3m4s", 93_784_000],
    ["0s", 0],
    [" 15m ", 900_000],
    ["10M", 600_000],
  ])("parseDuration(%j) = %i", (s, ms) => {
    expect(parseDuration(s)).toBe(ms);
  });

  it.each(["", "10", "m", "1.5h", "-5m", "30m1h", "10 m", "1h1h", "ten minutes", "99999999999999999999d"])(
    "parseDuration(%j) is null",
    (s) => {
      expect(parseDuration(s)).toBeNull();
    },
  );

  it.each([
    [600_000, "10 minutes"],
    [5_400_000, "1 hour 30 minutes"],
    [90_000, "1 minute 30 seconds"],
    [1_000, "1 second"],
    [3_600_000, "1 hour"],
    [90_061_000, "1 day 1 hour 1 minute 1 second"],
    [999, "0 seconds"],
    [0, "0 seconds"],
    [-5, "0 seconds"],
  ])("describeDuration(%i) = %j", (ms, text) => {
    expect(describeDuration(ms)).toBe(text);
  });

  it("describes what it parses", () => {
    expect(describeDuration(parseDuration("1h30m")!)).toBe("1 hour 30 minutes");
  });
});
