import { DEFAULT_CONTEXT, escapeHtml, isWords, renderWords, type RenderContext, type Words } from "../words";

export { escapeHtml };

/**
 * A text in a message: a catalogue message (`t(key, values)`, rendered in its reader's
 * language) or, for text that is not ours to translate (a member's note, a configured
 * prompt), a plain string. (Plain strings still written in code mark commands with
 * `backticks`, shown as <code> in HTML; they are on their way into the catalogues.)
 */
export type Text = string | Words;

/**
 * A reply as plain blocks, rendered both as the plain `body` every client shows and as
 * the HTML `formatted_body` richer clients use.
 */
export type Block =
  | { kind: "p"; text: Text }
  | { kind: "heading"; text: Text }
  | { kind: "list"; items: Text[] }
  | { kind: "pre"; text: string };

export class Message {
  readonly blocks: Block[] = [];
  /**
   * The people this message must wake (docs/paging.md, "what rings"). Empty for an ordinary
   * reply or room notice, which stays a quiet m.notice; non-empty makes it an m.text that
   * mentions exactly these people, so Synapse's default push rules notify them.
   */
  readonly alertFor: string[] = [];

  static of(text: Text): Message {
    return new Message().p(text);
  }

  p(text: Text): this {
    this.blocks.push({ kind: "p", text });
    return this;
  }

  heading(text: Text): this {
    this.blocks.push({ kind: "heading", text });
    return this;
  }

  list(items: Text[]): this {
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

  /** The text in English with people by Matrix ID: for logs and tests; a reader gets `render`. */
  get plain(): string {
    return this.render(DEFAULT_CONTEXT).plain;
  }

  get html(): string {
    return this.render(DEFAULT_CONTEXT).html;
  }

  /** The message for one reader: their language, people by name. */
  render(ctx: RenderContext): { plain: string; html: string } {
    const plain = (x: Text): string => (isWords(x) ? renderWords(x, ctx).plain : x);
    const html = (x: Text): string => (isWords(x) ? renderWords(x, ctx).html : inline(x));
    return {
      plain: this.blocks
        .map((b) => {
          switch (b.kind) {
            case "p":
            case "heading":
              return plain(b.text);
            case "pre":
              return b.text;
            case "list":
              return b.items.map((i) => `- ${plain(i)}`).join("\n");
          }
        })
        .join("\n\n"),
      html: this.blocks
        .map((b) => {
          switch (b.kind) {
            case "p":
              return `<p>${html(b.text).replace(/\n/g, "<br>")}</p>`;
            case "heading":
              return `<p><strong>${html(b.text)}</strong></p>`;
            case "list":
              return `<ul>${b.items.map((i) => `<li>${html(i)}</li>`).join("")}</ul>`;
            case "pre":
              return `<pre>${escapeHtml(b.text)}</pre>`;
          }
        })
        .join(""),
    };
  }
}

function inline(text: string): string {
  return text
    .split(/(`[^`]+`)/)
    .map((part) => (part.startsWith("`") && part.endsWith("`") && part.length > 1 ? `<code>${escapeHtml(part.slice(1, -1))}</code>` : escapeHtml(part)))
    .join("");
}
