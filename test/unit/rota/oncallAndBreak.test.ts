import { ALEX, BEA, CAL, community, CRISIS, DEE, ELI, HOUR, idIn, MIN, SAM, World, type Where } from "./world";
import { expectToContainAll } from "../../support/expectText";

let w: World;
afterEach(() => w?.close());

const STAFF_ROOM: Where = { community: "oak", room: "staff" };
const at = (iso: string) => Date.parse(iso);
const MON_EVENING = at("2026-03-02T19:00:00Z");

beforeEach(() => {
  w = new World({ communities: [community("oak", { rota: { approval_required: false } }), community("elm", { rota: { approval_required: false } })] });
  w.addMember(ALEX);
  w.addMember(BEA);
  w.addMember(CAL, "elm");
});

describe("onCall, the port paging reads at page time", () => {
  it("gives peers on shift, backup peers and staff on shift, each sorted, and nobody from another community", async () => {
    await w.ok(ALEX, "!volunteer mon 18:00-22:00");
    await w.ok(BEA, "!volunteer backup mon 18:00-22:00");
    await w.ok(SAM, "!rota add me mon 17:00-23:00", STAFF_ROOM);
    await w.ok(CAL, "!volunteer mon 18:00-22:00");
    expect(w.onCall(MON_EVENING)).toEqual({ peers: [ALEX], backupPeers: [BEA], staff: [SAM] });
    expect(w.onCall(MON_EVENING, "elm")).toEqual({ peers: [CAL], backupPeers: [], staff: [] });
    expect(w.onCall(MON_EVENING, "nowhere")).toEqual({ peers: [], backupPeers: [], staff: [] });
  });

  it("someone on a regular shift is not also listed as backup", async () => {
    await w.ok(ALEX, "!volunteer mon 18:00-22:00");
    await w.ok(ALEX, "!volunteer backup mon 20:00-23:00");
    expect(w.onCall(at("2026-03-02T21:00:00Z"))).toMatchObject({ peers: [ALEX], backupPeers: [] });
    expect(w.onCall(at("2026-03-02T22:30:00Z"))).toMatchObject({ peers: [], backupPeers: [ALEX] });
  });

  it("drops a peer on a break, a member removed from the community, and staff no longer in the config", async () => {
    await w.ok(ALEX, "!volunteer mon 18:00-22:00");
    await w.ok(BEA, "!volunteer mon 18:00-22:00");
    await w.ok(SAM, "!rota add me mon 17:00-23:00", STAFF_ROOM);
    await w.ok(ALEX, "!break");
    w.members.remove("oak", BEA, null, w.now);
    w.config = { ...w.config, communities: [community("oak", { staff: [ELI] }), w.c("elm")] };
    // The peer on a break is named as left out (paging records the skip); the removed member and former staff are not.
    expect(w.onCall(MON_EVENING)).toEqual({ peers: [], backupPeers: [], staff: [], leftOut: [{ userId: ALEX, slot: "peers", reason: "break" }] });
  });

  it("follows an overnight shift across midnight and through the spring DST change", async () => {
    w.now = at("2026-03-23T12:00:00Z");
    await w.ok(ALEX, "!volunteer sat 23:00-07:00");
    expect(w.onCall(at("2026-03-28T22:59:00Z")).peers).toEqual([]);
    expect(w.onCall(at("2026-03-28T23:00:00Z")).peers).toEqual([ALEX]); // 23:00 GMT
    expect(w.onCall(at("2026-03-29T05:59:00Z")).peers).toEqual([ALEX]); // 06:59 BST
    expect(w.onCall(at("2026-03-29T06:00:00Z")).peers).toEqual([]); // 07:00 BST
    expect(w.onCall(at("2026-04-04T22:00:00Z")).peers).toEqual([ALEX]); // 23:00 BST the next Saturday
  });
});

