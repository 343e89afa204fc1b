import type { AppContext } from "./context";
import { installCommunities } from "./installCommunities";
import { installHours } from "./installHours";
import { installPaging } from "./installPaging";
import { installRota } from "./installRota";

/** Each capability plugs its commands, jobs and hooks into the app here, in this order (the rota before paging, which asks it who is on call). */
export const INSTALLERS: ReadonlyArray<(app: AppContext) => void> = [installCommunities, installHours, installRota, installPaging];
