import { DateTime } from "luxon";
import { sanitiseDisplayName } from "../kernel/displayName";
import { compiledMessage, SOURCE_LANGUAGE, type Language } from "./catalogue";
import { isRich, type RichValue, type TimeStyle, type Value } from "./values";

/** A person's display name if one is known (from the durable store; never the homeserver here). */
export type NameLookup = (userId: string) => string | undefined;

/** What rendering needs to know about the reader: their language, and how people and zones are called. */
export interface RenderContext {
  language: Language;
  names?: NameLookup;
  /** A community's own label for its zone ("UK time"); the zone's localised generic name otherwise. */
  zoneLabel?: (zone: string) => string | undefined;
}

export const DEFAULT_CONTEXT: RenderContext = { language: SOURCE_LANGUAGE };

/** A catalogue message with its values, rendered only when its reader is known. */
export interface Words {
  readonly key: string;
  readonly values: Readonly<Record<string, Value>>;
}

export function isWords(x: unknown): x is Words {
  return typeof x === "object" && x !== null && typeof (x as Words).key === "string" && typeof (x as Words).values === "object";
}

/**
 * `t("language.set", { name, command: command("!language en") })`: the text to show, in whatever language its
 * reader reads. It is itself a value, so one catalogue message can hold another.
 */
export function t(key: string, values: Record<string, Value> = {}): Words & RichValue {
  return { kind: "words", key, values };
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** The name to show for someone: their display name, else their Matrix ID. */
export function nameFor(userId: string, names?: NameLookup): string {
  let known: string | undefined;
  try {
    known = names?.(userId);
  } catch {
    known = undefined; // a name is a courtesy: never a reason not to send
  }
  return sanitiseDisplayName(known) ?? userId;
}

/** `<a href="https://matrix.to/#/@user:server">Name</a>`: how clients show a mention. */
export function pill(userId: string, names?: NameLookup): string {
  return `<a href="https://matrix.to/#/${escapeHtml(userId)}">${escapeHtml(nameFor(userId, names))}</a>`;
}

/** The zone's label for a reader: the community's own, else the zone's generic name in their language. */
export function zoneLabel(zone: string, ctx: RenderContext): string {
  const own = ctx.zoneLabel?.(zone);
  if (own) return own;
  try {
    const part = new Intl.DateTimeFormat(ctx.language, { timeZone: zone, timeZoneName: "longGeneric" }).formatToParts(0).find((p) => p.type === "timeZoneName");
    return part?.value ?? zone;
  } catch {
    return zone;
  }
}

const TIME_FORMATS: Record<Exclude<TimeStyle, "relative">, Intl.DateTimeFormatOptions> = {
  time: { hour: "2-digit", minute: "2-digit", hourCycle: "h23" },
  day: { weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" },
  date: { weekday: "short", day: "numeric", month: "short" },
  datetime: { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" },
  weekday: { weekday: "short" },
};

const RELATIVE_UNITS: ReadonlyArray<[Intl.RelativeTimeFormatUnit, number]> = [
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
];

function timeText(v: Extract<RichValue, { kind: "time" }>, ctx: RenderContext): string {
  const dt = DateTime.fromMillis(v.at, { zone: v.zone }).setLocale(ctx.language);
  if (v.style === "relative") {
    // Rounded to the nearest whole unit: "in 2 hours" for 1 h 59 m, "in 30 minutes" for 30 m 20 s, as a person would say it.
    const ms = v.at - (v.now ?? Date.now());
    const [unit, size] = RELATIVE_UNITS.find(([, size]) => Math.abs(ms) >= size) ?? RELATIVE_UNITS[RELATIVE_UNITS.length - 1];
    return new Intl.RelativeTimeFormat(ctx.language, { numeric: "auto" }).format(Math.round(ms / size), unit);
  }
  return dt.toLocaleString(TIME_FORMATS[v.style]);
}

function telHref(number: string): string {
  return number.replace(/[^+0-9*#]/g, "");
}

function richPlain(v: RichValue, ctx: RenderContext): string {
  switch (v.kind) {
    case "person":
      return nameFor(v.userId, ctx.names);
    case "command":
      return v.text;
    case "phone":
      return v.number;
    case "link":
      return v.label === v.url ? v.url : `${v.label} (${v.url})`;
    case "time":
      return timeText(v, ctx);
    case "zone":
      return zoneLabel(v.zone, ctx);
    case "words":
      return renderWords(v, ctx).plain;
    case "list":
      return new Intl.ListFormat(ctx.language, { type: v.type }).format(v.items.map((i) => (isRich(i) ? richPlain(i, ctx) : String(i))));
  }
}

function richHtml(v: RichValue, ctx: RenderContext): string {
  switch (v.kind) {
    case "person":
      return pill(v.userId, ctx.names);
    case "command":
      return `<code>${escapeHtml(v.text)}</code>`;
    case "phone":
      return `<a href="${v.sms ? "sms" : "tel"}:${escapeHtml(telHref(v.number))}">${escapeHtml(v.number)}</a>`;
    case "link":
      return `<a href="${escapeHtml(v.url)}">${escapeHtml(v.label)}</a>`;
    case "time":
      return escapeHtml(timeText(v, ctx));
    case "zone":
      return escapeHtml(zoneLabel(v.zone, ctx));
    case "words":
      return renderWords(v, ctx).html;
    case "list": {
      // Joined around placeholders, so each item keeps its own HTML.
      const marks = v.items.map((_, i) => `\ue002${i}\ue003`);
      const joined = escapeHtml(new Intl.ListFormat(ctx.language, { type: v.type }).format(marks));
      return joined.replace(/\ue002(\d+)\ue003/g, (_, i: string) => {
        const item = v.items[Number(i)];
        return isRich(item) ? richHtml(item, ctx) : escapeHtml(String(item));
      });
    }
  }
}

// Private-use characters mark where HTML goes, so the text around it can be escaped as a whole.
const OPEN = "\ue000";
const CLOSE = "\ue001";
const SENTINELS = /[\ue000-\ue003]/g;
const TAG_HTML: Record<string, [string, string]> = { cmd: ["<code>", "</code>"], b: ["<strong>", "</strong>"] };

export interface Rendered {
  plain: string;
  html: string;
}

/** A catalogue message rendered for one reader: the plain body and its HTML. */
export function renderWords(words: Words, ctx: RenderContext = DEFAULT_CONTEXT): Rendered {
  const message = compiledMessage(ctx.language, words.key);
  const plainValues: Record<string, unknown> = {};
  const htmlValues: Record<string, unknown> = {};
  const fragments: string[] = [];
  for (const [name, raw] of Object.entries(words.values)) {
    const v = typeof raw === "string" ? raw.replace(SENTINELS, "") : raw;
    if (isRich(v)) {
      plainValues[name] = richPlain(v, ctx);
      fragments.push(richHtml(v, ctx));
      htmlValues[name] = `${OPEN}${fragments.length - 1}${CLOSE}`;
    } else {
      plainValues[name] = v;
      htmlValues[name] = v;
    }
  }
  for (const [tag, [open, close]] of Object.entries(TAG_HTML)) {
    plainValues[tag] = (chunks: unknown[]) => chunks.join("");
    htmlValues[tag] = (chunks: unknown[]) => {
      fragments.push(open, close);
      return `${OPEN}${fragments.length - 2}${CLOSE}${chunks.join("")}${OPEN}${fragments.length - 1}${CLOSE}`;
    };
  }
  const plain = flat(message.format(plainValues as never));
  const html = escapeHtml(flat(message.format(htmlValues as never))).replace(new RegExp(`${OPEN}(\\d+)${CLOSE}`, "g"), (_, i: string) => fragments[Number(i)]);
  return { plain, html };
}

function flat(out: unknown): string {
  return Array.isArray(out) ? out.join("") : String(out);
}
