import { ALEX, BEA, community, CRISIS, DAY, DEE, ELI, HOUR, idIn, MON_NOON, SAM, World } from "./world";
import { expectToContainAll } from "../../support/expectText";

let w: World;
afterEach(() => w?.close());

/** Monday 2 March 2026 18:30 in London. */
const MON_EVENING = MON_NOON + 6.5 * HOUR;

describe("!volunteer with staff approval required", () => {
  beforeEach(() => {
    w = new World();
    w.addMember(ALEX);
  });

  it("offers a weekly shift that waits for staff; the member becomes a peer; staff hear of it", async () => {
    const reply = await w.ok(ALEX, "!volunteer mon 18:00-22:00");
    const id = idIn(reply);
    expectToContainAll(reply, ["every Monday, 18:00–22:00", "waiting for staff of Oak TC to approve", "Times are in United Kingdom Time"]);
    expect(w.rota.get(id)).toMatchObject({ status: "proposed", userId: ALEX, role: "peer", agreedAt: MON_NOON, approvedAt: null });
    expect(w.members.get("oak", ALEX)?.role).toBe("peer");
    const [staffPost] = w.postsIn("oak");
    expect(staffPost).toContain(`${ALEX} volunteered: #${id} every Monday, 18:00–22:00`);
    expect(staffPost).toContain(`!rota approve ${id}`);
    // Not on call until approved.
    expect(w.onCall(MON_EVENING).peers).toEqual([]);

    const approved = await w.ok(SAM, `!rota approve ${id}`, { community: "oak", room: "staff" });
    expect(approved).toContain(`#${id}`);
    expect(w.dmsTo(ALEX).join("\n")).toContain(`approved #${id} every Monday, 18:00–22:00: it is on the rota`);
    expect(w.onCall(MON_EVENING).peers).toEqual([ALEX]);
    expect(w.rota.get(id)?.approvedBy).toBe(SAM);
  });

  it("replies privately when asked in a community room, and uses that room's community", async () => {
    const r = await w.send(ALEX, "!volunteer tue 19:00-21:00", { community: "oak", room: "community" });
    expect(r).toMatchObject({ outcome: "ok", replyTo: "dm" });
  });

  it("offers a one-off date shift, overnight, and `today`/`tomorrow`", async () => {
    const once = idIn(await w.ok(ALEX, "!volunteer 2026-03-04 22:00-06:00"));
    expect(w.rota.get(once)).toMatchObject({
      kind: "once",
      startMs: Date.parse("2026-03-04T22:00:00Z"),
      endMs: Date.parse("2026-03-05T06:00:00Z"),
    });
    const today = idIn(await w.ok(ALEX, "!volunteer today 20:00 - 23:00"));
    expect(w.rota.get(today)?.startMs).toBe(Date.parse("2026-03-02T20:00:00Z"));
    const tomorrow = idIn(await w.ok(ALEX, "!volunteer tomorrow 9 to 11"));
    expect(w.rota.get(tomorrow)).toMatchObject({ startMs: Date.parse("2026-03-03T09:00:00Z"), endMs: Date.parse("2026-03-03T11:00:00Z") });
  });

  it("keeps wall-clock times across DST: a one-off night across the spring change lasts 7 hours", async () => {
    const id = idIn(await w.ok(ALEX, "!volunteer 2026-03-28 23:00-07:00"));
    const e = w.rota.get(id)!;
    expect(e.startMs).toBe(Date.parse("2026-03-28T23:00:00Z")); // GMT
    expect(e.endMs).toBe(Date.parse("2026-03-29T06:00:00Z")); // 07:00 BST
  });

  it("a backup offer is a backup slot", async () => {
    const id = idIn(await w.ok(ALEX, "!volunteer backup fri 18:00-22:00"));
    expect(w.rota.get(id)).toMatchObject({ backup: true, day: "fri" });
    expect(w.postsIn("oak")[0]).toContain("(backup)");
  });

  it("refuses the same offer twice", async () => {
    await w.ok(ALEX, "!volunteer mon 18:00-22:00");
    expect(await w.refused(ALEX, "!volunteer monday 18:00-22:00")).toContain("You already offered that");
  });
});

