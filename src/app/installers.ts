import type { AppContext } from "./context";
import { installCheckins } from "../features/checkins/install";
import { installCommunities } from "../features/communities/install";
import { installData } from "../features/data/install";
import { installEncryption } from "./installEncryption";
import { installHours } from "../features/hours/install";
import { installNames } from "../features/communities/installNames";
import { installPaging } from "../features/paging/install";
import { installRota } from "../features/rota/install";
import { installReports } from "../features/reports/install";
import { consentNeeded } from "../features/communities/consent";
import { DisplayNamesStore } from "../features/communities/store/displayNames";
import { ladderGapsTonight } from "../features/paging/gaps";

/** The rota and paging, with what they are handed of other capabilities as ports. */
const installRotaWithPorts = (app: AppContext) => installRota(app, { consentNeeded: (c, userId, what, crisis) => consentNeeded(app, c, userId, what, crisis), gapsTonight: ladderGapsTonight });
const installPagingWithPorts = (app: AppContext) => installPaging(app, { knownNames: new DisplayNamesStore(app.db) });

/**
 * Each capability plugs its commands, jobs and hooks into the app here, in this order:
 * communities first (consent, which the others consult), the rota before paging and
 * check-ins (who is on call, who is on a break); rights and data after them (it reads every store); encryption last (it runs `!page` from a reaction).
 */
export const INSTALLERS: ReadonlyArray<(app: AppContext) => void> = [installCommunities, installHours, installRotaWithPorts, installPagingWithPorts, installCheckins, installData, installReports, installNames, installEncryption];
