import { DEFAULT_CONTEXT } from "../../../src/words";
import { stringify } from "yaml";
import type { AppContext } from "../../../src/app/context";
import type { CheckinService } from "../../../src/features/checkins/service";
import { installCheckins } from "../../../src/features/checkins/install";
import { consentNeeded } from "../../../src/features/communities/consent";
import { createLogger } from "../../../src/kernel/logger";
import { Dispatcher } from "../../../src/commands/dispatcher";
import { helpCommand } from "../../../src/commands/help";
import type { CommandResult } from "../../../src/commands/types";
import { parseConfig } from "../../../src/config/load";
import type { CarenetConfig, CommunityConfig } from "../../../src/config/types";
import { QueuedEffects } from "../../../src/matrix/queuedEffects";
import { Scheduler } from "../../../src/scheduler/scheduler";
import { AuditLog } from "../../../src/store/audit";
import { CommunityRoomsStore } from "../../../src/features/communities/store/communityRooms";
import { ConsentStore } from "../../../src/features/communities/store/consent";
import { openDatabase, type Db } from "../../../src/store/database";
import { DmRoomsStore } from "../../../src/matrix/store/dmRooms";
import { JobsStore } from "../../../src/store/jobs";
import { MembersStore } from "../../../src/features/communities/store/members";
import { OutboxStore } from "../../../src/store/outbox";
import { noMetrics } from "../../../src/metrics/port";
import { expectToContainAll } from "../../support/expectText";

/**
 * Check-ins end to end inside carenet, on a fake clock: real stores, effects, scheduler and
 * dispatcher over an in-memory SQLite; only the homeserver is missing (messages are read
 * from the outbox, sent events are simulated by marking outbox rows sent).
 */

const CRISIS = "In an emergency call 999. Samaritans 116 123.";
const ALICE = "@alice:example.org";
const BOB = "@bob:example.org";
const CAROL = "@carol:example.org";
const SPONSOR = "@sponsor:example.org";
const SAM = "@sam:example.org"; // staff
const ONCALL = "@oncall:example.org"; // staff on call
const STAFF_ROOM = "!staff:example.org";
const HOUR = 3600_000;
const Z = (iso: string) => Date.parse(iso);
/** Monday 2 March 2026, 10:00 in London (GMT). */
const T0 = Z("2026-03-02T10:00:00Z");

let db: Db;
let app: AppContext;
let clock: { t: number; now(): number };
let config: CarenetConfig;
let dispatcher: Dispatcher;
let service: CheckinService;
let consenting: Set<string>;
let onBreak: Set<string>;
let onCallStaff: string[];
let eventSeq = 0;

function makeConfig(community: Record<string, unknown> = {}): CarenetConfig {
  const text = stringify({
    homeserver: { url: "http://127.0.0.1:8008", domain: "example.org" },
    crisis_resources: CRISIS,
    communities: [
      {
        id: "oak",
        name: "Oakwood",
        timezone: "Europe/London",
        staff: [SAM, ONCALL],
        rooms: { community: { name: "Chat" }, staff: { name: "Staff" }, alumni: { name: "Alumni" } },
        checkins: [{ id: "evening", at: "20:00", prompt: "How are you this evening?", times: ["21:00"] }],
        ...community,
      },
    ],
  });
  return parseConfig(text, "/srv/carenet/config.yaml").config;
}

