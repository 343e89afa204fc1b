import type { AppContext } from "./context";
import { installCheckins } from "./installCheckins";

/** Each capability plugs its commands, jobs and hooks into the app here, in this order. */
export const INSTALLERS: ReadonlyArray<(app: AppContext) => void> = [
  installCheckins,
];
