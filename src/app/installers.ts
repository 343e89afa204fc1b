import type { AppContext } from "./context";
import { installCommunities } from "./installCommunities";
import { installHours } from "./installHours";
import { installRota } from "./installRota";

/** Each capability plugs its commands, jobs and hooks into the app here, in this order. */
export const INSTALLERS: ReadonlyArray<(app: AppContext) => void> = [installCommunities, installHours, installRota];