function setUp(cfg = makeConfig()): void {
  db = openDatabase(":memory:");
  clock = { t: T0, now() { return this.t; } };
  config = cfg;
  consenting = new Set([ALICE, BOB, CAROL]);
  onBreak = new Set();
  onCallStaff = [];
  const jobs = new JobsStore(db);
  const outbox = new OutboxStore(db);
  const log = createLogger("silent");
  const scheduler = new Scheduler({ jobs, clock, log, retryAdvice: (err) => ({ delayMs: 1000, permanent: true, reason: String(err) }) });
  const rooms = new CommunityRoomsStore(db);
  rooms.record({ communityId: "oak", roomKey: "staff", roomId: STAFF_ROOM, alias: "#s:example.org", name: "Staff", origin: "created" }, T0);
  rooms.record({ communityId: "oak", roomKey: "community", roomId: "!chat:example.org", alias: "#c:example.org", name: "Chat", origin: "created" }, T0);
  app = {
    db,
    config: () => config,
    clock,
    log,
    botUserId: "@carenet:example.org",
    metrics: noMetrics,
    domain: "example.org",
    homeserver: {} as AppContext["homeserver"],
    directRooms: {} as AppContext["directRooms"],
    matrix: {} as AppContext["matrix"],
    effects: new QueuedEffects(outbox, jobs, clock, { outbox: () => undefined, scheduler: () => undefined }),
    readers: { forUser: () => DEFAULT_CONTEXT, forRoom: () => DEFAULT_CONTEXT, forPerson: () => DEFAULT_CONTEXT, forCommunity: () => DEFAULT_CONTEXT },
    scheduler,
    jobs,
    outbox,
    dmRooms: new DmRoomsStore(db),
    rooms,
    members: new MembersStore(db),
    consent: new ConsentStore(db),
    audit: new AuditLog(db),
    atomically: (fn) => db.transaction(fn)(),
    commands: [helpCommand],
    roomMessageHooks: [],
    membershipHooks: [],
    reactionHooks: [],
    replyHooks: [],
    afterReconcile: [],
  };
  service = installCheckins(app, {
    consentNeeded: (c, userId, what, crisis) => consentNeeded(app, c, userId, what, crisis),
    onCall: () => ({ peers: [], backupPeers: [], staff: onCallStaff }),
    hasConsent: (_c, u) => consenting.has(u),
    isOnBreak: (_c, u) => onBreak.has(u),
  });
  dispatcher = new Dispatcher(app.commands, (err) => { throw err; }, app.atomically);
  app.members.add({ communityId: "oak", userId: ALICE, sponsor: SPONSOR, addedBy: SAM }, T0);
  app.members.add({ communityId: "oak", userId: BOB, sponsor: SPONSOR, addedBy: SAM }, T0);
}

afterEach(() => db?.close());

/** The default config, past the start-up steps: where most describes begin. */
async function setUpAndReconcile(): Promise<void> {
  setUp();
  await reconcile();
}

/** As setUpAndReconcile, then the evening prompt has gone out and a minute has passed. */
async function aMinuteAfterThePrompt(): Promise<void> {
  await setUpAndReconcile();
  await at(EVENING);
  clock.t = EVENING + 60_000;
}

async function reconcile(): Promise<void> {
  for (const step of app.afterReconcile) await step(config, "start");
}

/** Moves the clock and runs whatever came due. */
async function at(t: number): Promise<void> {
  clock.t = t;
  await app.scheduler.runDue();
}

async function command(sender: string, body: string, place: { community?: CommunityConfig; roomKey?: string; staff?: boolean } = {}): Promise<CommandResult> {
  return dispatcher.dispatch(body, {
    sender,
    place: place.community ? "room" : "dm",
    roomId: place.community ? "!room:example.org" : `!dm-${sender}`,
    eventId: `$cmd${++eventSeq}`,
    community: place.community,
    roomKey: place.roomKey,
    isStaffHere: !!place.staff,
    now: clock.now(),
    crisisResources: CRISIS,
  });
}

const staffRoom = () => ({ community: config.communities[0], roomKey: "staff", staff: true });

interface Sent {
  key: string;
  toUser: string | null;
  roomId: string;
  body: string;
  msgtype: string;
  mentions: string[];
}
function outbox(): Sent[] {
  return (db.prepare("SELECT dedupe_key, to_user, room_id, content_json FROM outbox ORDER BY id").all() as Array<Record<string, string>>).map((r) => ({
    key: r.dedupe_key,
    toUser: r.to_user,
    roomId: r.room_id,
    body: String((JSON.parse(r.content_json) as { body?: string }).body ?? ""),
    msgtype: String((JSON.parse(r.content_json) as { msgtype?: string }).msgtype),
    mentions: (JSON.parse(r.content_json) as { "m.mentions"?: { user_ids?: string[] } })["m.mentions"]?.user_ids ?? [],
  }));
}
const to = (user: string) => outbox().filter((m) => m.toUser === user);
const prompts = (user: string) => to(user).filter((m) => m.key.startsWith("checkins:prompt:") || m.key.startsWith("checkins:alumni:"));

/** Marks a queued message as sent, as the outbox sender would; returns its event id. */
function sent(key: string): string {
  const row = db.prepare("SELECT id FROM outbox WHERE dedupe_key = ?").get(key) as { id: number };
  const eventId = `$ev-${row.id}`;
  app.outbox.markSent(row.id, eventId, clock.now());
  return eventId;
}

/** A reaction as the router passes it; `late`: it reached carenet after events.max_age (only hooks that accept that see it). */
function react(sender: string, targetEventId: string, key: string, late = false): void {
  app.atomically(() => {
    for (const hook of app.reactionHooks) {
      if (late && !hook.acceptsLate) continue;
      hook({ roomId: `!dm-${sender}`, sender, targetEventId, key, eventId: `$r${++eventSeq}`, place: undefined, late });
    }
  });
}

