/**
 * The rota as capabilities other than the rota read it (the weekly report): who is on call
 * when. The rota's RotaService implements it; its installer returns it.
 */
import type { CommunityConfig } from "../config/types";

/** One person's time on call, as the rota works it out (shifts, covers and breaks applied). */
export interface OnCallStretch {
  userId: string;
  role: "peer" | "staff";
  /** True for a peer who agreed to be backup (the ladder's backup_peers step). */
  backup: boolean;
  startMs: number;
  endMs: number;
}

export interface RotaStretches {
  /** The stretches that start within [fromMs, toMs), as the rota stands at `now`. */
  stretchesStarting(c: CommunityConfig, fromMs: number, toMs: number, now: number): OnCallStretch[];
}
