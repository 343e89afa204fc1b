import {
  AMY,
  ANN,
  BOB,
  CAT,
  community,
  COMMUNITY_ROOM,
  CRISIS,
  DAN,
  type Harness,
  ladder,
  MIN,
  SAM,
  STAFF_ROOM,
  startHarness,
  startUp,
  T0,
  ZOE,
} from "./harness";
import { expectToContainAll } from "../../support/expectText";

/** peers 10m → backup peers 10m → on-call staff 15m; exhausted 35 minutes after opening. */
const LADDER = ladder("on_call_peers 10m", "backup_peers 10m", "on_call_staff 15m");

let h: Harness & { file: string };
afterEach(() => h?.close());

/** A fresh harness with LADDER, for a describe whose every test starts from one. */
function startWithLadder(): void {
  h = startHarness({ community: community(LADDER) });
}

const pageOf = (id = 1) => h.pages.get(id)!;
const notices = (user: string) => h.hs.dmsTo(user).filter((b) => b.includes("needs support and has paged"));

async function openPage(note = "I am not ok tonight"): Promise<void> {
  const r = await h.command(AMY, `!page ${note}`);
  expect(r.outcome).toBe("ok");
  await h.flush();
}

describe("opening a page", () => {
  beforeEach(startWithLadder);

  it("tells the member at once, with the crisis resources, and asks the peers on call", async () => {
    const r = await h.command(AMY, "!page I am not ok tonight");
    expect(r.outcome).toBe("ok");
    expect(r.replyTo).toBeUndefined();
    expect(r.reply.plain).toMatch(/^I hear you\./);
    expectToContainAll(r.reply.plain, ["(page 1)", "1 person (the peer supporters on call)", CRISIS]);
    await h.flush();
    expect(pageOf().state).toMatchObject({ status: "open", step: 0, nextDeadlineMs: T0 + 10 * MIN });
    expect(notices(BOB)).toHaveLength(1);
    expect(notices(BOB)[0]).toContain(`${AMY} needs support and has paged Oakwood (page 1)`);
    expect(notices(BOB)[0]).not.toContain("not ok tonight");
    expect(notices(CAT)).toEqual([]);
    expect(notices(DAN)).toEqual([]);
  });

  it("opens a private support room (named without the note), invites the member and the peers, and shows the note there only", async () => {
    await openPage("I am not ok tonight");
    const roomId = pageOf().supportRoomId!;
    expect(roomId).toBeTruthy();
    expect(h.hs.nameOf(roomId)).toBe("Support for Amy");
    expect(h.hs.membersOf(roomId)).toMatchObject({ [AMY]: "invite", [BOB]: "invite" });
    const posts = h.hs.postsIn(roomId);
    expect(posts[0]).toContain("This is a private support room for");
    expect(posts[1]).toContain("I am not ok tonight");
    // Shown once, then stored nowhere: not in the page tables, the outbox, the jobs or the audit log.
    expect(h.pages.pendingNotes(1)).toEqual([]);
    for (const table of ["pages", "page_notes", "outbox", "jobs", "audit_log", "page_contacts", "page_steps"]) {
      const rows = h.db.prepare(`SELECT * FROM ${table}`).all();
      expect(JSON.stringify(rows)).not.toContain("not ok tonight");
    }
    const everyoneElse = h.hs.events.filter((e) => e.roomId !== roomId);
    expect(JSON.stringify(everyoneElse)).not.toContain("not ok tonight");
  });

  it("someone who declined or left the support room is invited again when they are wanted back", async () => {
    await openPage("help");
    const roomId = pageOf().supportRoomId!;
    // The peer declines the invitation and the member leaves the room.
    h.hs.setMembership(roomId, BOB, "leave");
    h.hs.setMembership(roomId, AMY, "leave");
    await h.command(AMY, "!page please");
    await h.command(BOB, "!ack 1");
    await h.flush();
    expect(h.hs.membersOf(roomId)).toMatchObject({ [AMY]: "invite", [BOB]: "invite" });
  });

  it("from a community room: the answer goes to the member privately", async () => {
    const r = await h.command(AMY, "!page please", { roomId: COMMUNITY_ROOM });
    expect(r.outcome).toBe("ok");
    expect(r.replyTo).toBe("dm");
  });

  it("someone who is not a member gets the crisis resources and a plain explanation, never silence", async () => {
    const r = await h.command(ZOE, "!page help");
    expect(r.outcome).toBe("refused");
    expect(r.reply.plain).toContain("you are not listed as a member");
    expect(r.reply.plain).toContain(CRISIS);
    expect(h.pages.allActive()).toEqual([]);
  });

  it("alumni can page their community", async () => {
    h.app.members.discharge("oak", AMY, T0);
    const r = await h.command(AMY, "!page");
    expect(r.outcome).toBe("ok");
    expect(pageOf().communityId).toBe("oak");
  });
});