/** A plain message in the member's DM, as the router offers it (not a command, not a reply). */
function plainly(sender: string, text: string): CommandResult | undefined {
  return app.atomically(() => {
    for (const hook of app.plainAnswerHooks ?? []) {
      const r = hook({ roomId: `!dm-${sender}`, sender, text, eventId: `$m${++eventSeq}`, now: clock.now(), crisisResources: CRISIS });
      if (r) return r;
    }
    return undefined;
  });
}

function reply(sender: string, inReplyTo: string, text: string): CommandResult | undefined {
  return app.atomically(() => {
    for (const hook of app.replyHooks) {
      const r = hook({ roomId: `!dm-${sender}`, sender, inReplyTo, text, eventId: `$m${++eventSeq}`, place: undefined, now: clock.now(), crisisResources: CRISIS });
      if (r) return r;
    }
    return undefined;
  });
}

const answers = (user: string) =>
  db.prepare("SELECT value, note, via, local_date FROM checkin_answers WHERE user_id = ? ORDER BY id").all(user) as Array<{ value: number; note: string | null; via: string; local_date: string }>;

const EVENING = Z("2026-03-02T20:00:00Z");

describe("prompts", () => {
  beforeEach(setUpAndReconcile);

  it("one durable job per prompt slot; at 20:00 each consenting member gets the prompt with the worded options", async () => {
    expect(app.jobs.pending("checkins.prompt").map((j) => [j.payload.slot, j.dueAt])).toEqual([
      ["20:00", EVENING],
      ["21:00", Z("2026-03-02T21:00:00Z")],
    ]);
    consenting.delete(BOB);
    await at(EVENING);
    expect(prompts(BOB)).toEqual([]);
    const [p] = prompts(ALICE);
    expect(p.body).toContain("How are you this evening?");
    for (const line of ["1️⃣ really struggling", "2️⃣ not great", "3️⃣ okay", "4️⃣ fine", "5️⃣ good"]) expect(p.body).toContain(line);
    expect(p.body).toContain("!page");
    // The next occurrence is waiting, and a missed-check-in check for this one.
    expect(app.jobs.pending("checkins.prompt").map((j) => j.dueAt)).toEqual([Z("2026-03-02T21:00:00Z"), Z("2026-03-03T20:00:00Z")]);
    expect(app.jobs.pending("checkins.missed").map((j) => j.dueAt)).toEqual([EVENING + 3 * HOUR]);
  });

  it("a prompt job run twice (a crash before it was marked done) sends and records nothing twice", async () => {
    const job = app.jobs.pending("checkins.prompt")[0];
    clock.t = EVENING + 1000;
    service.runPrompt(job);
    service.runPrompt(job);
    expect(prompts(ALICE)).toHaveLength(1);
    expect(prompts(BOB)).toHaveLength(1);
    // Prompts they have only by the community's default do not ring (docs/paging.md, "what rings").
    expect(prompts(ALICE).map((m) => [m.msgtype, m.mentions])).toEqual([["m.notice", []]]);
    expect(db.prepare("SELECT COUNT(*) AS n FROM checkin_prompts").get()).toEqual({ n: 2 });
    // The same after a restart past the grace window: the skip is reported once.
    const late = { ...job, payload: { ...job.payload, occurrenceAt: EVENING - 24 * HOUR } };
    service.runPrompt(late);
    service.runPrompt(late);
    expect(outbox().filter((m) => m.roomId === STAFF_ROOM)).toHaveLength(1);
  });

  it("no prompts while on a break or paused; a member's own time and wording are honoured", async () => {
    onBreak.add(BOB);
    await command(ALICE, "!checkin plan time 21:00");
    await command(ALICE, "!checkin plan wording How's your evening, Alice?");
    await at(EVENING);
    expect(prompts(BOB)).toEqual([]);
    expect(prompts(ALICE)).toEqual([]);
    await at(Z("2026-03-02T21:00:00Z"));
    // A prompt the member chose (their own time and wording) rings: an m.text addressed to them alone.
    expect(prompts(ALICE).map((m) => m.body.split("\n")[0])).toEqual([`${ALICE}: How's your evening, Alice?`]);
    expect(prompts(ALICE).map((m) => [m.msgtype, m.mentions])).toEqual([["m.text", [ALICE]]]);
    await command(ALICE, "!checkin plan pause");
    await at(Z("2026-03-03T21:00:00Z"));
    expect(prompts(ALICE)).toHaveLength(1);
    await command(ALICE, "!checkin plan resume");
    await at(Z("2026-03-04T21:00:00Z"));
    expect(prompts(ALICE)).toHaveLength(2);
  });

  it("a prompt missed during downtime goes late, with its original time, within the grace window", async () => {
    await at(EVENING + 90 * 60_000);
    const [p] = prompts(ALICE);
    expect(p.body).toContain("This is your evening check-in of Mon 20:00 (United Kingdom Time): carenet could not send it on time.");
    expect(outbox().filter((m) => m.roomId === STAFF_ROOM)).toEqual([]);
    const row = db.prepare("SELECT occurrence_at, late FROM checkin_prompts WHERE user_id = ?").get(ALICE);
    expect(row).toEqual({ occurrence_at: EVENING, late: 1 });
  });

  it("past the grace window it is skipped and staff get a count, no names — never a burst of stale prompts", async () => {
    // Down from before Monday 20:00 until Thursday 21:00 (grace 2h): Mon, Tue, Wed 20:00 are
    // stale; Thu 20:00 is within the window and goes late.
    await at(Z("2026-03-05T21:00:00Z"));
    expect(prompts(ALICE)).toHaveLength(1);
    expect(prompts(ALICE)[0].body).toContain("evening check-in of Thu 20:00");
    const reports = outbox().filter((m) => m.roomId === STAFF_ROOM);
    expect(reports).toHaveLength(1);
    expect(reports[0].body).toContain("6 check-in prompts were not sent (the evening check-in of Mon 20:00, Tue 20:00, and Wed 20:00, United Kingdom Time)");
    expect(reports[0].body).toContain("grace window of 2 hours");
    expect(reports[0].body).not.toContain(ALICE);
    expect(reports[0].body).not.toContain(BOB);
  });

  it("reconcile after a reload moves, revives or cancels slots, and leaves an overdue one to catch up", async () => {
    config = makeConfig({ checkins: [{ id: "evening", at: "19:30", prompt: "Evening?" }] });
    await reconcile();
    expect(app.jobs.pending("checkins.prompt").map((j) => [j.payload.slot, j.dueAt])).toEqual([["19:30", Z("2026-03-02T19:30:00Z")]]);
    config = makeConfig();
    await reconcile();
    expect(app.jobs.pending("checkins.prompt").map((j) => j.payload.slot)).toEqual(["20:00", "21:00"]);
    clock.t = EVENING + HOUR; // overdue: carenet was down at 20:00
    config = makeConfig({ checkin_settings: { grace: "30m" } });
    await reconcile();
    expect(app.jobs.pending("checkins.prompt").find((j) => j.payload.slot === "20:00")?.dueAt).toBe(EVENING);
    await app.scheduler.runDue();
    expect(prompts(ALICE)).toEqual([]); // an hour late with a 30-minute grace window: skipped and reported
    expect(outbox().filter((m) => m.roomId === STAFF_ROOM)).toHaveLength(1);
    config = makeConfig({ checkins: [] });
    await reconcile();
    expect(app.jobs.pending("checkins.prompt")).toEqual([]);
  });

  it("can ask in a shared room: one prompt there, answered by reaction, the answer acknowledged privately", async () => {
    config = makeConfig({ checkins: [{ id: "group", at: "20:00", prompt: "Group check-in", delivery: "community" }] });
    await reconcile();
    await at(EVENING);
    const posts = outbox().filter((m) => m.roomId === "!chat:example.org");
    expect(posts).toHaveLength(1);
    expect(prompts(ALICE)).toEqual([]);
    const ev = sent(posts[0].key);
    react(ALICE, ev, "4️⃣");
    react(BOB, ev, "2️⃣");
    expect(answers(ALICE).map((a) => a.value)).toEqual([4]);
    expect(answers(BOB).map((a) => a.value)).toEqual([2]);
    expect(to(ALICE).at(-1)?.body).toContain("recorded 4 (fine) for your group check-in (Mon 20:00, United Kingdom Time)");
  });
});

