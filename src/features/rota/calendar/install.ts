import type { IncomingMessage, ServerResponse } from "node:http";
import { calendarRoute } from "./http";
import { CalendarService } from "./service";
import type { RotaService } from "../service";
import type { CalendarFeedsStore } from "../store/calendarFeeds";
import type { InstallContext } from "../../../ports/context";

/**
 * The calendar feeds on the appservice listener: `GET /_carenet/calendar/<token>.ics`.
 * Returns a handler that answers that path and returns false for any other. It reads the
 * rota's own service and feeds (installRota builds it).
 */
export function calendarHttp(app: InstallContext, rota: RotaService, feeds: CalendarFeedsStore): CalendarHttp {
  const service = new CalendarService({ feeds, rota, config: app.config, readers: app.readers });
  return calendarRoute((token) => service.render(token, app.clock.now()), app.log.child({ component: "calendar" }));
}

/** Answers `GET /_carenet/calendar/<token>.ics`; false for any other request. */
export type CalendarHttp = (req: IncomingMessage, res: ServerResponse) => boolean;
