import { ContactsStore } from "../../../src/features/paging/store/contacts";
import { CalendarFeedsStore } from "../../../src/features/rota/store/calendarFeeds";
import { DisplayNamesStore } from "../../../src/features/communities/store/displayNames";
import { FORGOTTEN, LEAVE_DM_JOB } from "../../../src/features/data/service";
import { PagesStore } from "../../../src/features/paging/store/pages";
import { AMY, BOB, CAT, CRISIS, MIN, roomOf, seed, World } from "./world";
import { expectToContainAll } from "../../support/expectText";

let w: World;

beforeEach(async () => {
  w = new World();
  await seed(w);
});

afterEach(() => w.close());

/** Every table carenet keeps about people (the bookkeeping of the appservice aside). */
const PERSONAL_TABLES = [
  "members",
  "left_rooms",
  "consent",
  "checkin_prompts",
  "checkin_answers",
  "checkin_alerts",
  "checkin_plans",
  "checkin_plan_changes",
  "checkin_alumni",
  "rota_entries",
  "rota_breaks",
  "pages",
  "page_steps",
  "page_contacts",
  "page_responses",
  "page_notes",
  "page_skips",
  "contact_channels",
  "crisis_meetings",
  "crisis_meeting_people",
  "dm_rooms",
  "forget_requests",
  "display_names",
];

async function forget(user = AMY): Promise<{ asked: string; done: string; eventId: string }> {
  const asked = await w.send(user, "!forgetme");
  expect(asked.outcome).toBe("ok");
  w.clock.t += 2 * MIN;
  const done = await w.send(user, "!forgetme confirm");
  expect(done.outcome).toBe("ok");
  return { asked: asked.text, done: done.text, eventId: done.eventId };
}

describe("!forgetme asks first", () => {
  it("says what would go, what would stay and why, and how long the confirmation is valid — by direct message only", async () => {
    const r = await w.send(AMY, "!forgetme", roomOf("oak", "community"));
    expect(r.outcome).toBe("ok");
    expect(r.to).toBe(`dm:${AMY}`);
    // What matters most at 2 am comes first: confirming also stops paging from this account.
    expect(r.text.split("\n")[0]).toBe("If you confirm, !page from this account will no longer reach the people on call: it will give you the crisis numbers only.");
    expectToContainAll(r.text, [
      "your membership of Oakwood", "your 2 answers to the rights text", "your check-ins: 1 answer with your notes",
      "a shift you hold ends now, and staff are told it is uncovered (not why)", `say “${FORGOTTEN}” instead`, "The audit log:",
      "append-only by design and never deleted",
      "Oakwood: its staff will be told that you asked to leave. Taking you out of its rooms is their decision",
      "send !forgetme confirm within 10 minutes (until 19:11)", CRISIS,
    ]);
    // Nothing erased yet.
    expect(w.app.members.get("oak", AMY)).toBeDefined();
  });

  it("does nothing on a confirmation that comes too late, or without a request", async () => {
    expect((await w.send(AMY, "!forgetme confirm")).text).toContain("There is no request to confirm; nothing was erased.");
    await w.send(AMY, "!forgetme");
    w.clock.t += 11 * MIN;
    const late = await w.send(AMY, "!forgetme confirm");
    expect(late.outcome).toBe("refused");
    expect(late.text).toContain("Your request lapsed at Mon 19:11; nothing was erased.");
    expect(w.app.members.get("oak", AMY)).toBeDefined();
    expect(w.app.consent.history(AMY)).toHaveLength(2);
  });

  it("can be cancelled", async () => {
    await w.send(AMY, "!forgetme");
    expect((await w.send(AMY, "!forgetme cancel")).text).toBe("Cancelled: nothing was erased.");
    expect((await w.send(AMY, "!forgetme confirm")).outcome).toBe("refused");
    expect(w.app.members.get("oak", AMY)).toBeDefined();
  });

  it("refuses while a page of theirs, or one they said they would come to, is not closed — with the crisis resources", async () => {
    expect((await w.send(AMY, "!page", roomOf("oak", "community"))).outcome).toBe("ok");
    const r = await w.send(AMY, "!forgetme");
    expect(r.outcome).toBe("refused");
    expect(r.text).toContain("A page you are part of is not closed yet (page 3)");
    expect(r.text).toContain(CRISIS);
    expect(w.data.stores.requests.get(AMY)).toBeUndefined();
    // Bob came to Cat's page, which is still open.
    expect((await w.send(BOB, "!forgetme")).text).toContain("(page 2)");
    // Once closed, the way is open.
    await w.send(AMY, "!resolve 3");
    expect((await w.send(AMY, "!forgetme")).outcome).toBe("ok");
  });

  it("tells someone with nothing to erase so, and what it keeps", async () => {
    const r = await w.send("@zed:example.org", "!forgetme", roomOf("oak", "community"));
    expect(r.outcome).toBe("ok");
    expect(r.text).toContain("carenet keeps nothing about you that it could erase.");
    expect(w.data.stores.requests.get("@zed:example.org")).toBeUndefined();
  });
});

