import type { Channel, OffMatrixMessage } from "../../../src/features/paging/offMatrix/channels";
import { AMY, ANN, BOB, CAT, community, DAN, type Harness, ladder, MIN, SAM, STAFF_ROOM, startHarness, startUp, T0 } from "./harness";
import { expectToContainAll } from "../../support/expectText";

/**
 * Issue 16, items 4 and 5, on the fake clock: `!decline` and ⛔ move the ladder at once, a
 * page always tells the member the truth about what comes next, every skip is recorded with
 * its reason, the daily gap warning, and the off-Matrix channels (stand-ins here; the real
 * SMTP and webhook are in test/e2e/paging-ladder.test.ts).
 */

const PEERS_BACKUP_STAFF = ladder("on_call_peers 10m", "backup_peers 10m", "all_staff 10m");

let h: Harness & { file: string };
afterEach(() => h?.close());

const pageOf = (id = 1) => h.pages.get(id)!;
const notices = (user: string) => h.hs.dmsTo(user).filter((b) => b.includes("needs support and has paged"));
const react = (sender: string, target: string, key: string) =>
  h.app.atomically(() => {
    for (const hook of h.app.reactionHooks) hook({ roomId: "!x", sender, targetEventId: target, key, eventId: `$r-${sender}-${key}`, place: undefined });
  });

describe("!decline", () => {
  it("the only peer asked declines: the next step starts at once, and the member is not told who", async () => {
    h = startHarness({ community: community(PEERS_BACKUP_STAFF) });
    await h.command(AMY, "!page not ok");
    await h.flush();
    expect(notices(CAT)).toHaveLength(0);
    const r = await h.command(BOB, "!decline");
    expect(r.outcome).toBe("ok");
    expect(r.reply.plain).toContain("I have asked the next people at once");
    await h.flush();
    // No time has passed: the backup peer is asked now, not after the 10 minutes.
    expect(h.clock.now()).toBe(T0);
    expect(pageOf().state).toMatchObject({ status: "open", step: 1, nextDeadlineMs: T0 + 10 * MIN });
    expect(notices(CAT)).toHaveLength(1);
    const toMember = h.hs.dmsTo(AMY).join("\n");
    expect(toMember).toContain("I have now also asked 1 person (the backup peer supporters)");
    expect(toMember).not.toContain(BOB);
    expect(toMember).not.toMatch(/declin/i);
    expect(h.pages.skips(1)).toEqual([{ round: 1, step: 0, userId: BOB, reason: "declined", at: T0 }]);
    // The old deadline does nothing when it comes: the next step runs to its own.
    await h.at(T0 + 10 * MIN);
    expect(pageOf().state).toMatchObject({ status: "open", step: 2 });
    expect(notices(SAM)).toHaveLength(1);
  });

  it("with two asked, one decline waits for the other; the second moves on; a decliner is not asked again in the round", async () => {
    h = startHarness({ community: community(PEERS_BACKUP_STAFF), onCall: { peers: [BOB, DAN], backupPeers: [BOB], staff: [] } });
    h.app.members.add({ communityId: "oak", userId: DAN, role: "peer", sponsor: SAM, addedBy: SAM }, T0 - 1000);
    await h.command(AMY, "!page");
    await h.flush();
    expect((await h.command(BOB, "!decline 1")).reply.plain).toContain("the others asked can still come");
    expect(pageOf().state.step).toBe(0);
    expect((await h.command(BOB, "!decline 1")).reply.plain).toContain("already declined");
    const r = await h.command(DAN, "!decline");
    expect(r.reply.plain).toContain("asked the next people at once");
    await h.flush();
    // The backup step would ask BOB, who declined: nobody is left there, so it is passed and the staff are asked.
    expect(pageOf().state.step).toBe(2);
    expect(notices(BOB)).toHaveLength(1);
    expect(notices(SAM)).toHaveLength(1);
    expect(notices(ANN)).toHaveLength(1);
  });

  it("a ⛔ on the page request declines, as `!decline` does; someone not asked cannot decline", async () => {
    h = startHarness({ community: community(PEERS_BACKUP_STAFF) });
    await h.command(AMY, "!page");
    await h.flush();
    expect((await h.command(CAT, "!decline 1")).outcome).toBe("refused");
    react(BOB, h.hs.dmEventId(BOB, "needs support"), "⛔️");
    await h.flush();
    expect(pageOf().state.step).toBe(1);
    expect(h.hs.dmsTo(BOB).filter((b) => b.includes("You are out of page 1"))).toHaveLength(1);
    expect(h.pages.skips(1).map((s) => s.reason)).toEqual(["declined"]);
  });

  it("after someone said they are coming there is nothing to decline; `!ack` after a decline still works", async () => {
    h = startHarness({ community: community(PEERS_BACKUP_STAFF) });
    await h.command(AMY, "!page");
    await h.flush();
    await h.command(BOB, "!decline");
    await h.flush();
    expect((await h.command(BOB, "!ack 1")).outcome).toBe("ok");
    expect(pageOf().state).toMatchObject({ status: "acknowledged", acknowledgedBy: BOB });
    expect((await h.command(CAT, "!decline 1")).reply.plain).toContain("Someone has already said they are coming");
  });

  it("the digest and `!pages` count declines and every other skip, with no note", async () => {
    h = startHarness({
      community: { ...community(PEERS_BACKUP_STAFF), paging: { ...PEERS_BACKUP_STAFF, digest_at: "09:30" } },
      onCall: { peers: [BOB], backupPeers: [CAT], staff: [], leftOut: [{ userId: DAN, slot: "backupPeers", reason: "break" }, { userId: ANN, slot: "staff", reason: "break" }] },
    });
    await h.command(AMY, "!page a private note");
    await h.flush();
    await h.command(BOB, "!decline");
    await h.flush();
    const list = await h.command(SAM, "!pages", { roomId: STAFF_ROOM });
    expect(list.reply.plain).toContain("Not asked: 1 on a break from the rota.");
    expect(list.reply.plain).toContain("Declined: 1.");
    expect(list.reply.plain).not.toContain("a private note");
    await startUp(h);
    await h.at(Date.parse("2026-01-13T09:30:00Z"));
    const digest = h.hs.postsIn(STAFF_ROOM).find((b) => b.startsWith("Contact digest"))!;
    expect(digest).toContain("Declined: 1.");
    expect(digest).not.toContain("a private note");
  });
});

