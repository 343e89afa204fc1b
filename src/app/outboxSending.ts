import type { Failpoints } from "../kernel/failpoints";
import type { Homeserver } from "../matrix/homeserver";
import { DEFAULT_SEND_CONCURRENCY, OutboxSender } from "../matrix/outboxSender";
import { pageOfPush } from "../metrics/pushes";
import type { CarenetMetrics } from "../metrics/registry";
import { PagesStore } from "../features/paging/store/pages";
import type { AppContext } from "./context";

/**
 * The outbox sender over the app's outbox and direct chats. A push to a phone that belongs
 * to a page is counted as an off-Matrix send of the page's community.
 */
export function createOutboxSender(app: AppContext, d: { homeserver: Homeserver; metrics: CarenetMetrics; failpoints: Failpoints }): OutboxSender {
  const { directRooms } = app;
  const { metrics } = d;
  const pages = new PagesStore(app.db);
  return new OutboxSender(
    app.outbox,
    d.homeserver,
    app.clock,
    app.log.child({ component: "outbox" }),
    d.failpoints,
    (u) => directRooms.roomFor(u),
    (r) => directRooms.privateRoomFor(r),
    (msg, outcome) => {
      const pageId = pageOfPush(msg);
      const community = pageId === undefined ? undefined : pages.get(pageId)?.communityId;
      if (community !== undefined) (outcome === "sent" ? metrics.offMatrixSent : metrics.offMatrixFailed).call(metrics, community, "push");
    },
    { concurrency: () => app.config().sending?.concurrency ?? DEFAULT_SEND_CONCURRENCY, personOf: (r) => directRooms.personOf(r) },
  );
}
