/**
 * A community's rota settings, derived once from its config section with the schema's
 * defaults filled in. In config/ because both the rota and paging (the nightly page cap)
 * read them, and neither may import the other.
 */
import { schemaDefaults } from "./load";
import type { CommunityConfig, RotaConfig } from "./types";
import { parseDuration } from "../kernel/durations";

/** The longest a shift lasts in real time (24 wall-clock hours on an autumn DST night). */
export const LONGEST_SHIFT_MS = 25 * 60 * 60 * 1000;

export interface RotaSettings {
  approvalRequired: boolean;
  maxShiftsPerWeek: number;
  maxPagesPerNight: number;
  /** 0: no reminder. */
  handoffReminderMs: number;
}

/** The community's rota settings, with the schema's defaults for configs built in code. */
const ROTA_DEFAULTS = schemaDefaults<Required<RotaConfig>>("/definitions/community/properties/rota");

export function rotaSettings(c: CommunityConfig): RotaSettings {
  const r = { ...ROTA_DEFAULTS, ...c.rota };
  return {
    approvalRequired: r.approval_required,
    maxShiftsPerWeek: r.max_shifts_per_week,
    maxPagesPerNight: r.max_pages_per_night,
    handoffReminderMs: parseDuration(r.handoff_reminder) ?? 0,
  };
}