describe("!volunteer without approval", () => {
  it("puts the shift on the rota at once and tells staff", async () => {
    w = new World({ communities: [community("oak", { rota: { approval_required: false } })] });
    w.addMember(ALEX);
    const reply = await w.ok(ALEX, "!volunteer mon 18:00-22:00");
    expect(reply).toContain("is on the Oak TC rota");
    expect(reply).toContain("remind you 30 minutes before");
    const id = idIn(reply);
    expect(w.rota.get(id)).toMatchObject({ status: "approved", approvedBy: null });
    expect(w.postsIn("oak")[0]).toContain(`${ALEX} joined the rota: #${id}`);
    expect(w.onCall(MON_EVENING).peers).toEqual([ALEX]);
  });
});

describe("who can volunteer, and for which community", () => {
  beforeEach(() => {
    w = new World({ communities: [community("oak"), community("elm")] });
  });

  it("refuses someone who is not an active member", async () => {
    expect(await w.refused(DEE, "!volunteer mon 18:00-22:00")).toContain("Only active members of a community can volunteer");
    w.addMember(DEE);
    w.members.remove("oak", DEE, null, w.now);
    expect(await w.refused(DEE, "!volunteer mon 18:00-22:00")).toContain("Only active members");
    expect(w.rota.ofUser(DEE)).toEqual([]);
  });

  it("refuses staff who are not members, pointing them to !rota add", async () => {
    expect(await w.refused(SAM, "!volunteer mon 18:00-22:00")).toContain("!rota add me");
  });

  it("someone in two communities must say which, or ask in its room", async () => {
    w.addMember(ALEX, "oak");
    w.addMember(ALEX, "elm");
    const refusal = await w.refused(ALEX, "!volunteer mon 18:00-22:00");
    expect(refusal).toContain("Elm TC (elm) and Oak TC (oak)");
    const named = idIn(await w.ok(ALEX, "!volunteer mon 18:00-22:00 elm"));
    expect(w.rota.get(named)?.communityId).toBe("elm");
    const byRoom = idIn(await w.ok(ALEX, "!volunteer tue 18:00-22:00", { community: "oak", room: "community" }));
    expect(w.rota.get(byRoom)?.communityId).toBe("oak");
    expect(w.postsIn("elm")[0]).toContain(`#${named}`);
    expect(w.postsIn("oak")[0]).toContain(`#${byRoom}`);
  });

  it("refuses a community the member does not belong to, even by name", async () => {
    w.addMember(ALEX, "oak");
    expect(await w.refused(ALEX, "!volunteer mon 18:00-22:00 elm")).toContain("Only active members of Elm TC");
  });
});

describe("malformed offers get a plain explanation and the usage line", () => {
  beforeEach(() => {
    w = new World();
    w.addMember(ALEX);
  });

  it.each([
    ["!volunteer funday 18:00-22:00", "not a day or a date"],
    ["!volunteer mnday 18:00-22:00", "Did you mean monday?"],
    ["!volunteer 2026-02-30 18:00-22:00", "not a real date"],
    ["!volunteer mon 25:00-26:00", "out of range"],
    ["!volunteer mon 18:00-24:30", "out of range"],
    ["!volunteer mon 18:60-22:00", "out of range"],
    ["!volunteer mon 18:00-18:00", "starts and ends at 18:00"],
    ["!volunteer mon 1800-2200", "is not a 24-hour time"],
    ["!volunteer mon evening", "is not a start and end time"],
    ["!volunteer mon", "Say the times"],
    ["!volunteer mon 18:00-", "is not a start and end time"],
    ["!volunteer mon 18:00 to", "Say when the shift ends"],
    ["!volunteer mon 24:00-02:00", 'cannot start at "24:00"'],
    ["!volunteer 2026-03-01 18:00-22:00", "already over"],
    ["!volunteer mon 18:00-22:00 please", "did not understand the end"],
    ["!volunteer", "Say which day or date"],
  ])("%s", async (command, expected) => {
    const reply = await w.refused(ALEX, command);
    expect(reply).toContain(expected);
    expect(reply).toContain("Usage: !volunteer");
    expect(w.rota.ofUser(ALEX)).toEqual([]);
  });
});

