import type { StatesAtStart } from "../matrix/statesAtStart";
import type { MetricsServer } from "../metrics/server";
import type { Core } from "./core";
import type { HttpDoor } from "./httpDoor";
import type { Intake } from "./intake";
import type { Reconciling } from "./reconciling";

/** The running service's parts, as start() builds them and stop() takes them down. */
export interface Parts {
  core: Core;
  states: StatesAtStart;
  intake: Intake;
  reconciling: Reconciling;
  door: HttpDoor;
  /** What the start's running phase opens, once it has. */
  running: { metricsServer?: MetricsServer; pruneTimer?: NodeJS.Timeout };
}
