import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import { ConfigReloader } from "../../../src/app/configReload";
import { createLogger } from "../../../src/kernel/logger";
import type { Effects } from "../../../src/messaging/effects";
import type { Message } from "../../../src/messaging/message";
import { loadConfigFile } from "../../../src/config/load";
import type { CarenetConfig } from "../../../src/config/types";
import { AuditLog } from "../../../src/store/audit";
import { CommunityRoomsStore } from "../../../src/features/communities/store/communityRooms";
import { openDatabase, type Db } from "../../../src/store/database";

const T = 1_800_000_000_000;
let db: Db;
let dir: string;
let file: string;
let posted: Array<{ roomId: string; text: string; key: string }>;
let current: CarenetConfig;
let applied: CarenetConfig[];
let reloader: ConfigReloader;

function community(id: string, extra: Record<string, unknown> = {}) {
  return { id, name: `${id} TC`, timezone: "Europe/London", staff: [`@staff-${id}:example.org`], rooms: { community: { name: "Chat" }, staff: { name: "Staff" }, alumni: { name: "Alumni" } }, ...extra };
}

function write(communities: unknown[], overrides: Record<string, unknown> = {}): void {
  writeFileSync(
    file,
    stringify({
      homeserver: { url: "http://127.0.0.1:8008", domain: "example.org" },
      appservice: { registration: "registration.yaml" },
      crisis_resources: "Call 999.",
      communities,
      ...overrides,
    }),
  );
}

beforeEach(() => {
  db = openDatabase(":memory:");
  dir = mkdtempSync(path.join(tmpdir(), "reload-"));
  file = path.join(dir, "config.yaml");
  write([community("oak"), community("elm")]);
  current = loadConfigFile(file).config;
  const rooms = new CommunityRoomsStore(db);
  rooms.record({ communityId: "oak", roomKey: "staff", roomId: "!oak-staff:example.org", alias: "#a:example.org", name: "Staff", origin: "created" }, T);
  rooms.record({ communityId: "elm", roomKey: "staff", roomId: "!elm-staff:example.org", alias: "#b:example.org", name: "Staff", origin: "created" }, T);
  posted = [];
  applied = [];
  const effects = {
    post: (roomId: string, m: Message, key: string) => void posted.push({ roomId, text: m.plain, key }),
  } as unknown as Effects;
  reloader = new ConfigReloader({
    file,
    current: () => current,
    apply: async (next) => {
      current = next;
      applied.push(next);
    },
    app: { audit: new AuditLog(db), rooms, effects, clock: { now: () => T }, atomically: (fn) => db.transaction(fn)() },
    log: createLogger("silent"),
  });
});
afterEach(() => db.close());

describe("ConfigReloader", () => {
  it("applies a valid change and audits it", async () => {
    write([community("oak", { name: "Oakwood renamed" }), community("elm")]);
    expect(await reloader.reload()).toEqual({ outcome: "applied", needsRestart: [] });
    expect(current.communities[0].name).toBe("Oakwood renamed");
    expect(new AuditLog(db).latest(null, 1)[0]).toMatchObject({ action: "config.reload", detail: "changed oak" });
  });

  it("refuses an invalid change, keeps the last good config and tells only the staff room it concerns", async () => {
    const before = current;
    write([community("oak"), community("elm", { timezone: "Mars/Olympus" })]);
    const result = await reloader.reload();
    expect(result.outcome).toBe("refused");
    expect(current).toBe(before);
    expect(applied).toEqual([]);
    expect(posted.map((p) => p.roomId)).toEqual(["!elm-staff:example.org"]);
    expect(posted[0].text).toMatch(/config\.yaml:\d+:\d+: communities\[1\]\.timezone/);
    expect(new AuditLog(db).latest(null, 1)[0]).toMatchObject({ action: "config.refused" });
  });

  it("tells every staff room about a problem outside the communities, once per broken text", async () => {
    write([community("oak"), community("elm")], { crisis_resources: 42 });
    await reloader.reload();
    await reloader.reload();
    expect(new Set(posted.map((p) => p.roomId))).toEqual(new Set(["!oak-staff:example.org", "!elm-staff:example.org"]));
    expect(new Set(posted.map((p) => p.key)).size).toBe(2); // the same keys again: the outbox sends them once
  });

  it("keeps settings that need a restart and applies the rest", async () => {
    write([community("oak"), community("elm", { name: "Elm new" })], { homeserver: { url: "http://127.0.0.1:9999", domain: "example.org" } });
    const result = await reloader.reload();
    expect(result).toEqual({ outcome: "applied", needsRestart: ["homeserver"] });
    expect(current.homeserver.url).toBe("http://127.0.0.1:8008");
    expect(current.communities[1].name).toBe("Elm new");
  });

  it("the metrics listener (bind, port, token) is read once at start: a change waits for a restart and is not audited", async () => {
    write([community("oak"), community("elm")], { metrics: { port: 9994, token: "a-new-secret-token-0123" } });
    expect(await reloader.reload()).toEqual({ outcome: "unchanged" });
    expect(current.metrics).toBeUndefined();
    expect(JSON.stringify(db.prepare("SELECT * FROM audit_log").all())).not.toContain("a-new-secret-token-0123");
  });

  it("does nothing when the file says what is already in force", async () => {
    expect(await reloader.reload()).toEqual({ outcome: "unchanged" });
    expect(new AuditLog(db).count()).toBe(0);
  });
});
