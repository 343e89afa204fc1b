import type { Clock } from "../../kernel/clock";
import type { OnCallNow } from "../../ports/context";
import type { Logger } from "../../kernel/logger";
import type { Effects } from "../../messaging/effects";
import type { CarenetConfig } from "../../config/types";
import type { AuditLog } from "../../store/audit";
import type { CommunityRooms } from "../../ports/communities";
import type { JobsStore } from "../../store/jobs";
import type { PagesStore } from "./store/pages";
import type { MetricsPort } from "../../metrics/port";
import type { OffMatrix } from "./offMatrix/service";

/** What the paging service and its parts are built from (installPaging hands them in). */
export interface PagingDeps {
  pages: PagesStore;
  effects: Effects;
  jobs: JobsStore;
  rooms: CommunityRooms;
  audit: AuditLog;
  config: () => CarenetConfig;
  /** Read at every step, never cached: who is on call changes with the rota. */
  onCall: (communityId: string, atMs: number) => OnCallNow;
  clock: Clock;
  log: Logger;
  botUserId: string;
  /** Counts of pages opened, escalated, acknowledged, exhausted (per community). */
  metrics?: MetricsPort;
  /** Email and webhook for the people asked, from the configured step on (issue 16, item 5). */
  offMatrix?: OffMatrix;
}