describe("answers", () => {
  let promptEvent: string;
  beforeEach(async () => {
    setUp();
    await reconcile();
    await at(EVENING);
    promptEvent = sent(prompts(ALICE)[0].key);
    clock.t = EVENING + 10 * 60_000;
  });

  it("by command, by reaction and by reply; changed the same day, not the next", async () => {
    const first = await command(ALICE, "!checkin 3 long day at work");
    expect(first.outcome).toBe("ok");
    expect(first.reply.plain).toContain("I have recorded 3 (okay) for your evening check-in (Mon 20:00, United Kingdom Time).");
    expect(first.reply.plain).toContain("Your note is private: only you can see it.");
    react(ALICE, promptEvent, "4️⃣");
    expect(answers(ALICE)).toEqual([{ value: 4, note: "long day at work", via: "reaction", local_date: "2026-03-02" }]);
    expect(to(ALICE).at(-1)?.body).toContain("Changed your evening check-in (Mon 20:00, United Kingdom Time) from 3 (okay) to 4 (fine).");
    expect(reply(ALICE, promptEvent, "fine")?.reply.plain).toContain("That is already recorded: 4 (fine)");
    expect(reply(ALICE, "$not-a-prompt", "hello")).toBeUndefined();
    // Someone else reacting to Alice's prompt records nothing.
    react(BOB, promptEvent, "1️⃣");
    expect(answers(BOB)).toEqual([]);
    // The next day the answer stands; a new check-in counts for the new day.
    clock.t = Z("2026-03-03T09:00:00Z");
    react(ALICE, promptEvent, "5️⃣");
    expect(answers(ALICE).map((a) => a.value)).toEqual([4]);
    expect(to(ALICE).at(-1)?.body).toContain("An answer can be changed only on the day it was given");
    const today = await command(ALICE, "!checkin good");
    expect(today.reply.plain).toContain("recorded 5 (good) for today's check-in");
    expect(answers(ALICE).map((a) => [a.local_date, a.value])).toEqual([["2026-03-02", 4], ["2026-03-03", 5]]);
  });

  it("a number or a word of the scale typed in the DM while a prompt is open answers it, and says so", () => {
    const r = plainly(ALICE, "3");
    expect(r?.outcome).toBe("ok");
    expect(r?.reply.plain).toContain("I took your message as your answer to your evening check-in (Mon 20:00, United Kingdom Time): 3 (okay).");
    expect(answers(ALICE)).toEqual([{ value: 3, note: null, via: "reply", local_date: "2026-03-02" }]);
    expect(plainly(ALICE, "Fine.")?.reply.plain).toContain("changed from 3 (okay) to 4 (fine)");
    expect(answers(ALICE).map((a) => a.value)).toEqual([4]);
    // Words that are not (only) an answer are left to the plain-words reply.
    expect(plainly(ALICE, "hello")).toBeUndefined();
    expect(plainly(ALICE, "3 and a long story")).toBeUndefined();
    expect(plainly(ALICE, "9")).toBeUndefined();
    // Someone with no open prompt: nothing to answer.
    expect(plainly(CAROL, "3")).toBeUndefined();
    // A day later the prompt is no longer open to a plain message.
    clock.t = EVENING + 25 * HOUR;
    expect(plainly(ALICE, "2")).toBeUndefined();
    expect(answers(ALICE).map((a) => a.value)).toEqual([4]);
  });

  it("in Spanish, a plain answer is acknowledged in Spanish", () => {
    const r = plainly(BOB, "okay");
    expect(r?.reply.render({ language: "es" }).plain).toContain("He tomado tu mensaje como tu respuesta a tu check-in evening");
  });

  it("a reaction that reached carenet late still answers a prompt that can take an answer; not one settled on an earlier day", () => {
    react(ALICE, promptEvent, "4️⃣", true);
    expect(answers(ALICE)).toEqual([{ value: 4, note: null, via: "reaction", local_date: "2026-03-02" }]);
    react(ALICE, promptEvent, "3️⃣", true); // the same day: the answer may still be changed
    expect(answers(ALICE).map((a) => a.value)).toEqual([3]);
    const told = to(ALICE).length;
    clock.t = Z("2026-03-03T09:00:00Z");
    react(ALICE, promptEvent, "5️⃣", true);
    expect(answers(ALICE).map((a) => a.value)).toEqual([3]);
    expect(to(ALICE)).toHaveLength(told); // an old click is not answered with a refusal either
  });

  it("a late answer counts for its prompt", async () => {
    clock.t = Z("2026-03-03T08:00:00Z");
    const r = await command(ALICE, "!checkin 2");
    expect(r.reply.plain).toContain("for your evening check-in (Mon 20:00, United Kingdom Time).");
    expect(r.reply.plain).toContain("It counts for Mon, Mar 2.");
    expect(answers(ALICE)[0].local_date).toBe("2026-03-02");
  });

  it("records nothing for someone no longer a member", () => {
    app.members.remove("oak", ALICE, null, clock.now());
    react(ALICE, promptEvent, "4️⃣");
    expect(answers(ALICE)).toEqual([]);
    expect(to(ALICE).at(-1)?.body).toContain("no longer a member of Oakwood");
  });

  it("a reaction that is not one of the options gets the options in words", () => {
    react(ALICE, promptEvent, "👍");
    expect(answers(ALICE)).toEqual([]);
    expect(to(ALICE).at(-1)?.body).toContain("1️⃣ really struggling");
  });

  it("an answer it cannot read is refused with the scale and the crisis resources", async () => {
    const r = await command(ALICE, "!checkin meh");
    expect(r.outcome).toBe("refused");
    expect(r.reply.plain).toContain("1 — really struggling");
    expect(r.reply.plain).toContain(CRISIS);
  });

  it("said in a community room, the answer is not echoed there", async () => {
    const r = await command(ALICE, "!checkin 4", { community: config.communities[0], roomKey: "community" });
    expect(r.replyTo).toBe("dm");
  });
});

