/** What every measure gets: the arguments, the homeserver, and the shared set-ups, made once. */
import type { BenchArgs } from "./args";
import type { BenchHomeserver } from "./homeserver";
import { median } from "./stats";
import { startTwoHop, type TwoHop } from "./twoHop";
import { setUpWorld, type World } from "./world";

export class BenchContext {
  /** Every two-hop floor sample taken in this run (measures interleave them with their own). */
  readonly floorSamples: number[] = [];
  /** The same relay answering with a message that rings the receiver (see echoAppservice). */
  readonly ringingSamples: number[] = [];
  private worldP?: Promise<World>;
  private twoHopP?: Promise<TwoHop>;

  constructor(
    readonly args: BenchArgs,
    readonly hs: BenchHomeserver,
    readonly say: (line: string) => void,
  ) {}

  world(): Promise<World> {
    return (this.worldP ??= setUpWorld(this.hs, this.say));
  }

  twoHop(): Promise<TwoHop> {
    return (this.twoHopP ??= startTwoHop(this.hs));
  }

  async floorSample(): Promise<number> {
    const ms = await (await this.twoHop()).sample();
    this.floorSamples.push(ms);
    return ms;
  }

  floor(): number {
    return median(this.floorSamples);
  }

  async ringingSample(): Promise<number> {
    const ms = await (await this.twoHop()).sample(true);
    this.ringingSamples.push(ms);
    return ms;
  }

  ringingFloor(): number {
    return median(this.ringingSamples);
  }

  async close(): Promise<void> {
    this.say("stopping …");
    if (this.twoHopP) await (await this.twoHopP).stop();
    if (this.worldP) {
      const w = await this.worldP;
      await w.carenet.stop();
    }
    await this.hs.stopUsers();
    this.say("stopped carenet, the relay and the clients");
  }
}
