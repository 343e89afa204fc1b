import { AMY, BOB, BOT, community, type Harness, ladder, startHarness, startUp } from "./harness";

/** peers 10m → on-call staff 15m. */
const LADDER = ladder("on_call_peers 10m", "on_call_staff 15m");

let h: Harness;
let bodies: Array<Record<string, any>>;

function start(warm: number): void {
  h = startHarness({ community: community({ ...LADDER, warm_rooms: warm }) });
  bodies = [];
  const create = h.hs.createRoom.bind(h.hs);
  h.hs.createRoom = async (body) => {
    if (!body.is_direct) bodies.push(body); // not the direct chats the bot opens to tell people
    return create(body);
  };
}

/** As `start`, then past start-up with the pool filled. */
async function startWithPool(warm: number): Promise<void> {
  start(warm);
  await startUp(h);
  await h.flush();
}

afterEach(() => h?.close());

const ready = () => (h.db.prepare("SELECT room_id FROM warm_rooms WHERE state = 'ready' ORDER BY created_at, room_id").all() as Array<{ room_id: string }>).map((r) => r.room_id);
const pageOf = () => h.pages.get(1)!;

describe("the pool of warm rooms", () => {
  it("invites at once to a room that already has its community's name, then names it for the member and introduces; the pool is topped up only once the invitations are out", async () => {
    await startWithPool(1);
    const [warm] = ready();
    const steps: string[] = [];
    const namesShown: Array<string | undefined> = [];
    const topUpQueued = () => h.db.prepare("SELECT 1 FROM jobs WHERE kind = 'page.warm-rooms' AND key LIKE '%:page:1'").get() !== undefined;
    const { sendState, invite, sendEvent } = h.hs;
    h.hs.sendState = async (roomId, type, key, content) => {
      if (roomId === warm) steps.push(type);
      return sendState.call(h.hs, roomId, type, key, content);
    };
    const invited: string[] = [];
    h.hs.invite = async (roomId, userId) => {
      if (roomId === warm) steps.push(`invite${topUpQueued() ? " (top-up queued)" : ""}`);
      if (roomId === warm) namesShown.push(h.hs.nameOf(roomId));
      if (roomId === warm) invited.push(userId);
      return invite.call(h.hs, roomId, userId);
    };
    h.hs.sendEvent = async (roomId, type, content, txnId) => {
      if (roomId === warm) steps.push(txnId.startsWith("carenet.first.") ? "introduction" : "message");
      return sendEvent.call(h.hs, roomId, type, content, txnId);
    };
    await h.command(AMY, "!page");
    await h.app.scheduler.runDue();
    expect(steps).toEqual(["invite", "invite", "m.room.name", "introduction"]);
    // The person asked first (their invitation brings help), then the member.
    expect(invited).toEqual([BOB, AMY]);
    // The invitation shows the community's name, never an unnamed room, nor the member's name.
    expect(namesShown).toEqual(["Oakwood support room", "Oakwood support room"]);
    expect(h.hs.nameOf(warm)).toBe("Support for Amy");
    expect(topUpQueued()).toBe(true);
    await h.flush();
    expect(ready()).toHaveLength(1);
    expect(ready()).not.toContain(warm);
  });

  it("opens the support room only once the page's requests to the people asked are sent", async () => {
    let release!: () => void;
    const sent = new Promise<void>((resolve) => (release = resolve));
    let waited = 0;
    h = startHarness({ community: community({ ...LADDER, warm_rooms: 1 }), alertsSent: () => (waited++, sent) });
    await startUp(h);
    await h.flush();
    const before = h.hs.methods.length;
    await h.command(AMY, "!page");
    const job = h.app.scheduler.runDue();
    for (let i = 0; i < 50 && waited === 0; i++) await new Promise((r) => setImmediate(r));
    expect(waited).toBe(1);
    expect(h.hs.methods.slice(before)).not.toContain("invite");
    release();
    await job;
    expect(h.hs.methods.slice(before).filter((m) => m === "invite")).toHaveLength(2);
  });

  it("invites the people asked as summonses (before the member's answer), and the member as an ordinary request", async () => {
    let summoning = false; // true only while the work handed to summoning starts
    let summonses = 0;
    h = startHarness({
      community: community({ ...LADDER, warm_rooms: 1 }),
      summoning: (work) => {
        summonses++;
        summoning = true;
        try {
          return work();
        } finally {
          summoning = false;
        }
      },
    });
    await startUp(h);
    await h.flush();
    const invited: string[] = [];
    const { invite } = h.hs;
    h.hs.invite = async (roomId, userId) => {
      invited.push(`${userId} ${summoning ? "as a summons" : "plainly"}`);
      return invite.call(h.hs, roomId, userId);
    };
    await h.command(AMY, "!page");
    await h.flush();
    expect(invited).toEqual([`${BOB} as a summons`, `${AMY} plainly`]);
    expect(summonses).toBe(1);
  });

  it("names a room made before warm rooms had a name before anyone is invited, so no invitation is unnamed", async () => {
    await startWithPool(1);
    const [warm] = ready();
    h.hs.rooms.get(warm)!.state.delete("m.room.name\u0000"); // made by an earlier carenet: no name
    h.db.prepare("UPDATE warm_rooms SET named = 0").run();
    const steps: string[] = [];
    const { sendState, invite } = h.hs;
    h.hs.sendState = async (roomId, type, key, content) => {
      if (roomId === warm) steps.push(type);
      return sendState.call(h.hs, roomId, type, key, content);
    };
    h.hs.invite = async (roomId, userId) => {
      if (roomId === warm) steps.push(`invite: ${h.hs.nameOf(roomId)}`);
      return invite.call(h.hs, roomId, userId);
    };
    await h.command(AMY, "!page");
    await h.flush();
    expect(steps).toEqual(["m.room.name", "invite: Support for Amy", "invite: Support for Amy"]);
    expect(h.hs.postsIn(warm).filter((p) => p.includes("This is a private support room for"))).toHaveLength(1);
  });

  it("invites without waiting for the introduction; an introduction that fails is sent again by its job", async () => {
    await startWithPool(1);
    const [warm] = ready();
    const send = h.hs.sendEvent.bind(h.hs);
    let introFailures = 0;
    h.hs.sendEvent = async (roomId, type, content, txnId) => {
      if (roomId === warm && txnId.startsWith("carenet.first.") && introFailures === 0) {
        introFailures++;
        throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
      }
      return send(roomId, type, content, txnId);
    };
    await h.command(AMY, "!page");
    await h.app.scheduler.runDue();
    expect(introFailures).toBe(1);
    expect(pageOf().supportRoomId).toBe(warm);
    expect(h.hs.membersOf(warm)).toMatchObject({ [AMY]: "invite", [BOB]: "invite" });
    await h.flush();
    expect(h.hs.postsIn(warm).filter((p) => p.includes("This is a private support room for"))).toHaveLength(1);
    expect(h.db.prepare("SELECT state, attempts FROM jobs WHERE key = 'page.intro:1'").get()).toEqual({ state: "done", attempts: 0 });
  });

  it("is filled at start with private, invite-only rooms named for the community that nobody but the bot is in", async () => {
    await startWithPool(2);
    expect(ready()).toHaveLength(2);
    expect(h.hs.warmRooms()).toEqual(ready());
    for (const roomId of ready()) expect(h.hs.membersOf(roomId)).toEqual({ [BOT]: "join" });
    expect(bodies).toHaveLength(2);
    for (const body of bodies) {
      expect(body).toMatchObject({ preset: "private_chat", visibility: "private", power_level_content_override: { invite: 100, kick: 100, ban: 100, state_default: 100 } });
      expect(body.name).toBe("Oakwood support room");
      expect(body.invite).toBeUndefined();
      expect(body.initial_state).toEqual(
        expect.arrayContaining([
          { type: "m.room.history_visibility", state_key: "", content: { history_visibility: "shared" } },
          { type: "m.room.guest_access", state_key: "", content: { guest_access: "forbidden" } },
        ]),
      );
    }
  });

  it("gives a page its support room without making one: named, introduced, everyone invited at once; then it is topped up", async () => {
    await startWithPool(1);
    const [warm] = ready();
    const made = bodies.length;
    const callsBefore = h.hs.methods.length;

    await h.command(AMY, "!page I am not ok tonight");
    await h.app.scheduler.runDue(); // the page's own room job (and, in the background lane, the top-up)
    expect(pageOf().supportRoomId).toBe(warm);
    const pageCalls = h.hs.methods.slice(callsBefore);
    // On the page path: the name, the introduction and the invitations; no room made, no membership look-ups.
    expect(pageCalls.filter((c) => c === "createRoom").length).toBeLessThanOrEqual(1); // only the top-up, after the room was given
    expect(pageCalls).not.toContain("membershipOf");
    expect(h.hs.nameOf(warm)).toBe("Support for Amy");
    expect(h.hs.membersOf(warm)).toMatchObject({ [AMY]: "invite", [BOB]: "invite" });
    expect(h.hs.postsIn(warm)[0]).toContain("This is a private support room for");
    // The invitations went out from the room job; their jobs are done, not left to run one by one.
    const invites = h.db.prepare("SELECT key, state FROM jobs WHERE kind = 'matrix.invite'").all() as Array<{ key: string; state: string }>;
    expect(invites.map((j) => j.state)).toEqual(invites.map(() => "done"));
    expect(invites.length).toBeGreaterThanOrEqual(2);

    await h.flush();
    expect(h.hs.postsIn(warm)).toEqual(expect.arrayContaining([expect.stringContaining("I am not ok tonight")]));
    // Topped up in the background with a new room; the taken one is never handed out again.
    expect(ready()).toHaveLength(1);
    expect(ready()).not.toContain(warm);
    expect(bodies.length).toBe(made + 1);
    expect(h.db.prepare("SELECT state, page_id FROM warm_rooms WHERE room_id = ?").get(warm)).toEqual({ state: "taken", page_id: 1 });
  });

  it("never hands a room to a second page: each page gets a room of its own", async () => {
    await startWithPool(1);
    await h.command(AMY, "!page first");
    await h.flush();
    const first = pageOf().supportRoomId!;
    await h.command(AMY, "!resolve 1");
    await h.flush();
    await h.command(AMY, "!page again");
    await h.flush();
    const second = h.pages.get(2)!.supportRoomId!;
    expect(second).toBeTruthy();
    expect(second).not.toBe(first);
    expect(h.hs.nameOf(second)).toBe("Support for Amy");
    expect(h.hs.membersOf(first)).toMatchObject({ [BOT]: "join" }); // a used room is kept, as every support room is
  });

  it("with none ready, the page still gets its room at once (made then), and the pool is filled after", async () => {
    start(1);
    await h.command(AMY, "!page no pool yet");
    await h.flush();
    const roomId = pageOf().supportRoomId!;
    expect(h.hs.nameOf(roomId)).toBe("Support for Amy");
    expect(h.hs.membersOf(roomId)).toMatchObject({ [AMY]: "invite", [BOB]: "invite" });
    expect(ready()).toHaveLength(1);
    expect(ready()).not.toContain(roomId);
  });

  it("warm_rooms: 0 keeps no pool", async () => {
    start(0);
    await startUp(h);
    await h.command(AMY, "!page help");
    await h.flush();
    expect(pageOf().supportRoomId).toBeTruthy();
    expect(ready()).toEqual([]);
    expect(h.hs.warmRooms()).toEqual([]);
  });

  it("is left when its community leaves the config; support rooms already used are left alone", async () => {
    await startWithPool(2);
    await h.command(AMY, "!page help");
    await h.flush();
    const used = pageOf().supportRoomId!;
    const pool = ready();
    expect(pool).toHaveLength(2);

    h.app.config().communities.splice(0); // the community is removed, and the config reloaded
    for (const step of h.app.afterReconcile) await step(h.app.config(), "reload");
    await h.flush();
    expect(ready()).toEqual([]);
    for (const roomId of pool) expect(h.hs.membersOf(roomId)[BOT]).toBe("leave");
    expect(h.db.prepare("SELECT COUNT(*) AS n FROM warm_rooms WHERE state = 'retired' AND left_at IS NOT NULL").get()).toEqual({ n: 2 });
    expect(h.hs.membersOf(used)[BOT]).toBe("join");
  });

  it("shrinks when fewer are asked for, keeping the oldest", async () => {
    await startWithPool(3);
    const [oldest] = ready();
    h.app.config().communities[0].paging!.warm_rooms = 1;
    for (const step of h.app.afterReconcile) await step(h.app.config(), "reload");
    await h.flush();
    expect(ready()).toEqual([oldest]);
    expect(h.hs.warmRooms()).toEqual([oldest]);
  });

  it.each([
    ["named for its community (found out by the invitations)", 1],
    ["made before warm rooms had a name (found out by naming it)", 0],
  ])("gives up a warm room the homeserver no longer lets carenet use, and takes the next: %s", async (_, named) => {
    await startWithPool(2);
    const [gone, next] = ready();
    h.db.prepare("UPDATE warm_rooms SET named = ?").run(named);
    h.hs.rooms.delete(gone); // purged by the homeserver's admin, say
    // The next room's introduction fails once: its job sends it later.
    const send = h.hs.sendEvent.bind(h.hs);
    let failed = 0;
    h.hs.sendEvent = async (roomId, type, content, txnId) => {
      if (roomId === next && txnId.startsWith("carenet.first.") && failed++ === 0) throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
      return send(roomId, type, content, txnId);
    };
    await h.command(AMY, "!page help");
    await h.flush();
    expect(failed).toBeGreaterThan(1);
    expect(pageOf().supportRoomId).toBe(next);
    expect(h.hs.membersOf(next)).toMatchObject({ [AMY]: "invite", [BOB]: "invite" });
    expect(h.hs.postsIn(next).filter((p) => p.includes("This is a private support room for"))).toHaveLength(1);
    expect(h.hs.postsIn(next)).toEqual(expect.arrayContaining([expect.stringContaining("help")]));
    expect(h.db.prepare("SELECT state FROM warm_rooms WHERE room_id = ?").get(gone)).toEqual({ state: "retired" });
    // Nothing is left trying to reach the room given up.
    const pendingForGone = (h.db.prepare("SELECT payload_json FROM jobs WHERE state = 'pending'").all() as Array<{ payload_json: string }>).filter((j) => j.payload_json.includes(gone));
    expect(pendingForGone).toEqual([]);
  });
});