describe("consent gate", () => {
  beforeEach(setUpAndReconcile);

  it("records nothing for someone who has not agreed, and points them kindly to !consent, !page and the crisis resources", async () => {
    consenting.delete(ALICE);
    for (const body of ["!checkin 1 awful", "!checkin plan alerts sponsor", "!checkin alumni off"]) {
      const r = await command(ALICE, body);
      expect(r.outcome).toBe("refused");
      expectToContainAll(r.reply.plain, ["!consent", "!page", CRISIS]);
    }
    expect(answers(ALICE)).toEqual([]);
    expect(db.prepare("SELECT COUNT(*) AS n FROM checkin_plan_changes").get()).toEqual({ n: 0 });
    expect(db.prepare("SELECT COUNT(*) AS n FROM checkin_alumni").get()).toEqual({ n: 0 });
    // Looking at the plan is fine.
    expect((await command(ALICE, "!checkin plan")).outcome).toBe("ok");
  });

  it("refuses someone who is not a member, with the crisis resources", async () => {
    const r = await command("@stranger:example.org", "!checkin 3");
    expect(r.outcome).toBe("refused");
    expect(r.reply.plain).toContain(CRISIS);
  });
});

describe("alerts go exactly where the member chose", () => {
  beforeEach(aMinuteAfterThePrompt);

  const alertsTo = (user: string) => to(user).filter((m) => m.key.startsWith("checkins:low:") || m.key.startsWith("checkins:missed:"));

  it("a low answer reaches nobody by default, and always offers !page and the crisis resources", async () => {
    const r = await command(ALICE, "!checkin 1 everything is too much");
    expect(r.reply.plain).toContain("send !page");
    // How they are comes before what was recorded.
    expect(r.reply.plain.indexOf("That sounds hard")).toBe(0);
    expect(r.reply.plain.indexOf("That sounds hard")).toBeLessThan(r.reply.plain.indexOf("I have recorded 1"));
    expect(r.reply.plain).toContain(CRISIS);
    expect(r.reply.plain).toContain("Nobody else has been told");
    expect(alertsTo(SPONSOR)).toEqual([]);
    expect(outbox().filter((m) => m.toUser !== ALICE && !m.key.startsWith("checkins:prompt:"))).toEqual([]);
  });

  it("reaches the sponsor only when the member chose that, and without the note unless notes are shared", async () => {
    await command(ALICE, "!checkin plan alerts low sponsor");
    onCallStaff = [ONCALL];
    const r = await command(ALICE, "!checkin really struggling everything is too much");
    expect(r.reply.plain).toContain(`As your plan asks, I have let ${SPONSOR} know`);
    const [alert] = alertsTo(SPONSOR);
    expect(alert.body).toContain(`Check-in from ${ALICE} (Oakwood): 1 (really struggling)`);
    expect(alert.body).not.toContain("too much");
    // An alert the member's plan sends rings for the sponsor, and names nobody else.
    expect([alert.msgtype, alert.mentions]).toEqual(["m.text", [SPONSOR]]);
    expect(alertsTo(ONCALL)).toEqual([]);
    expect(outbox().filter((m) => m.roomId === STAFF_ROOM)).toEqual([]);
    // Bob kept the default: his low answer goes nowhere.
    await command(BOB, "!checkin 1");
    expect(alertsTo(SPONSOR)).toHaveLength(1);
  });

  it("a changed answer that is lower still (not great, then really struggling) reaches the sponsor again; a better one does not", async () => {
    await command(ALICE, "!checkin plan alerts low sponsor");
    await command(ALICE, "!checkin not great");
    expect(alertsTo(SPONSOR)).toHaveLength(1);
    const worse = await command(ALICE, "!checkin really struggling");
    expect(worse.reply.plain).toContain(`As your plan asks, I have let ${SPONSOR} know (your sponsor).`);
    expect(alertsTo(SPONSOR)).toHaveLength(2);
    expect(alertsTo(SPONSOR)[1].body).toContain(`Check-in from ${ALICE} (Oakwood): changed from 2 (not great) to 1 (really struggling)`);
    expect(alertsTo(SPONSOR)[1].mentions).toEqual([SPONSOR]);
    const better = await command(ALICE, "!checkin 2");
    expect(alertsTo(SPONSOR)).toHaveLength(2);
    expect(better.reply.plain).toContain("Who hears about a low answer, in your plan: your sponsor.");
    expect(better.reply.plain).not.toContain("your sponsor hear ");
  });

  it("reaches the staff on call when chosen, with the note when notes are shared; says so when nobody is on call", async () => {
    await command(ALICE, "!checkin plan alerts low on-call-staff");
    await command(ALICE, "!checkin plan notes shared");
    const none = await command(ALICE, "!checkin 2 rough");
    expect(none.reply.plain).toContain("No staff are on call right now");
    expect(alertsTo(ONCALL)).toEqual([]);
    clock.t += 60_000;
    onCallStaff = [ONCALL];
    await command(BOB, "!checkin plan alerts low on-call-staff");
    await command(BOB, "!checkin plan notes shared");
    await command(BOB, "!checkin 1 rough night");
    expect(alertsTo(ONCALL).map((m) => m.body)).toEqual([expect.stringContaining("Their note: rough night")]);
    expect(alertsTo(SPONSOR)).toEqual([]);
  });

  it("a missed check-in goes to the people named (and tells the member), nobody otherwise; a late answer is passed on", async () => {
    await command(ALICE, "!checkin plan alerts missed sponsor");
    await at(EVENING + 3 * HOUR);
    expect(alertsTo(SPONSOR).map((m) => m.body)).toEqual([expect.stringContaining(`no answer yet to the evening check-in of Mon 20:00`)]);
    expect(to(ALICE).at(-1)?.body).toContain(`I have let ${SPONSOR} know`);
    // Bob chose nobody: nothing about him goes anywhere.
    expect(outbox().filter((m) => m.body.includes(BOB))).toEqual([]);
    await command(ALICE, "!checkin 4");
    expect(to(SPONSOR).at(-1)?.body).toContain(`${ALICE} (Oakwood) has now answered their evening check-in of Mon 20:00`);
  });

  it("nobody is chased about a missed check-in while the member is paused", async () => {
    await command(ALICE, "!checkin plan alerts missed sponsor");
    await command(ALICE, "!checkin plan pause 2d");
    await at(EVENING + 3 * HOUR);
    expect(alertsTo(SPONSOR)).toEqual([]);
  });
});

