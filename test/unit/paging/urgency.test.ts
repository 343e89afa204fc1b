import { Message } from "../../../src/messaging/message";
import { ALERT, URGENT } from "../../../src/store/outbox";
import { AMY, BOB, type Harness, SAM, startHarness } from "./harness";

/**
 * What the outbox sends first (OutboxSender): what must wake someone (ALERT: a page's request
 * to the people on call), then what is urgent (URGENT: the member's answer to their page,
 * escalations told to the member); everything else is ordinary.
 */

let h: Harness & { file: string };
afterEach(() => h?.close());

const priorities = () =>
  Object.fromEntries((h.db.prepare("SELECT dedupe_key, priority FROM outbox").all() as Array<{ dedupe_key: string; priority: number }>).map((r) => [r.dedupe_key, r.priority]));

describe("urgent messages", () => {
  beforeEach(() => {
    h = startHarness();
  });

  it("a !page's answer is urgent, and the request to the peer on call is an alert, sent before it", async () => {
    const result = await h.command(AMY, "!page not ok");
    expect(result).toMatchObject({ outcome: "ok", urgent: true });
    const p = priorities();
    const notice = Object.keys(p).find((k) => k.includes(":notice:") && k.endsWith(BOB));
    expect(notice).toBeDefined();
    expect(p[notice!]).toBe(ALERT); // the answer is urgent through `urgent: true`, checked above
  });

  it("a page refused to someone who is not a member is urgent too: they are told what to do now", async () => {
    expect(await h.command("@stranger:example.org", "!page")).toMatchObject({ outcome: "refused", urgent: true });
  });

  it("an ordinary command's answer is not", async () => {
    expect((await h.command(SAM, "!help")).urgent).toBeUndefined();
  });

  it("messages that alert someone, or are marked urgent, are urgent; others are not", () => {
    expect(Message.of("hello").isUrgent).toBe(false);
    expect(Message.of("hello").alert(BOB).isUrgent).toBe(true);
    expect(Message.of("hello").urgently().isUrgent).toBe(true);
    expect(Message.of("a").append(Message.of("b").urgently()).isUrgent).toBe(true);
  });

  it("queued effects carry the message's urgency into the outbox", () => {
    h.app.effects.tell(BOB, Message.of("ordinary"), "ordinary");
    h.app.effects.tell(BOB, Message.of("rings").alert(BOB), "rings");
    h.app.effects.tell(BOB, Message.of("come now").summon(BOB), "summons");
    h.app.effects.post("!room:example.org", Message.of("escalated").urgently(), "escalated");
    // Only a summons to someone in distress goes before the rest with a head start; a
    // check-in prompt or a shift's start rings, and is urgent.
    expect(priorities()).toMatchObject({ ordinary: 0, rings: URGENT, summons: ALERT, escalated: URGENT });
  });
});
