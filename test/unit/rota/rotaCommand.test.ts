import { ALEX, ANN, BEA, CAL, community, DEE, ELI, HOUR, idIn, SAM, World, type Where } from "./world";
import { expectToContainAll } from "../../support/expectText";

let w: World;
afterEach(() => w?.close());

const STAFF_ROOM: Where = { community: "oak", room: "staff" };
const at = (iso: string) => Date.parse(iso);
/** Monday 2 March 2026 18:30 in London; the next Mondays are 9, 16 March. */
const MON_EVENING = at("2026-03-02T18:30:00Z");
const WEEK = 7 * 24 * HOUR;

beforeEach(() => {
  w = new World({ communities: [community("oak"), community("elm")] });
  w.addMember(ALEX);
  w.addMember(BEA);
  w.addMember(CAL);
});

/** A weekly shift on the rota for `user`, proposed by staff and accepted. */
async function onRota(user: string, spec: string): Promise<number> {
  const id = idIn(await w.ok(SAM, `!rota add ${user} ${spec}`, STAFF_ROOM));
  if (user !== SAM) await w.ok(user, `!rota accept ${id}`);
  return id;
}

describe("!rota add and the proposal the person must accept", () => {
  it("asks the peer by DM; nothing counts until they accept; then they are on call and staff hear of it", async () => {
    const reply = await w.ok(SAM, `!rota add ${ALEX} mon 18:00-22:00`, STAFF_ROOM);
    const id = idIn(reply);
    expect(reply).toContain(`proposed to ${ALEX}; it goes on the rota when they accept`);
    const [ask] = w.dmsTo(ALEX);
    expectToContainAll(ask, [
      `${SAM} (staff of Oak TC) asks whether you will take this on the rota: every Monday, 18:00–22:00`, "Nobody is put on the rota without agreeing",
      `!rota accept ${id}`, `!rota decline ${id}`,
    ]);
    expect(w.onCall(MON_EVENING).peers).toEqual([]);

    const accepted = await w.send(ALEX, `!rota accept ${id}`);
    expect(accepted).toMatchObject({ outcome: "ok", replyTo: "dm" });
    expect(accepted.reply.plain).toContain(`#${id} every Monday, 18:00–22:00 is on the rota`);
    expect(w.onCall(MON_EVENING).peers).toEqual([ALEX]);
    expect(w.onCall(MON_EVENING + WEEK).peers).toEqual([ALEX]);
    expect(w.postsIn("oak").join("\n")).toContain(`${ALEX} accepted #${id}`);
    expect(w.members.get("oak", ALEX)?.role).toBe("peer");
  });

  it("a decline ends the proposal, needs no reason, and staff hear of it", async () => {
    const id = idIn(await w.ok(SAM, `!rota add ${ALEX} mon 18:00-22:00`, STAFF_ROOM));
    expect(await w.ok(ALEX, `!rota decline ${id}`)).toContain("no reason needed");
    expect(w.rota.get(id)).toMatchObject({ status: "cancelled", endReason: "declined" });
    expect(w.postsIn("oak").join("\n")).toContain(`${ALEX} declined #${id}`);
    expect(await w.refused(ALEX, `!rota accept ${id}`)).toContain("no longer open");
    expect(w.onCall(MON_EVENING).peers).toEqual([]);
    expect(w.members.get("oak", ALEX)?.role).toBe("member");
  });

  it("only the person asked can accept, and only once", async () => {
    const id = idIn(await w.ok(SAM, `!rota add ${ALEX} mon 18:00-22:00`, STAFF_ROOM));
    expect(await w.refused(BEA, `!rota accept ${id}`)).toContain(`#${id} is not a proposal for you`);
    expect(await w.refused(SAM, `!rota accept ${id}`)).toContain("not a proposal for you");
    await w.ok(ALEX, `!rota accept ${id}`);
    expect(await w.refused(ALEX, `!rota accept ${id}`)).toContain("already accepted");
    expect(await w.refused(ALEX, "!rota accept 999")).toContain("#999 is not a proposal for you");
    expect(await w.refused(ALEX, "!rota accept twelve")).toContain("not a shift number");
  });

  it("staff put themselves on directly, as on-call staff", async () => {
    const id = idIn(await w.ok(SAM, "!rota add me sat 09:00-17:00", STAFF_ROOM));
    expect(w.rota.get(id)).toMatchObject({ status: "approved", role: "staff", userId: SAM });
    expect(w.onCall(at("2026-03-07T10:00:00Z"))).toEqual({ peers: [], backupPeers: [], staff: [SAM] });
    expect(w.dmsTo(SAM)).toEqual([]);
  });

  it("another staff member is asked like anyone else", async () => {
    const id = idIn(await w.ok(SAM, `!rota add ${ANN} sat 09:00-17:00`, STAFF_ROOM));
    expect(w.rota.get(id)).toMatchObject({ status: "proposed", role: "staff" });
    await w.ok(ANN, `!rota accept ${id}`);
    expect(w.onCall(at("2026-03-07T10:00:00Z")).staff).toEqual([ANN]);
  });

  it("refuses someone who is neither a member nor staff, and a peer over the cap", async () => {
    expect(await w.refused(SAM, `!rota add ${DEE} mon 18:00-22:00`, STAFF_ROOM)).toContain(`${DEE} is not an active member or staff of Oak TC`);
    expect(await w.refused(SAM, `!rota add ${ELI} mon 18:00-22:00`, STAFF_ROOM)).toContain("not an active member or staff");
    for (const d of ["mon", "tue", "wed"]) await onRota(ALEX, `${d} 18:00-22:00`);
    expect(await w.refused(SAM, `!rota add ${ALEX} thu 18:00-22:00`, STAFF_ROOM)).toContain(`That would give ${ALEX} 4 shifts`);
  });

  it("checks the cap again when the peer accepts", async () => {
    const id = idIn(await w.ok(SAM, `!rota add ${ALEX} thu 18:00-22:00`, STAFF_ROOM));
    for (const d of ["mon", "tue", "wed"]) await w.ok(ALEX, `!volunteer ${d} 18:00-22:00`);
    expect(await w.refused(ALEX, `!rota accept ${id}`)).toContain("That would give you 4 shifts");
    expect(w.rota.get(id)?.status).toBe("proposed");
  });

  it("a member removed since being asked cannot accept", async () => {
    const id = idIn(await w.ok(SAM, `!rota add ${ALEX} mon 18:00-22:00`, STAFF_ROOM));
    w.members.remove("oak", ALEX, null, w.now);
    expect(await w.refused(ALEX, `!rota accept ${id}`)).toContain("Only active members and staff of Oak TC");
  });

  it("explains malformed input with the usage line, and audits it", async () => {
    for (const [command, expected] of [
      [`!rota add alex mon 18:00-22:00`, "not a Matrix ID"],
      [`!rota add ${ALEX} someday 18:00-22:00`, "not a day or a date"],
      [`!rota add ${ALEX} mon 25:00-02:00`, "out of range"],
      [`!rota add ${ALEX} mon 18:00-18:00`, "starts and ends at 18:00"],
      [`!rota add`, "Say which person"],
    ]) {
      const reply = await w.refused(SAM, command, STAFF_ROOM);
      expect(reply).toContain(expected);
      expect(reply).toContain("Usage: !rota add <@user|me>");
    }
    const audit = w.audit.latest("oak", 10);
    expect(audit.filter((a) => a.action === "command.refused" && a.actor === SAM)).toHaveLength(5);
  });
});

