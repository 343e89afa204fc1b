import { DisplayNamesStore } from "../../../src/features/communities/store/displayNames";
import { AMY, ANN, BOB, community, DAN, type Harness, ladder, MIN, SAM, STAFF_ROOM, startHarness, T0 } from "./harness";

/**
 * What rings and what stays quiet (docs/paging.md, "what rings"): every message paging
 * sends, classified. Alerting ones are m.text addressed by name to exactly the people they
 * must wake (m.mentions.user_ids); everything else is a quiet m.notice with empty mentions.
 */

const LADDER = ladder("on_call_peers 10m", "all_staff 10m");

let h: Harness & { file: string };
afterEach(() => h?.close());

type Sent = Harness["hs"]["events"][number];
const messages = () => h.hs.events.filter((e) => e.type === "m.room.message");
const dmOf = (e: Sent) => h.hs.rooms.get(e.roomId)?.direct;
const to = (user: string, text: string) => messages().filter((e) => dmOf(e) === user && String(e.content.body).includes(text));
const one = (user: string, text: string): Sent => {
  const hits = to(user, text);
  expect(hits).toHaveLength(1);
  return hits[0];
};
const rings = (e: Sent, ...who: string[]) => {
  expect(e.content.msgtype).toBe("m.text");
  expect(e.content["m.mentions"]).toEqual({ user_ids: who });
};
const quiet = (e: Sent) => {
  expect(e.content.msgtype).toBe("m.notice");
  expect(e.content["m.mentions"]).toEqual({});
};

/** Every alert in a direct room names its owner and nobody else; nothing in a shared room rings. */
function everyAlertIsPersonal(): void {
  for (const e of messages()) {
    if (e.content.msgtype !== "m.text") continue;
    const owner = dmOf(e);
    expect(owner).toBeDefined();
    expect(e.content["m.mentions"]).toEqual({ user_ids: [owner] });
  }
}

describe("paging: what rings", () => {
  beforeEach(() => {
    h = startHarness({ community: community(LADDER), onCall: { peers: [BOB], backupPeers: [], staff: [DAN] } });
    const names = new DisplayNamesStore(h.db);
    names.set(BOB, "Bob", "member", T0);
    names.set(AMY, "Amy <3", "member", T0);
  });

  it("the request to the peer, each staff member's escalation alert and 'is coming' ring; the rest stays quiet", async () => {
    await h.command(AMY, "!page not ok");
    await h.flush();
    // The page request: addressed to Bob by name, as a pill, ringing only him.
    const request = one(BOB, "needs support and has paged");
    rings(request, BOB);
    expect(request.content.body).toMatch(/^Bob: /);
    expect(request.content.formatted_body).toMatch(/^<p><a href="https:\/\/matrix\.to\/#\/@bob:example\.org">Bob<\/a>: /);

    // Nobody answers: every staff member asked gets their own ringing alert; the staff room's copy is quiet.
    await h.at(T0 + 10 * MIN);
    for (const s of [SAM, ANN]) {
      const alert = one(s, "needs support and has paged");
      rings(alert, s);
      // No display name known: addressed by Matrix ID.
      expect(alert.content.body.startsWith(`${s}: `)).toBe(true);
    }
    for (const e of messages().filter((m) => m.roomId === STAFF_ROOM)) quiet(e);
    expect(h.hs.postsIn(STAFF_ROOM).some((b) => b.includes("has not been acknowledged"))).toBe(true);
    // "I have asked more people" to the member is news, not an alarm.
    quiet(one(AMY, "so I have now also asked"));

    // Bob comes: the member's "Bob is coming" rings for her (her name HTML-escaped in the pill).
    await h.command(BOB, "!ack");
    await h.flush();
    // Bob by his display name, a pill in HTML.
    const coming = one(AMY, "Bob is coming");
    rings(coming, AMY);
    expect(coming.content.formatted_body).toContain(`<a href="https://matrix.to/#/${BOB}">Bob</a> is coming`);
    expect(coming.content.formatted_body).toContain(">Amy &lt;3</a>: ");
    // The others asked are told it is taken: quiet.
    quiet(one(SAM, "nothing more is needed from you"));

    // Closing: quiet for everyone.
    await h.command(AMY, "!resolve");
    await h.flush();
    quiet(one(BOB, "How are you?"));
    quiet(one(SAM, "has been closed by"));
    everyAlertIsPersonal();
  });

  it("a ladder that runs out: the member's 'nobody could be reached' and each staff member's alert ring", async () => {
    h.onCall = { peers: [BOB], backupPeers: [], staff: [] };
    await h.command(AMY, "!page");
    await h.at(T0 + 10 * MIN);
    await h.at(T0 + 20 * MIN);
    rings(one(AMY, "nobody could be reached"), AMY);
    for (const s of [SAM, ANN]) rings(one(s, `Nobody acknowledged page 1`), s);
    const roomCopy = messages().filter((e) => e.roomId === STAFF_ROOM && String(e.content.body).includes("Nobody acknowledged"));
    expect(roomCopy).toHaveLength(1);
    quiet(roomCopy[0]);
    everyAlertIsPersonal();
  });

  it("a repeat page: the acknowledger's 'are you still there?' and the member's 'still there' ring", async () => {
    await h.command(AMY, "!page");
    await h.flush();
    await h.command(BOB, "!ack");
    await h.flush();
    await h.at(T0 + MIN);
    await h.command(AMY, "!page again");
    await h.flush();
    rings(one(BOB, "has paged again"), BOB);
    await h.command(BOB, "!ack");
    await h.flush();
    rings(one(AMY, "has seen that you paged again"), AMY);
    everyAlertIsPersonal();
  });

  it("a crisis meeting's invitation rings for each person invited", async () => {
    await h.command(AMY, "!crisis-meeting");
    await h.flush();
    rings(one(BOB, "has called a crisis meeting"), BOB);
    rings(one(DAN, "has called a crisis meeting"), DAN);
    everyAlertIsPersonal();
  });
});
