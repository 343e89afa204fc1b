import { DateTime } from "luxon";
import type { OnCallNow } from "../../ports/context";
import type { CommunityConfig } from "../../config/types";
import type { EscalationStep, NotifyTarget } from "./domain/escalation";
import { ladderOf, recipientsOf } from "./ladder";
import type { LadderGapsTonight } from "../../ports/paging";
import { nightBounds } from "./nightlyCap";
import { listOf, t, time, zone, type Value, type Words } from "../../words";
import { targetName, targetWords } from "./texts";

/**
 * Gaps in cover: the stretches in which a ladder step would find nobody to ask. Found by
 * asking the rota who is on call every `GAP_SAMPLE_MS` (the same question a page asks),
 * so breaks, consent and covers count exactly as they would for a page; a gap shorter
 * than the sampling step may be missed, and gap edges are exact to the sampling step.
 */
export const GAP_SAMPLE_MS = 5 * 60 * 1000;
export const GAP_JOB = "page.gaps";

export interface Interval {
  startMs: number;
  endMs: number;
}

export interface StepGaps {
  /** 0-based index in the ladder. */
  step: number;
  target: NotifyTarget;
  gaps: Interval[];
}

/** "Tonight", for a gap warning given at `atMs`: from then until the midday after the coming night. */
export function tonight(timezone: string, atMs: number): Interval {
  return { startMs: atMs, endMs: nightBounds(timezone, atMs + 12 * 60 * 60 * 1000).endMs };
}

/** Every ladder step's stretches with nobody to ask in [window.startMs, window.endMs). */
export function ladderGaps(
  ladder: readonly EscalationStep[],
  community: Pick<CommunityConfig, "staff" | "admins">,
  onCall: (atMs: number) => OnCallNow,
  window: Interval,
  sampleMs = GAP_SAMPLE_MS,
): StepGaps[] {
  const samples: Array<{ at: number; on: OnCallNow }> = [];
  for (let t = window.startMs; t < window.endMs; t = (Math.floor(t / sampleMs) + 1) * sampleMs) samples.push({ at: t, on: onCall(t) });
  return ladder.map((s, step) => {
    const gaps: Interval[] = [];
    samples.forEach(({ at, on }, i) => {
      if (recipientsOf(s.notify, community, on, []).length > 0) return;
      const end = i + 1 < samples.length ? samples[i + 1].at : window.endMs;
      const last = gaps[gaps.length - 1];
      if (last && last.endMs === at) last.endMs = end;
      else gaps.push({ startMs: at, endMs: end });
    });
    return { step, target: s.notify, gaps };
  });
}

/** One line per step with a gap, in English (person-facing text uses {@link gapWords}): "Step 1 (the peer supporters on call): nobody 02:00–08:00." */
export function gapLines(steps: readonly StepGaps[], timezone: string): string[] {
  const hhmm = (ms: number) => DateTime.fromMillis(ms, { zone: timezone }).toFormat("HH:mm");
  return steps
    .filter((s) => s.gaps.length > 0)
    .map((s) => `Step ${s.step + 1} (${targetName(s.target)}): nobody ${s.gaps.map((g) => `${hhmm(g.startMs)}–${hhmm(g.endMs)}`).join(", ")}.`);
}

export function windowText(w: Interval, timezone: string): string {
  const f = (ms: number) => DateTime.fromMillis(ms, { zone: timezone }).toFormat("ccc HH:mm");
  return `${f(w.startMs)} to ${f(w.endMs)} (${timezone} time)`;
}

/** {@link gapLines} in the reader's language, times in the community's zone. */
export function gapWords(steps: readonly StepGaps[], timezone: string): Words[] {
  return steps
    .filter((s) => s.gaps.length > 0)
    .map((s) =>
      t("paging.gapStep", {
        step: s.step + 1,
        target: targetWords(s.target),
        spans: listOf(s.gaps.map((g) => t("paging.span", { from: time(g.startMs, timezone, "time"), to: time(g.endMs, timezone, "time") }))),
      }),
    );
}

/** {@link windowText} in the reader's language, with the community's label for its zone. */
export function windowWords(w: Interval, timezone: string): Words & Value {
  return t("paging.window", { from: time(w.startMs, timezone, "day"), to: time(w.endMs, timezone, "day"), zone: zone(timezone) });
}

/** Tonight's gaps in the community's ladder, in words (the rota's `!oncall` is handed this). */
export const ladderGapsTonight: LadderGapsTonight = (c, now, onCall) => {
  const window = tonight(c.timezone, now);
  return { gaps: gapWords(ladderGaps(ladderOf(c), c, onCall, window), c.timezone), window: windowWords(window, c.timezone) };
};
