import * as ical from "node-ical";
import { CalendarService } from "../../../src/features/rota/calendar/service";
import { calendarRoute } from "../../../src/features/rota/calendar/http";
import { RotaService } from "../../../src/features/rota/service";
import { CalendarFeedsStore } from "../../../src/features/rota/store/calendarFeeds";
import { RotaStore } from "../../../src/features/rota/store/rota";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { ALEX, BEA, community, DEE, SAM, World } from "./world";
import { expectToContainAll } from "../../support/expectText";

/**
 * `!rota calendar`: a secret iCal URL by DM; the feed, parsed with node-ical, lists the
 * person's approved shifts at the right local times across the March DST change, follows
 * covers, and stops working after `!rota calendar reset`. Staff get the community's feed
 * with every shift and the gaps.
 */

/** Friday 20 March 2026, 12:00 in London (GMT); clocks go forward on Sunday 29 March. */
const FRI = Date.parse("2026-03-20T12:00:00Z");
const STAFF = { community: "oak", room: "staff" } as const;
const BASE = "https://care.example.org/cal";

let w: World;
let service: CalendarService;

function tokenIn(reply: string): string {
  const m = /https:\/\/care\.example\.org\/cal\/_carenet\/calendar\/([A-Za-z0-9_-]{43})\.ics/.exec(reply);
  if (!m) throw new Error(`no calendar URL in: ${reply}`);
  return m[1];
}

type VEvent = ical.VEvent;
function events(text: string): VEvent[] {
  return Object.values(ical.sync.parseICS(text)).filter((c): c is VEvent => c?.type === "VEVENT").sort((a, b) => +a.start - +b.start);
}

async function onRota(userId: string, slot: string): Promise<void> {
  const id = /#(\d+)/.exec(await w.ok(userId, `!volunteer ${slot}`))![1];
  await w.ok(SAM, `!rota approve ${id}`, STAFF);
}

beforeEach(async () => {
  w = new World({ now: FRI, communities: [community("oak")] });
  w.config.calendar = { public_url: BASE };
  w.addMember(ALEX);
  w.addMember(BEA);
  const rota = new RotaService({ store: new RotaStore(w.db), members: w.members, config: () => w.config, hasConsent: () => true });
  service = new CalendarService({ feeds: new CalendarFeedsStore(w.db), rota, config: () => w.config });
  await onRota(ALEX, "sun 18:00-22:00");
});

test("a person's feed: their Sunday 18:00–22:00 shift at 18:00 GMT before the change and 18:00 BST after it, with TZID", async () => {
  const r = await w.send(ALEX, "!rota calendar");
  expect(r.outcome).toBe("ok");
  expect(r.replyTo).toBe("dm");
  const token = tokenIn(r.reply.plain);
  const text = service.render(token, w.now)!;
  expect(text).toContain("DTSTART;TZID=Europe/London:20260322T180000");
  expect(text).toContain("BEGIN:VTIMEZONE");
  const evs = events(text);
  const starts = evs.map((e) => e.start.toISOString());
  // 15 March and 22 March: GMT (UTC+0); 29 March onwards: BST (UTC+1), still 18:00 on the wall.
  expectToContainAll(starts, ["2026-03-15T18:00:00.000Z", "2026-03-22T18:00:00.000Z", "2026-03-29T17:00:00.000Z", "2026-04-05T17:00:00.000Z"]);
  const dstSunday = evs.find((e) => e.start.toISOString() === "2026-03-29T17:00:00.000Z")!;
  expect(dstSunday.end!.toISOString()).toBe("2026-03-29T21:00:00.000Z");
  expect((dstSunday.start as Date & { tz?: string }).tz).toBe("Europe/London");
  expect(String(dstSunday.summary)).toContain("On call: Oak TC");
  // Only their own shifts; and nothing else of anyone else's.
  await onRota(BEA, "mon 09:00-12:00");
  expect(events(service.render(token, w.now)!).every((e) => String(e.summary).includes("On call: Oak TC"))).toBe(true);
  expect(service.render(token, w.now)).not.toContain(BEA);
});

test("the feed follows the rota as it changes: a cover moves that Sunday to the person covering", async () => {
  const alexToken = tokenIn((await w.send(ALEX, "!rota calendar")).reply.plain);
  const beaToken = tokenIn((await w.send(BEA, "!rota calendar")).reply.plain);
  expect(events(service.render(beaToken, w.now)!)).toEqual([]);
  const id = /#(\d+)/.exec(await w.ok(SAM, `!rota cover ${ALEX} 2026-03-29 ${BEA}`, STAFF))![1];
  await w.ok(BEA, `!rota accept ${id}`);
  const bea = events(service.render(beaToken, w.now)!);
  expect(bea.map((e) => e.start.toISOString())).toEqual(["2026-03-29T17:00:00.000Z"]);
  expect(String(bea[0].description)).toContain("covering");
  expect(events(service.render(alexToken, w.now)!).map((e) => e.start.toISOString())).not.toContain("2026-03-29T17:00:00.000Z");
});

