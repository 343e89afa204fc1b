/**
 * The values a catalogue message can hold besides plain text and numbers: people, commands,
 * phone numbers, links and times. Each renders one way in the plain `body` every client
 * shows and another in the HTML richer clients use (a pill, <code>, a tel: link).
 */
export type RichValue =
  | { kind: "person"; userId: string }
  | { kind: "command"; text: string }
  | { kind: "phone"; number: string; sms?: boolean }
  | { kind: "link"; url: string; label: string }
  | { kind: "time"; at: number; zone: string; style: TimeStyle; now?: number }
  | { kind: "zone"; zone: string }
  | { kind: "words"; key: string; values: Readonly<Record<string, Value>> }
  | { kind: "list"; items: Value[]; type: "conjunction" | "disjunction" };

/** "time": 09:00; "day": Wed 09:00; "date": Wed 2 Dec; "datetime": Wed 2 Dec 09:00; "weekday": Wed; "relative": in 2 hours. */
export type TimeStyle = "time" | "day" | "date" | "datetime" | "weekday" | "relative";

export type Value = string | number | RichValue;

/** A person, by display name (a pill in HTML); their Matrix ID only when no name is known. */
export function person(userId: string): RichValue {
  return { kind: "person", userId };
}

/** A command to type, e.g. `!page`: <code> in HTML, bare in the plain body. */
export function command(text: string): RichValue {
  return { kind: "command", text };
}

/** A number to call (tel:) or text (sms:). */
export function phone(number: string, sms = false): RichValue {
  return { kind: "phone", number, sms };
}

export function link(url: string, label: string): RichValue {
  return { kind: "link", url, label };
}

/** A moment shown in a community's zone, with the zone's label added by the renderer where the style asks for it. */
export function time(at: number, zone: string, style: TimeStyle = "datetime", now?: number): RichValue {
  return { kind: "time", at, zone, style, ...(now !== undefined ? { now } : {}) };
}

/** A zone's label for its reader: the community's own ("UK time"), else its localised name ("United Kingdom Time"). */
export function zone(zoneName: string): RichValue {
  return { kind: "zone", zone: zoneName };
}

/** Items joined as the reader's language joins them ("a, b or c"). */
export function listOf(items: Value[], type: "conjunction" | "disjunction" = "conjunction"): RichValue {
  return { kind: "list", items, type };
}

export function isRich(v: Value): v is RichValue {
  return typeof v === "object" && v !== null && "kind" in v;
}
