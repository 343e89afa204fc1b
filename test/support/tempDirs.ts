import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** A fresh directory under the system's temp directory, its name starting with `prefix`. */
export function freshDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Removes a directory made by `freshDir`, whatever is in it. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
