import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { timingSafeEqual } from "node:crypto";
import type { Logger } from "../app/logger";
import type { IncomingEvent } from "../store/inbox";

export interface HealthReport {
  ok: boolean;
  [key: string]: unknown;
}

export interface HttpServerDeps {
  hsToken: string;
  log: Logger;
  /** Records a transaction durably; false if it was a replay. Throws if it could not record. */
  recordTransaction: (txnId: string, events: IncomingEvent[]) => boolean;
  /** Called after a new transaction was recorded. */
  recorded: () => void;
  health: () => Promise<HealthReport>;
  /** Everything else (user and alias queries) goes to matrix-bot-sdk's handler. */
  fallback: (req: IncomingMessage, res: ServerResponse) => void;
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;
const TXN_PATH = /^\/(?:_matrix\/app\/v1\/)?transactions\/([^/?]+)$/;

/**
 * The appservice's HTTP front. Transactions are handled here rather than by
 * matrix-bot-sdk, whose handler acknowledges before its listeners have run: carenet
 * answers 200 only after every event of the transaction is in SQLite.
 */
export function createHttpServer(d: HttpServerDeps): Server {
  return createServer((req, res) => {
    route(d, req, res).catch((err) => {
      d.log.error({ err: (err as Error).message, path: safePath(req) }, "HTTP request failed");
      if (!res.headersSent) send(res, 500, { errcode: "M_UNKNOWN", error: "internal error" });
      else res.end();
    });
  });
}

async function route(d: HttpServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = safePath(req);
  const txn = TXN_PATH.exec(path);
  if (req.method === "PUT" && txn) return onTransaction(d, txn[1], req, res);
  if (req.method === "POST" && path === "/_matrix/app/v1/ping") {
    if (!authorised(d, req, res)) return;
    await readJson(req).catch(() => undefined);
    return send(res, 200, {});
  }
  if (req.method === "GET" && path === "/health") {
    const report = await d.health();
    return send(res, report.ok ? 200 : 503, report);
  }
  d.fallback(req, res);
}

async function onTransaction(d: HttpServerDeps, rawTxnId: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!authorised(d, req, res)) return;
  let txnId: string;
  try {
    txnId = decodeURIComponent(rawTxnId);
  } catch {
    return send(res, 400, { errcode: "M_INVALID_PARAM", error: "the transaction id is not valid percent-encoding" });
  }
  let body: unknown;
  try {
    body = await readJson(req);
  } catch (err) {
    return send(res, 400, { errcode: "M_NOT_JSON", error: (err as Error).message });
  }
  const events = (body as { events?: unknown })?.events;
  if (!Array.isArray(events)) return send(res, 400, { errcode: "M_BAD_JSON", error: "expected an events array" });
  // If this throws (disk full, database locked) the homeserver gets a 500 and retries later.
  const fresh = d.recordTransaction(txnId, events as IncomingEvent[]);
  send(res, 200, {});
  if (fresh) d.recorded();
}

function authorised(d: HttpServerDeps, req: IncomingMessage, res: ServerResponse): boolean {
  const header = req.headers.authorization ?? "";
  const query = new URL(req.url ?? "/", "http://x").searchParams.get("access_token");
  const token = header.startsWith("Bearer ") ? header.slice(7) : query;
  if (!token) {
    send(res, 401, { errcode: "M_UNAUTHORIZED", error: "missing token" });
    return false;
  }
  const a = Buffer.from(token);
  const b = Buffer.from(d.hsToken);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    send(res, 403, { errcode: "M_FORBIDDEN", error: "bad token" });
    return false;
  }
  return true;
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error("request body too large"));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}"));
      } catch {
        reject(new Error("request body is not JSON"));
      }
    });
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** The path without the query string, which may carry a token. */
function safePath(req: IncomingMessage): string {
  return (req.url ?? "/").split("?")[0];
}
