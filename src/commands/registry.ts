import { helpCommand } from "./help";
import type { CommandSpec } from "./types";

/** Every command carenet understands, in the order !help lists them. */
export function builtinCommands(): CommandSpec[] {
  return [helpCommand];
}
