/**
 * Reads one array of a large JSON object item by item, as its bytes arrive: each item of
 * the top-level member `key` (an array of objects) is handed over parsed on its own, and
 * the rest of the document is skipped. A big answer (every room the bot is in) is then never
 * held whole, as a string or as one parsed tree: only the item being read is.
 *
 * It finds item boundaries by scanning bytes for brackets outside strings (UTF-8 never uses
 * an ASCII byte inside a multi-byte character), and leaves parsing to JSON.parse. Outside
 * the items it checks only the structure it walks: a document that is not an object, an
 * item that is not one, or a document cut short is an error.
 */
export class JsonArrayItems {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** The bytes of the top-level key being read, when it is one. */
  private key: number[] | undefined;
  private expectKey = false;
  private lastKey = "";
  private inArray = false;
  private seenArray = false;
  private started = false;
  /** The parts of the item being read (it may span chunks). */
  private item: Buffer[] | undefined;
  private itemStart = 0;

  constructor(
    private readonly arrayKey: string,
    private readonly onItem: (item: unknown) => void,
  ) {}

  /** Reads the next bytes of the document; items completed in them are handed over at once. */
  push(chunk: Buffer): void {
    if (this.item) this.itemStart = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (b === BACKSLASH) this.escaped = true;
        else if (b === QUOTE) {
          this.inString = false;
          if (this.key) {
            this.lastKey = Buffer.from(this.key).toString("utf8");
            this.key = undefined;
          }
        } else if (this.key) this.key.push(b);
        continue;
      }
      if (b === SPACE || b === TAB || b === LF || b === CR) continue;
      if (!this.started) {
        if (b !== OPEN_BRACE) throw new MalformedJson("the document is not a JSON object");
        this.started = true;
      }
      if (this.depth === 0 && this.started && this.lastKey === END) throw new MalformedJson("the document goes on after its end");
      if (b === QUOTE) {
        if (this.inArray && this.depth === 2) throw new MalformedJson(`an item of "${this.arrayKey}" is not an object`);
        this.inString = true;
        if (this.depth === 1 && this.expectKey) {
          this.key = [];
          this.expectKey = false;
        }
      } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
        if (this.inArray && this.depth === 2) {
          if (b !== OPEN_BRACE) throw new MalformedJson(`an item of "${this.arrayKey}" is not an object`);
          this.item = [];
          this.itemStart = i;
        }
        if (this.depth === 1 && b === OPEN_BRACKET && this.lastKey === this.arrayKey) {
          this.inArray = true;
          this.seenArray = true;
        }
        this.depth++;
        if (this.depth === 1) this.expectKey = true;
      } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
        this.depth--;
        if (this.inArray && this.depth === 2 && this.item) {
          this.item.push(chunk.subarray(this.itemStart, i + 1));
          const bytes = this.item.length === 1 ? this.item[0] : Buffer.concat(this.item);
          this.item = undefined;
          this.onItem(parse(bytes));
        } else if (this.inArray && this.depth === 1) this.inArray = false;
        else if (this.depth === 0) this.lastKey = END;
      } else if (b === COMMA && this.depth === 1) this.expectKey = true;
      else if (this.inArray && this.depth === 2 && b !== COMMA) throw new MalformedJson(`an item of "${this.arrayKey}" is not an object`);
    }
    if (this.item) this.item.push(chunk.subarray(this.itemStart));
  }

  /** After the last bytes: throws if the document was cut short or had no such array. */
  end(): void {
    if (!this.started || this.depth !== 0 || this.inString) throw new MalformedJson("the document was cut short");
    if (!this.seenArray) throw new MalformedJson(`the document has no "${this.arrayKey}" array`);
  }
}

/** The document is not JSON, or not of the shape read. */
export class MalformedJson extends Error {
  override readonly name = "MalformedJson";
}

function parse(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch (err) {
    throw new MalformedJson(`an item is not valid JSON: ${(err as Error).message}`);
  }
}

/** A key no document has (it holds a quote): marks that the top-level object has closed. */
const END = '"';
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
