import pino from "pino";
import type { CarenetConfig } from "../../src/config/types";
import { EventRouter, type EventRouterDeps } from "../../src/matrix/eventRouter";
import type { Homeserver } from "../../src/matrix/homeserver";
import { AuditLog } from "../../src/store/audit";
import { CommunityRoomsStore } from "../../src/features/communities/store/communityRooms";
import type { Db } from "../../src/store/database";
import { DmRoomsStore } from "../../src/matrix/store/dmRooms";
import { InboxStore } from "../../src/store/inbox";
import { JobsStore } from "../../src/store/jobs";
import { OutboxStore } from "../../src/store/outbox";
import { FakeHomeserver } from "./fakeHomeserver";
import { BOT, DOMAIN } from "./fixtures";

/**
 * The event router alone over `db`, with no community configured: for tests of how it
 * treats a single event. `over` supplies the dispatcher and anything the test looks at.
 */
export function bareRouter(db: Db, over: Partial<EventRouterDeps> & Pick<EventRouterDeps, "dispatcher" | "clock">): EventRouter {
  return new EventRouter({
    db,
    inbox: new InboxStore(db),
    outbox: new OutboxStore(db),
    dmRooms: new DmRoomsStore(db),
    homeserver: new FakeHomeserver() as unknown as Homeserver,
    log: pino({ level: "silent" }),
    botUserId: BOT,
    domain: DOMAIN,
    config: () => ({ crisis_resources: "Call 999.", communities: [] }) as unknown as CarenetConfig,
    rooms: new CommunityRoomsStore(db),
    audit: new AuditLog(db),
    jobs: new JobsStore(db),
    wakeScheduler: () => undefined,
    maxEventAgeMs: 5 * 60_000,
    outboxChanged: () => undefined,
    ...over,
  });
}
