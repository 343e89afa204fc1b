import type { CarenetConfig, RetentionConfig } from "./types";
import { parseDuration } from "../kernel/durations";

/** The schema's defaults, for configs built in code. */
export const RETENTION_DEFAULTS: Required<RetentionConfig> = {
  checkins: "365d",
  pages: "365d",
  rota: "365d",
  removed_members: "90d",
};

/**
 * How long the appservice's own bookkeeping is kept: handled events' ids (their content is
 * dropped as soon as they are handled), messages sent (with their content), finished jobs.
 */
export const BOOKKEEPING_DAYS = 7;

export interface Period {
  days: number;
  ms: number;
}

export type RetentionPeriods = Record<keyof RetentionConfig, Period>;

/** The deployment's retention periods, defaults filled in. */
export function retentionOf(config: Pick<CarenetConfig, "retention">): RetentionPeriods {
  const r = { ...RETENTION_DEFAULTS, ...config.retention };
  const period = (key: keyof RetentionConfig): Period => {
    const ms = parseDuration(r[key]) ?? parseDuration(RETENTION_DEFAULTS[key])!;
    return { days: Math.round(ms / 86_400_000), ms };
  };
  return { checkins: period("checkins"), pages: period("pages"), rota: period("rota"), removed_members: period("removed_members") };
}
