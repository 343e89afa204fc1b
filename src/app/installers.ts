import type { AppContext } from "./context";
import { installCheckins } from "./installCheckins";
import { installCommunities } from "./installCommunities";
import { installData } from "./installData";
import { installEncryption } from "./installEncryption";
import { installHours } from "./installHours";
import { installNames } from "./installNames";
import { installPaging } from "./installPaging";
import { installRota } from "./installRota";
import { installReports } from "./installReports";

/**
 * Each capability plugs its commands, jobs and hooks into the app here, in this order:
 * communities first (consent, which the others consult), the rota before paging and
 * check-ins (who is on call, who is on a break); rights and data after them (it reads every store); encryption last (it runs `!page` from a reaction).
 */
export const INSTALLERS: ReadonlyArray<(app: AppContext) => void> = [installCommunities, installHours, installRota, installPaging, installCheckins, installData, installReports, installNames, installEncryption];
