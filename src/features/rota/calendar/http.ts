import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../../../kernel/logger";
import { CALENDAR_PATH } from "./service";

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Answers `GET /_carenet/calendar/<token>.ics` on the appservice listener; returns false for
 * any other path (the caller goes on routing). An unknown and a revoked token get the same
 * 404. The path holds a secret, so it is never logged.
 */
export function calendarRoute(render: (token: string) => string | undefined, log: Logger) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = (req.url ?? "/").split("?")[0];
    if (!path.startsWith(CALENDAR_PATH)) return false;
    const notFound = () => {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" }).end("no such calendar\n");
    };
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("method not allowed\n");
      return true;
    }
    const name = path.slice(CALENDAR_PATH.length);
    const token = name.endsWith(".ics") ? name.slice(0, -4) : name;
    if (!TOKEN.test(token)) {
      notFound();
      return true;
    }
    let body: string | undefined;
    try {
      body = render(token);
    } catch (err) {
      log.error({ err: (err as Error).message }, "a calendar feed could not be built");
      res.writeHead(500, { "content-type": "text/plain" }).end("calendar failed\n");
      return true;
    }
    if (body === undefined) {
      notFound();
      return true;
    }
    res.writeHead(200, {
      "content-type": "text/calendar; charset=utf-8",
      "content-disposition": 'inline; filename="carenet-rota.ics"',
      "cache-control": "private, no-cache",
      "referrer-policy": "no-referrer",
    });
    res.end(req.method === "HEAD" ? undefined : body);
    return true;
  };
}
