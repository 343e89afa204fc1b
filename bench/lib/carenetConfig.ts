/**
 * A realistic carenet config for the bench: each community with its Space, community, staff
 * and alumni rooms, posting hours, rules, a check-in prompt, the rota and the full paging
 * ladder. Times are placed relative to now so that nothing scheduled (a room closing, a
 * prompt going out) fires during a run, and the community room is open.
 */
import { DateTime } from "luxon";
import { stringify } from "yaml";

export const TIMEZONE = "Europe/London";
export const CRISIS = "In an emergency call 999. Samaritans 116 123 (free, 24/7).";

export interface ConfigPlaces {
  homeserverUrl: string;
  domain: string;
  asPort: number;
  registrationPath: string;
  dbPath: string;
}

/** "HH:mm" in the community's zone, `hours` from now. */
function localTime(hours: number, now: number): string {
  return DateTime.fromMillis(now, { zone: TIMEZONE }).plus({ hours }).toFormat("HH:mm");
}

export function community(id: string, staff: string[], now = Date.now()): Record<string, unknown> {
  return {
    id,
    name: `Community ${id}`,
    timezone: TIMEZONE,
    staff,
    rooms: {
      community: {
        name: `${id} community`,
        topic: "The out-of-hours network. Be kind; bring it back to the group.",
        // Open now and for the next ten hours: an overnight window like the sample's.
        posting_hours: [{ days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], from: localTime(-2, now), to: localTime(10, now) }],
      },
      staff: { name: `${id} staff`, topic: "Staff commands (!help) and alerts." },
      alumni: { name: `${id} alumni` },
    },
    rules: ["Be kind. Bring it back to the group.", "What is said in the community stays in the community."],
    checkins: [{ id: "evening", at: localTime(6, now), prompt: "How are you this evening?" }],
    rota: { approval_required: true, max_shifts_per_week: 3, max_pages_per_night: 100 },
    paging: {
      escalation: [
        { notify: "on_call_peers", wait: "10m" },
        { notify: "backup_peers", wait: "10m" },
        { notify: "on_call_staff", wait: "15m" },
        { notify: "all_staff", wait: "15m" },
      ],
    },
  };
}

export function configYaml(p: ConfigPlaces, communities: Array<Record<string, unknown>>): string {
  return stringify({
    homeserver: { url: p.homeserverUrl, domain: p.domain },
    appservice: { bind: "127.0.0.1", port: p.asPort, registration: p.registrationPath },
    database: { path: p.dbPath },
    logging: { level: "info" },
    crisis_resources: CRISIS,
    communities,
  });
}
