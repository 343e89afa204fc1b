import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface SeenRequest {
  method: string;
  /** The path without the query, percent-decoded. */
  path: string;
}

/**
 * An HTTP proxy in front of the homeserver that writes down every request carenet makes
 * (method and path) and the most it had in flight at once.
 */
export class CountingProxy {
  readonly seen: SeenRequest[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private server: Server | undefined;

  constructor(private readonly target: string) {}

  async start(): Promise<string> {
    const target = new URL(this.target);
    this.server = createServer((req, res) => {
      const url = req.url ?? "/";
      let pathOnly = url.split("?")[0];
      try {
        pathOnly = decodeURIComponent(pathOnly);
      } catch {
        // keep it as sent
      }
      this.seen.push({ method: req.method ?? "", path: pathOnly });
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      let done = false;
      const finished = () => {
        if (done) return;
        done = true;
        this.inFlight--;
      };
      const upstream = request(
        { host: target.hostname, port: target.port, method: req.method, path: url, headers: { ...req.headers, host: target.host } },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
          up.on("end", finished);
        },
      );
      upstream.on("error", () => {
        finished();
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      res.on("close", finished);
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Requests whose path names the room (`/rooms/<id>/…`), by what follows the id. */
  forRoom(roomId: string): string[] {
    const prefix = `/rooms/${roomId}/`;
    return this.seen
      .filter((r) => r.path.includes(prefix))
      .map((r) => `${r.method} ${r.path.slice(r.path.indexOf(prefix) + prefix.length)}`);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
