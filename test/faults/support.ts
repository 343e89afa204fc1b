import { readFileSync } from "node:fs";
import { request } from "node:http";
import { botReplyTo, botUserId, newUser } from "../e2e/harness/carenet";
import type { MatrixUser } from "../e2e/harness/matrixUser";
import type { E2eEnv } from "../e2e/harness/paths";

/** Long cases run in full only with CARENET_FAULTS_FULL=1 (docs/testing.md). */
export const FULL = process.env.CARENET_FAULTS_FULL === "1";

/** The peak resident memory of a process, in MB (VmHWM: the high-water mark, not a sample). */
export function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!m) throw new Error(`no VmHWM for ${pid}`);
  return Number(m[1]) / 1024;
}

export interface Flood {
  status: number | "reset";
  /** Bytes the client managed to hand to its socket before the answer or the reset. */
  sentBytes: number;
}

/**
 * Sends a body of `bytes` (announced with content-length, or chunked) as fast as the
 * server takes it, without ever holding more than one 1 MiB chunk; resolves with the
 * answer, or "reset" when the server closed the connection first.
 */
export function flood(url: string, method: string, bytes: number, headers: Record<string, string> = {}, chunked = false): Promise<Flood> {
  return new Promise((resolve) => {
    const chunk = Buffer.alloc(1024 * 1024, "{");
    let sentBytes = 0;
    let settled = false;
    const done = (status: number | "reset") => {
      if (settled) return;
      settled = true;
      req.destroy();
      resolve({ status, sentBytes });
    };
    const req = request(url, {
      method,
      headers: { "content-type": "application/json", ...(chunked ? { "transfer-encoding": "chunked" } : { "content-length": String(bytes) }), ...headers },
    });
    req.on("response", (res) => {
      res.resume();
      done(res.statusCode ?? 0);
    });
    req.on("error", () => done("reset"));
    const pump = () => {
      while (!settled && sentBytes < bytes) {
        const n = Math.min(chunk.length, bytes - sentBytes);
        sentBytes += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void req.once("drain", pump);
      }
      if (!settled) req.end();
    };
    pump();
  });
}

/** A new user with a DM the bot has joined. */
export async function userWithDm(env: E2eEnv, name: string): Promise<{ user: MatrixUser; dm: string }> {
  const user = await newUser(env, name);
  const dm = await user.createDm(botUserId(env));
  await user.waitForEvent(dm, (ev) => ev.sender === botUserId(env) && ev.type === "m.room.message", 60_000);
  return { user, dm };
}

/** Sends `text` and waits for the bot's reply to it. */
export async function ask(env: E2eEnv, user: MatrixUser, dm: string, text: string, timeoutMs = 30_000): Promise<string> {
  const id = await user.sendText(dm, text);
  const reply = await user.waitForEvent(dm, botReplyTo(botUserId(env), id), timeoutMs);
  return String(reply.content.body);
}
