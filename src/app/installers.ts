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

/** What the installers hand back that start() or the tests use. */
export interface Installed {
  data: DataService;
}

/**
 * Each capability plugs its commands, jobs and hooks into the app here, in this order, and
 * hands the others what they need of it as ports: communities first (consent, which the
 * others consult), the rota before paging and check-ins (who is on call, who is on a
 * break); encryption last (it runs `!page` from a reaction). The data capability reads the
 * others' parts of a person's data through `app.personalData`, whenever it is asked.
 */
export function installCapabilities(app: AppContext): Installed {
  const consentNeeded = installCommunities(app);
  installHours(app);
  const rota = installRota(app);
  installPaging(app);
  installCheckins(app, consentNeeded);
  const data = installData(app);
  installReports(app, rota);
  installNames(app);
  installEncryption(app);
  return { data };
}
