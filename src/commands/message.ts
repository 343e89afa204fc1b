/**
 * A reply as plain blocks, rendered both as the plain `body` every client shows and as
 * the HTML `formatted_body` richer clients use. Text in `backticks` becomes <code>.
 */
export type Block =
  | { kind: "p"; text: string }
  | { kind: "heading"; text: string }
  | { kind: "list"; items: string[] }
  | { kind: "pre"; text: string };

export class Message {
  readonly blocks: Block[] = [];
  /**
   * The people this message must wake (docs/paging.md, "what rings"). Empty for an ordinary
   * reply or room notice, which stays a quiet m.notice; non-empty makes it an m.text that
   * mentions exactly these people, so Synapse's default push rules notify them.
   */
  readonly alertFor: string[] = [];

  static of(text: string): Message {
    return new Message().p(text);
  }

  p(text: string): this {
    this.blocks.push({ kind: "p", text });
    return this;
  }

  heading(text: string): this {
    this.blocks.push({ kind: "heading", text });
    return this;
  }

  list(items: string[]): this {
    if (items.length) this.blocks.push({ kind: "list", items });
    return this;
  }

  pre(text: string): this {
    this.blocks.push({ kind: "pre", text });
    return this;
  }

  append(other: Message): this {
    this.blocks.push(...other.blocks);
    for (const u of other.alertFor) if (!this.alertFor.includes(u)) this.alertFor.push(u);
    return this;
  }

  /** Marks this message as one that must wake `userIds` (and only them). */
  alert(...userIds: string[]): this {
    for (const u of userIds) if (!this.alertFor.includes(u)) this.alertFor.push(u);
    return this;
  }

  get plain(): string {
    return this.blocks
      .map((b) => {
        switch (b.kind) {
          case "p":
          case "pre":
            return b.text;
          case "heading":
            return b.text;
          case "list":
            return b.items.map((i) => `- ${i}`).join("\n");
        }
      })
      .join("\n\n");
  }

  get html(): string {
    return this.blocks
      .map((b) => {
        switch (b.kind) {
          case "p":
            return `<p>${inline(b.text).replace(/\n/g, "<br>")}</p>`;
          case "heading":
            return `<p><strong>${inline(b.text)}</strong></p>`;
          case "list":
            return `<ul>${b.items.map((i) => `<li>${inline(i)}</li>`).join("")}</ul>`;
          case "pre":
            return `<pre>${escapeHtml(b.text)}</pre>`;
        }
      })
      .join("");
  }
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

function inline(text: string): string {
  return text
    .split(/(`[^`]+`)/)
    .map((part) => (part.startsWith("`") && part.endsWith("`") && part.length > 1 ? `<code>${escapeHtml(part.slice(1, -1))}</code>` : escapeHtml(part)))
    .join("");
}
