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
import { DisplayNamesStore } from "../features/communities/store/displayNames";
import { ladderGapsTonight } from "../features/paging/gaps";

/** What the installers hand back that start() or the tests use. */
export interface Installed {
  data: DataService;
}

/**
 * Each capability plugs its commands, jobs and hooks into the app here, in this order, and
 * is handed what it needs of the others as ports: communities first (consent, which the
 * others consult; its words for someone who has not agreed), the rota before paging and
 * check-ins (who is on call, who is on a break; the on-call stretches for the weekly
 * report); paging's ladder gaps for the rota's `!oncall` and the known display names for
 * paging; encryption last (it runs `!page` from a reaction). The data capability reads the
 * others' parts of a person's data through `app.personalData`, whenever it is asked.
 */
export function installCapabilities(app: AppContext): Installed {
  const consentNeeded = installCommunities(app);
  installHours(app);
  const rota = installRota(app, { consentNeeded, gapsTonight: ladderGapsTonight });
  installPaging(app, { knownNames: new DisplayNamesStore(app.db) });
  installCheckins(app, consentNeeded);
  const data = installData(app);
  installReports(app, rota);
  installNames(app);
  installEncryption(app);
  return { data };
}
