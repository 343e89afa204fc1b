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
  /**
   * Sent before ordinary messages to other rooms (a page's answers, escalations). A message
   * that alerts someone is always urgent; this marks one that is urgent without ringing.
   */
  urgent = false;
  /**
   * Asks the people it rings to come to someone now: a page's request, an escalation, a call
   * to a crisis meeting. Sent before everything else, with a head start (OutboxSender).
   */
  summons = false;

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
    if (other.urgent) this.urgent = true;
    if (other.summons) this.summons = true;
    for (const u of other.alertFor) if (!this.alertFor.includes(u)) this.alertFor.push(u);
    return this;
  }

  /** Marks this message as one that must wake `userIds` (and only them). */
  alert(...userIds: string[]): this {
    for (const u of userIds) if (!this.alertFor.includes(u)) this.alertFor.push(u);
    return this;
  }

  /** Marks this message as one that asks `userIds` to come to someone now (see `summons`); it rings them. */
  summon(...userIds: string[]): this {
    this.summons = true;
    return this.alert(...userIds);
  }

  /** Marks this message urgent (see `urgent`). */
  urgently(): this {
    this.urgent = true;
    return this;
  }

  /** Whether the outbox sends it before ordinary messages: it alerts someone or was marked urgent. */
  get isUrgent(): boolean {
    return this.urgent || this.alertFor.length > 0;
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
    // Each text is rendered once, for both bodies: a catalogue message is formatted per reader.
    const text = (x: Text): { plain: string; html: string } => (isWords(x) ? renderWords(x, ctx) : { plain: x, html: inline(x) });
    const plain: string[] = [];
    const html: string[] = [];
    for (const b of this.blocks) {
      switch (b.kind) {
        case "p": {
          const r = text(b.text);
          plain.push(r.plain);
          html.push(`<p>${r.html.replace(/\n/g, "<br>")}</p>`);
          break;
        }
        case "heading": {
          const r = text(b.text);
          plain.push(r.plain);
          html.push(`<p><strong>${r.html}</strong></p>`);
          break;
        }
        case "list": {
          const items = b.items.map(text);
          plain.push(items.map((r) => `- ${r.plain}`).join("\n"));
          html.push(`<ul>${items.map((r) => `<li>${r.html}</li>`).join("")}</ul>`);
          break;
        }
        case "pre":
          plain.push(b.text);
          html.push(`<pre>${escapeHtml(b.text)}</pre>`);
          break;
      }
    }
    return { plain: plain.join("\n\n"), html: html.join("") };
  }
}

function inline(text: string): string {
  return text
    .split(/(`[^`]+`)/)
    .map((part) => (part.startsWith("`") && part.endsWith("`") && part.length > 1 ? `<code>${escapeHtml(part.slice(1, -1))}</code>` : escapeHtml(part)))
    .join("");
}