describe("acknowledging", () => {
  beforeEach(startWithLadder);

  it.each([
    [0, BOB, T0 + 5 * MIN],
    [1, CAT, T0 + 15 * MIN],
    [2, DAN, T0 + 30 * MIN],
  ])("an ack at step %i (by %s) stops escalation and everyone involved is told", async (stepIndex, who, ackAt) => {
    await openPage();
    if (stepIndex >= 1) await h.at(T0 + 10 * MIN);
    if (stepIndex >= 2) await h.at(T0 + 20 * MIN);
    expect(pageOf().state.step).toBe(stepIndex);
    await h.at(ackAt);
    const r = await h.command(who, "!ack");
    expect(r.outcome).toBe("ok");
    expect(r.reply.plain).toContain(`${AMY} has been told you are coming`);
    await h.flush();
    expect(pageOf().state).toMatchObject({ status: "acknowledged", acknowledgedBy: who, nextDeadlineMs: null });
    expect(h.hs.dmsTo(AMY).filter((b) => b.includes(`${who} is coming`))).toHaveLength(1);
    expect(h.hs.postsIn(pageOf().supportRoomId!)).toContain(`${who} is coming.`);
    // The others who were asked are told they are not needed.
    for (const other of [BOB, CAT, DAN].slice(0, stepIndex + 1).filter((u) => u !== who)) {
      expect(h.hs.dmsTo(other).some((b) => b.includes(`${who} has said they are coming`))).toBe(true);
    }
    // No further escalation: every later deadline passes quietly.
    const before = h.hs.events.length;
    await h.at(T0 + 120 * MIN);
    expect(h.hs.events.length).toBe(before);
    expect(notices(SAM)).toEqual([]);
    expect(pageOf().state.status).toBe("acknowledged");
  });

  it("a ✅ reaction to the page message acknowledges; other reactions and other people's do not", async () => {
    await openPage();
    const target = h.hs.dmEventId(BOB, "needs support");
    h.app.atomically(() => {
      for (const hook of h.app.reactionHooks) hook({ roomId: "!x", sender: BOB, targetEventId: target, key: "👀", eventId: "$r1", place: undefined });
      for (const hook of h.app.reactionHooks) hook({ roomId: "!x", sender: CAT, targetEventId: target, key: "✅", eventId: "$r2", place: undefined });
    });
    expect(pageOf().state.status).toBe("open");
    h.app.atomically(() => {
      for (const hook of h.app.reactionHooks) hook({ roomId: "!x", sender: BOB, targetEventId: target, key: "✅️", eventId: "$r3", place: undefined });
    });
    expect(pageOf().state).toMatchObject({ status: "acknowledged", acknowledgedBy: BOB });
    expect(h.pages.responses(1)).toEqual([{ userId: BOB, how: "reaction", at: T0 }]);
    // The person who reacted is thanked and told where to go, as a `!ack` would be; once.
    h.app.atomically(() => {
      for (const hook of h.app.reactionHooks) hook({ roomId: "!x", sender: BOB, targetEventId: target, key: "✅", eventId: "$r4", place: undefined });
    });
    await h.flush();
    expect(h.hs.dmsTo(BOB).filter((b) => b.includes(`Thank you. ${AMY} has been told you are coming (page 1).`))).toHaveLength(1);
  });

  it("joining the support room acknowledges; the member joining does not", async () => {
    await openPage();
    const roomId = pageOf().supportRoomId!;
    const join = (userId: string) =>
      h.app.atomically(() => {
        for (const hook of h.app.membershipHooks) {
          hook({ roomId, place: undefined, userId, sender: userId, membership: "join", previous: "invite", eventId: `$join-${userId}` });
        }
      });
    join(AMY);
    expect(pageOf().state.status).toBe("open");
    join(BOB);
    expect(pageOf().state).toMatchObject({ status: "acknowledged", acknowledgedBy: BOB });
    await h.flush();
    expect(h.hs.dmsTo(AMY).filter((b) => b.includes(`${BOB} is coming`))).toHaveLength(1);
  });

  it("a second responder is announced as coming too; the first stays the acknowledger", async () => {
    await openPage();
    await h.at(T0 + 10 * MIN);
    await h.command(BOB, "!ack");
    const r = await h.command(CAT, "!ack 1");
    expect(r.reply.plain).toContain("told you are coming too");
    await h.flush();
    expect(pageOf().state.acknowledgedBy).toBe(BOB);
    expect(h.hs.dmsTo(AMY).filter((b) => b.includes(`${CAT} is coming too`))).toHaveLength(1);
    expect((await h.command(CAT, "!ack 1")).reply.plain).toContain("already said you are coming");
  });

  it("refuses an ack from someone who was not asked, and from the member themself", async () => {
    await openPage();
    const stranger = await h.command(ZOE, "!ack 1");
    expect(stranger.outcome).toBe("refused");
    // The same answer as for a page that does not exist (test/unit/paging/pageNumbers.test.ts).
    expect(stranger.reply.plain).toContain("There is no page 1 that you can acknowledge");
    const own = await h.command(AMY, "!ack 1");
    expect(own.outcome).toBe("refused");
    expect(own.reply.plain).toContain(CRISIS);
    expect(pageOf().state.status).toBe("open");
    // Staff of the community can acknowledge any page, before their step.
    expect((await h.command(SAM, "!ack 1", { roomId: STAFF_ROOM })).outcome).toBe("ok");
    expect(pageOf().state.acknowledgedBy).toBe(SAM);
  });

  it("an `!ack` in the support room needs no number", async () => {
    await openPage();
    const r = await h.command(BOB, "!ack", { roomId: pageOf().supportRoomId! });
    expect(r.outcome).toBe("ok");
    expect(pageOf().state.acknowledgedBy).toBe(BOB);
  });
});

