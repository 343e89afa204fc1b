import { schemaDefaults } from "../../config/load";
import type { CheckinSettingsConfig, CommunityConfig } from "../../config/types";

const DEFAULT_SETTINGS = schemaDefaults<CheckinSettingsConfig>("/definitions/checkinSettings");

/** A community's check-in settings with every default filled in (hand-built configs may leave them out). */
export function checkinSettingsOf(c: CommunityConfig): CheckinSettingsConfig {
  const s = c.checkin_settings;
  return { ...DEFAULT_SETTINGS, ...s, alumni: { ...DEFAULT_SETTINGS.alumni, ...s?.alumni } };
}
