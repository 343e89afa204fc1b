import type { CarenetConfig, CommunityConfig } from "../../src/config/types";
import { openDatabase, type Db } from "../../src/store/database";

/** The names, times and configs every unit test builds its world from. */

export const DOMAIN = "example.org";
export const BOT = `@carenet:${DOMAIN}`;
export const CRISIS = "In an emergency call 999. Samaritans 116 123 (free, 24/7).";

/** People, by the names the tests give them; what each one is depends on the test. */
export const ALEX = "@alex:example.org";
export const ALICE = "@alice:example.org";
export const AMY = "@amy:example.org";
export const ANN = "@ann:example.org";
export const BEA = "@bea:example.org";
export const BOB = "@bob:example.org";
export const CAL = "@cal:example.org";
export const CAROL = "@carol:example.org";
export const CAT = "@cat:example.org";
export const DAN = "@dan:example.org";
export const DAVE = "@dave:example.org";
export const DEE = "@dee:example.org";
export const ELI = "@eli:example.org";
export const EVE = "@eve:example.org";
export const KIM = "@kim:example.org";
export const LEO = "@leo:example.org";
export const MIA = "@mia:example.org";
export const SAM = "@sam:example.org";
export const TOM = "@tom:example.org";
export const ZED = "@zed:example.org";
export const ZOE = "@zoe:example.org";

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

/** Parses an ISO instant with its offset; a typo fails loudly instead of becoming NaN. */
export function at(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad test instant ${iso}`);
  return ms;
}

/**
 * A community as carenet's config loader would hand it over: London time, the three
 * standard rooms named after `id`, no staff, no check-ins. `over` replaces whole fields.
 */
export function communityConfig(id = "oak", over: Partial<CommunityConfig> = {}): CommunityConfig {
  return {
    id,
    name: `${id} community`,
    timezone: "Europe/London",
    staff: [],
    admins: [],
    rooms: { community: { name: `${id} community` }, staff: { name: `${id} staff` }, alumni: { name: `${id} alumni` }, extra: [] },
    checkins: [],
    ...over,
  };
}

/** A whole config around `communities`, as loaded from a minimal carenet.yaml; `over` replaces top-level fields. */
export function carenetConfig(communities: CommunityConfig[] = [communityConfig()], over: Partial<CarenetConfig> = {}): CarenetConfig {
  return {
    homeserver: { url: "http://127.0.0.1:8008", domain: DOMAIN },
    appservice: { bind: "127.0.0.1", port: 0, registration: "registration.yaml" },
    database: { path: ":memory:" },
    bot: { localpart: "carenet", displayname: "Care Network" },
    logging: { level: "info" },
    events: { max_age: "5m" },
    crisis_resources: CRISIS,
    communities,
    ...over,
  };
}

/** The same minimal config as carenet.yaml text, for tests of the loader; `lines` are added at the end. */
export function configYaml(lines: string[] = []): string {
  return [
    "homeserver: { url: http://127.0.0.1:8008, domain: example.org }",
    "appservice: { bind: 127.0.0.1, port: 9993, registration: registration.yaml }",
    "database: { path: ':memory:' }",
    ...lines,
  ].join("\n");
}

/** A fresh in-memory database with carenet's schema. */
export function memoryDb(): Db {
  return openDatabase(":memory:");
}

/**
 * A fresh in-memory database for each test of the file, closed after it; `setUp` keeps it
 * and builds what the test works with.
 */
export function withMemoryDb(setUp: (db: Db) => void): void {
  let db: Db | undefined;
  beforeEach(() => {
    db = memoryDb();
    setUp(db);
  });
  afterEach(() => db?.close());
}
