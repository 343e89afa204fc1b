/**
 * A small HTTP proxy between carenet and Synapse that counts carenet's requests: how many
 * a restart costs, and of which kinds. It forwards every request unchanged.
 */
import { createServer, request, type Server } from "node:http";

/** "GET /_matrix/client/v3/rooms/!abc:localhost/state" → "GET /_matrix/client/v3/rooms/{}/state". */
export function requestKind(method: string, url: string): string {
  const pathOnly = url.split("?")[0];
  const parts = pathOnly.split("/").map((p) => {
    const s = decodeURIComponent(p);
    return /^[!@#$]/.test(s) || /^\d+$/.test(s) || /^[A-Za-z0-9_-]{16,}$/.test(s) ? "{}" : p;
  });
  return `${method} ${parts.join("/")}`;
}

/**
 * carenet asks GET /_matrix/client/versions every few seconds to know the homeserver is up:
 * a probe on a clock, not work a restart causes, so it is neither counted nor keeps the
 * proxy from falling quiet.
 */
export const isLivenessProbe = (method: string, url: string): boolean => method === "GET" && url.split("?")[0] === "/_matrix/client/versions";

export class CountingProxy {
  private server?: Server;
  private counts = new Map<string, number>();
  total = 0;
  /** Liveness probes since the last reset (not in `total`). */
  probes = 0;
  lastRequestAt = 0;

  constructor(private readonly target: string) {}

  async listen(): Promise<string> {
    const target = new URL(this.target);
    this.server = createServer((req, res) => {
      if (isLivenessProbe(req.method ?? "GET", req.url ?? "/")) {
        this.probes++;
      } else {
        this.total++;
        this.lastRequestAt = Date.now();
        const kind = requestKind(req.method ?? "GET", req.url ?? "/");
        this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
      }
      const upstream = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on("error", (err) => {
        if (!res.headersSent) res.writeHead(502, { "content-type": "application/json" });
        res.end(JSON.stringify({ errcode: "M_UNKNOWN", error: `bench proxy: ${err.message}` }));
      });
      req.pipe(upstream);
    });
    // Long-polling and keep-alive must not be cut by Node's defaults.
    this.server.requestTimeout = 0;
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const addr = this.server.address();
    return `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  }

  reset(): void {
    this.total = 0;
    this.probes = 0;
    this.counts = new Map();
  }

  /** The kinds of request seen since the last reset, most frequent first. */
  breakdown(): Array<[string, number]> {
    return [...this.counts].sort((a, b) => b[1] - a[1]);
  }

  /** Resolves once no request has arrived for `quietMs` (or after `maxMs`). */
  async quiet(quietMs: number, maxMs: number): Promise<void> {
    const deadline = Date.now() + maxMs;
    while (Date.now() < deadline && Date.now() - this.lastRequestAt < quietMs) await new Promise((r) => setTimeout(r, 100));
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }
}