describe("escalating with nobody acknowledging", () => {
  beforeEach(startWithLadder);

  it("walks the ladder on time, pages staff in the staff room, and ends with the crisis resources and a staff alert", async () => {
    await openPage();
    await h.at(T0 + 10 * MIN - 1);
    expect(notices(CAT)).toEqual([]);
    await h.at(T0 + 10 * MIN);
    expect(notices(CAT)).toHaveLength(1);
    expect(h.hs.dmsTo(AMY).some((b) => b.includes("I have now also asked 1 person (the backup peer supporters)"))).toBe(true);
    await h.at(T0 + 20 * MIN);
    expect(notices(DAN)).toHaveLength(1);
    expect(h.hs.postsIn(STAFF_ROOM).filter((b) => b.includes("Page 1 from") && b.includes("1 person (the staff on call)"))).toHaveLength(1);
    // Everyone asked so far is in the support room.
    expect(h.hs.membersOf(pageOf().supportRoomId!)).toMatchObject({ [BOB]: "invite", [CAT]: "invite", [DAN]: "invite" });
    await h.at(T0 + 35 * MIN - 1);
    expect(pageOf().state.status).toBe("open");
    await h.at(T0 + 35 * MIN);
    expect(pageOf().state).toMatchObject({ status: "exhausted", exhaustedAtMs: T0 + 35 * MIN });
    const last = h.hs.dmsTo(AMY).filter((b) => b.includes("nobody could be reached"));
    expect(last).toHaveLength(1);
    expect(last[0]).toContain(CRISIS);
    expect(h.hs.postsIn(STAFF_ROOM).filter((b) => b.includes("Nobody acknowledged page 1"))).toHaveLength(1);
    for (const staff of [SAM, ANN]) expect(h.hs.dmsTo(staff).filter((b) => b.includes("Nobody acknowledged page 1"))).toHaveLength(1);
    // Nothing more happens by itself.
    const before = h.hs.events.length;
    await h.at(T0 + 300 * MIN);
    expect(h.hs.events.length).toBe(before);
  });

  it("a late ack after exhaustion still counts: the member is told someone is coming", async () => {
    await openPage();
    for (const t of [10, 20, 35]) await h.at(T0 + t * MIN);
    expect(pageOf().state.status).toBe("exhausted");
    await h.at(T0 + 50 * MIN);
    expect((await h.command(SAM, "!ack 1", { roomId: STAFF_ROOM })).outcome).toBe("ok");
    await h.flush();
    expect(pageOf().state).toMatchObject({ status: "acknowledged", acknowledgedBy: SAM });
    expect(h.hs.dmsTo(AMY).filter((b) => b.includes(`${SAM} is coming`))).toHaveLength(1);
    expect(h.hs.postsIn(STAFF_ROOM).some((b) => b.includes(`${SAM} has said they are coming`))).toBe(true);
  });
});

describe("a step with nobody to ask", () => {
  it("is passed at once: waiting for nobody helps nobody", async () => {
    h = startHarness({ community: community(LADDER), onCall: { peers: [], backupPeers: [CAT], staff: [DAN] } });
    const r = await h.command(AMY, "!page");
    expect(r.reply.plain).toContain("I have asked 1 person (the backup peer supporters)");
    await h.flush();
    expect(pageOf().state).toMatchObject({ status: "open", step: 1, nextDeadlineMs: T0 + 10 * MIN });
    expect(notices(CAT)).toHaveLength(1);
    expect(h.pages.steps(1)).toEqual([
      { round: 1, step: 0, target: "on_call_peers", at: T0, notified: 0 },
      { round: 1, step: 1, target: "backup_peers", at: T0, notified: 1 },
    ]);
    // The next step is taken when step 1's own wait runs out.
    h.onCall = { peers: [], backupPeers: [], staff: [] };
    await h.at(T0 + 10 * MIN);
    expect(pageOf().state).toMatchObject({ status: "exhausted", exhaustedAtMs: T0 + 10 * MIN });
    expect(h.hs.dmsTo(AMY).filter((b) => b.includes("nobody could be reached"))).toHaveLength(1);
  });

  it("with nobody on call at all (no rota yet), the default ladder reaches the whole staff team at once", async () => {
    h = startHarness({ onCall: { peers: [], backupPeers: [], staff: [] } });
    const r = await h.command(AMY, "!page");
    expect(r.reply.plain).toContain("I have asked 2 people (the staff team)");
    await h.flush();
    expect(notices(SAM)).toHaveLength(1);
    expect(notices(ANN)).toHaveLength(1);
    expect(h.hs.postsIn(STAFF_ROOM).filter((b) => b.includes("Page 1 from"))).toHaveLength(1);
    expect(pageOf().state).toMatchObject({ status: "open", step: 3, nextDeadlineMs: T0 + 15 * MIN });
  });

  it("when every step is empty the member gets the crisis resources at once, and staff are alerted", async () => {
    h = startHarness({ community: community({ escalation: [{ notify: "on_call_peers", wait: "10m" }] }), onCall: { peers: [], backupPeers: [], staff: [] } });
    const r = await h.command(AMY, "!page");
    expect(r.outcome).toBe("ok");
    // The truth: nobody was on call to ask (not "nobody could be reached", which suggests someone was asked).
    expect(r.reply.plain).toContain("nobody is on call to ask right now");
    expect(r.reply.plain).toContain(CRISIS);
    await h.flush();
    expect(pageOf().state.status).toBe("exhausted");
    expect(h.hs.postsIn(STAFF_ROOM).filter((b) => b.includes("nobody has been asked"))).toHaveLength(1);
    expect(h.hs.dmsTo(SAM).filter((b) => b.includes("nobody has been asked"))).toHaveLength(1);
  });

  it("a rota that fails to answer does not stall the page: the step asks nobody and the ladder moves on", async () => {
    h = startHarness({ community: community(LADDER) });
    h.onCallAt = () => {
      throw new Error("rota broken");
    };
    const r = await h.command(AMY, "!page");
    expect(r.outcome).toBe("ok");
    expect(pageOf().state.status).toBe("exhausted");
    expect(r.reply.plain).toContain(CRISIS);
  });
});