describe("!oncall", () => {
  beforeEach(async () => {
    await w.ok(ALEX, "!volunteer mon 18:00-22:00");
    await w.ok(SAM, "!rota add me mon 17:00-23:00", STAFF_ROOM);
    w.now = MON_EVENING;
  });

  it("tells a member who is on call now and until when, in the community room for all to see", async () => {
    const r = await w.send(BEA, "!oncall", { community: "oak", room: "community" });
    expect(r.outcome).toBe("ok");
    expect(r.replyTo).toBeUndefined();
    expectToContainAll(r.reply.plain, ["On call in Oak TC now (19:00, United Kingdom Time)", `Peers: ${ALEX} until 22:00 today`, `Staff: ${SAM} until 23:00 today`]);
    expect(r.reply.plain).not.toContain(CRISIS);
  });

  it("answers in a DM for each community the sender belongs to", async () => {
    w.addMember(ALEX, "elm");
    const text = await w.ok(ALEX, "!oncall");
    expectToContainAll(text, ["On call in Oak TC", "On call in Elm TC", "Nobody is on the rota right now."]);
  });

  it("staff of the community may ask too", async () => {
    expect(await w.ok(SAM, "!oncall", STAFF_ROOM)).toContain(`Peers: ${ALEX}`);
  });

  it("gives names to nobody outside the community, but always the crisis resources", async () => {
    for (const [who, where] of [
      [DEE, "dm"],
      [CAL, "dm"],
      [CAL, { community: "oak", room: "community" }],
      [ELI, { community: "oak", room: "staff" }],
    ] as Array<[string, Where]>) {
      const r = await w.send(who, "!oncall", where);
      if (who === CAL && where === "dm") {
        expect(r.reply.plain).not.toContain(ALEX); // Cal sees only Elm
        continue;
      }
      expect(r.outcome).toBe("refused");
      expect(r.reply.plain).toContain("I only tell members and staff");
      expect(r.reply.plain).toContain(CRISIS);
      expect(r.reply.plain).not.toContain(ALEX);
      expect(r.reply.plain).not.toContain(SAM);
    }
  });

  it("a discharged member (alumni) gets no names, and nothing is echoed in the alumni room", async () => {
    w.members.discharge("oak", BEA, w.now);
    const r = await w.send(BEA, "!oncall", { community: "oak", room: "alumni" });
    expect(r).toMatchObject({ outcome: "refused", replyTo: "dm" });
    expect(r.reply.plain).toContain(CRISIS);
  });

  it("when no peer is on call it says so and gives the crisis resources", async () => {
    w.now = at("2026-03-03T12:00:00Z");
    const text = await w.ok(BEA, "!oncall");
    expect(text).toContain("Nobody is on the rota right now.");
    expect(text).toContain(CRISIS);
  });
});

