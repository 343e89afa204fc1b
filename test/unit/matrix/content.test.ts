import { Message } from "../../../src/messaging/message";
import { MAX_DISPLAY_NAME, sanitiseDisplayName } from "../../../src/kernel/displayName";
import { nameFor, noticeContent } from "../../../src/matrix/content";

const SAM = "@sam:example.org";
const ALI = "@ali:example.org";

describe("noticeContent", () => {
  it("an ordinary message is a quiet m.notice that mentions nobody", () => {
    const c = noticeContent(Message.of("Your page is closed."), "$cmd");
    expect(c).toMatchObject({ msgtype: "m.notice", body: "Your page is closed.", "m.mentions": {} });
    expect(c["m.relates_to"]).toEqual({ "m.in_reply_to": { event_id: "$cmd" } });
  });

  it("an alert is an m.text addressed by display name, with a pill, mentioning exactly its people", () => {
    const names = new Map([[SAM, "Sam Staff"]]);
    const c = noticeContent(new Message().p("Page 3 needs `!ack`.").p("More.").alert(SAM), undefined, (u) => names.get(u));
    expect(c.msgtype).toBe("m.text");
    expect(c["m.mentions"]).toEqual({ user_ids: [SAM] });
    expect(c.body).toBe("Sam Staff: Page 3 needs `!ack`.\n\nMore.");
    expect(c.formatted_body).toBe('<p><a href="https://matrix.to/#/@sam:example.org">Sam Staff</a>: Page 3 needs <code>!ack</code>.</p><p>More.</p>');
  });

  it("several people in one room: each named, only they mentioned", () => {
    const c = noticeContent(Message.of("Please come.").alert(SAM, ALI, SAM));
    expect(c["m.mentions"]).toEqual({ user_ids: [SAM, ALI] });
    expect(c.body).toBe(`${SAM}, ${ALI}: Please come.`);
  });

  it("without a known name the Matrix ID is used; a failing look-up never stops the alert", () => {
    expect(noticeContent(Message.of("x").alert(SAM), undefined, () => undefined).body).toBe(`${SAM}: x`);
    const c = noticeContent(Message.of("x").alert(SAM), undefined, () => {
      throw new Error("database is locked");
    });
    expect(c.body).toBe(`${SAM}: x`);
  });

  it("a hostile display name is escaped and cleaned, never markup or reordered text", () => {
    const names = new Map([[SAM, '<img src=x onerror="alert(1)">\u202Eevil\u0007']]);
    const c = noticeContent(Message.of("x").alert(SAM), undefined, (u) => names.get(u));
    expect(c.formatted_body).toContain('>&lt;img src=x onerror=&quot;alert(1)&quot;&gt; evil</a>: x');
    expect(c.formatted_body).not.toContain("<img");
    expect(String(c.body)).not.toMatch(/[\u202E\u0007]/);
  });

  it("a message that starts with a list still gets its address first", () => {
    const c = noticeContent(new Message().list(["one"]).alert(SAM));
    expect(c.formatted_body).toBe(`<p><a href="https://matrix.to/#/${SAM}">${SAM}</a>:</p><ul><li>one</li></ul>`);
  });
});

describe("sanitiseDisplayName", () => {
  it("strips control and bidi characters, folds whitespace, bounds the length", () => {
    expect(sanitiseDisplayName("  Sam\n\tStaff\u200B ")).toBe("Sam Staff");
    expect(sanitiseDisplayName("\u202E\u0000")).toBeUndefined();
    expect(sanitiseDisplayName(42)).toBeUndefined();
    const long = sanitiseDisplayName("x".repeat(500))!;
    expect(Array.from(long)).toHaveLength(MAX_DISPLAY_NAME);
    expect(long.endsWith("…")).toBe(true);
    // Never half a surrogate pair.
    expect(sanitiseDisplayName("🙂".repeat(100))).toBe(`${"🙂".repeat(MAX_DISPLAY_NAME - 1)}…`);
  });

  it("nameFor falls back to the Matrix ID for an unusable name", () => {
    expect(nameFor(SAM, () => "\u0000 ")).toBe(SAM);
  });
});
