/** A clock the test moves: carenet reads `now()`, the test sets `t` or calls `advance`. */
export class FakeClock {
  constructor(public t: number) {}

  now(): number {
    return this.t;
  }

  advance(ms: number): number {
    this.t += ms;
    return this.t;
  }
}

/**
 * A test world whose time is a FakeClock: carenet reads `clock`, the test reads and moves
 * `now`.
 */
export class TimedWorld {
  readonly clock: FakeClock;

  constructor(start: number) {
    this.clock = new FakeClock(start);
  }

  get now(): number {
    return this.clock.t;
  }

  set now(t: number) {
    this.clock.t = t;
  }
}