describe("repeat pages", () => {
  beforeEach(startWithLadder);

  it("join the open page: counted, nobody asked again, the deadline unchanged, the new note passed to the room", async () => {
    await openPage("first words");
    await h.at(T0 + 3 * MIN);
    const r = await h.command(AMY, "!page second words");
    expect(r.outcome).toBe("ok");
    expectToContainAll(r.reply.plain, ["Your page is still open (page 1)", "passed your new message on to the support room", CRISIS]);
    await h.flush();
    expect(h.pages.allActive()).toHaveLength(1);
    expect(pageOf().state).toMatchObject({ repeatCount: 1, nextDeadlineMs: T0 + 10 * MIN, step: 0 });
    expect(notices(BOB)).toHaveLength(1);
    const posts = h.hs.postsIn(pageOf().supportRoomId!);
    expect(posts.filter((b) => b.includes("first words"))).toHaveLength(1);
    expect(posts.filter((b) => b.includes("second words"))).toHaveLength(1);
    expect(h.hs.madeRooms()).toHaveLength(1);
  });


  it("on an exhausted page: the ladder starts again (a new round), asking the peers again", async () => {
    await openPage();
    for (const t of [10, 20, 35]) await h.at(T0 + t * MIN);
    await h.at(T0 + 60 * MIN);
    const r = await h.command(AMY, "!page");
    expect(r.reply.plain).toContain("I am trying again (page 1)");
    await h.flush();
    expect(pageOf()).toMatchObject({ round: 2, state: { status: "open", step: 0, nextDeadlineMs: T0 + 70 * MIN, repeatCount: 1 } });
    expect(notices(BOB)).toHaveLength(2);
    await h.at(T0 + 70 * MIN);
    expect(notices(CAT)).toHaveLength(2);
  });

  it("after a resolved page, a new page opens", async () => {
    await openPage();
    await h.command(AMY, "!resolve");
    await h.command(AMY, "!page");
    expect(h.pages.allActive().map((p) => p.id)).toEqual([2]);
  });
});

