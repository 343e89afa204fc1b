import { Writable } from "node:stream";

/** Everything carenet logged, as raw lines (to check what never appears) and as parsed records. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    done();
  }
  get text(): string {
    return this.lines.join("\n");
  }
  get records(): Array<Record<string, any>> {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}
