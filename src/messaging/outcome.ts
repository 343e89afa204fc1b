import type { CrisisResources } from "../config/types";
import { Message, type Text } from "./message";
import { supportNow } from "./support";

/**
 * What carenet answers to a command: `ok`, understood and done (✅), or `refused`,
 * understood but not allowed or not valid (⛔), with the reply.
 */
export interface Outcome {
  outcome: "ok" | "refused";
  reply: Message;
  /** "dm": the reply goes to the asker's direct chat, not the room it was asked in. */
  replyTo?: "dm";
}

export interface OutcomeOptions {
  /** Reply in the asker's direct chat (a note or someone's data is not echoed in a shared room). */
  private?: boolean;
  /** For someone who may be struggling: the reply ends with how to get support now. */
  support?: CrisisResources;
}

function outcome(kind: Outcome["outcome"], reply: Message | Text, opts: OutcomeOptions): Outcome {
  const message = reply instanceof Message ? reply : Message.of(reply);
  if (opts.support !== undefined) message.append(supportNow(opts.support));
  return { outcome: kind, reply: message, ...(opts.private ? { replyTo: "dm" as const } : {}) };
}

export function ok(reply: Message | Text, opts: OutcomeOptions = {}): Outcome {
  return outcome("ok", reply, opts);
}

export function refused(reply: Message | Text, opts: OutcomeOptions = {}): Outcome {
  return outcome("refused", reply, opts);
}