describe("the staff view shows only what each member chose to share", () => {
  beforeEach(aMinuteAfterThePrompt);

  it("today, week and one member", async () => {
    await command(ALICE, "!checkin plan share answers");
    await command(ALICE, "!checkin 4 private thoughts");
    await command(BOB, "!checkin 2 bob's secret");
    const today = await command(SAM, "!checkins", staffRoom());
    expect(today.outcome).toBe("ok");
    expect(today.reply.plain).toContain(`${ALICE}: 4 (fine)`);
    expect(today.reply.plain).not.toContain("private thoughts");
    expect(today.reply.plain).not.toContain(BOB);
    expect(today.reply.plain).not.toContain("secret");
    expect(today.reply.plain).toContain("1 of 2 members share their check-ins with staff");

    await command(ALICE, "!checkin plan notes shared");
    await command(ALICE, "!checkin 3 now shared note");
    const week = await command(SAM, "!checkins week", staffRoom());
    expect(week.reply.plain).toContain(`${ALICE}: Tue – · Wed – · Thu – · Fri – · Sat – · Sun – · Mon 3`);
    expect(week.reply.plain).not.toContain(BOB);
    const one = await command(SAM, `!checkins ${ALICE}`, staffRoom());
    expect(one.reply.plain).toContain("3 (okay) (note: now shared note)");
    const bob = await command(SAM, `!checkins ${BOB}`, staffRoom());
    expect(bob.reply.plain).toContain("keeps their check-ins private");
    expect(bob.reply.plain).not.toContain("2");

    // Withdrawing sharing hides what was shared before.
    await command(ALICE, "!checkin plan share nothing");
    expect((await command(SAM, "!checkins", staffRoom())).reply.plain).not.toContain(ALICE);
  });

  it("answers given while not sharing stay private after the member starts sharing", async () => {
    await command(ALICE, "!checkin 4");
    await command(ALICE, "!checkin plan share answers");
    expect((await command(SAM, "!checkins", staffRoom())).reply.plain).toContain(`${ALICE}: no check-in yet`);
  });

  it("is a staff command: refused to a member", async () => {
    const r = await command(ALICE, "!checkins");
    expect(r.outcome).toBe("refused");
  });
});

