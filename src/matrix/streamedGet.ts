import http from "node:http";
import https from "node:https";
import { MatrixError } from "matrix-bot-sdk";

/**
 * A GET to the homeserver whose answer is handed over in chunks as it arrives, for answers
 * too big to hold whole: matrix-bot-sdk reads a body into one string and parses it twice, so
 * an answer of 10 MB cost some 100 MB at its peak. A refusal (not 2xx) is read whole (it is
 * small) and thrown as a MatrixError when it carries an errcode, as the SDK would; a
 * connection that fails or times out throws an error with no status (an outage).
 */
export function streamedGet(
  baseUrl: string,
  accessToken: string,
  path: string,
  query: Record<string, string>,
  onChunk: (chunk: Buffer) => void,
  timeoutMs = 120_000,
): Promise<void> {
  const url = new URL(baseUrl.replace(/\/+$/, "") + path);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const get = url.protocol === "https:" ? https.get : http.get;
  return new Promise<void>((resolve, reject) => {
    const req = get(url, { headers: { Authorization: `Bearer ${accessToken}`, Accept: "application/json" }, timeout: timeoutMs }, (res) => {
      const status = res.statusCode ?? 0;
      if (status < 200 || status >= 300) {
        const parts: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          if ((size += c.length) <= MAX_ERROR_BODY) parts.push(c);
        });
        res.on("end", () => reject(refusal(status, Buffer.concat(parts).toString("utf8"))));
        res.on("error", reject);
        return;
      }
      res.on("data", (c: Buffer) => {
        try {
          onChunk(c);
        } catch (err) {
          req.destroy();
          reject(err);
        }
      });
      res.on("end", () => resolve());
      res.on("error", reject);
      res.on("aborted", () => reject(new Error(`the homeserver's answer to GET ${path} was cut short`)));
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${path} timed out after ${timeoutMs / 1000} s`)));
    req.on("error", reject);
  });
}

/** An error answer longer than this is not read further (only its start says anything). */
const MAX_ERROR_BODY = 64 * 1024;

function refusal(status: number, text: string): Error {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (body && typeof body === "object" && typeof (body as { errcode?: unknown }).errcode === "string") {
    return new MatrixError(body as { errcode: string; error: string }, status);
  }
  return Object.assign(new Error(`the homeserver answered ${status}: ${text.slice(0, 200)}`), { statusCode: status });
}
