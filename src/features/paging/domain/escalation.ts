/**
 * The page escalation state machine (capability 4). Pure: the caller persists the
 * returned state, performs the effects (through the outbox) and schedules timers; time is
 * passed in as epoch milliseconds.
 *
 * Safety invariant ("no page is silently dropped"): every page ends with a human who
 * acknowledged it, or with the member holding the crisis resources. The member gets the
 * crisis resources when the page opens, and again, with a plain statement that nobody
 * could be reached, when the last step's wait runs out ("exhausted"). Staff are alerted
 * then too.
 *
 * Lifecycle:
 *
 *   (none) --open--> open(step 0) --deadline--> open(step 1) ... --deadline--> exhausted
 *   open/exhausted --ack--> acknowledged (no more deadlines)
 *   acknowledged --repeat--> acknowledged, awaiting confirmation --ack--> acknowledged
 *   acknowledged, awaiting confirmation --deadline--> open(step 0) of a new round
 *   exhausted, or acknowledged long ago (stale) --repeat--> open(step 0) of a new round
 *   open/acknowledged/exhausted --resolve--> resolved (debrief for the acknowledger)
 *
 * Choices:
 *
 * - **Deadlines are idempotent.** A `deadline` event only acts when the page is open (or
 *   awaits confirmation) and `nowMs >= nextDeadlineMs`. An early, duplicate or stale timer (after an ack, a
 *   resolve, or a step that was already taken) returns the state unchanged, no effects.
 * - **Catch-up after downtime is one step per deadline event, re-scheduled from now.** If
 *   the service was down past several deadlines, the first `deadline` event notifies only
 *   the next step and schedules the following deadline at `now + that step's wait`. No
 *   step is skipped and every step's people get their full wait to respond; the cost is
 *   that a page held up by an outage of length D reaches "exhausted" up to D later than
 *   `openedAtMs + sum(waits)`. The member already has the crisis resources from the
 *   moment the page opened, so they are never left with nothing while the ladder catches up.
 * - **Empty ladder**: opening goes straight to "exhausted": the member is told nobody could
 *   be reached, gets the crisis resources, and staff are alerted.
 * - **Repeat page** (the same member pages again): on an open page it joins it
 *   (`repeatCount` + 1, the member is told the page is still going; nobody is re-notified);
 *   on an **exhausted** page it starts a new round of the ladder from step 0 (nobody was
 *   reached last time, so the new request must not be swallowed). On a resolved page (or
 *   no page) it opens a new page.
 * - **Repeat page on an acknowledged page** is never swallowed either: whoever acknowledged
 *   is asked at once to confirm they are still there (`ask_acknowledger`). If the
 *   acknowledgement is **stale** — older than the ladder's total time, the longest a page
 *   may wait for a human — a new round starts at once. Otherwise the page stays
 *   acknowledged with a **confirmation deadline** (`nextDeadlineMs` set on an acknowledged
 *   page) one first-step wait away: an `ack` by then confirms (the acknowledger is whoever
 *   answered, the deadline is cleared); when it runs out, a new round starts. A repeat while
 *   a confirmation is awaited leaves that deadline as it is. With an empty ladder there is
 *   nothing to wait for: a new round starts at once (and is exhausted at once).
 * - **A new round** (`new_round` effect first) clears the previous acknowledgement from the
 *   state (the people who came stay in the caller's records) and runs the ladder from
 *   step 0 like a fresh page, crisis resources included. `ladder` is the ladder the new
 *   round should follow (the caller passes the community's current one).
 * - `open` on an existing page is treated as `repeat`, so it can never restart or drop one.
 * - A second `ack` keeps the first acknowledger and changes nothing. `ack` on an exhausted
 *   page means a human has arrived late: the page becomes acknowledged.
 * - `resolve` on a resolved page is a no-op. The debrief goes to the acknowledger; a page
 *   resolved without an ack has no debrief.
 * - `ack`, `deadline` and `resolve` need an existing page; with `null` they throw (a caller
 *   bug: the command layer answers "there is no open page" before calling this).
 */

export type NotifyTarget = "on_call_peers" | "backup_peers" | "on_call_staff" | "all_staff";

export interface EscalationStep {
  notify: NotifyTarget;
  waitMs: number;
}

export type PageStatus = "open" | "acknowledged" | "resolved" | "exhausted";

