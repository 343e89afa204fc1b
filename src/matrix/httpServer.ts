import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { timingSafeEqual } from "node:crypto";
import type { Logger } from "../kernel/logger";
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
  /** Told when recording a transaction failed (health reports it), and when it worked again. */
  recordOutcome?: (ok: boolean, err?: unknown) => void;
  health: () => Promise<HealthReport>;
  /**
   * Set when carenet takes part in end-to-end encryption (src/matrix/crypto/): the
   * transaction's crypto part goes to the bot's device, and its events come back with what
   * could be decrypted in clear. Resolves once the crypto store is on disk; a failure is a 500.
   */
  prepareTransaction?: (body: Record<string, unknown>, events: IncomingEvent[]) => Promise<IncomingEvent[]>;
  /** Serves a rota calendar feed (`GET /_carenet/calendar/<token>.ics`); false if it did not answer. */
  calendar?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

/**
 * The largest transaction body carenet reads. Synapse sends at most 100 events, 100
 * ephemeral events and 100 to-device messages per transaction (synapse/appservice/
 * scheduler.py), each event at most 64 KiB as canonical JSON. Synapse encodes the body
 * with ASCII escapes, which can make it up to 3× larger (é becomes \u00e9), and a state
 * event carries the previous content in `unsigned`: 100 × 2 × 64 KiB × 3 = 37.5 MiB, plus
 * 100 ephemeral events at the same bound (18.75 MiB), is under this limit.
 */
export const MAX_TRANSACTION_BYTES = 64 * 1024 * 1024;
/** The homeserver's ping carries only a transaction id. */
const MAX_PING_BYTES = 4 * 1024;
/** All bodies being read at once, together: a second full transaction fits, a flood does not. */
const MAX_BUFFERED_BYTES = 2 * MAX_TRANSACTION_BYTES;

interface Call {
  /** The path parameter (still percent-encoded), if the route has one. */
  param: string;
  /** The caller sent the hs_token. */
  authorised: boolean;
  /** The body as JSON, read up to the route's limit. */
  json: () => Promise<unknown>;
}

type Handler = (d: HttpServerDeps, req: IncomingMessage, res: ServerResponse, call: Call) => Promise<void>;

interface Route {
  methods: readonly string[];
  path: RegExp;
  /** Whether the hs_token is required; checked before any of the body is read. */
  auth: "required" | "optional";
  /** The largest body accepted; 0: none. */
  maxBody: number;
  handle: Handler;
}

/**
 * Exactly the requests Synapse makes of an appservice (all under /_matrix/app/v1; the
 * legacy unprefixed paths are not served: Synapse has not used them since the v1 paths
 * came, and every path served is one more way in), plus /health. Matched case-sensitively:
 * anything else is 404 M_UNRECOGNIZED and reaches no handler.
 */
const ROUTES: Route[] = [
  { methods: ["PUT"], path: /^\/_matrix\/app\/v1\/transactions\/([^/]+)$/, auth: "required", maxBody: MAX_TRANSACTION_BYTES, handle: onTransaction },
  // carenet makes its users and rooms itself; it never creates one because the homeserver asked.
  { methods: ["GET"], path: /^\/_matrix\/app\/v1\/users\/([^/]+)$/, auth: "required", maxBody: 0, handle: notHere("M_NOT_FOUND", "no such user") },
  { methods: ["GET"], path: /^\/_matrix\/app\/v1\/rooms\/([^/]+)$/, auth: "required", maxBody: 0, handle: notHere("M_NOT_FOUND", "no such room alias") },
  { methods: ["POST"], path: /^\/_matrix\/app\/v1\/ping$/, auth: "required", maxBody: MAX_PING_BYTES, handle: onPing },
  { methods: ["GET"], path: /^\/health$/, auth: "optional", maxBody: 0, handle: onHealth },
  // Calendar apps fetch rota feeds by a secret in the path (docs/rota.md); no token, no body.
  { methods: ["GET", "HEAD"], path: /^\/_carenet\/calendar\/([^/]+)$/, auth: "optional", maxBody: 0, handle: onCalendar },
];

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly errcode: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The appservice's HTTP front. Transactions are handled here rather than by
 * matrix-bot-sdk, whose handler acknowledges before its listeners have run (and whose
 * JSON parser reads any body whole, unauthenticated): carenet answers 200 only after
 * every event of the transaction is in SQLite, checks the token before reading a byte of
 * a body, and stops reading a body at its route's limit.
 */