describe("a repeat page on an acknowledged page is never swallowed", () => {
  /** Monday 22:00 Amy pages and Bob acknowledges; nobody resolves. Thursday 02:00 she pages again. */
  const THU_0200 = Date.parse("2026-01-15T02:00:00Z");
  const askedToConfirm = () => h.hs.dmsTo(BOB).filter((b) => b.includes(`${AMY} has paged again (page 1)`));

  beforeEach(startWithLadder);

  async function acknowledgedByBob(at = T0 + 5 * MIN): Promise<string> {
    await openPage("first words");
    await h.at(at);
    expect((await h.command(BOB, "!ack")).outcome).toBe("ok");
    await h.flush();
    return pageOf().supportRoomId!;
  }

  /** Bob acknowledged; twenty minutes in, Amy pages again and what that asks for is sent. Returns the support room. */
  async function pagedAgainAfterBobsAck(): Promise<string> {
    const roomId = await acknowledgedByBob();
    await h.at(T0 + 20 * MIN);
    await h.command(AMY, "!page");
    await h.flush();
    return roomId;
  }

  it("days later: the acknowledger and the support room are told at once, and the ladder runs again to the end", async () => {
    const roomId = await acknowledgedByBob();
    h.onCall = { peers: [CAT], backupPeers: [], staff: [DAN] };
    await h.at(THU_0200);
    const r = await h.command(AMY, "!page it is happening again");
    expect(r.outcome).toBe("ok");
    expectToContainAll(r.reply.plain, [`${BOB} said they were coming 2 days ago`, "I have also asked 1 person (the peer supporters on call) to come", CRISIS]);
    await h.flush();
    expect(pageOf()).toMatchObject({ round: 2, state: { status: "open", step: 0, nextDeadlineMs: THU_0200 + 10 * MIN, repeatCount: 1 } });
    expect(pageOf().state.acknowledgedBy).toBeUndefined();
    expect(h.app.jobs.pending("page.deadline").map((j) => j.key)).toEqual(["page.deadline:1:2:0"]);
    expect(askedToConfirm()).toHaveLength(1);
    expect(askedToConfirm()[0]).toContain("I am asking the people on call again as well");
    expect(askedToConfirm()[0]).toContain("reply !ack 1 here");
    const posts = h.hs.postsIn(roomId);
    expect(posts.filter((b) => b.startsWith(`${AMY} has paged again.`))).toHaveLength(1);
    expect(posts.filter((b) => b.includes("it is happening again"))).toHaveLength(1); // the new note, shown as the first was
    expect(notices(CAT)).toHaveLength(1);
    expect(notices(CAT)[0]).toContain("has paged Oakwood again (page 1)");
    // Nobody answers: the ladder runs on (the empty backup step passed at once) and ends with the crisis resources.
    await h.at(THU_0200 + 10 * MIN);
    expect(notices(DAN)).toHaveLength(1);
    expect(notices(DAN)[0]).toContain("(10 minutes so far)");
    await h.at(THU_0200 + 25 * MIN);
    expect(pageOf().state).toMatchObject({ status: "exhausted", exhaustedAtMs: THU_0200 + 25 * MIN });
    const last = h.hs.dmsTo(AMY).filter((b) => b.includes("nobody could be reached"));
    expect(last).toHaveLength(1);
    expect(last[0]).toContain(CRISIS);
    expect(h.hs.postsIn(STAFF_ROOM).filter((b) => b.includes("Nobody acknowledged page 1") && b.includes("25 minutes since they paged again"))).toHaveLength(1);
  });

  it("in a new round, whoever comes is announced to the member and to everyone asked, even if they were told before", async () => {
    await acknowledgedByBob();
    await h.at(THU_0200);
    await h.command(AMY, "!page");
    await h.flush();
    expect((await h.command(BOB, "!ack")).outcome).toBe("ok");
    await h.flush();
    expect(pageOf().state).toMatchObject({ status: "acknowledged", acknowledgedBy: BOB, nextDeadlineMs: null });
    expect(h.hs.dmsTo(AMY).filter((b) => b.includes(`${BOB} is coming: they have said they will support you`))).toHaveLength(2);
    expect(h.app.jobs.pending("page.deadline")).toEqual([]);
  });

  it("soon after the acknowledgement: the acknowledger is asked to confirm; their `!ack` confirms and nobody else is asked", async () => {
    const roomId = await acknowledgedByBob();
    await h.at(T0 + 20 * MIN);
    const r = await h.command(AMY, "!page still scared");
    expectToContainAll(r.reply.plain, [
      `${BOB} said they were coming 15 minutes ago`, "If nobody confirms within 10 minutes, I will ask the people on call again",
      "passed your new message on to the support room", CRISIS,
    ]);
    await h.flush();
    expect(pageOf().state).toMatchObject({ status: "acknowledged", acknowledgedBy: BOB, nextDeadlineMs: T0 + 30 * MIN, repeatCount: 1 });
    expect(h.app.jobs.pending("page.deadline")).toMatchObject([{ dueAt: T0 + 30 * MIN }]);
    expect(askedToConfirm()).toHaveLength(1);
    expect(askedToConfirm()[0]).toContain("Are you still there for them?");
    const posts = h.hs.postsIn(roomId);
    expect(posts.filter((b) => b.startsWith(`${AMY} has paged again.`) && b.includes(`${BOB}, are you still here?`))).toHaveLength(1);
    expect(posts.filter((b) => b.includes("still scared"))).toHaveLength(1);

    await h.at(T0 + 25 * MIN);
    const ok = await h.command(BOB, "!ack");
    expect(ok.outcome).toBe("ok");
    expect(ok.reply.plain).toContain(`${AMY} has been told you are still there for them (page 1)`);
    await h.flush();
    expect(pageOf().state).toMatchObject({ status: "acknowledged", acknowledgedBy: BOB, acknowledgedAtMs: T0 + 25 * MIN, nextDeadlineMs: null });
    expect(h.hs.dmsTo(AMY).filter((b) => b.includes(`${BOB} has seen that you paged again`))).toHaveLength(1);
    expect(h.app.jobs.pending("page.deadline")).toEqual([]);
    await h.at(T0 + 120 * MIN);
    expect(notices(CAT)).toEqual([]);
    expect(notices(BOB)).toHaveLength(1);
    expect(pageOf().round).toBe(1);
  });

  it("a ✅ on the message asking to confirm confirms, and the reaction is thanked", async () => {
    await pagedAgainAfterBobsAck();
    const target = h.hs.dmEventId(BOB, "has paged again");
    h.app.atomically(() => {
      for (const hook of h.app.reactionHooks) hook({ roomId: "!x", sender: BOB, targetEventId: target, key: "✅", eventId: "$c1", place: undefined });
    });
    await h.flush();
    expect(pageOf().state).toMatchObject({ status: "acknowledged", nextDeadlineMs: null, acknowledgedAtMs: T0 + 20 * MIN });
    expect(h.hs.dmsTo(BOB).filter((b) => b.includes("told you are still there"))).toHaveLength(1);
    // Someone else's ✅ on Bob's message does nothing.
    expect(h.pages.pageOfConfirmRequest(target, CAT)).toBeUndefined();
  });

  it("no confirmation within the first step's wait: a new round, and the member is told why, with the crisis resources", async () => {
    const roomId = await pagedAgainAfterBobsAck();
    await h.at(T0 + 30 * MIN - 1);
    expect(pageOf().round).toBe(1);
    await h.at(T0 + 30 * MIN);
    expect(pageOf()).toMatchObject({ round: 2, state: { status: "open", step: 0, nextDeadlineMs: T0 + 40 * MIN } });
    expect(notices(BOB)).toHaveLength(2); // Bob is the peer on call: asked again in the new round
    const told = h.hs.dmsTo(AMY).filter((b) => b.includes(`${BOB} has not answered since you paged again`));
    expect(told).toHaveLength(1);
    expect(told[0]).toContain("I have asked 1 person (the peer supporters on call) to come as well");
    expect(told[0]).toContain(CRISIS);
    expect(h.hs.dmsTo(BOB).filter((b) => b.includes("You did not confirm in time"))).toHaveLength(1);
    expect(h.hs.postsIn(roomId).filter((b) => b.includes(`${BOB} has not confirmed`))).toHaveLength(1);
    for (const t of [40, 50]) await h.at(T0 + t * MIN);
    expect(notices(CAT)).toHaveLength(1);
    expect(notices(DAN)).toHaveLength(1);
    await h.at(T0 + 65 * MIN);
    expect(pageOf().state.status).toBe("exhausted");
    expect(h.hs.dmsTo(AMY).filter((b) => b.includes("nobody could be reached"))).toHaveLength(1);
  });

  it("paging yet again while a confirmation is awaited tells the acknowledger again and keeps the deadline", async () => {
    await acknowledgedByBob();
    await h.at(T0 + 20 * MIN);
    await h.command(AMY, "!page");
    await h.at(T0 + 24 * MIN);
    const r = await h.command(AMY, "!page");
    expect(r.reply.plain).toContain("If nobody confirms within 6 minutes");
    await h.flush();
    expect(askedToConfirm()).toHaveLength(2);
    expect(pageOf().state).toMatchObject({ repeatCount: 2, nextDeadlineMs: T0 + 30 * MIN });
    await h.at(T0 + 30 * MIN);
    expect(pageOf().round).toBe(2);
  });

  it("a confirmation deadline lost or parked as failed is put back at start", async () => {
    await pagedAgainAfterBobsAck();
    const [job] = h.app.jobs.pending("page.deadline");
    h.app.jobs.cancel(job.key, h.clock.now());
    await startUp(h);
    expect(h.app.jobs.get(job.key)).toMatchObject({ state: "pending", dueAt: T0 + 30 * MIN });
    await h.at(T0 + 30 * MIN);
    expect(pageOf().round).toBe(2);
  });
});