export interface PageState {
  status: PageStatus;
  /** Index of the ladder step last notified; -1 before the first (or with an empty ladder). */
  step: number;
  openedAtMs: number;
  /**
   * When the current step's wait runs out (open), or by when the acknowledger must confirm
   * after a repeat page (acknowledged); null otherwise.
   */
  nextDeadlineMs: number | null;
  acknowledgedBy?: string;
  acknowledgedAtMs?: number;
  resolvedBy?: string;
  resolvedAtMs?: number;
  /** Times the member paged again while this page was active. */
  repeatCount: number;
  /** When the ladder ran out (the last time, if it was restarted by a repeat page). */
  exhaustedAtMs?: number;
}

export type PageEvent =
  | { kind: "open" }
  | { kind: "deadline" }
  | { kind: "ack"; by: string }
  | { kind: "repeat" }
  | { kind: "resolve"; by: string };

export type MemberMessage = "paging" | "acknowledged" | "paged_again" | "nobody_reached" | "resolved";

export type Effect =
  | { kind: "notify"; target: NotifyTarget; step: number }
  | { kind: "tell_member"; what: MemberMessage }
  | { kind: "send_crisis_resources" }
  | { kind: "alert_staff"; why: "exhausted" }
  | { kind: "schedule"; atMs: number }
  | { kind: "debrief"; userId: string }
  /** The page starts a new round of the ladder (the caller keys the round's messages and jobs anew). */
  | { kind: "new_round" }
  /** Tell whoever acknowledged that the member paged again, and ask them to confirm. */
  | { kind: "ask_acknowledger"; userId: string };

export interface StepResult {
  state: PageState;
  effects: Effect[];
}

/** Sum of the ladder's waits: how long after opening a page is exhausted if nobody acks. */
export function totalEscalationMs(ladder: readonly EscalationStep[]): number {
  return ladder.reduce((sum, s) => sum + waitOf(s), 0);
}

function waitOf(s: EscalationStep): number {
  return Number.isFinite(s.waitMs) && s.waitMs > 0 ? s.waitMs : 0;
}

/**
 * An acknowledgement older than the ladder's total time no longer vouches for anyone being
 * there: a repeat page then starts a new round at once.
 */
export function isAckStale(state: PageState, ladder: readonly EscalationStep[], nowMs: number): boolean {
  return state.acknowledgedAtMs === undefined || nowMs - state.acknowledgedAtMs >= totalEscalationMs(ladder);
}

/** An acknowledged page whose acknowledger was asked to confirm after a repeat page, and has not yet. */
export function awaitsConfirmation(state: PageState): boolean {
  return state.status === "acknowledged" && state.nextDeadlineMs !== null;
}

/** Pages whose status still needs the service's attention. */
export function isActive(state: PageState): boolean {
  return state.status !== "resolved";
}

/** Advance the page by one event. Never mutates `state`. */
export function step(
  state: PageState | null,
  event: PageEvent,
  ladder: readonly EscalationStep[],
  nowMs: number,
): StepResult {
  if (state === null || state.status === "resolved") {
    if (event.kind === "open" || event.kind === "repeat") return openPage(ladder, nowMs);
    if (state === null) {
      throw new Error(`Cannot apply "${event.kind}" to a page that does not exist`);
    }
    return unchanged(state);
  }
  switch (event.kind) {
    case "open":
    case "repeat":
      return repeatPage(state, ladder, nowMs);
    case "deadline":
      return deadline(state, ladder, nowMs);
    case "ack":
      return acknowledge(state, event.by, nowMs);
    case "resolve":
      return resolve(state, event.by, nowMs);
  }
}

function unchanged(state: PageState): StepResult {
  return { state, effects: [] };
}

function openPage(ladder: readonly EscalationStep[], nowMs: number): StepResult {
  const fresh: PageState = {
    status: "open",
    step: -1,
    openedAtMs: nowMs,
    nextDeadlineMs: null,
    repeatCount: 0,
  };
  return startLadder(fresh, ladder, nowMs);
}

/** Notify step 0 (or exhaust at once for an empty ladder); crisis resources either way. */
function startLadder(base: PageState, ladder: readonly EscalationStep[], nowMs: number): StepResult {
  const first = ladder[0];
  if (first === undefined) {
    return {
      state: { ...base, status: "exhausted", step: -1, nextDeadlineMs: null, exhaustedAtMs: nowMs },
      effects: exhaustedEffects(),
    };
  }
  const atMs = nowMs + waitOf(first);
  return {
    state: { ...base, status: "open", step: 0, nextDeadlineMs: atMs },
    effects: [
      { kind: "notify", target: first.notify, step: 0 },
      { kind: "tell_member", what: "paging" },
      { kind: "send_crisis_resources" },
      { kind: "schedule", atMs },
    ],
  };
}