describe("authorisation", () => {
  it.each([
    ["a member in a DM", ALEX, "dm" as Where],
    ["a member in the community room", ALEX, { community: "oak", room: "community" } as Where],
    ["staff outside the staff room", SAM, { community: "oak", room: "community" } as Where],
    ["staff of another community in their own staff room (not this one's)", ELI, { community: "oak", room: "staff" } as Where],
  ])("%s cannot manage the rota", async (_what, who, where) => {
    for (const sub of [`add ${BEA} mon 18:00-22:00`, "remove 1", `cover ${BEA} 2026-03-09 ${CAL}`, "show", "approve all", `swap ${ALEX} today ${BEA} today`]) {
      const reply = await w.refused(who, `!rota ${sub}`, where);
      expect(reply).toContain("is for staff, in their community's staff room");
    }
    expect(w.rota.list("oak")).toEqual([]);
    expect(w.audit.latest(where === "dm" ? null : "oak", 20).filter((a) => a.action === "command.refused" && a.actor === who)).toHaveLength(6);
  });

  it("staff of one community cannot touch another community's entries from their staff room", async () => {
    const id = await onRota(ALEX, "mon 18:00-22:00");
    expect(await w.refused(ELI, `!rota remove ${id}`, { community: "elm", room: "staff" })).toContain(`There is no shift #${id} on Elm TC's rota`);
    expect(await w.refused(ELI, `!rota approve ${id}`, { community: "elm", room: "staff" })).toContain(`no shift #${id}`);
    expect(w.rota.get(id)?.status).toBe("approved");
  });

  it("a staff command that worked is audited with who it concerned", async () => {
    await w.ok(SAM, `!rota add ${ALEX} mon 18:00-22:00`, STAFF_ROOM);
    const [last] = w.audit.latest("oak", 1);
    expect(last).toMatchObject({ actor: SAM, action: "command.rota", subject: ALEX, detail: "!rota add ok" });
  });

  it("an unknown subcommand is explained", async () => {
    expect(await w.refused(ALEX, "!rota dance")).toContain("!rota dance is not something I know");
  });
});

