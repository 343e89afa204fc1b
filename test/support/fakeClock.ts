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
