import { ContactsStore } from "../../../src/features/paging/store/contacts";
import { CalendarFeedsStore } from "../../../src/features/rota/store/calendarFeeds";
import { DisplayNamesStore } from "../../../src/features/communities/store/displayNames";
import { EXPORT_PART_BYTES } from "../../../src/features/data/export";
import { CheckinsStore } from "../../../src/features/checkins/store/checkins";
import { AMY, BOB, CAT, DAY, roomOf, SAM, seed, World } from "./world";
import { expectToContainAll } from "../../support/expectText";

let w: World;

beforeEach(async () => {
  w = new World();
  await seed(w);
});

afterEach(() => w.close());

describe("!mydata", () => {
  it("asked in the community room, answers only by direct message: the room sees the ✅ and nothing else", async () => {
    const before = w.postedIn(roomOf("oak", "community")).length;
    const r = await w.send(AMY, "!mydata", roomOf("oak", "community"));
    expect(r.outcome).toBe("ok");
    expect(r.to).toBe(`dm:${AMY}`);
    expect(w.postedIn(roomOf("oak", "community")).length).toBe(before);
    expect(w.outboxRow(`react:${r.eventId}`)?.roomId).toBe(roomOf("oak", "community"));
  });

  it("lists the sender's own data in plain words, grouped by community", async () => {
    new DisplayNamesStore(w.db).set(AMY, "Amy Example", "member", 0);
    new ContactsStore(w.db).proposeEmail(AMY, "amy@example.org", w.clock.now());
    const { text } = await w.send(AMY, "!mydata");
    // The name carenet addresses alerts to her by.
    expect(text).toContain("The name I address you by when I must wake you");
    expect(text).toContain("Amy Example");
    // Her off-Matrix contact (`!contact`), not confirmed yet.
    expect(text).toContain("Email address amy@example.org, set Mon, Mar 2, 19:01");
    expect(text).toContain("not confirmed yet");
    // By name, in the community's time with its label, not UTC.
    expect(text).toContain("Everything carenet keeps about you (Amy Example), as of Mon, Mar 2, 19:01");
    expect(text).toContain("Times are in United Kingdom Time.");
    expect(text).not.toContain("UTC");
    // Memberships and roles, sponsor.
    expectToContainAll(text, ["Oakwood (oak)", "Elmhurst (elm)", `status: active; role: peer supporter; sponsor: ${SAM}`]);
    // Consent history with versions and dates.
    expect(text).toMatch(/Mon, Mar 2, 19:01: agreed \(version oak@[0-9a-f]{12}\)/);
    expect(text).toMatch(/agreed \(version elm@[0-9a-f]{12}\)/);
    // Rooms left.
    expect(text).toContain("Rooms you left on your own");
    expect(text).toContain("“Elmhurst community”, on Mon, Mar 2");
    // Check-ins with her own note, her plan.
    expectToContainAll(text, ["2 (not great), your note: “amy-private-note”", "What staff see in their check-in view: your answers.", "share nothing → answers"]);
    // Rota entries and breaks.
    expect(text).toMatch(/#\d+ every Monday, 18:00.22:00: on the rota/);
    expect(text).toMatch(/#\d+ every Tuesday, 18:00.22:00: on the rota/);
    expect(text).toContain("Your breaks from the rota");
    // Her page (who came), her crisis meeting, her part in another's page.
    expect(text).toMatch(new RegExp(`Page 1, Mon, Mar 2, 19:01; ${BOB.replace(/[.@]/g, "\\$&")} came after`));
    expect(text).toContain("closed by you");
    expect(text).toContain("Crisis meetings you called:");
    expect(text).toMatch(/Page 2, opened .*; you were asked at/);
    // Her conversation, and the audit log's entries about her.
    expectToContainAll(text, [
      "Your conversations with carenet", "Amy Example agreed to the rights text (version oak@",
      `${BOB} said they are coming to Amy Example (page 1 (command))`,
    ]);
    // A page note is held only until it is shown: carenet no longer has it.
    expect(text).not.toContain("amy-page-note");
  });

  it("lists her rota calendar links, counted per feed, never the link itself", async () => {
    const feeds = new CalendarFeedsStore(w.db);
    const now = w.clock.now();
    const tokens = [feeds.issue("person", AMY, null, now), feeds.issue("person", AMY, null, now), feeds.issue("community", AMY, "oak", now)];
    feeds.revoke("community", AMY, "oak", now);
    feeds.issue("person", CAT, null, now);
    const { text } = await w.send(AMY, "!mydata");
    expectToContainAll(text, [
      "Your rota calendar links", "your own shifts: 2 links that work", "the rota of community oak (as its staff): 0 links that work, 1 link revoked",
    ]);
    for (const token of tokens) expect(text).not.toContain(token);
  });

  it("never shows another member's data, not even of a page the sender was asked to help with", async () => {
    const { text } = await w.send(AMY, "!mydata");
    expect(text).toContain("Page 2"); // Cat's page, where Amy was asked
    expect(text).not.toContain(CAT);
    expect(text).not.toContain("cat-secret-note");
    expect(text).not.toContain("cat-page-note");
    // And the other way round.
    const cats = (await w.send(CAT, "!mydata")).text;
    expect(cats).toContain("cat-secret-note");
    expect(cats).not.toContain(AMY);
    expect(cats).not.toContain("amy-private-note");
  });

  it("sends a long export in several direct messages, each small enough for Matrix, the last one as the reply", async () => {
    const store = new CheckinsStore(w.db);
    for (let i = 0; i < 120; i++) {
      const day = new Date(w.clock.now() - (i + 1) * DAY).toISOString().slice(0, 10);
      store.saveAnswer(
        { communityId: "oak", userId: AMY, promptId: null, localDate: day, value: 3, note: `note ${i} ${"words ".repeat(40)}`, shared: false, noteShared: false, via: "command", today: day },
        w.clock.now() - (i + 1) * DAY,
      );
    }
    const r = await w.send(AMY, "!mydata", roomOf("oak", "community"));
    const parts = w.queued(`mydata:${r.eventId}:`);
    expect(parts.length).toBeGreaterThan(0);
    for (const p of parts) expect(p.toUser).toBe(AMY);
    const all = [...parts.map((p) => p.body), r.text];
    expect(all[0]).toContain(`(Part 1 of ${all.length}.)`);
    expect(r.text).toContain(`(Part ${all.length} of ${all.length}.)`);
    for (const part of [...parts.map((p) => w.outboxRow(`mydata:${r.eventId}:${parts.indexOf(p) + 1}`)!), w.outboxRow(`reply:${r.eventId}`)!]) {
      const size = Buffer.byteLength(String(part.content.body)) + Buffer.byteLength(String(part.content.formatted_body));
      expect(size).toBeLessThan(EXPORT_PART_BYTES * 1.1);
    }
    const joined = all.join("\n");
    for (let i = 0; i < 120; i++) expect(joined).toContain(`note ${i} words`);
  });

  it("tells someone carenet knows nothing about that it keeps nothing", async () => {
    const r = await w.send("@zed:example.org", "!mydata", roomOf("oak", "community"));
    expect(r.outcome).toBe("ok");
    expect(r.to).toBe("dm:@zed:example.org");
    expect(r.text).toContain("carenet keeps nothing about you.");
    expect(r.text).not.toContain("Oakwood");
  });

  it("takes no arguments", async () => {
    const r = await w.send(AMY, "!mydata please");
    expect(r.outcome).toBe("refused");
    expect(r.text).toContain("Usage: !mydata");
  });
});