describe("!rota approve and remove", () => {
  it("approve all approves every volunteered shift waiting, and tells each volunteer", async () => {
    const a = idIn(await w.ok(ALEX, "!volunteer mon 18:00-22:00"));
    const b = idIn(await w.ok(BEA, "!volunteer mon 20:00-23:00"));
    const reply = await w.ok(SAM, "!rota approve all", STAFF_ROOM);
    // Each approved shift says whose it is.
    expect(reply).toContain(`#${a} ${ALEX}: every Monday, 18:00–22:00 — on the rota`);
    expect(reply).toContain(`#${b} ${BEA}: every Monday, 20:00–23:00 — on the rota`);
    expect(w.onCall(at("2026-03-02T20:30:00Z")).peers).toEqual([ALEX, BEA]);
    expect(w.dmsTo(BEA).join("\n")).toContain(`approved #${b}`);
    expect(await w.ok(SAM, "!rota approve all", STAFF_ROOM)).toContain("Nothing is waiting");
    expect(await w.refused(SAM, `!rota approve ${a}`, STAFF_ROOM)).toContain(`#${a} is not waiting for approval: it is on the rota`);
  });

  it("a staff proposal the peer has not accepted is not made live by approving it", async () => {
    const id = idIn(await w.ok(SAM, `!rota add ${ALEX} mon 18:00-22:00`, STAFF_ROOM));
    expect(await w.refused(SAM, `!rota approve ${id}`, STAFF_ROOM)).toContain(`waiting for ${ALEX} to accept`);
    expect(w.onCall(MON_EVENING).peers).toEqual([]);
  });

  it("remove takes a shift off and tells the person; a declined volunteer hears it kindly", async () => {
    const live = await onRota(ALEX, "mon 18:00-22:00");
    const offered = idIn(await w.ok(BEA, "!volunteer tue 18:00-22:00"));
    await w.ok(SAM, `!rota remove ${live} ${offered}`, STAFF_ROOM);
    expect(w.onCall(MON_EVENING).peers).toEqual([]);
    expect(w.dmsTo(ALEX).join("\n")).toContain(`Staff of Oak TC took #${live} every Monday, 18:00–22:00 off the rota`);
    expect(w.dmsTo(BEA).join("\n")).toContain(`did not take up #${offered}`);
    expect(await w.refused(SAM, `!rota remove ${live}`, STAFF_ROOM)).toContain("already off the rota");
  });
});