describe("acknowledging late", () => {
  beforeEach(startWithLadder);

  it("`!ack` runs even when it reaches carenet late, as `!page` does", () => {
    expect(h.app.commands.find((c) => c.name === "ack")?.runWhenLate).toBe(true);
  });

  it("the ✅ hook takes reactions that reached carenet late (it was down): an acknowledgement is as true late", async () => {
    await openPage();
    const hook = h.app.reactionHooks.find((x) => x.acceptsLate);
    expect(hook).toBeDefined();
    const target = h.hs.dmEventId(BOB, "needs support");
    h.app.atomically(() => hook!({ roomId: "!x", sender: BOB, targetEventId: target, key: "✅", eventId: "$late", place: undefined, late: true }));
    expect(pageOf().state).toMatchObject({ status: "acknowledged", acknowledgedBy: BOB });
  });
});

describe("answers that name the member stay out of shared rooms", () => {
  beforeEach(startWithLadder);

  it("`!ack` and `!resolve` sent in a community or staff room are answered privately; in the page's support room, there", async () => {
    await openPage();
    const ack = await h.command(BOB, "!ack 1", { roomId: COMMUNITY_ROOM });
    expect(ack.outcome).toBe("ok");
    expect(ack.reply.plain).toContain(AMY);
    expect(ack.replyTo).toBe("dm");
    const inSupportRoom = await h.command(BOB, "!ack", { roomId: pageOf().supportRoomId! });
    expect(inSupportRoom.reply.plain).toContain("already said you are coming");
    expect(inSupportRoom.replyTo).toBeUndefined();
    const resolve = await h.command(SAM, "!resolve 1", { roomId: STAFF_ROOM });
    expect(resolve.outcome).toBe("ok");
    expect(resolve.replyTo).toBe("dm");
    const closed = await h.command(BOB, "!ack 1", { roomId: COMMUNITY_ROOM });
    expect(closed.outcome).toBe("refused");
    expect(closed.replyTo).toBe("dm");
    // In a direct conversation the answer stays where it was asked.
    expect((await h.command(BOB, "!ack 1")).replyTo).toBeUndefined();
  });

  it("a refusal that lists whose pages are open is answered privately too", async () => {
    const KIT = "@kit:example.org";
    h.app.members.add({ communityId: "oak", userId: KIT, sponsor: SAM, addedBy: SAM }, T0);
    await openPage();
    await h.command(KIT, "!page");
    await h.flush();
    const r = await h.command(BOB, "!ack", { roomId: COMMUNITY_ROOM });
    expect(r.outcome).toBe("refused");
    expect(r.reply.plain).toContain(AMY);
    expect(r.replyTo).toBe("dm");
  });

  it("`!crisis-meeting` from a community room is answered privately", async () => {
    const r = await h.command(AMY, "!crisis-meeting", { roomId: COMMUNITY_ROOM });
    expect(r.outcome).toBe("ok");
    expect(r.replyTo).toBe("dm");
  });
});