describe("a page ends honestly", () => {
  it("the member is told what really comes next: no staff step, no word of staff", async () => {
    h = startHarness({ community: community({ escalation: [{ notify: "on_call_peers", wait: "10m" }, { notify: "backup_peers", wait: "5m" }] }) });
    const r = await h.command(AMY, "!page");
    expect(r.reply.plain).toContain("If nobody answers within 10 minutes, I ask the backup peer supporters");
    expect(r.reply.plain).not.toContain("up to the staff");
  });

  it("on a one-step ladder the member hears these are the last people asked, and so do they", async () => {
    h = startHarness({ community: community({ escalation: [{ notify: "on_call_peers", wait: "10m" }] }) });
    const r = await h.command(AMY, "!page");
    expect(r.reply.plain).toContain("They are the last I can ask");
    await h.flush();
    expect(notices(BOB)[0]).toContain("You are the last people I ask for this page");
    expect(notices(BOB)[0]).not.toContain("I ask the next people in turn");
  });

  it("a step before the last invites a decline and promises the next people", async () => {
    h = startHarness({ community: community(PEERS_BACKUP_STAFF) });
    await h.command(AMY, "!page");
    await h.flush();
    expect(notices(BOB)[0]).toContain("reply !decline here (or react ⛔): I ask the next people at once");
    await h.at(T0 + 10 * MIN);
    await h.at(T0 + 20 * MIN);
    expect(notices(SAM)[0]).toContain("You are the last people I ask for this page");
  });

  it("nobody on call at any step: the member is told so at once, and every staff member gets a loud alert", async () => {
    h = startHarness({ community: community({ escalation: [{ notify: "on_call_peers", wait: "10m" }, { notify: "on_call_staff", wait: "10m" }] }), onCall: { peers: [], backupPeers: [], staff: [] } });
    const r = await h.command(AMY, "!page");
    expect(r.reply.plain).toContain("nobody is on call to ask right now");
    expect(r.reply.plain).toContain("urgent alert");
    await h.flush();
    for (const s of [SAM, ANN]) {
      const ev = h.hs.events.find((e) => h.hs.rooms.get(e.roomId)?.direct === s && String(e.content.body).includes("nobody has been asked"))!;
      expect(ev.content.msgtype).toBe("m.text");
      expect(ev.content["m.mentions"]).toEqual({ user_ids: [s] });
    }
    const room = h.hs.events.find((e) => e.roomId === STAFF_ROOM && String(e.content.body).includes("nobody has been asked"))!;
    expect(room.content["m.mentions"].user_ids.sort()).toEqual([ANN, SAM].sort());
  });

  it("a peer at the nightly cap is recorded as skipped with that reason", async () => {
    h = startHarness({ community: { ...community(PEERS_BACKUP_STAFF), rota: { max_pages_per_night: 1 } } });
    h.app.members.add({ communityId: "oak", userId: CAT, role: "peer", sponsor: SAM, addedBy: SAM }, T0 - 1000);
    await h.command(AMY, "!page");
    await h.flush();
    await h.command(AMY, "!resolve");
    await h.command(CAT, "!page");
    await h.flush();
    expect(h.pages.skips(2)).toEqual([{ round: 1, step: 0, userId: BOB, reason: "nightly_cap", at: T0 }]);
  });
});