test("reset revokes every link; only the token's hash is stored; the URL is in no audit row", async () => {
  const first = tokenIn((await w.send(ALEX, "!rota calendar")).reply.plain);
  const second = tokenIn((await w.send(ALEX, "!rota calendar")).reply.plain);
  expect(first).not.toBe(second);
  expect(service.render(first, w.now)).toBeDefined();
  const stored = JSON.stringify(w.db.prepare("SELECT * FROM calendar_feeds").all()) + JSON.stringify(w.db.prepare("SELECT * FROM audit_log").all());
  expect(stored).not.toContain(first);
  expect(stored).not.toContain(second);
  const reset = await w.ok(ALEX, "!rota calendar reset");
  expect(reset).toContain("2 links");
  expect(service.render(first, w.now)).toBeUndefined();
  expect(service.render(second, w.now)).toBeUndefined();
  // A new link works again.
  expect(service.render(tokenIn(await w.ok(ALEX, "!rota calendar")), w.now)).toBeDefined();
});

test("staff in their staff room get the community's feed: every shift with its holder, and the gaps", async () => {
  await onRota(BEA, "sun 20:00-23:00");
  const r = await w.send(SAM, "!rota calendar", STAFF);
  expect(r.replyTo).toBe("dm");
  const text = service.render(tokenIn(r.reply.plain), w.now)!;
  const evs = events(text);
  const sunday = evs.filter((e) => e.start.toISOString().startsWith("2026-03-29"));
  // Starting that Sunday: both shifts, and the gap after them (the one before began the Sunday before).
  expect(sunday.map((e) => String(e.summary)).sort()).toEqual([`${ALEX}: peer on call`, `${BEA}: peer on call`, "Gap: no peer on call"].sort());
  // The gap after the Sunday shifts runs from 23:00 BST to the next Sunday 18:00 BST.
  const gap = evs.find((e) => String(e.summary).startsWith("Gap") && e.start.toISOString() === "2026-03-29T22:00:00.000Z")!;
  expect(gap.end!.toISOString()).toBe("2026-04-05T17:00:00.000Z");
  // Someone who stops being staff: their community link stops working.
  w.config.communities[0] = { ...w.config.communities[0], staff: [] };
  expect(service.render(tokenIn(r.reply.plain), w.now)).toBeUndefined();
});

test("without calendar.public_url, and for someone who is nobody's member, a plain refusal", async () => {
  expect(await w.refused(DEE, "!rota calendar")).toContain("members and staff");
  delete w.config.calendar;
  expect(await w.refused(ALEX, "!rota calendar")).toContain("not set up");
});

test("an unknown argument is repeated back only if it is a plain word: never a link or a phone number", async () => {
  const link = await w.refused(ALEX, "!rota calendar https://evil.example/x");
  expect(link).toContain("not something I know");
  expect(link).not.toContain("evil");
  const phone = await w.refused(ALEX, "!rota calendar 07700900123");
  expect(phone).not.toContain("07700");
  const quoted = await w.refused(ALEX, '!rota calendar x"evil.example"');
  expect(quoted).not.toContain("evil");
  expect(await w.refused(ALEX, "!rota calendar resett")).toContain("!rota calendar resett is not something I know");
});

describe("the HTTP route", () => {
  let server: Server;
  let url: string;
  beforeEach(async () => {
    const route = calendarRoute((t) => service.render(t, w.now), pino({ level: "silent" }));
    server = createServer((req, res) => {
      if (!route(req, res)) res.writeHead(418).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => new Promise<void>((r) => server.close(() => r())));

  test("serves text/calendar for a live token; 404 alike for unknown, malformed and revoked ones; other paths pass through", async () => {
    const token = tokenIn(await w.ok(ALEX, "!rota calendar"));
    const ok = await fetch(`${url}/_carenet/calendar/${token}.ics`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toContain("text/calendar");
    expect(events(await ok.text()).length).toBeGreaterThan(5);
    expect((await fetch(`${url}/_carenet/calendar/${"A".repeat(43)}.ics`)).status).toBe(404);
    expect((await fetch(`${url}/_carenet/calendar/../../etc/passwd`)).status).not.toBe(200);
    await w.ok(ALEX, "!rota calendar reset");
    expect((await fetch(`${url}/_carenet/calendar/${token}.ics`)).status).toBe(404);
    expect((await fetch(`${url}/health`)).status).toBe(418);
  });
});


test("forgetting a person (`!forgetme`) deletes their calendar links with the rest of their rota", async () => {
  const token = tokenIn(await w.ok(ALEX, "!rota calendar"));
  w.rota.forget(ALEX);
  expect(w.db.prepare("SELECT COUNT(*) AS n FROM calendar_feeds WHERE user_id = ?").get(ALEX)).toEqual({ n: 0 });
  expect(service.render(token, w.now)).toBeUndefined();
});

test("a feed is in its owner's language: their !language, else their community's", async () => {
  const token = tokenIn((await w.send(ALEX, "!rota calendar")).reply.plain);
  const rota = new RotaService({ store: new RotaStore(w.db), members: w.members, config: () => w.config, hasConsent: () => true });
  const asked: string[] = [];
  const spanish = new CalendarService({
    feeds: new CalendarFeedsStore(w.db),
    rota,
    config: () => w.config,
    readers: {
      forPerson: (userId, communityId) => (asked.push(`${userId} ${communityId}`), { language: "es" }),
      forUser: () => ({ language: "en" }),
    },
  });
  const text = spanish.render(token, w.now)!;
  expect(asked[0]).toBe(`${ALEX} oak`);
  expect(text).toContain("De guardia: Oak TC (par de guardia)");
  expect(text).toContain("Mis turnos de carenet");
  expect(text).not.toContain("On call");
});
