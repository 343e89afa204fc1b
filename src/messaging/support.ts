import type { CrisisResources } from "../config/types";
import { supportBlock } from "./supportBlock";
import type { Message } from "./message";

/**
 * How to get support right now: the crisis resources, as the one block a message carries
 * (supportBlock.ts). The first thing anyone reading carenet's help sees, and the
 * footer of every closing notice, refusal to a member, low check-in answer and exhausted page.
 */
export function supportNow(crisisResources: CrisisResources): Message {
  return supportBlock(crisisResources);
}
