import type { AppContext } from "./context";
import { installPaging } from "./installPaging";

/** Each capability plugs its commands, jobs and hooks into the app here, in this order. */
export const INSTALLERS: ReadonlyArray<(app: AppContext) => void> = [installPaging];
