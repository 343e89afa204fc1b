import type { StateEvent } from "./homeserver";
import { KnownStates } from "./roomSnapshot";

/**
 * The provisioned rooms' states from catch-up's first GET /initialSync, used once by the
 * start's reconcile so that it need not read each room again.
 */
export class StatesAtStart {
  readonly known = new KnownStates();
  /** Settles when catch-up has read the first states, or found it could not. */
  readonly read: Promise<void>;
  private resolveRead: (() => void) | undefined;

  constructor() {
    this.read = new Promise<void>((resolve) => (this.resolveRead = resolve));
  }

  /** Whether catch-up's states are still wanted (until the start's reconcile stops waiting). */
  get wanted(): boolean {
    return this.resolveRead !== undefined;
  }

  /** Catch-up's kept states, or undefined when it could not read them. */
  saw(states: Map<string, StateEvent[]> | undefined): void {
    if (!this.resolveRead) return;
    if (states) this.known.fill(states);
    this.resolveRead();
    this.resolveRead = undefined;
  }

  /** The start's reconcile goes ahead with what it has. */
  stopWaiting(): void {
    this.resolveRead = undefined;
  }
}
