import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { registerUser } from "../../../tools/localSynapse";
import type { E2eEnv } from "./paths";

/** An event as the encrypting client sees it: the clear type and body once it decrypted it. */
export interface SeenEvent {
  roomId: string;
  eventId: string;
  sender: string;
  type: string;
  body?: string;
  msgtype?: string;
  inReplyTo?: string;
  relatesTo?: { rel_type?: string; event_id?: string; key?: string };
  /** It was sent encrypted (m.room.encrypted on the wire). */
  encrypted: boolean;
  undecryptable: boolean;
}

/**
 * A person on matrix-js-sdk with its Rust crypto (encryptingClientProcess.mjs, its own process):
 * a real encrypting client carenet did not write. It accepts every invitation.
 */
export class EncryptingClient {
  readonly seen: SeenEvent[] = [];
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private next = 0;
  private exited = false;

  private constructor(
    readonly userId: string,
    /** The user's access token, for sending what no client would (a message whose key never comes). */
    readonly accessToken: string,
    private readonly child: ChildProcess,
  ) {
    child.on("message", (m: { kind: string; id?: number; result?: unknown; error?: string; event?: SeenEvent }) => {
      if (m.kind === "event" && m.event) this.seen.push(m.event);
      if (m.kind === "result" && m.id !== undefined) {
        const w = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        if (m.error !== undefined) w?.reject(new Error(m.error));
        else w?.resolve(m.result);
      }
    });
    child.on("exit", () => {
      this.exited = true;
      for (const w of this.waiting.values()) w.reject(new Error("the encrypting client exited"));
      this.waiting.clear();
    });
  }

  static async start(env: E2eEnv, name: string): Promise<EncryptingClient> {
    const u = await registerUser(env.hsUrl, env.sharedSecret, `${name}-${Math.random().toString(36).slice(2, 8)}`);
    const child = fork(path.join(__dirname, "encryptingClientProcess.mjs"), [JSON.stringify({ hsUrl: env.hsUrl, userId: u.userId, accessToken: u.accessToken, deviceId: u.deviceId })], {
      // The SDK logs a great deal at every level; only a failure to start shows what it said.
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    let output = "";
    const keep = (c: Buffer) => (output = (output + c.toString()).slice(-4000));
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    await new Promise<void>((resolve, reject) => {
      child.once("message", () => resolve());
      child.once("exit", (code) => reject(new Error(`the encrypting client exited (${code}) before it was ready:\n${output}`)));
    });
    return new EncryptingClient(u.userId, u.accessToken, child);
  }

  private call<T>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, cmd, args });
    });
  }

  createDm(invite: string): Promise<string> {
    return this.call("createDm", { invite });
  }

  membership(roomId: string, user: string): Promise<string | null> {
    return this.call("membership", { roomId, user });
  }

  isEncrypted(roomId: string): Promise<boolean> {
    return this.call("isEncrypted", { roomId });
  }

  /** Sends a text message (encrypted when the room is); returns its event id. */
  send(roomId: string, text: string): Promise<string> {
    return this.call("send", { roomId, text });
  }

  /** Waits for an event this client has seen (and decrypted, if it was encrypted). */
  async waitFor(what: string, match: (e: SeenEvent) => boolean, timeoutMs = 30_000): Promise<SeenEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.seen.find(match);
      if (hit) return hit;
      if (Date.now() > deadline) {
        const lately = this.seen.slice(-8).map((e) => `${e.sender} ${e.type}${e.encrypted ? " (encrypted)" : ""}: ${e.body ?? ""}`.slice(0, 160));
        throw new Error(`${this.userId} timed out waiting for ${what}; last seen:\n${lately.join("\n")}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    await this.call("stop").catch(() => undefined);
    if (!this.exited) this.child.kill("SIGKILL");
  }
}