export function createHttpServer(d: HttpServerDeps): Server {
  const budget = { buffered: 0 };
  const server = createServer((req, res) => {
    route(d, budget, req, res).catch((err) => {
      if (err instanceof HttpProblem) {
        d.log.warn({ status: err.status, method: req.method, path: shortPath(req) }, err.message);
        return refuse(req, res, err.status, err.errcode, err.message);
      }
      d.log.error({ err: (err as Error).message, path: shortPath(req) }, "HTTP request failed");
      if (!res.headersSent) send(res, 500, { errcode: "M_UNKNOWN", error: "internal error" });
      else res.end();
    });
  });
  // Slow senders must not hold connections (or memory) for long.
  server.headersTimeout = 20_000;
  server.requestTimeout = 120_000;
  server.maxConnections = 512;
  return server;
}

async function route(d: HttpServerDeps, budget: { buffered: number }, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = safePath(req);
  const matches = ROUTES.map((r) => ({ r, m: r.path.exec(path) })).filter((x) => x.m);
  if (matches.length === 0) return refuse(req, res, 404, "M_UNRECOGNIZED", "Unrecognized request");
  const hit = matches.find((x) => x.r.methods.includes(req.method ?? ""));
  if (!hit) return refuse(req, res, 405, "M_UNRECOGNIZED", "Unrecognized request method");
  const { r, m } = hit;

  const auth = authorisation(d, req);
  if (r.auth === "required" && auth !== "ok") {
    return auth === "missing"
      ? refuse(req, res, 401, "M_UNAUTHORIZED", "missing token")
      : refuse(req, res, 403, "M_FORBIDDEN", "bad token");
  }
  const declared = req.headers["content-length"] === undefined ? undefined : Number(req.headers["content-length"]);
  const hasBody = (declared !== undefined && declared > 0) || req.headers["transfer-encoding"] !== undefined;
  if (hasBody && (r.maxBody === 0 || (declared !== undefined && !(declared <= r.maxBody)))) {
    throw new HttpProblem(413, "M_TOO_LARGE", "request body too large");
  }
  await r.handle(d, req, res, { param: m![1] ?? "", authorised: auth === "ok", json: () => readJson(req, r.maxBody, budget) });
}

async function onTransaction(d: HttpServerDeps, req: IncomingMessage, res: ServerResponse, call: Call): Promise<void> {
  let txnId: string;
  try {
    txnId = decodeURIComponent(call.param);
  } catch {
    return refuse(req, res, 400, "M_INVALID_PARAM", "the transaction id is not valid percent-encoding");
  }
  const body = await call.json();
  const events = (body as { events?: unknown })?.events;
  if (!Array.isArray(events)) return send(res, 400, { errcode: "M_BAD_JSON", error: "expected an events array" });
  const ready = d.prepareTransaction ? await d.prepareTransaction(body as Record<string, unknown>, events as IncomingEvent[]) : (events as IncomingEvent[]);
  // If this throws (disk full, database locked) the homeserver gets a 500 and retries later.
  let fresh: boolean;
  try {
    fresh = d.recordTransaction(txnId, ready);
  } catch (err) {
    d.recordOutcome?.(false, err);
    throw err;
  }
  d.recordOutcome?.(true);
  send(res, 200, {});
  if (fresh) d.recorded();
}

