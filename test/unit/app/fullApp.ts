import { TimedWorld } from "../../support/fakeClock";
import type { AppContext } from "../../../src/app/context";
import { installCapabilities, type Installed } from "../../../src/app/installers";
import type { Dispatcher } from "../../../src/commands/dispatcher";
import type { CommandResult } from "../../../src/commands/types";
import type { CarenetConfig, CommunityConfig } from "../../../src/config/types";
import { openDatabase, type Db } from "../../../src/store/database";
import { AMY, BOB, carenetConfig, communityConfig, CRISIS, SAM } from "../../support/fixtures";
import { routedCommand, testAppContext, testDispatcher } from "../../support/testApp";

export { CRISIS } from "../../support/fixtures";
/** Sam is staff of oak; Amy and Bob are members. */
export { SAM, AMY, BOB };
/** Monday 12 January 2026, 19:00 in London. */
export const T0 = Date.parse("2026-01-12T19:00:00Z");

export const roomOf = (key: string) => `!oak-${key}:example.org`;

export function oak(): CommunityConfig {
  return communityConfig("oak", {
    name: "Oakwood",
    staff: [SAM],
    rooms: { community: { name: "Oakwood community" }, staff: { name: "Oakwood staff" }, alumni: { name: "Oakwood alumni" }, extra: [] },
  });
}

export type Where = "dm" | "community" | "staff";

/**
 * Every capability installed as start() installs them (src/app/installers.ts), over an
 * in-memory database, with the community's rooms recorded as provisioning would. Commands
 * go through the real dispatcher as the event router sends them; nothing is sent.
 */
export class FullApp extends TimedWorld {
  readonly db: Db = openDatabase(":memory:");
  readonly config: CarenetConfig;
  readonly app: AppContext;
  /** What the capabilities handed each other at install (who is on call, who agreed). */
  readonly capabilities: Installed;
  private readonly dispatcher: Dispatcher;
  private seq = 0;

  constructor(community: CommunityConfig = oak()) {
    super(T0);
    this.config = carenetConfig([community]);
    this.app = testAppContext({
      db: this.db,
      config: () => this.config,
      clock: this.clock,
    });
    this.capabilities = installCapabilities(this.app);
    for (const key of ["space", "community", "staff", "alumni"]) {
      this.app.rooms.record({ communityId: "oak", roomKey: key, roomId: roomOf(key), alias: `#carenet_oak_${key}:example.org`, name: key, origin: "created" }, 0);
    }
    this.dispatcher = testDispatcher(this.app);
  }

  get community(): CommunityConfig {
    return this.config.communities[0];
  }

  addMember(userId: string): void {
    this.app.members.add({ communityId: "oak", userId, sponsor: SAM, addedBy: SAM }, this.now);
  }

  send(sender: string, body: string, where: Where = "dm"): Promise<CommandResult> {
    const inRoom = where !== "dm";
    return this.dispatcher.dispatch(
      body,
      routedCommand({
        sender,
        place: inRoom ? "room" : "dm",
        roomId: inRoom ? roomOf(where) : `!dm-${sender}`,
        eventId: `$ev${++this.seq}`,
        community: inRoom ? this.community : undefined,
        roomKey: inRoom ? where : undefined,
        now: this.now,
        crisisResources: CRISIS,
      }),
    );
  }

  close(): void {
    this.db.close();
  }
}
