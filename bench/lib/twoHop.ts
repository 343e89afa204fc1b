/**
 * The two-hop floor: user → appservice → user through Synapse and a bare matrix-bot-sdk
 * relay (bench/anchors/echoAppservice.ts). A sender's "ping" in one room comes back as the
 * relay's "pong" in another room, seen in the receiver's /sync — the same path as a page
 * reaching the peer on call, with no work in the middle.
 */
import type { MatrixUser } from "../../test/e2e/harness/matrixUser";
import { startEcho } from "./anchors";
import type { BenchHomeserver } from "./homeserver";
import type { NodeProcess } from "./nodeProcess";

export interface TwoHop {
  /** The relay's user id, @echo:<domain>. */
  relay: string;
  /**
   * One ping → pong, in milliseconds. `ringing`: the relay's answer mentions the receiver,
   * so Synapse's push rules ring them (as a page's request does) instead of silencing it.
   */
  sample(ringing?: boolean): Promise<number>;
  stop(): Promise<void>;
}

/** A private room of `user`'s with the relay in it, once the relay has joined. */
export async function roomWithRelay(user: MatrixUser, relay: string): Promise<string> {
  const roomId = await user.createRoom({ preset: "private_chat", invite: [relay] });
  await user.waitForEvent(roomId, (ev) => ev.type === "m.room.member" && ev.state_key === relay && ev.content.membership === "join", 60_000);
  return roomId;
}

export async function startTwoHop(hs: BenchHomeserver): Promise<TwoHop> {
  const relay = `@echo:${hs.domain}`;
  const echo: NodeProcess = await startEcho(hs);
  const [sender, receiver] = await Promise.all([hs.user("floor-sender"), hs.user("floor-receiver")]);
  const [from, to] = await Promise.all([roomWithRelay(sender, relay), roomWithRelay(receiver, relay)]);
  let n = 0;
  return {
    relay,
    async sample(ringing = false) {
      const tag = `${++n}-${Date.now()}`;
      const t0 = performance.now();
      const body = ringing ? `${receiver.userId}: pong ${tag}` : `pong ${tag}`;
      const seen = receiver.waitForEvent(to, (ev) => ev.sender === relay && ev.content.body === body, 60_000);
      await sender.sendText(from, ringing ? `ring ${to} ${tag} ${receiver.userId}` : `ping ${to} ${tag}`);
      await seen;
      return performance.now() - t0;
    },
    async stop() {
      await Promise.all([sender.stop(), receiver.stop()]);
      await echo.stop();
    },
  };
}