async function onPing(_d: HttpServerDeps, _req: IncomingMessage, res: ServerResponse, call: Call): Promise<void> {
  await call.json();
  send(res, 200, {});
}

async function onCalendar(d: HttpServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!d.calendar?.(req, res)) send(res, 404, { errcode: "M_NOT_FOUND", error: "not found" });
}

function notHere(errcode: string, error: string): Handler {
  return async (_d, _req, res) => send(res, 404, { errcode, error });
}

/** Anyone may ask whether carenet is well (a load balancer, a monitor); only the homeserver's token sees why. */
async function onHealth(d: HttpServerDeps, _req: IncomingMessage, res: ServerResponse, call: Call): Promise<void> {
  const report = await d.health();
  const status = report.ok ? "ok" : "unavailable";
  send(res, report.ok ? 200 : 503, call.authorised ? { status, ...report } : { status });
}

function authorisation(d: HttpServerDeps, req: IncomingMessage): "ok" | "missing" | "bad" {
  const header = req.headers.authorization;
  const query = new URL(req.url ?? "/", "http://x").searchParams.get("access_token");
  const token = header?.startsWith("Bearer ") ? header.slice(7) : query;
  if (!token) return "missing";
  const a = Buffer.from(token);
  const b = Buffer.from(d.hsToken);
  return a.length === b.length && timingSafeEqual(a, b) ? "ok" : "bad";
}

/** Reads the body up to its route's limit, counting it against the shared budget while it is held. */
function readJson(req: IncomingMessage, maxBody: number, budget: { buffered: number }): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      chunks.length = 0;
      budget.buffered -= size;
      fn();
    };
    req.on("data", (c: Buffer) => {
      if (done) return;
      size += c.length;
      budget.buffered += c.length;
      const problem =
        size > maxBody
          ? new HttpProblem(413, "M_TOO_LARGE", "request body too large")
          : budget.buffered > MAX_BUFFERED_BYTES
            ? new HttpProblem(503, "M_LIMIT_EXCEEDED", "too many large requests at once")
            : undefined;
      if (!problem) return void chunks.push(c);
      req.pause(); // refuse() closes the connection once the answer is out
      finish(() => reject(problem));
    });
    req.on("end", () => {
      if (done) return;
      const text = Buffer.concat(chunks).toString("utf8");
      finish(() => {
        try {
          resolve(JSON.parse(text || "{}"));
        } catch {
          reject(new HttpProblem(400, "M_NOT_JSON", "request body is not JSON"));
        }
      });
    });
    req.on("error", (err) => finish(() => reject(err)));
    req.on("close", () => finish(() => reject(new HttpProblem(400, "M_BAD_JSON", "the request ended before its body did"))));
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/**
 * Answers without reading (more of) the body. If the client may still be sending one, the
 * connection is closed once the answer is out, so nothing more is read or buffered.
 */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, errcode: string, error: string): void {
  if (res.headersSent) return void res.destroy();
  const pending = !req.complete;
  res.writeHead(status, { "content-type": "application/json", ...(pending ? { connection: "close" } : {}) });
  res.end(JSON.stringify({ errcode, error }), () => {
    if (pending) req.socket.destroy();
  });
}

const CALENDAR_PREFIX = "/_carenet/calendar/";

/** The path without the query string, which may carry a token. */
function safePath(req: Pick<IncomingMessage, "url">): string {
  return (req.url ?? "/").split("?")[0];
}

/**
 * The path for a log line: without the query, and short, since anyone can choose it. A
 * calendar path loses its token (the token is the feed's only key).
 */
export function shortPath(req: Pick<IncomingMessage, "url">): string {
  const full = safePath(req);
  const at = full.indexOf(CALENDAR_PREFIX);
  const p = at >= 0 && full.length > at + CALENDAR_PREFIX.length ? `${full.slice(0, at + CALENDAR_PREFIX.length)}…` : full;
  return p.length > 80 ? `${p.slice(0, 80)}…` : p;
}
