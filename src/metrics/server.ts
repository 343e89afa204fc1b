import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createHash, timingSafeEqual } from "node:crypto";
import type { Logger } from "../kernel/logger";

export interface MetricsEndpoint {
  render(): Promise<string>;
  readonly contentType: string;
}

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

function sameSecret(given: string, expected: string): boolean {
  // Hashing first makes the comparison constant-time whatever the lengths.
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * GET /metrics on a listener of its own (config `metrics`), so the appservice port never
 * exposes it and it can stay on loopback for a local Prometheus. With `token`, a scrape
 * must carry `Authorization: Bearer <token>`.
 */
export async function serveMetrics(o: { bind: string; port: number; token?: string; metrics: MetricsEndpoint; log: Logger }): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("method not allowed\n");
      return;
    }
    if (o.token !== undefined) {
      const auth = req.headers.authorization ?? "";
      const given = auth.startsWith("Bearer ") ? auth.slice(7) : "";
      if (!sameSecret(given, o.token)) {
        res.writeHead(401, { "www-authenticate": "Bearer", "content-type": "text/plain" }).end("unauthorized\n");
        return;
      }
    }
    o.metrics.render().then(
      (body) => {
        res.writeHead(200, { "content-type": o.metrics.contentType });
        res.end(req.method === "HEAD" ? undefined : body);
      },
      (err: unknown) => {
        o.log.error({ err: (err as Error)?.message }, "rendering the metrics failed");
        res.writeHead(500, { "content-type": "text/plain" }).end("metrics failed\n");
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.bind, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  o.log.info({ bind: o.bind, port }, "serving metrics at /metrics");
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Starts the metrics listener if the config asks for one. A listener that cannot start (its
 * port taken, a bad address) is logged and carenet runs on without it: metrics must never
 * keep a care service from running.
 */
export async function startMetricsListener(
  config: { bind?: string; port: number; token?: string } | undefined,
  metrics: MetricsEndpoint,
  log: Logger,
): Promise<MetricsServer | undefined> {
  if (!config) return undefined;
  try {
    return await serveMetrics({ bind: config.bind ?? "127.0.0.1", port: config.port, token: config.token, metrics, log });
  } catch (err) {
    log.error({ err: (err as Error).message, bind: config.bind ?? "127.0.0.1", port: config.port }, "the metrics listener could not start; carenet runs without it");
    return undefined;
  }
}
