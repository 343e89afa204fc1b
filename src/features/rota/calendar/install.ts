import type { IncomingMessage, ServerResponse } from "node:http";
import { calendarRoute } from "./http";
import { CalendarService } from "./service";
import { RotaService } from "../service";
import { CalendarFeedsStore } from "../store/calendarFeeds";
import { RotaStore } from "../store/rota";
import type { HasConsent, InstallContext } from "../../../ports/context";

/**
 * The calendar feeds on the appservice listener: `GET /_carenet/calendar/<token>.ics`.
 * Returns a handler that answers that path and returns false for any other.
 */
export function calendarHttp(app: InstallContext, hasConsent: HasConsent): (req: IncomingMessage, res: ServerResponse) => boolean {
  const rota = new RotaService({ store: new RotaStore(app.db), members: app.members, config: app.config, hasConsent });
  const service = new CalendarService({ feeds: new CalendarFeedsStore(app.db), rota, config: app.config, readers: app.readers });
  return calendarRoute((token) => service.render(token, app.clock.now()), app.log.child({ component: "calendar" }));
}