describe("!forgetme confirm", () => {
  it("erases everything carenet kept about the person, in every community, and nothing of anyone else's", async () => {
    for (const [u, name] of [[AMY, "Amy"], [CAT, "Cat"], [BOB, "Bob"]]) new DisplayNamesStore(w.db).set(u, name, "member", 0);
    const catBefore = Object.fromEntries(PERSONAL_TABLES.map((t) => [t, w.rowsMentioning(t, CAT)]));
    const bobBefore = Object.fromEntries(PERSONAL_TABLES.map((t) => [t, w.rowsMentioning(t, BOB)]));
    const pagesBefore = (w.db.prepare("SELECT COUNT(*) AS n FROM pages").get() as { n: number }).n;
    // Her off-Matrix contact (personal data, `!contact`) goes too.
    new ContactsStore(w.db).setWebhook(AMY, true, w.clock.now());
    new ContactsStore(w.db).proposeEmail(AMY, "amy@example.org", w.clock.now());
    expect(w.rowsMentioning("contact_channels", AMY)).toBe(2);
    const { done } = await forget();

    expect(done).toContain("Done: carenet has erased what it kept about you");
    for (const table of PERSONAL_TABLES) expect([table, w.rowsMentioning(table, AMY)]).toEqual([table, 0]);
    // Copies of what was already sent to or about her are gone; only what is on its way stays.
    const kept = w.db.prepare("SELECT DISTINCT state FROM outbox WHERE to_user = ? OR instr(content_json, ?) > 0").all(AMY, AMY) as Array<{ state: string }>;
    expect(kept.map((r) => r.state)).toEqual(["pending"]);

    // Others' data is untouched (Cat's page loses only the record that Amy was asked).
    expect(Object.fromEntries(PERSONAL_TABLES.map((t) => [t, w.rowsMentioning(t, CAT)]))).toEqual(catBefore);
    const bobAfter = Object.fromEntries(PERSONAL_TABLES.map((t) => [t, w.rowsMentioning(t, BOB)]));
    expect(bobAfter).toEqual(bobBefore);
    expect(w.db.prepare("SELECT note FROM checkin_answers WHERE user_id = ?").all(CAT)).toEqual([{ note: "cat-secret-note" }]);

    // Her page is still counted for the contact digest, without her name.
    expect((w.db.prepare("SELECT COUNT(*) AS n FROM pages").get() as { n: number }).n).toBe(pagesBefore);
    const page1 = new PagesStore(w.db).get(1)!;
    expect(page1.member).toBe(FORGOTTEN);
    expect(page1.state.resolvedBy).toBe(FORGOTTEN);
    expect(page1.supportRoomId).toBeNull();
  });

  it("revokes her rota calendar links and cancels the jobs that would email or reach her off Matrix", async () => {
    const feeds = new CalendarFeedsStore(w.db);
    const now = w.clock.now();
    const amyToken = feeds.issue("person", AMY, null, now);
    feeds.issue("community", AMY, "oak", now);
    const catToken = feeds.issue("person", CAT, null, now);
    const jobs = w.app.jobs;
    const amyJobs = [`contact.code:${AMY}:${now}`, `page.offmatrix:7:r0:s1:email:${AMY}`, `page.offmatrix:7:r0:s1:webhook:${AMY}`];
    // Someone else's, including a user id that merely starts like hers.
    const otherJobs = [`contact.code:${CAT}:${now}`, `page.offmatrix:7:r0:s1:email:${CAT}`, `page.offmatrix:7:r0:s1:email:${AMY}x`, `contact.code:${AMY}:8448:${now}`];
    for (const key of [...amyJobs, ...otherJobs]) {
      const kind = key.startsWith("contact.code") ? "contact.code" : "page.offmatrix";
      jobs.schedule({ kind, key, dueAt: now + 60 * MIN, payload: kind === "contact.code" ? { to: "amy@example.org", code: "123456" } : {} }, now);
    }
    await forget();

    expect(w.rowsMentioning("calendar_feeds", AMY)).toBe(0);
    expect(feeds.byToken(amyToken)).toBeUndefined();
    expect(feeds.byToken(catToken)).toBeDefined();
    for (const key of amyJobs) expect([key, jobs.get(key)?.state]).toEqual([key, "cancelled"]);
    for (const key of otherJobs) expect([key, jobs.get(key)?.state]).toEqual([key, "pending"]);
  });

  it("keeps the audit log, says so, and adds that the erasure happened (without what was erased)", async () => {
    const before = w.app.audit.aboutPerson(AMY);
    const total = w.app.audit.count();
    const { done } = await forget();
    const after = w.app.audit.aboutPerson(AMY);
    expect(after.slice(0, before.length)).toEqual(before);
    const added = after.slice(before.length);
    expect(added.map((e) => [e.communityId, e.action, e.actor, e.detail])).toEqual([
      ["elm", "data.erased", AMY, "at their request"],
      ["oak", "data.erased", AMY, "at their request"],
    ]);
    expect(w.app.audit.count()).toBe(total + 2);
    expect(done).toContain(`The audit log: ${after.length} entries about you. It is append-only by design and never deleted`);
  });

  it("tells each community's staff that the member asked to leave, and that shifts are uncovered without saying whose or why", async () => {
    expect(w.capabilities.onCall("oak", w.clock.now()).peers).toEqual([AMY, BOB].sort());
    const { done, eventId } = await forget();
    const [leaving, ...rest] = w.queued(`data.erased:${eventId}:staff:oak`);
    expect(rest).toEqual([]);
    expect(leaving.roomId).toBe(roomOf("oak", "staff"));
    expect(leaving.body).toContain(`${AMY} has asked to leave Oakwood`);
    expect(leaving.body).toContain("whether and when to take them out is your decision");
    expect(w.queued(`data.erased:${eventId}:staff:elm`)[0].body).toContain(`${AMY} has asked to leave Elmhurst`);

    const [rota] = w.queued(`data.erased:${eventId}:rota:oak`);
    expect(rota.roomId).toBe(roomOf("oak", "staff"));
    expect(rota.body).toContain("Rota of Oakwood: some shifts are now uncovered.");
    expect(rota.body).toMatch(/every Monday, 18:00.22:00/);
    expect(rota.body).toMatch(/every Tuesday, 18:00.22:00/);
    expect(rota.body).toContain("One of them was running now: it has ended");
    expect(rota.body).not.toContain(AMY);
    expect(rota.body).not.toMatch(/forget|erase|asked/i);
    // The shift running now has ended: Bob alone is on call.
    expect(w.capabilities.onCall("oak", w.clock.now()).peers).toEqual([BOB]);
    expect(done).toContain("Oakwood: its staff have been told that you asked to leave.");
  });

  it("leaves the person's conversation once the answer has been sent there, and not before", async () => {
    const dm = w.app.dmRooms.roomFor(AMY)!;
    const { eventId } = await forget();
    expect(w.app.jobs.get(`${LEAVE_DM_JOB}:${dm}`)?.state).toBe("pending");
    expect(w.outboxRow(`reply:${eventId}`)).toMatchObject({ roomId: dm, state: "pending" });
    await w.flush();
    // The answer went first; the job waits for it rather than leaving with it unsent.
    expect(w.outboxRow(`reply:${eventId}`)?.state).toBe("sent");
    expect(w.hs.left).toEqual([]);
    await w.at(w.clock.now() + MIN);
    expect(w.hs.left).toEqual([dm]);
    expect(w.hs.events.some((e) => e.roomId === dm && String(e.content.body).startsWith("Done: carenet has erased"))).toBe(true);
  });

  it("is idempotent: erasing again changes nothing and tells nobody", async () => {
    await forget();
    const audit = w.app.audit.count();
    const outbox = (w.db.prepare("SELECT COUNT(*) AS n FROM outbox").get() as { n: number }).n;
    const again = w.data.erase(AMY, "data.erased:again", w.clock.now());
    expect(again.erased).toBe(false);
    expect(w.app.audit.count()).toBe(audit);
    expect((w.db.prepare("SELECT COUNT(*) AS n FROM outbox").get() as { n: number }).n).toBe(outbox);
    // Asked again (not in a conversation carenet knows), there is nothing to erase.
    const r = await w.send(AMY, "!forgetme", roomOf("oak", "community"));
    expect(r.text).toContain("carenet keeps nothing about you that it could erase.");
  });

  it("leaves only the audit log's entries for !mydata to show", async () => {
    await forget();
    const r = await w.send(AMY, "!mydata", roomOf("oak", "community"));
    expect(r.to).toBe(`dm:${AMY}`);
    expectToContainAll(r.text, [
      "carenet keeps nothing else about you", "The audit log's entries about you", "asked carenet to erase what it kept about them, and it did",
    ]);
    expect(r.text).not.toMatch(/Your membership|Your rota entries|Your check-in|Pages you sent|Your conversations/);
  });

  it("keeps the person out of prompts, the rota and the member list afterwards", async () => {
    await forget();
    await w.at(w.clock.now() + 3 * 60 * MIN); // past the evening prompt
    expect(w.db.prepare("SELECT COUNT(*) AS n FROM checkin_prompts WHERE user_id = ?").get(AMY)).toEqual({ n: 0 });
    expect(w.app.jobs.pending().filter((j) => JSON.stringify(j.payload).includes(AMY))).toEqual([]);
    const list = await w.send("@sam:example.org", "!member list", roomOf("oak", "staff"));
    expect(list.text).not.toContain(AMY);
  });
});