describe("resolving", () => {
  beforeEach(startWithLadder);

  it("the acknowledger closes it: the member is told (with the crisis resources), responders get a debrief, the room stays", async () => {
    await openPage();
    await h.at(T0 + 10 * MIN);
    await h.command(BOB, "!ack");
    await h.at(T0 + 50 * MIN);
    const roomId = pageOf().supportRoomId!;
    const r = await h.command(BOB, "!resolve", { roomId });
    expect(r.outcome).toBe("ok");
    await h.flush();
    expect(pageOf().state).toMatchObject({ status: "resolved", resolvedBy: BOB, resolvedAtMs: T0 + 50 * MIN });
    const told = h.hs.dmsTo(AMY).filter((b) => b.includes(`${BOB} has closed your page`));
    expect(told).toHaveLength(1);
    expect(told[0]).toContain(CRISIS);
    expect(h.hs.dmsTo(BOB).filter((b) => b.includes("How are you?"))).toHaveLength(1);
    expect(h.hs.dmsTo(CAT).filter((b) => b.includes("How are you?"))).toEqual([]);
    expect(h.hs.postsIn(roomId).some((b) => b.includes("stays here for everyone in it to read"))).toBe(true);
    expect(h.hs.methods).not.toContain("kick");
    expect(h.hs.membersOf(roomId)[AMY]).toBe("invite");
  });

  it("every responder gets a debrief, not only the first", async () => {
    await openPage();
    await h.at(T0 + 10 * MIN);
    await h.command(BOB, "!ack");
    await h.command(CAT, "!ack 1");
    await h.command(AMY, "!resolve");
    await h.flush();
    for (const u of [BOB, CAT]) expect(h.hs.dmsTo(u).filter((b) => b.includes("How are you?"))).toHaveLength(1);
  });

  it("the member can close an open page; those asked are told they are not needed; pending deadlines are dropped", async () => {
    await openPage();
    const r = await h.command(AMY, "!resolve");
    expect(r.reply.plain).toContain("Your page is closed (page 1)");
    expect(r.reply.plain).toContain(CRISIS);
    await h.flush();
    expect(h.hs.dmsTo(BOB).filter((b) => b.includes("has been closed by"))).toHaveLength(1);
    expect(h.app.jobs.pending("page.deadline")).toEqual([]);
    await h.at(T0 + 60 * MIN);
    expect(notices(CAT)).toEqual([]);
  });

  it("only the member, a responder or staff may close it", async () => {
    await openPage();
    const r = await h.command(BOB, "!resolve 1");
    expect(r.outcome).toBe("refused");
    expect(pageOf().state.status).toBe("open");
    expect((await h.command(SAM, "!resolve 1", { roomId: STAFF_ROOM })).outcome).toBe("ok");
    expect(pageOf().state.status).toBe("resolved");
    expect((await h.command(SAM, "!resolve 1", { roomId: STAFF_ROOM })).reply.plain).toContain("already closed");
  });

  it("a page closed before its room was made gets no room, and its note is dropped unshown", async () => {
    await h.command(AMY, "!page do not keep this");
    await h.command(AMY, "!resolve");
    await h.flush();
    expect(pageOf().supportRoomId).toBeNull();
    expect(h.hs.madeRooms()).toEqual([]);
    expect(JSON.stringify(h.db.prepare("SELECT * FROM page_notes").all())).toBe("[]");
  });
});

describe("restarts and outages", () => {
  it("a restart mid-escalation continues on time, with no message twice", async () => {
    h = startHarness({ community: community(LADDER) });
    await openPage();
    await h.at(T0 + 5 * MIN);
    const { file, clock, hs } = h;
    const before = hs.events.length;
    h.close();

    // Down from 5 to 10 minutes (an "on time" restart just before the deadline).
    h = startHarness({ file, clock, hs, community: community(LADDER) });
    await startUp(h);
    await h.at(T0 + 10 * MIN - 1);
    expect(hs.events.length).toBe(before);
    await h.at(T0 + 10 * MIN);
    expect(notices(CAT)).toHaveLength(1);
    expect(notices(BOB)).toHaveLength(1);
    expect(h.hs.dmsTo(AMY).filter((b) => b.includes("I hear you. I have asked"))).toEqual([]); // the reply is the router's, never re-sent here
    await h.at(T0 + 20 * MIN);
    await h.at(T0 + 35 * MIN);
    expect(pageOf().state.status).toBe("exhausted");
    expect(h.hs.dmsTo(AMY).filter((b) => b.includes("nobody could be reached"))).toHaveLength(1);
    expect(h.hs.madeRooms()).toHaveLength(1);
  });

  it("a crash after a step was taken but before its job was marked done runs the job again with no effect twice", async () => {
    h = startHarness({ community: community(LADDER) });
    await openPage();
    h.clock.t = T0 + 10 * MIN;
    // The job's work commits (the crash comes before the scheduler marks it done).
    h.app.atomically(() => h.service.deadline(1, 1, 0, h.clock.now()));
    const { file, clock, hs } = h;
    h.close();
    h = startHarness({ file, clock, hs, community: community(LADDER) });
    await startUp(h);
    await h.flush();
    expect(h.app.jobs.get("page.deadline:1:1:0")?.state).toBe("done");
    expect(notices(CAT)).toHaveLength(1);
    expect(h.hs.dmsTo(AMY).filter((b) => b.includes("I have now also asked"))).toHaveLength(1);
    expect(pageOf().state).toMatchObject({ step: 1, nextDeadlineMs: T0 + 20 * MIN });
  });

  it("a restart long after several deadlines catches up one step at a time, each with its full wait", async () => {
    h = startHarness({ community: community(LADDER) });
    await openPage();
    const { file, clock, hs } = h;
    h.close();
    clock.t = T0 + 120 * MIN;
    h = startHarness({ file, clock, hs, community: community(LADDER) });
    await startUp(h);
    await h.flush();
    expect(pageOf().state).toMatchObject({ status: "open", step: 1, nextDeadlineMs: T0 + 130 * MIN });
    await h.at(T0 + 130 * MIN);
    await h.at(T0 + 145 * MIN);
    expect(pageOf().state.status).toBe("exhausted");
  });

  it("a deadline job lost or parked as failed is put back at start", async () => {
    h = startHarness({ community: community(LADDER) });
    await openPage();
    h.app.jobs.cancel("page.deadline:1:1:0", h.clock.now());
    await startUp(h);
    expect(h.app.jobs.get("page.deadline:1:1:0")).toMatchObject({ state: "pending", dueAt: T0 + 10 * MIN });
    await h.at(T0 + 10 * MIN);
    expect(notices(CAT)).toHaveLength(1);
  });

  it("the homeserver being down does not stall escalation; what was queued is delivered once when it is back", async () => {
    h = startHarness({ community: community(LADDER) });
    h.hs.down = true;
    await h.command(AMY, "!page can anyone hear me");
    await h.flush();
    await h.at(T0 + 10 * MIN);
    await h.at(T0 + 20 * MIN);
    // The ladder moved on with the clock even though nothing could be sent.
    expect(pageOf().state.step).toBe(2);
    expect(h.hs.events).toEqual([]);
    h.hs.down = false;
    // Retries are spaced by backoff; give them time.
    for (let t = 21; t <= 30; t++) await h.at(T0 + t * MIN);
    expect(notices(BOB)).toHaveLength(1);
    expect(notices(CAT)).toHaveLength(1);
    expect(notices(DAN)).toHaveLength(1);
    expect(h.hs.madeRooms()).toHaveLength(1);
    expect(h.hs.postsIn(pageOf().supportRoomId!).filter((b) => b.includes("can anyone hear me"))).toHaveLength(1);
    const txns = h.hs.events.map((e) => e.txnId);
    expect(new Set(txns).size).toBe(txns.length);
  });

  it("a note whose send reached the homeserver before a crash is not shown twice (same transaction id)", async () => {
    h = startHarness({ community: community(LADDER) });
    await openPage("only once please");
    const roomId = pageOf().supportRoomId!;
    // Replay the note delivery as if the row had not been deleted after sending.
    const txnId = h.hs.events.find((e) => String(e.content.body).includes("only once please"))!.txnId;
    h.db.prepare("INSERT INTO page_notes (page_id, txn_id, note, created_at) VALUES (1, ?, 'only once please', ?)").run(txnId, T0);
    h.app.jobs.schedule({ kind: "page.room", key: "page.room:1:again", dueAt: h.clock.now(), payload: { pageId: 1 } }, h.clock.now());
    await h.flush();
    expect(h.hs.postsIn(roomId).filter((b) => b.includes("only once please"))).toHaveLength(1);
    expect(h.pages.pendingNotes(1)).toEqual([]);
  });
});