describe("plans", () => {
  beforeEach(setUpAndReconcile);

  it("shown in plain words; every change recorded; a refused edit says why", async () => {
    const shown = await command(ALICE, "!checkin plan");
    expect(shown.reply.plain).toContain("evening check-in: on, at 20:00 every day");
    expect(shown.reply.plain).toContain("Who hears about a low answer: nobody.");
    const changed = await command(ALICE, "!checkin plan alerts low sponsor");
    expect(changed.reply.plain).toContain("Changed alerts low: nobody → your sponsor.");
    const bad = await command(ALICE, "!checkin plan time 23:00");
    expect(bad.outcome).toBe("refused");
    expect(bad.reply.plain).toContain("20:00, 21:00");
    await command(ALICE, "!checkin plan prompts off");
    const history = await command(ALICE, "!checkin plan history");
    expect(history.reply.plain).toContain("alerts low, nobody → your sponsor");
    expect(history.reply.plain).toContain("prompts evening, on → off");
  });

  it("asks to be reviewed at the community's interval, and again after another if left", async () => {
    await at(EVENING); // the first prompt starts Alice's plan
    const review = Z("2026-04-27T19:00:00Z"); // 8 weeks after Monday 20:00 GMT is 20:00 BST
    expect(app.jobs.get(`checkins:review:oak:${ALICE}`)?.dueAt).toBe(review);
    await at(review);
    const reminder = to(ALICE).find((m) => m.key.startsWith("checkins:review:"));
    expect(reminder?.body).toContain("It has been 8 weeks since you last looked at your check-in plan");
    expect(reminder?.body).toContain("!checkin plan ok");
    await command(ALICE, "!checkin plan ok");
    expect(app.jobs.get(`checkins:review:oak:${ALICE}`)?.dueAt).toBe(Z("2026-06-22T19:00:00Z"));
  });
});