describe("the weekly cap", () => {
  beforeEach(() => {
    w = new World();
    w.addMember(ALEX);
  });

  it("allows up to max_shifts_per_week and refuses the next with the reason", async () => {
    await w.ok(ALEX, "!volunteer mon 18:00-22:00");
    await w.ok(ALEX, "!volunteer wed 18:00-22:00");
    await w.ok(ALEX, "!volunteer backup fri 18:00-22:00"); // a backup slot counts too
    const refusal = await w.refused(ALEX, "!volunteer sat 18:00-22:00");
    expectToContainAll(refusal, ["4 shifts in the week starting Mon, Mar", "keeps it to 3 a week per peer", "!volunteer cancel"]);
    expect(w.rota.ofUser(ALEX)).toHaveLength(3);
  });

  it("counts each week on its own: a one-off in a free week is fine", async () => {
    await w.ok(ALEX, "!volunteer 2026-03-03 18:00-22:00");
    await w.ok(ALEX, "!volunteer 2026-03-04 18:00-22:00");
    await w.ok(ALEX, "!volunteer 2026-03-05 18:00-22:00");
    expect(await w.refused(ALEX, "!volunteer 2026-03-06 18:00-22:00")).toContain("keeps it to 3");
    await w.ok(ALEX, "!volunteer 2026-03-10 18:00-22:00");
  });

  it("a shift taken back frees its place", async () => {
    const ids = [];
    for (const d of ["mon", "tue", "wed"]) ids.push(idIn(await w.ok(ALEX, `!volunteer ${d} 18:00-22:00`)));
    await w.refused(ALEX, "!volunteer thu 18:00-22:00");
    await w.ok(ALEX, `!volunteer cancel ${ids[0]}`);
    await w.ok(ALEX, "!volunteer thu 18:00-22:00");
  });

  it("uses the community's own cap", async () => {
    w.close();
    w = new World({ communities: [community("oak", { rota: { max_shifts_per_week: 1 } })] });
    w.addMember(ALEX);
    await w.ok(ALEX, "!volunteer mon 18:00-22:00");
    expect(await w.refused(ALEX, "!volunteer tue 18:00-22:00")).toContain("keeps it to 1 a week");
  });
});

describe("!volunteer cancel", () => {
  beforeEach(() => {
    w = new World();
    w.addMember(ALEX);
    w.addMember(BEA);
  });

  it("takes back by number, no questions asked; staff hear when a shift on the rota is given up", async () => {
    const id = idIn(await w.ok(ALEX, "!volunteer mon 18:00-22:00"));
    await w.ok(SAM, `!rota approve ${id}`, { community: "oak", room: "staff" });
    const reply = await w.ok(ALEX, `!volunteer cancel #${id}`);
    expect(reply).toContain(`#${id} every Monday, 18:00–22:00`);
    expect(w.rota.get(id)).toMatchObject({ status: "cancelled", endReason: "cancelled", endedBy: ALEX });
    expect(w.postsIn("oak").join("\n")).toContain(`${ALEX} has stepped back from #${id}`);
    expect(w.onCall(MON_EVENING).peers).toEqual([]);
  });

  it("takes back by day, by date and all", async () => {
    const mon = idIn(await w.ok(ALEX, "!volunteer mon 18:00-22:00"));
    const tue = idIn(await w.ok(ALEX, "!volunteer tue 18:00-22:00"));
    const once = idIn(await w.ok(ALEX, "!volunteer 2026-03-04 18:00-22:00"));
    await w.ok(ALEX, "!volunteer cancel monday");
    expect(w.rota.get(mon)?.status).toBe("cancelled");
    expect(w.rota.get(tue)?.status).toBe("proposed");
    await w.ok(ALEX, "!volunteer cancel 2026-03-04");
    expect(w.rota.get(once)?.status).toBe("cancelled");
    await w.ok(ALEX, "!volunteer cancel all");
    expect(w.rota.ofUser(ALEX)).toEqual([]);
  });

  it("cannot touch someone else's shift", async () => {
    const id = idIn(await w.ok(BEA, "!volunteer mon 18:00-22:00"));
    expect(await w.refused(ALEX, `!volunteer cancel ${id}`)).toContain(`#${id} is not one of your shifts`);
    expect(w.rota.get(id)?.status).toBe("proposed");
  });

  it("says so when nothing matches, and explains a bad token", async () => {
    expect(await w.refused(ALEX, "!volunteer cancel friday")).toContain("None of your shifts matches");
    expect(await w.refused(ALEX, "!volunteer cancel someday")).toContain("not a day or a date");
    expect(await w.refused(ALEX, "!volunteer cancel")).toContain("Say which shifts");
  });
});

test("the crisis resources are in the !help these commands appear in", async () => {
  w = new World();
  const help = await w.ok(ELI, "!help all");
  expectToContainAll(help, [CRISIS, "!volunteer", "!oncall", "!break", "!rota mine"]);
  expect(MON_NOON).toBe(Date.parse("2026-03-02T12:00:00Z"));
  expect(DAY).toBe(24 * HOUR);
});
