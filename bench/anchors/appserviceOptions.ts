/** What the bench hands an anchor appservice (in BENCH_APPSERVICE, as JSON). */
import type { IAppserviceRegistration } from "matrix-bot-sdk";

export interface AnchorOptions {
  port: number;
  homeserverUrl: string;
  domain: string;
  registration: IAppserviceRegistration;
}

export function anchorOptions(): AnchorOptions {
  const raw = process.env.BENCH_APPSERVICE;
  if (!raw) throw new Error("BENCH_APPSERVICE is not set (this program is started by npm run bench)");
  return JSON.parse(raw) as AnchorOptions;
}

/** The line an anchor prints once it listens. */
export const READY = "anchor appservice listening";