describe("alumni", () => {
  beforeEach(async () => {
    setUp();
    app.members.add({ communityId: "oak", userId: CAROL, sponsor: SPONSOR, addedBy: SAM }, T0);
    app.members.discharge("oak", CAROL, T0);
    await reconcile();
  });

  it("a discharged member gets the gentler check-in monthly by default, weekly if they choose, none if they turn it off", async () => {
    // Sundays at 18:00 London: 8, 15, 22, 29 March, 5 April (the first Sunday of April).
    const sunday = (d: string) => Z(`${d}T${d >= "2026-03-29" ? "17" : "18"}:00:00Z`);
    await at(sunday("2026-03-08"));
    expect(prompts(CAROL)).toEqual([]);
    expect(prompts(ALICE)).toEqual([]); // active members do not get alumni check-ins
    await command(CAROL, "!checkin alumni weekly");
    await at(sunday("2026-03-15"));
    expect(prompts(CAROL)).toHaveLength(1);
    expectToContainAll(prompts(CAROL)[0].body, ["There is no need to answer — the door is always open.", "!page", "These come weekly"]);
    const ev = sent(prompts(CAROL)[0].key);
    clock.t += 60_000;
    react(CAROL, ev, "5️⃣");
    expect(answers(CAROL).map((a) => a.value)).toEqual([5]);
    await command(CAROL, "!checkin alumni monthly");
    await at(sunday("2026-03-22"));
    await at(sunday("2026-03-29"));
    expect(prompts(CAROL)).toHaveLength(1);
    await at(sunday("2026-04-05"));
    expect(prompts(CAROL)).toHaveLength(2);
    await command(CAROL, "!checkin alumni off");
    await at(Z("2026-05-03T17:00:00Z"));
    expect(prompts(CAROL)).toHaveLength(2);
    // No missed-check-in chasing for alumni.
    expect(app.jobs.pending("checkins.missed")).toEqual([]);
  });
});
