import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { MatrixUser } from "./matrixUser";

/** What Synapse POSTs to a push gateway (the Push Gateway API, /_matrix/push/v1/notify). */
export interface PushNotification {
  event_id?: string;
  room_id?: string;
  type?: string;
  sender?: string;
  prio?: "high" | "low";
  content?: { msgtype?: string; body?: string; [k: string]: unknown };
  counts?: { unread?: number; missed_calls?: number };
  devices: Array<{ app_id: string; pushkey: string; tweaks?: { highlight?: boolean; sound?: string } }>;
}

export interface ReceivedPush {
  /** Date.now() when the gateway received it. */
  at: number;
  notification: PushNotification;
}

export const PUSH_APP_ID = "org.carenet.e2e";

/**
 * A push gateway on 127.0.0.1 that answers Synapse as Sygnal does (200 {"rejected": []})
 * and keeps every notification, so a test sees exactly what would have reached a phone.
 * Each person's pusher uses their Matrix ID as pushkey, so notifications are told apart.
 */
export class PushGateway {
  readonly received: ReceivedPush[] = [];
  private constructor(private readonly server: Server) {}

  static async start(): Promise<PushGateway> {
    const server = createServer();
    const gw = new PushGateway(server);
    server.on("request", (req, res) => void gw.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return gw;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/_matrix/push/v1/notify`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method !== "POST" || req.url !== "/_matrix/push/v1/notify") {
      res.writeHead(404, { "content-type": "application/json" }).end('{"errcode":"M_UNRECOGNIZED"}');
      return;
    }
    try {
      const { notification } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { notification: PushNotification };
      this.received.push({ at: Date.now(), notification });
    } catch {
      res.writeHead(400, { "content-type": "application/json" }).end('{"errcode":"M_NOT_JSON"}');
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end('{"rejected":[]}');
  }

  /** Pushes for `userId`'s pusher (pushkey = their Matrix ID). */
  to(userId: string): ReceivedPush[] {
    return this.received.filter((p) => p.notification.devices?.some((d) => d.pushkey === userId));
  }

  /** Pushes of one event to `userId`. */
  ofEvent(userId: string, eventId: string): ReceivedPush[] {
    return this.to(userId).filter((p) => p.notification.event_id === eventId);
  }

  /** The first push to `userId` matching `predicate`, polling until `timeoutMs`. */
  async waitFor(userId: string, predicate: (n: PushNotification) => boolean, timeoutMs = 20_000): Promise<ReceivedPush> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.to(userId).find((p) => predicate(p.notification));
      if (hit) return hit;
      if (Date.now() > deadline) {
        const seen = this.to(userId).map((p) => `${p.notification.type} ${JSON.stringify(p.notification.content?.body ?? "").slice(0, 80)}`);
        throw new Error(`no matching push to ${userId} within ${timeoutMs} ms; got: ${seen.join(" | ") || "none"}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /**
   * Registers an HTTP pusher for `user` pointing at this gateway
   * (POST /_matrix/client/v3/pushers/set, kind "http"), as a phone's Matrix app does.
   */
  async register(user: MatrixUser): Promise<void> {
    await user.request("POST", "/_matrix/client/v3/pushers/set", {
      kind: "http",
      app_id: PUSH_APP_ID,
      pushkey: user.userId,
      app_display_name: "carenet e2e",
      device_display_name: "test phone",
      lang: "en",
      data: { url: this.url },
      append: false,
    });
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A push of a message (not an invitation or a membership) whose body contains `text`. */
export const messageWith = (text: string) => (n: PushNotification) => n.type === "m.room.message" && String(n.content?.body ?? "").includes(text);