function exhaustedEffects(): Effect[] {
  return [
    { kind: "tell_member", what: "nobody_reached" },
    { kind: "send_crisis_resources" },
    { kind: "alert_staff", why: "exhausted" },
  ];
}

/** Runs the ladder again from step 0, as a fresh page would, forgetting the last acknowledgement. */
function newRound(state: PageState, ladder: readonly EscalationStep[], nowMs: number): StepResult {
  const { acknowledgedBy: _by, acknowledgedAtMs: _at, ...rest } = state;
  const r = startLadder({ ...rest, nextDeadlineMs: null }, ladder, nowMs);
  return { state: r.state, effects: [{ kind: "new_round" }, ...r.effects] };
}

function repeatPage(state: PageState, ladder: readonly EscalationStep[], nowMs: number): StepResult {
  const counted: PageState = { ...state, repeatCount: state.repeatCount + 1 };
  switch (state.status) {
    case "open":
      return { state: counted, effects: [{ kind: "tell_member", what: "paging" }] };
    case "acknowledged":
      return repeatOnAcknowledged(counted, ladder, nowMs);
    case "exhausted":
      return newRound(counted, ladder, nowMs);
    case "resolved":
      return unchanged(state); // handled by the caller of repeatPage; kept for exhaustiveness
  }
}

function repeatOnAcknowledged(state: PageState, ladder: readonly EscalationStep[], nowMs: number): StepResult {
  const ask: Effect[] = state.acknowledgedBy !== undefined ? [{ kind: "ask_acknowledger", userId: state.acknowledgedBy }] : [];
  const first = ladder[0];
  if (first === undefined || isAckStale(state, ladder, nowMs)) {
    const r = newRound(state, ladder, nowMs);
    return { state: r.state, effects: [...ask, ...r.effects] };
  }
  const told: Effect[] = [...ask, { kind: "tell_member", what: "paged_again" }, { kind: "send_crisis_resources" }];
  if (state.nextDeadlineMs !== null) return { state, effects: told }; // already awaiting confirmation
  const atMs = nowMs + waitOf(first);
  return { state: { ...state, nextDeadlineMs: atMs }, effects: [...told, { kind: "schedule", atMs }] };
}

function deadline(state: PageState, ladder: readonly EscalationStep[], nowMs: number): StepResult {
  if (awaitsConfirmation(state) && nowMs >= state.nextDeadlineMs!) return newRound(state, ladder, nowMs);
  if (state.status !== "open" || state.nextDeadlineMs === null || nowMs < state.nextDeadlineMs) {
    return unchanged(state);
  }
  const nextIndex = state.step + 1;
  const next = ladder[nextIndex];
  if (next === undefined) {
    return {
      state: { ...state, status: "exhausted", nextDeadlineMs: null, exhaustedAtMs: nowMs },
      effects: exhaustedEffects(),
    };
  }
  const atMs = nowMs + waitOf(next);
  return {
    state: { ...state, step: nextIndex, nextDeadlineMs: atMs },
    effects: [
      { kind: "notify", target: next.notify, step: nextIndex },
      { kind: "schedule", atMs },
    ],
  };
}

function acknowledge(state: PageState, by: string, nowMs: number): StepResult {
  // Awaiting confirmation after a repeat page: whoever answers first is the one there now.
  const confirming = awaitsConfirmation(state);
  if (state.status !== "open" && state.status !== "exhausted" && !confirming) return unchanged(state);
  return {
    state: {
      ...state,
      status: "acknowledged",
      nextDeadlineMs: null,
      acknowledgedBy: by,
      acknowledgedAtMs: nowMs,
    },
    effects: [{ kind: "tell_member", what: "acknowledged" }],
  };
}

function resolve(state: PageState, by: string, nowMs: number): StepResult {
  const effects: Effect[] = [{ kind: "tell_member", what: "resolved" }];
  if (state.acknowledgedBy !== undefined) effects.push({ kind: "debrief", userId: state.acknowledgedBy });
  return {
    state: { ...state, status: "resolved", nextDeadlineMs: null, resolvedBy: by, resolvedAtMs: nowMs },
    effects,
  };
}
