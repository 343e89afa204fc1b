import { Message } from "../../../src/messaging/message";
import { noticeContent } from "../../../src/matrix/content";
import { CONTENT_BUDGET_BYTES, contentBytes, fitContent, MAX_PARTS } from "../../../src/matrix/fitContent";

/** Every message carenet sends fits the homeserver's event size limit, whatever its text. */

const LIMIT = 65_536;
const bodies = (parts: Array<Record<string, unknown>>) => parts.map((p) => String(p.body));

describe("fitContent", () => {
  it("leaves a message that fits as it is", () => {
    const content = noticeContent(Message.of("Hello"), "$e");
    expect(fitContent(content)).toEqual([content]);
  });

  it("an echo of 14,000 '<' (five-fold in HTML) is split into parts that each fit, keeping every character", () => {
    const content = noticeContent(Message.of(`I don't know the command \`${"<".repeat(14_000)}\``), "$cmd");
    expect(contentBytes(content)).toBeGreaterThan(LIMIT); // as the probe found
    const parts = fitContent(content);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(contentBytes(p)).toBeLessThanOrEqual(CONTENT_BUDGET_BYTES);
    expect(bodies(parts).join("").split("<").length - 1).toBe(14_000);
    for (const p of parts) expect(p.formatted_body).not.toMatch(/<(?!\/?(p|br)>)/); // escaped, not markup
  });

  it("60,000 letters: parts in order, numbered, the reply relation and mentions on the first only", () => {
    const text = Array.from({ length: 10_000 }, (_, i) => `x${i}`).join(" ") + "y".repeat(1000);
    const content = noticeContent(new Message().p(text).alert("@sam:example.org"), "$cmd");
    const parts = fitContent(content);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts[0]["m.relates_to"]).toEqual({ "m.in_reply_to": { event_id: "$cmd" } });
    expect(parts[0]["m.mentions"]).toEqual({ user_ids: ["@sam:example.org"] });
    for (const p of parts.slice(1)) {
      expect(p["m.relates_to"]).toBeUndefined();
      expect(p["m.mentions"]).toEqual({});
    }
    parts.forEach((p, i) => expect(String(p.body)).toContain(`(part ${i + 1} of ${parts.length})`));
    const numbers = bodies(parts).join(" ").match(/x\d+/g)!.map((s) => Number(s.slice(1)));
    expect(numbers).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    for (const p of parts) expect(p.msgtype).toBe("m.text");
  });

  it("text beyond the most parts is cut with a marker saying how much is not shown", () => {
    const parts = fitContent({ msgtype: "m.notice", body: "a".repeat(400_000) });
    expect(parts).toHaveLength(MAX_PARTS);
    expect(String(parts[MAX_PARTS - 1].body)).toMatch(/more characters not shown/);
    for (const p of parts) expect(contentBytes(p)).toBeLessThanOrEqual(CONTENT_BUDGET_BYTES);
  });

  it("characters outside the BMP and control characters are measured as sent (never split inside a character)", () => {
    const parts = fitContent({ msgtype: "m.notice", body: "😀\u0001".repeat(20_000) });
    for (const p of parts) {
      expect(contentBytes(p)).toBeLessThanOrEqual(CONTENT_BUDGET_BYTES);
      expect(String(p.body)).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    }
  });
});
