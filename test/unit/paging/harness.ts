import type { MetricsPort } from "../../../src/metrics/port";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pino from "pino";
import type { AppContext, OnCallNow } from "../../../src/app/context";
import type { OnCall } from "../../../src/ports/context";
import { installPaging } from "../../../src/features/paging/install";
import { DisplayNamesStore } from "../../../src/features/communities/store/displayNames";
import type { CommandResult } from "../../../src/commands/types";
import type { CarenetConfig, CommunityConfig, NotifyTarget } from "../../../src/config/types";
import type { PagingService } from "../../../src/features/paging/service";
import { openDatabase, type Db } from "../../../src/store/database";
import { PagesStore } from "../../../src/features/paging/store/pages";
import { FakeClock } from "../../support/fakeClock";
import { FakeHomeserver } from "../../support/fakeHomeserver";
import { AMY, ANN, BOB, carenetConfig, CAT, communityConfig, DAN, SAM, ZOE } from "../../support/fixtures";
import { routedCommand, runAfterReconcile, sendingLoop, testAppContext, testDispatcher } from "../../support/testApp";

export { MIN, CRISIS, BOT } from "../../support/fixtures";
export const T0 = Date.parse("2026-01-12T22:00:00Z"); // a Monday evening in London (GMT)
export const STAFF_ROOM = "!staff:example.org";
export const COMMUNITY_ROOM = "!community:example.org";

/**
 * Amy is the member who pages, Bob the peer on call, Cat the backup peer, Dan the staff
 * member on call; Sam is staff and Ann admin in the config; Zoe is nobody to carenet.
 */
export { AMY, BOB, CAT, DAN, SAM, ANN, ZOE };

export function community(paging: CommunityConfig["paging"] = {}): CommunityConfig {
  return communityConfig("oak", {
    name: "Oakwood",
    staff: [SAM],
    admins: [ANN],
    rooms: { community: { name: "Oakwood community" }, staff: { name: "Oakwood staff" }, alumni: { name: "Oakwood alumni" }, extra: [] },
    paging,
  });
}

/** A ladder in the config's terms, one "<who> <wait>" a step: `ladder("on_call_peers 10m", "all_staff 10m")`. */
export function ladder(...steps: string[]): { escalation: Array<{ notify: NotifyTarget; wait: string }> } {
  return {
    escalation: steps.map((step) => {
      const [notify, wait] = step.split(" ");
      return { notify: notify as NotifyTarget, wait };
    }),
  };
}

/** The homeserver as paging sees it: Amy has a display name, nobody else does. */
export function pagingHomeserver(): FakeHomeserver {
  const hs = new FakeHomeserver();
  hs.displayNames.set(AMY, "Amy");
  return hs;
}

export interface Harness {
  app: AppContext;
  db: Db;
  pages: PagesStore;
  service: PagingService;
  clock: FakeClock;
  hs: FakeHomeserver;
  /** Who is on call; tests change it between steps. */
  onCall: OnCallNow;
  /** Who is on call as a function of the community and the moment, instead of `onCall`. */
  set onCallAt(f: OnCall);
  /** Runs due jobs and sends due messages until nothing more is due at the current time. */
  flush(): Promise<void>;
  /** Moves the clock to `t` (absolute) and flushes. */
  at(t: number): Promise<void>;
  /** A command as the router would dispatch it; returns its result (replies are not sent). */
  command(sender: string, body: string, where?: { roomId?: string; eventId?: string }): Promise<CommandResult>;
  close(): void;
}

let eventCounter = 0;

/**
 * The paging capability installed on a real AppContext: real stores on a temp SQLite
 * file, real effects, scheduler and outbox sender, a fake clock and a recording homeserver.
 * Opening it again on the same file (after `close`) is a restart.
 */