describe("the daily gap warning", () => {
  it("arrives at its time and lists, per step, the hours tonight with nobody on call", async () => {
    // Peers on call 18:00–02:00 and 04:00–12:00 (London = UTC in January); staff on call never.
    const peersAt = (at: number) => {
      const hour = new Date(at).getUTCHours();
      return hour >= 18 || hour < 2 || (hour >= 4 && hour < 12) ? [BOB] : [];
    };
    h = startHarness({
      community: community({ escalation: [{ notify: "on_call_peers", wait: "10m" }, { notify: "on_call_staff", wait: "10m" }, { notify: "all_staff", wait: "5m" }], gap_warning_at: "16:00" }),
    });
    h.clock.t = Date.parse("2026-01-13T10:00:00Z");
    h.onCallAt = (_c, at) => ({ peers: peersAt(at), backupPeers: [], staff: [] });
    await startUp(h);
    await h.at(Date.parse("2026-01-13T15:59:00Z"));
    expect(h.hs.postsIn(STAFF_ROOM).filter((b) => b.includes("hours with nobody on call"))).toHaveLength(0);
    await h.at(Date.parse("2026-01-13T16:00:00Z"));
    const warnings = h.hs.postsIn(STAFF_ROOM).filter((b) => b.includes("hours with nobody on call"));
    expect(warnings).toHaveLength(1);
    expectToContainAll(warnings[0], [
      "Tue 16:00 to Wed 12:00", "Step 1 (the peer supporters on call): nobody 16:00–18:00 and 02:00–04:00.", "(United Kingdom Time)",
      "Step 2 (the staff on call): nobody 16:00–12:00.",
    ]);
    expect(warnings[0]).not.toContain("Step 3");
    // The next one is due tomorrow at 16:00.
    expect(h.app.jobs.pending("page.gaps").map((j) => j.dueAt)).toEqual([Date.parse("2026-01-14T16:00:00Z")]);
  });
});

class StandIn implements Channel {
  readonly sent: OffMatrixMessage[] = [];
  failNext = 0;
  constructor(readonly kind: "email" | "webhook") {}
  async send(m: OffMatrixMessage): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error(`550 <${m.address ?? m.userId}> recipient rejected`);
    }
    this.sent.push(m);
  }
}