describe("crisis meetings", () => {
  it("invites the peers and staff on call to a temporary room, which later becomes read-only", async () => {
    h = startHarness();
    const r = await h.command(AMY, "!crisis-meeting");
    expect(r.outcome).toBe("ok");
    expect(r.reply.plain).toContain("I am inviting you and 2 people on call");
    expect(r.reply.plain).toContain(CRISIS);
    await h.flush();
    const [roomId] = h.hs.madeRooms();
    expect(h.hs.membersOf(roomId)).toMatchObject({ [AMY]: "invite", [BOB]: "invite", [DAN]: "invite" });
    expect(h.hs.dmsTo(BOB).filter((b) => b.includes("has called a crisis meeting"))).toHaveLength(1);
    expect(h.hs.postsIn(STAFF_ROOM).filter((b) => b.includes("has called a crisis meeting"))).toHaveLength(1);
    // A second call while it is open points to the same meeting.
    expect((await h.command(AMY, "!crisis-meeting")).reply.plain).toContain("is still open");
    await h.at(T0 + 12 * 60 * MIN);
    expect(h.hs.eventsDefault(roomId)).toBe(100);
    expect(h.hs.postsIn(roomId).some((b) => b.includes("This crisis meeting has ended"))).toBe(true);
  });

  it("a meeting whose room job failed for good gets its room at the next start; one past its 12 hours does not", async () => {
    h = startHarness();
    await h.command(AMY, "!crisis-meeting");
    h.db.prepare("UPDATE jobs SET state = 'failed', finished_at = ? WHERE key = 'crisis.room:1'").run(T0);
    await h.flush();
    expect(h.hs.madeRooms()).toEqual([]);
    await startUp(h);
    await h.flush();
    const [roomId] = h.hs.madeRooms();
    expect(roomId).toBeDefined();
    expect(h.pages.meeting(1)!.roomId).toBe(roomId);
    expect(h.hs.membersOf(roomId)).toMatchObject({ [AMY]: "invite", [BOB]: "invite", [DAN]: "invite" });
    // A second start finds nothing to repair.
    await startUp(h);
    await h.flush();
    expect(h.hs.madeRooms()).toHaveLength(1);

    await h.command(BOB, "!crisis-meeting");
    h.db.prepare("UPDATE jobs SET state = 'failed', finished_at = ? WHERE key = 'crisis.room:2'").run(T0);
    await h.at(T0 + 12 * 60 * MIN + 1);
    await startUp(h);
    await h.flush();
    expect(h.hs.madeRooms()).toHaveLength(1);
  });

  it("with nobody on call, the staff team is invited so the meeting is never empty", async () => {
    h = startHarness({ onCall: { peers: [], backupPeers: [], staff: [] } });
    const r = await h.command(AMY, "!crisis-meeting");
    expect(r.reply.plain).toContain("2 people from the staff team");
  });

  it("is refused, with the crisis resources, to someone who is not a member", async () => {
    h = startHarness();
    const r = await h.command(ZOE, "!crisis-meeting");
    expect(r.outcome).toBe("refused");
    expect(r.reply.plain).toContain(CRISIS);
  });
});
