import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Sits between Synapse and carenet on the port the registration names, and passes every
 * request through — unless told to hold the homeserver's transactions. A held transaction
 * stays "in flight" for Synapse, which then keeps the events that follow in memory, queued
 * behind it: the window in which a Synapse restart loses events. Holding makes that window
 * as wide as a test needs, so a loss the issue saw in 4 of 5 trials happens every time.
 */
export class TransactionGate {
  private readonly server: Server;
  private holding = false;
  private readonly held: Array<{ req: IncomingMessage; res: ServerResponse }> = [];
  /** Transactions seen, held or passed. */
  transactions = 0;

  private constructor(
    private readonly targetPort: () => number,
    readonly port: number,
    server: Server,
  ) {
    this.server = server;
    server.on("request", (req, res) => this.onRequest(req, res));
  }

  /** Listens on `port` (the registration's) and forwards to `targetPort()` (carenet's, once it runs). */
  static async listen(port: number, targetPort: () => number): Promise<TransactionGate> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    return new TransactionGate(targetPort, (server.address() as AddressInfo).port, server);
  }

  /** From now on, transactions wait here until released or dropped. */
  hold(): void {
    this.holding = true;
  }

  get heldCount(): number {
    return this.held.length;
  }

  /** Stops holding and drops what was held (the homeserver that sent it is gone by now). */
  dropHeld(): void {
    this.holding = false;
    for (const { req, res } of this.held.splice(0)) {
      res.destroy();
      req.destroy();
    }
  }

  async close(): Promise<void> {
    this.dropHeld();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const isTxn = req.method === "PUT" && /\/transactions\//.test(req.url ?? "");
    if (isTxn) this.transactions++;
    if (isTxn && this.holding) {
      this.held.push({ req, res });
      return;
    }
    const upstream = request(
      { host: "127.0.0.1", port: this.targetPort(), method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  }
}