export function startHarness(
  opts: {
    file?: string;
    clock?: FakeClock;
    hs?: FakeHomeserver;
    community?: CommunityConfig;
    onCall?: OnCallNow;
    seed?: boolean;
    metrics?: MetricsPort;
    /** Off-Matrix config and stand-in channels (src/paging/offMatrix). */
    offMatrix?: CarenetConfig["off_matrix"];
    offMatrixChannels?: AppContext["offMatrixChannels"];
    /** Stands in for the outbox's "the alerts are sent" (InstallContext.alertsSent). */
    alertsSent?: AppContext["alertsSent"];
    /** Stands in for the outbox's summoning (InstallContext.summoning). */
    summoning?: AppContext["summoning"];
  } = {},
): Harness & { file: string } {
  const file = opts.file ?? path.join(mkdtempSync(path.join(tmpdir(), "carenet-paging-")), "carenet.db");
  const clock = opts.clock ?? new FakeClock(T0);
  const hs = opts.hs ?? pagingHomeserver();
  const cfg = carenetConfig([opts.community ?? community()], opts.offMatrix ? { off_matrix: opts.offMatrix } : {});
  const db = openDatabase(file);
  const log = pino({ level: "silent" });
  const state: { onCall: OnCallNow; onCallAt?: OnCall } = { onCall: opts.onCall ?? { peers: [BOB], backupPeers: [CAT], staff: [DAN] } };
  const app = testAppContext({ db, config: () => cfg, clock, log, hs, metrics: opts.metrics });
  const sending = sendingLoop(app, hs, clock, log);
  if (opts.seed !== false && !opts.file) {
    app.rooms.record({ communityId: "oak", roomKey: "staff", roomId: STAFF_ROOM, alias: "#carenet_oak_staff:example.org", name: null, origin: "created" }, T0);
    app.rooms.record({ communityId: "oak", roomKey: "community", roomId: COMMUNITY_ROOM, alias: "#carenet_oak_community:example.org", name: null, origin: "created" }, T0);
    hs.addRoom(STAFF_ROOM, { power: {} });
    hs.addRoom(COMMUNITY_ROOM, { power: {} });
    app.members.add({ communityId: "oak", userId: AMY, sponsor: SAM, addedBy: SAM }, T0 - 1000);
    app.members.add({ communityId: "oak", userId: BOB, role: "peer", sponsor: SAM, addedBy: SAM }, T0 - 1000);
  }
  if (opts.offMatrixChannels) app.offMatrixChannels = opts.offMatrixChannels;
  if (opts.alertsSent) app.alertsSent = opts.alertsSent;
  if (opts.summoning) app.summoning = opts.summoning;
  const onCall: OnCall = (communityId, atMs) => (state.onCallAt ? state.onCallAt(communityId, atMs) : state.onCall);
  const service = installPaging(app, { knownNames: new DisplayNamesStore(app.db), onCall }) as PagingService;
  const dispatcher = testDispatcher(app);
  const flush = () => sending.settle();

  const h: Harness & { file: string } = {
    file,
    app,
    db,
    pages: new PagesStore(db),
    service,
    clock,
    hs,
    get onCall() {
      return state.onCall;
    },
    set onCall(v: OnCallNow) {
      state.onCall = v;
    },
    set onCallAt(f: OnCall) {
      state.onCallAt = f;
    },
    flush,
    async at(t: number) {
      clock.t = t;
      await flush();
    },
    async command(senderId, body, where = {}) {
      const roomId = where.roomId ?? `!dm-of-${senderId}`;
      const place = app.rooms.byRoomId(roomId);
      const c = place ? cfg.communities.find((x) => x.id === place.communityId) : undefined;
      return dispatcher.dispatch(
        body,
        routedCommand({
          sender: senderId,
          place: where.roomId ? "room" : "dm",
          roomId,
          eventId: where.eventId ?? `$cmd${++eventCounter}`,
          community: c,
          roomKey: place?.roomKey,
          now: clock.now(),
          crisisResources: cfg.crisis_resources,
        }),
      );
    },
    // Closing twice is harmless: a test may close (to restart) before afterEach does.
    close() {
      if (db.open) db.close();
    },
  };
  return h;
}

/** Runs the afterReconcile steps as a start would. */
export function startUp(h: Harness): Promise<void> {
  return runAfterReconcile(h.app, h.app.config(), "start");
}