describe("!rota cover", () => {
  it("the cover is asked, and once they accept they hold the covered person's shifts for those days only", async () => {
    await onRota(ALEX, "mon 18:00-22:00");
    const reply = await w.ok(SAM, `!rota cover ${ALEX} 2026-03-09 ${BEA}`, STAFF_ROOM);
    const id = idIn(reply);
    expect(reply).toContain(`${BEA} covers ${ALEX}, all of Mon, Mar 9`);
    expect(w.dmsTo(BEA).join("\n")).toContain(`covering ${ALEX}'s shifts all of Mon, Mar 9`);
    expect(w.onCall(MON_EVENING + WEEK).peers).toEqual([ALEX]); // not yet accepted

    await w.ok(BEA, `!rota accept ${id}`);
    expect(w.onCall(MON_EVENING + WEEK).peers).toEqual([BEA]);
    expect(w.onCall(MON_EVENING).peers).toEqual([ALEX]);
    expect(w.onCall(MON_EVENING + 2 * WEEK).peers).toEqual([ALEX]);
    expect(w.dmsTo(ALEX).join("\n")).toContain(`${BEA} covers your shifts on the Oak TC rota all of Mon, Mar 9 (#${id}). You are not on call then.`);
  });

  it("accepts a range of dates in several spellings, and staff can cover themselves", async () => {
    await onRota(ALEX, "mon 18:00-22:00");
    await onRota(ALEX, "wed 18:00-22:00");
    const id = idIn(await w.ok(SAM, `!rota cover ${ALEX} 2026-03-09..2026-03-11 me`, STAFF_ROOM));
    expect(w.rota.get(id)).toMatchObject({
      status: "approved",
      startMs: at("2026-03-09T00:00:00Z"),
      endMs: at("2026-03-12T00:00:00Z"),
    });
    expect(w.onCall(at("2026-03-11T19:00:00Z")).peers).toEqual([SAM]);
    await w.ok(SAM, `!rota remove ${id}`, STAFF_ROOM);
    await w.ok(SAM, `!rota cover ${ALEX} 2026-03-16 to 2026-03-18 by ${CAL}`, STAFF_ROOM);
  });

  it("refuses overlapping covers, nothing to cover, the same person, and a peer for a staff shift", async () => {
    await onRota(ALEX, "mon 18:00-22:00");
    await w.ok(SAM, `!rota cover ${ALEX} 2026-03-09 ${BEA}`, STAFF_ROOM);
    expect(await w.refused(SAM, `!rota cover ${ALEX} 2026-03-08..2026-03-10 ${CAL}`, STAFF_ROOM)).toContain("already covers");
    expect(await w.refused(SAM, `!rota cover ${BEA} 2026-03-09 ${CAL}`, STAFF_ROOM)).toContain("has no shifts on the rota");
    expect(await w.refused(SAM, `!rota cover ${ALEX} 2026-03-16 ${ALEX}`, STAFF_ROOM)).toContain("must be someone else");
    await w.ok(SAM, "!rota add me sat 09:00-17:00", STAFF_ROOM);
    expect(await w.refused(SAM, `!rota cover ${SAM} 2026-03-07 ${CAL}`, STAFF_ROOM)).toContain("only staff can cover those");
    expect(await w.refused(SAM, `!rota cover ${ALEX} 2026-03-01 ${CAL}`, STAFF_ROOM)).toContain("already over");
    expect(await w.refused(SAM, `!rota cover ${ALEX} 2026-03-10..2026-03-09 ${CAL}`, STAFF_ROOM)).toContain("comes before");
    expect(await w.refused(SAM, `!rota cover ${ALEX} someday ${CAL}`, STAFF_ROOM)).toContain("not a date");
  });

  it("a cover counts towards the cover's weekly cap", async () => {
    await onRota(ALEX, "mon 18:00-22:00");
    for (const d of ["tue", "wed", "thu"]) await onRota(BEA, `${d} 18:00-22:00`);
    expect(await w.refused(SAM, `!rota cover ${ALEX} 2026-03-09 ${BEA}`, STAFF_ROOM)).toContain(`That would give ${BEA} 4 shifts`);
  });
});

