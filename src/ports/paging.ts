/**
 * What the paging feature hands the others at install time, as types only.
 */
import type { CommunityConfig } from "../config/types";
import type { Value, Words } from "../words";
import type { OnCallNow } from "./context";

/**
 * The stretches from now until the midday after tonight in which a step of the community's
 * escalation ladder would find nobody to ask (one line per step with a gap), and that
 * window in words. `onCall` is who is on call at a moment, as a page would ask it.
 */
export type LadderGapsTonight = (c: CommunityConfig, now: number, onCall: (atMs: number) => OnCallNow) => { gaps: Words[]; window: Words & Value };