describe("!break", () => {
  beforeEach(async () => {
    await w.ok(ALEX, "!volunteer mon 18:00-22:00");
  });

  it("an open-ended break takes the peer off at once, with no questions, privately, and with support", async () => {
    w.now = MON_EVENING;
    expect(w.onCall().peers).toEqual([ALEX]);
    const r = await w.send(ALEX, "!break", { community: "oak", room: "community" });
    expect(r).toMatchObject({ outcome: "ok", replyTo: "dm" });
    expect(r.reply.plain).toContain("until you end it with !break end");
    expect(r.reply.plain).toContain(CRISIS);
    expect(w.onCall().peers).toEqual([]);
    expect(w.postsIn("oak").join("\n")).not.toContain("break"); // nobody is told
    expect(await w.ok(ALEX, "!break end")).toContain("Welcome back");
    expect(w.onCall().peers).toEqual([ALEX]);
    expect(await w.ok(ALEX, "!break end")).toContain("You are not on a break");
  });

  it.each([
    ["!break until 2026-03-09", "2026-03-09T00:00:00Z", "00:00 on Mon, Mar 9"],
    ["!break until friday", "2026-03-06T00:00:00Z", "00:00 on Fri, Mar 6"],
    ["!break until 2026-03-03 18:00", "2026-03-03T18:00:00Z", "18:00 tomorrow"],
    ["!break 20:00", "2026-03-02T20:00:00Z", "20:00 today"],
    ["!break 11:00", "2026-03-03T11:00:00Z", "11:00 tomorrow"],
    ["!break 3d", "2026-03-05T12:00:00Z", "12:00 on Thu, Mar 5"],
    ["!break until tomorrow", "2026-03-03T00:00:00Z", "00:00 tomorrow"],
  ])("%s lasts until %s", async (command, until, words) => {
    expect(await w.ok(ALEX, command)).toContain(`until ${words} (United Kingdom Time)`);
    expect(w.rota.currentBreak(ALEX, w.now)?.untilMs).toBe(at(until));
    expect(w.rota.currentBreak(ALEX, at(until) - 1)).toBeDefined();
    expect(w.rota.currentBreak(ALEX, at(until))).toBeUndefined();
  });

  it("a dated break ends by itself: the next shift counts again", async () => {
    await w.ok(ALEX, "!break until 2026-03-09");
    expect(w.onCall(MON_EVENING).peers).toEqual([]);
    expect(w.onCall(MON_EVENING + 7 * 24 * HOUR).peers).toEqual([ALEX]);
  });

  it.each([
    ["!break until 2026-03-01", "already passed"],
    ["!break until someday", "not a date, a day or a length of time"],
    ["!break until", "Say until when"],
    ["!break 25:00", "is not a time of day"],
    ["!break until 2026-03-09 18:00 please", "in one go"],
  ])("%s is refused with an explanation", async (command, expected) => {
    const reply = await w.refused(ALEX, command);
    expect(reply).toContain(expected);
    expect(reply).toContain("Usage: !break");
    expect(w.rota.currentBreak(ALEX, w.now)).toBeUndefined();
  });

  it("anyone may take a break, even with no shifts (check-ins will read it)", async () => {
    await w.ok(DEE, "!break");
    expect(w.rota.currentBreak(DEE, w.now + MIN)).toBeDefined();
  });

  it("the whole rota of someone in two communities", async () => {
    w.addMember(ALEX, "elm");
    await w.ok(ALEX, "!volunteer mon 18:00-22:00 elm");
    await w.ok(ALEX, "!break");
    expect(w.onCall(MON_EVENING).peers).toEqual([]);
    expect(w.onCall(MON_EVENING, "elm").peers).toEqual([]);
    expect(idIn("#1")).toBe(1);
  });
});

test("a member removed and added again does not find their old shifts back in force", async () => {
  await w.ok(ALEX, "!volunteer mon 18:00-22:00");
  w.members.remove("oak", ALEX, null, w.now);
  w.now += HOUR;
  w.addMember(ALEX);
  expect(w.onCall(MON_EVENING).peers).toEqual([]);
  await w.reconcile();
  expect(w.handoffJobs()).toEqual([]);
  await w.ok(ALEX, "!volunteer mon 18:00-22:00");
  expect(w.onCall(MON_EVENING).peers).toEqual([ALEX]);
});

test("shifts of someone no longer entitled to them are ended, and lists say so", async () => {
  const peer = idIn(await w.ok(ALEX, "!volunteer mon 18:00-22:00"));
  const staff = idIn(await w.ok(SAM, "!rota add me tue 09:00-17:00", STAFF_ROOM));
  w.members.discharge("oak", ALEX, w.now);
  w.config = { ...w.config, communities: [community("oak", { staff: [ELI] }), w.c("elm")] };
  await w.reconcile();
  expect(w.rota.get(peer)).toMatchObject({ status: "cancelled", endedBy: "carenet", endReason: "removed" });
  expect(w.rota.get(staff)).toMatchObject({ status: "cancelled", endedBy: "carenet" });
  expect(await w.ok(ALEX, "!rota mine")).toContain("You have no shifts on a rota");
});
