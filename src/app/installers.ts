import type { AppContext } from "./context";
import { installCheckins } from "../features/checkins/install";
import { installCommunities } from "../features/communities/install";
import { installData } from "../features/data/install";
import type { DataService } from "../features/data/service";
import { installEncryption } from "./installEncryption";
import { installHours } from "../features/hours/install";
import { installNames } from "../features/communities/installNames";
import { installPaging } from "../features/paging/install";
import { installRota } from "../features/rota/install";
import { installReports } from "../features/reports/install";
import { ladderGapsTonight } from "../features/paging/gaps";
import type { HasConsent, OnBreak, OnCall } from "../ports/context";
import type { RotaStretches } from "../ports/rota";
import type { CalendarHttp } from "../features/rota/calendar/install";

/** What the installers hand back that start(), the HTTP door, the metrics or the tests use. */
export interface Installed {
  data: DataService;
  /** Who is on call (the rota's answer, unless a stand-in was given). */
  onCall: OnCall;
  isOnBreak: OnBreak;
  /** Who has agreed to their community's rights text (the communities' answer, unless a stand-in was given). */
  hasConsent: HasConsent;
  stretches: RotaStretches;
  /** The rota's calendar feeds, served on the appservice listener. */
  calendar: CalendarHttp;
}

/**
 * Stand-ins for two answers the capabilities give each other: who is on call and who has
 * agreed. Tests use them to page a given person without building a rota, or to skip
 * onboarding; in service nothing is replaced.
 */
export type StandIns = Partial<Pick<Installed, "onCall" | "hasConsent">>;

/**
 * Each capability plugs its commands, jobs and hooks into the app here, and hands the
 * others what they need of it as ports, returned by its installer: communities first
 * (consent, which the others consult), the rota before paging and check-ins (who is on
 * call, who is on a break); encryption last (it runs `!page` from a reaction). The data
 * capability reads the others' parts of a person's data through `app.personalData`,
 * whenever it is asked.
 */
export function installCapabilities(app: AppContext, standIns: StandIns = {}): Installed {
  const communities = installCommunities(app);
  const hasConsent = standIns.hasConsent ?? communities.hasConsent;
  installHours(app);
  const rota = installRota(app, { hasConsent, consentNeeded: communities.consentNeeded, gapsTonight: ladderGapsTonight });
  const onCall = standIns.onCall ?? rota.onCall;
  installPaging(app, { knownNames: communities.knownNames, onCall });
  installCheckins(app, { consentNeeded: communities.consentNeeded, hasConsent, onCall, isOnBreak: rota.isOnBreak });
  const data = installData(app);
  installReports(app, rota.stretches);
  installNames(app);
  installEncryption(app);
  return { data, onCall, isOnBreak: rota.isOnBreak, hasConsent, stretches: rota.stretches, calendar: rota.calendar };
}
