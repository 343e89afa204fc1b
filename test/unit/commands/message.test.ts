import { escapeHtml, Message } from "../../../src/messaging/message";

describe("Message", () => {
  it("renders blocks as plain text separated by blank lines", () => {
    const m = new Message().heading("Title").p("Para one.").list(["a", "b"]).pre("x  y");
    expect(m.plain).toBe("Title\n\nPara one.\n\n- a\n- b\n\nx  y");
  });

  it("renders the same blocks as HTML", () => {
    const m = new Message().heading("Title").p("line 1\nline 2").list(["a", "b"]).pre("x  y");
    expect(m.html).toBe("<p><strong>Title</strong></p><p>line 1<br>line 2</p><ul><li>a</li><li>b</li></ul><pre>x  y</pre>");
  });

  it("leaves out an empty list", () => {
    const m = new Message().p("a").list([]).p("b");
    expect(m.blocks).toHaveLength(2);
    expect(m.plain).toBe("a\n\nb");
  });

  it("escapes HTML in every kind of block so user text is never markup", () => {
    const evil = `<script>alert("x")</script> & <img src=x onerror='y'>`;
    const m = new Message().heading(evil).p(evil).list([evil]).pre(evil);
    expect(m.html).not.toContain("<script");
    expect(m.html).not.toContain("<img");
    expect(m.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=&#39;y&#39;&gt;");
    // The plain body keeps the text exactly as written.
    expect(m.plain).toContain(evil);
  });

  it("escapes HTML inside backticks too", () => {
    const m = Message.of("run `<b>bold</b>` now");
    expect(m.html).toBe("<p>run <code>&lt;b&gt;bold&lt;/b&gt;</code> now</p>");
    expect(m.html).not.toContain("<b>");
  });

  it("renders `backticks` as <code> in HTML and keeps them in plain text", () => {
    const m = Message.of("Send `!help` or `!page [note]`.");
    expect(m.html).toBe("<p>Send <code>!help</code> or <code>!page [note]</code>.</p>");
    expect(m.plain).toBe("Send `!help` or `!page [note]`.");
    expect(new Message().list(["`!rota show` — who is on"]).html).toBe("<ul><li><code>!rota show</code> — who is on</li></ul>");
    expect(new Message().heading("About `x`").html).toBe("<p><strong>About <code>x</code></strong></p>");
  });

  it("leaves an unpaired or empty backtick alone", () => {
    expect(Message.of("a ` b").html).toBe("<p>a ` b</p>");
    expect(Message.of("a `` b").html).toBe("<p>a `` b</p>");
  });

  it("does not turn backticks into code inside a pre block", () => {
    expect(new Message().pre("`raw`").html).toBe("<pre>`raw`</pre>");
  });

  it("append copies the other message's blocks after its own", () => {
    const a = Message.of("first");
    const b = new Message().heading("second").p("third");
    expect(a.append(b)).toBe(a);
    expect(a.plain).toBe("first\n\nsecond\n\nthird");
    expect(b.blocks).toHaveLength(2);
  });
});

describe("escapeHtml", () => {
  it("escapes the five special characters and nothing else", () => {
    expect(escapeHtml(`&<>"'`)).toBe("&amp;&lt;&gt;&quot;&#39;");
    expect(escapeHtml("plain text — ✅")).toBe("plain text — ✅");
    expect(escapeHtml("&amp;")).toBe("&amp;amp;");
  });
});
