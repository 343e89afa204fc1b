import { ALEX, BEA, CRISIS, HOUR, idIn, MON_NOON, SAM, World } from "./world";
import { expectToContainAll } from "../../support/expectText";

/**
 * Nothing optional is recorded about a member without their current agreement to the
 * community's rights text: no shift is offered, accepted or put to them, and a peer who
 * has not agreed (or withdrew) is not on call. Taking shifts back and breaks stay open.
 */

let w: World;
afterEach(() => w?.close());

const STAFF_ROOM = { community: "oak", room: "staff" } as const;
const MON_EVENING = MON_NOON + 7 * HOUR; // Monday 19:00 in London
const shiftCount = () => (w.db.prepare("SELECT COUNT(*) AS n FROM rota_entries").get() as { n: number }).n;

beforeEach(() => {
  w = new World();
  w.addMember(ALEX);
  w.addMember(BEA);
  w.withoutConsent.add(ALEX);
});

function expectKindConsentRefusal(text: string): void {
  expectToContainAll(text, [
    "Shifts on the rota are recorded only for members who have agreed to how Oak TC keeps their information", "I have not recorded anything",
    "!consent agree", "!rights", "!page", CRISIS,
  ]);
}

it("!volunteer without consent records nothing and answers kindly, with how to agree and the crisis resources", async () => {
  const r = await w.send(ALEX, "!volunteer mon 18:00-22:00", { community: "oak", room: "community" });
  expect(r.outcome).toBe("refused");
  expect(r.replyTo).toBe("dm");
  expectKindConsentRefusal(r.reply.plain);
  expect(shiftCount()).toBe(0);
  expect(w.members.get("oak", ALEX)?.role).toBe("member");
  expect(w.postsIn("oak")).toEqual([]);

  // Once they agree, the same offer works.
  w.withoutConsent.delete(ALEX);
  expect(await w.ok(ALEX, "!volunteer mon 18:00-22:00")).toContain("waiting for staff");
});

it("accepting a proposal without consent is refused kindly; staff cannot propose one to a member who has not agreed", async () => {
  // Proposed while Alex had agreed, then Alex withdrew.
  w.withoutConsent.delete(ALEX);
  const id = idIn(await w.ok(SAM, `!rota add ${ALEX} tue 18:00-22:00`, STAFF_ROOM));
  w.withoutConsent.add(ALEX);
  const r = await w.send(ALEX, `!rota accept ${id}`);
  expect(r.outcome).toBe("refused");
  expectKindConsentRefusal(r.reply.plain);
  expect(w.rota.get(id)?.agreedAt).toBeNull();

  const refused = await w.refused(SAM, `!rota add ${ALEX} wed 18:00-22:00`, STAFF_ROOM);
  expect(refused).toContain(`${ALEX} has not agreed to Oak TC's current rights text`);
  expect(shiftCount()).toBe(1);
  expect(await w.refused(SAM, `!rota cover ${BEA} 2026-03-03 ${ALEX}`, STAFF_ROOM)).toContain(`${ALEX} has not agreed`);
});

it("a peer who withdraws is no longer on call (nor named by !oncall); their shift stays on the plan and comes back when they agree", async () => {
  w.withoutConsent.delete(ALEX);
  const id = idIn(await w.ok(ALEX, "!volunteer mon 18:00-22:00"));
  await w.ok(SAM, `!rota approve ${id}`, STAFF_ROOM);
  w.now = MON_EVENING;
  expect(w.onCall().peers).toEqual([ALEX]);

  w.withoutConsent.add(ALEX);
  expect(w.onCall().peers).toEqual([]);
  // Paging is told who was left out and why (recorded as a skip on the page).
  expect(w.onCall().leftOut).toEqual([{ userId: ALEX, slot: "peers", reason: "no_consent" }]);
  expect(await w.ok(BEA, "!oncall", { community: "oak", room: "community" })).not.toContain(ALEX);
  const show = await w.ok(SAM, "!rota show", STAFF_ROOM);
  expect(show).toContain(`${ALEX} (not asked until they agree to the current rights text)`);
  expect(await w.ok(ALEX, "!rota mine")).toContain("you are not on call during these shifts");

  // Taking a shift back or a break never needs consent.
  expect((await w.send(ALEX, "!break")).outcome).toBe("ok");
  expect((await w.send(ALEX, "!break end")).outcome).toBe("ok");

  w.withoutConsent.delete(ALEX);
  expect(w.onCall().peers).toEqual([ALEX]);
  expect((await w.send(ALEX, `!volunteer cancel ${id}`)).outcome).toBe("ok");
});

it("staff need no consent to put themselves on the rota", async () => {
  w.withoutConsent.add(SAM);
  expect(await w.ok(SAM, "!rota add me mon 18:00-22:00", STAFF_ROOM)).toContain("is on the rota");
});