describe("off Matrix", () => {
  let email: StandIn;
  let webhook: StandIn;
  const start = (extra: Partial<Parameters<typeof startHarness>[0]> = {}) => {
    email = new StandIn("email");
    webhook = new StandIn("webhook");
    h = startHarness({
      community: community(PEERS_BACKUP_STAFF),
      offMatrix: { email: { host: "smtp.invalid", from: "carenet@example.org" }, webhook: { url: "http://hook.invalid/", secret: "0123456789abcdef" }, contacts: [{ user: SAM, email: "sam@example.org", webhook: true }] },
      offMatrixChannels: () => [email, webhook],
      ...extra,
    });
  };

  it("from the configured step (default the last), once per person and step, naming no member and no note", async () => {
    start();
    await h.command(AMY, "!page my secret note");
    await h.flush();
    await h.at(T0 + 10 * MIN);
    expect(email.sent).toHaveLength(0);
    await h.at(T0 + 20 * MIN);
    expect(email.sent.map((m) => [m.address, m.pageId, m.step])).toEqual([["sam@example.org", 1, 3]]);
    expect(webhook.sent.map((m) => m.userId)).toEqual([SAM]);
    const all = JSON.stringify([...email.sent, ...webhook.sent]);
    expect(all).not.toContain(AMY);
    expect(all).not.toContain("amy");
    expect(all).not.toContain("secret note");
    expect(email.sent[0].text).toContain("A member of Oakwood needs support");
    expect(email.sent[0].text).toContain("open your Matrix app");
    // The same step run again (a restart mid-step) sends nothing twice.
    h.app.atomically(() => h.service.deadline(1, 1, 1, T0 + 20 * MIN));
    await h.flush();
    expect(email.sent).toHaveLength(1);
  });

  it("is written in the language of the person reached", async () => {
    start();
    expect((await h.command(SAM, "!language es")).outcome).toBe("ok");
    await h.command(AMY, "!page");
    await h.flush();
    await h.at(T0 + 10 * MIN);
    await h.at(T0 + 20 * MIN);
    expect(email.sent[0].subject).toContain("necesita apoyo (aviso 1)");
    expect(email.sent[0].text).toContain("Alguien de Oakwood necesita apoyo");
    expect(webhook.sent[0].text).toContain("abre tu app de Matrix");
  });

  it("a failed delivery is retried (a durable job), and nothing is sent once someone is coming", async () => {
    start();
    email.failNext = 1;
    await h.command(AMY, "!page");
    await h.at(T0 + 10 * MIN);
    await h.at(T0 + 20 * MIN);
    expect(email.sent).toHaveLength(0);
    // What failed is kept with the job and logged without the address the server quoted.
    const failed = h.app.jobs.get(`page.offmatrix:1:r1:s2:email:${SAM}`)!;
    expect(failed).toMatchObject({ state: "pending", attempts: 1 });
    expect(failed.lastError).toBe("email delivery failed (error)");
    await h.at(T0 + 20 * MIN + 5_000);
    expect(email.sent).toHaveLength(1);
    // A new page whose delivery failed once, then acknowledged before the retry: no email saying someone needs support.
    await h.command(SAM, "!resolve 1", { roomId: STAFF_ROOM });
    await h.command(AMY, "!page");
    const t1 = h.clock.now();
    await h.at(t1 + 10 * MIN);
    email.failNext = 1;
    await h.at(t1 + 20 * MIN);
    expect(email.failNext).toBe(0); // the attempt was made, and failed
    await h.command(SAM, "!ack 2", { roomId: STAFF_ROOM });
    await h.at(t1 + 21 * MIN);
    expect(email.sent.filter((m) => m.pageId === 2)).toHaveLength(0);
    expect(h.app.jobs.get(`page.offmatrix:2:r1:s2:email:${SAM}`)?.state).toBe("done");
  });

  it("when the ladder ends with nobody asked, staff who opted in are reached off Matrix too, once", async () => {
    // No all-staff step, and nobody on call at any step: nobody is asked by the ladder itself.
    start({
      community: community({
        escalation: [
          { notify: "on_call_peers" as const, wait: "10m" },
          { notify: "on_call_staff" as const, wait: "10m" },
        ],
      }),
    });
    h.onCall = { peers: [], backupPeers: [], staff: [] };
    await h.command(AMY, "!page a note");
    await h.flush();
    expect(email.sent.map((m) => [m.userId, m.pageId])).toEqual([[SAM, 1]]);
    expect(webhook.sent.map((m) => m.userId)).toEqual([SAM]);
    expect(JSON.stringify(email.sent)).not.toContain("a note");
  });

  it("staff already reached off Matrix at the last step are not sent it again when the ladder ends", async () => {
    start();
    await h.command(AMY, "!page");
    await h.flush();
    await h.at(T0 + 10 * MIN);
    await h.at(T0 + 20 * MIN); // the all-staff step: Sam is emailed
    await h.at(T0 + 30 * MIN); // nobody came: the ladder ends
    await h.flush();
    expect(h.pages.get(1)?.state.status).toBe("exhausted");
    expect(email.sent.map((m) => [m.userId, m.pageId])).toEqual([[SAM, 1]]);
  });

  it("a page request that fails on Matrix is followed off Matrix at once, whatever the step", async () => {
    start({ community: community({ ...PEERS_BACKUP_STAFF, off_matrix_at_step: 3 }) });
    h.app.members.add({ communityId: "oak", userId: SAM, role: "peer", sponsor: ANN, addedBy: ANN }, T0 - 1000);
    h.onCall = { peers: [SAM], backupPeers: [], staff: [] };
    h.hs.down = true;
    await h.command(AMY, "!page");
    await h.flush();
    expect(email.sent.map((m) => [m.userId, m.step])).toEqual([[SAM, 1]]);
  });

  it("`!contact email` sends a code; it counts only once the code is confirmed; never set from a shared room", async () => {
    start();
    const r = await h.command(BOB, "!contact email bob@example.org");
    expect(r.outcome).toBe("ok");
    await h.flush();
    expect(email.sent).toHaveLength(1);
    const code = /code is (\d{6})/.exec(email.sent[0].text)![1];
    expect((await h.command(BOB, "!contact confirm 000000")).outcome).toBe(code === "000000" ? "ok" : "refused");
    expect((await h.command(BOB, `!contact confirm ${code}`)).outcome).toBe("ok");
    expect((await h.command(BOB, "!contact")).reply.plain).toContain("bob@example.org (confirmed)");
    expect((await h.command(BOB, "!contact email x@example.org", { roomId: STAFF_ROOM })).outcome).toBe("refused");
    expect((await h.command(BOB, "!contact email not-an-address")).outcome).toBe("refused");
  });
});