describe("!rota swap", () => {
  it("two people exchange one occurrence each, once both agree", async () => {
    await onRota(ALEX, "mon 18:00-22:00");
    await onRota(BEA, "tue 18:00-22:00");
    const reply = await w.ok(SAM, `!rota swap ${ALEX} 2026-03-09 ${BEA} 2026-03-10`, STAFF_ROOM);
    expect(reply).toContain("It counts once both have accepted");
    const [a, b] = reply.match(/#(\d+)\/#(\d+)/)!.slice(1).map(Number);
    expect(w.dmsTo(ALEX).join("\n")).toContain(`!rota accept ${b}`);
    expect(w.dmsTo(BEA).join("\n")).toContain(`!rota accept ${a}`);

    await w.ok(BEA, `!rota accept ${a}`);
    expect(w.onCall(at("2026-03-09T19:00:00Z")).peers).toEqual([ALEX]); // half agreed is no swap yet
    await w.ok(ALEX, `!rota accept ${b}`);
    expect(w.onCall(at("2026-03-09T19:00:00Z")).peers).toEqual([BEA]);
    expect(w.onCall(at("2026-03-10T19:00:00Z")).peers).toEqual([ALEX]);
    // Only those occurrences: the weeks before and after are as scheduled.
    expect(w.onCall(at("2026-03-02T19:00:00Z")).peers).toEqual([ALEX]);
    expect(w.onCall(at("2026-03-17T19:00:00Z")).peers).toEqual([BEA]);
  });

  it("one person declining ends the whole swap and the other is told", async () => {
    await onRota(ALEX, "mon 18:00-22:00");
    await onRota(BEA, "tue 18:00-22:00");
    const reply = await w.ok(SAM, `!rota swap ${ALEX} 2026-03-09 ${BEA} 2026-03-10`, STAFF_ROOM);
    const [a, b] = reply.match(/#(\d+)\/#(\d+)/)!.slice(1).map(Number);
    await w.ok(BEA, `!rota accept ${a}`);
    await w.ok(ALEX, `!rota decline ${b}`);
    expect(w.rota.get(a)?.status).toBe("cancelled");
    expect(w.dmsTo(BEA).join("\n")).toContain(`${ALEX} declined it`);
    expect(w.onCall(at("2026-03-09T19:00:00Z")).peers).toEqual([ALEX]);
  });

  it("refuses a day without exactly one shift, the same person twice, and bad dates", async () => {
    await onRota(ALEX, "mon 18:00-22:00");
    await onRota(BEA, "tue 18:00-22:00");
    expect(await w.refused(SAM, `!rota swap ${ALEX} 2026-03-10 ${BEA} 2026-03-10`, STAFF_ROOM)).toContain(`${ALEX} has no shift starting on Tue, Mar 10`);
    await onRota(ALEX, "mon 06:00-08:00");
    expect(await w.refused(SAM, `!rota swap ${ALEX} 2026-03-09 ${BEA} 2026-03-10`, STAFF_ROOM)).toContain("has 2 shifts starting on Mon, Mar 9");
    expect(await w.refused(SAM, `!rota swap ${ALEX} 2026-03-09 ${ALEX} 2026-03-10`, STAFF_ROOM)).toContain("two different people");
    expect(await w.refused(SAM, `!rota swap ${ALEX} 2026-13-09 ${BEA} 2026-03-10`, STAFF_ROOM)).toContain("is not a date");
    expect(await w.refused(SAM, `!rota swap ${ALEX} 2026-03-09`, STAFF_ROOM)).toContain("Usage: !rota swap");
  });
});

describe("!rota show", () => {
  it("shows the week in plain words in the community's time zone, with backups, covers, waiting entries and breaks", async () => {
    await onRota(ALEX, "mon 18:00-22:00");
    await onRota(BEA, "mon 22:00-06:00");
    await w.ok(CAL, "!volunteer backup mon 18:00-23:00");
    await w.ok(SAM, "!rota approve all", STAFF_ROOM);
    await w.ok(SAM, "!rota add me sun 09:00-17:00", STAFF_ROOM);
    await w.ok(SAM, `!rota cover ${ALEX} 2026-03-09 me`, STAFF_ROOM);
    const waiting = idIn(await w.ok(ALEX, "!volunteer wed 18:00-20:00"));
    await w.ok(BEA, "!break until 2026-03-04");

    const thisWeek = await w.ok(SAM, "!rota show", STAFF_ROOM);
    expectToContainAll(thisWeek, [
      "Oak TC rota, week starting Mon, Mar 2 (times in United Kingdom Time)", `18:00–22:00 ${ALEX}`, `22:00–06:00 the next day ${BEA} (on a break)`,
      `18:00–23:00 ${CAL} (backup)`, `09:00–17:00 ${SAM} (on-call staff)`,
    ]);
    expect(thisWeek).toMatch(/Tue, Mar 3\n\n- nobody on the rota/);
    // A waiting shift says whose it is.
    expect(thisWeek).toContain(`#${waiting} ${ALEX}: every Wednesday, 18:00–20:00 — waiting for staff approval`);
    expect(thisWeek).toContain(`${BEA} until 00:00 on Wed, Mar 4`);

    const next = await w.ok(SAM, "!rota show next", STAFF_ROOM);
    expect(next).toContain("week starting Mon, Mar 9");
    expect(next).toContain(`18:00–22:00 ${SAM} (covering for ${ALEX})`);
    expect(next).not.toContain("(on a break)");
    expect(await w.ok(SAM, "!rota show 2026-03-12", STAFF_ROOM)).toContain("week starting Mon, Mar 9");
    expect(await w.ok(SAM, "!rota show last", STAFF_ROOM)).toContain("week starting Mon, Feb 23");
    expect(await w.refused(SAM, "!rota show someday", STAFF_ROOM)).toContain("not a week");
  });

  it("shows a DST week with the shifts at their wall-clock times", async () => {
    w.now = at("2026-03-23T12:00:00Z");
    await onRota(ALEX, "sat 22:00-06:00");
    const dst = await w.ok(SAM, "!rota show", STAFF_ROOM);
    expect(dst).toContain(`Sat, Mar 28\n\n- 22:00–06:00 the next day ${ALEX}`);
    expect(w.onCall(at("2026-03-29T04:30:00Z")).peers).toEqual([ALEX]); // 05:30 BST
    expect(w.onCall(at("2026-03-29T05:00:00Z")).peers).toEqual([]); // 06:00 BST
  });
});

describe("!rota mine", () => {
  it("lists a person's shifts with their state, what is coming up, covers and a break; privately", async () => {
    const live = await onRota(ALEX, "mon 18:00-22:00");
    const asked = idIn(await w.ok(SAM, `!rota add ${ALEX} wed 18:00-22:00`, STAFF_ROOM));
    await w.ok(SAM, `!rota cover ${ALEX} 2026-03-09 ${SAM}`, STAFF_ROOM);
    const r = await w.send(ALEX, "!rota mine", { community: "oak", room: "community" });
    expect(r.replyTo).toBe("dm");
    const text = r.reply.plain;
    expectToContainAll(text, [
      "Oak TC (times in United Kingdom Time)", `#${live} every Monday, 18:00–22:00 — on the rota`,
      `#${asked} every Wednesday, 18:00–22:00 — waiting for ${ALEX} to accept: !rota accept ${asked} or !rota decline ${asked}`,
      "Coming up: Mon, Mar 2, 18:00–22:00",
    ]);
    expect(text).not.toContain("Now:");
    expect(text).toContain(`${SAM} covers you all of Mon, Mar 9`);
    // Once the shift has started it is "now", until its end, not "coming up".
    w.now = at("2026-03-02T19:00:00Z");
    const during = await w.ok(ALEX, "!rota mine");
    expect(during).toContain("Now: Mon, Mar 2, 18:00–22:00, until 22:00 today.");
    expect(during).not.toContain("Coming up: Mon, Mar 2");
    await w.ok(ALEX, "!break");
    expect(await w.ok(ALEX, "!rota mine")).toContain("You are on a break until you end it");
    expect(await w.ok(BEA, "!rota")).toContain("You have no shifts on a rota");
  });
});
