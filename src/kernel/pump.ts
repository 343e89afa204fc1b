/**
 * A single-flight background loop: `work()` runs, says how long until it wants to run
 * again (or null to wait for a wake-up), and never overlaps itself. `wake()` runs it
 * soon; `stop()` waits for a run in progress to finish.
 */
export class Pump {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(
    private readonly work: () => Promise<number | null>,
    private readonly onError: (err: unknown) => void,
    /** The longest it sleeps even without a wake-up, as a safety net. */
    private readonly maxSleepMs = 30_000,
  ) {}

  start(): void {
    this.stopped = false;
    this.wake();
  }

  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private run(): void {
    this.running = (async () => {
      let delay: number | null = this.maxSleepMs;
      try {
        delay = await this.work();
      } catch (err) {
        this.onError(err);
        delay = 1000;
      }
      this.running = undefined;
      if (this.stopped) return;
      if (this.again) {
        this.again = false;
        delay = 0;
      }
      const sleep = Math.max(0, Math.min(delay ?? this.maxSleepMs, this.maxSleepMs));
      this.timer = setTimeout(() => this.run(), sleep);
    })();
  }
}
