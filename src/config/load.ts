import { readFileSync } from "node:fs";
import path from "node:path";
import Ajv, { type ErrorObject } from "ajv";
import { isMap, isPair, isScalar, LineCounter, parseDocument, visit, type Document, type Node } from "yaml";
import schema from "../../config/config.schema.json";
import { validateSchedule, type PostingSchedule } from "./postingSchedule";
import { isValidZone } from "../kernel/localTime";
import { closest } from "../kernel/words";
import { ConfigError, pathToString, type ConfigProblem } from "./problems";
import { checkSafety } from "./safety";
import type { CarenetConfig } from "./types";

export interface LoadedConfig {
  config: CarenetConfig;
  /** Absolute path of the file it came from. */
  file: string;
  /** Values that are legal but unusual (see safety.ts): worth a look, not a refusal. */
  warnings: ConfigProblem[];
}

/**
 * The most aliases a config may use. Each alias is expanded in place, so a few nested
 * ones can make a file of a few hundred bytes expand to gigabytes ("billion laughs").
 */
const MAX_ALIAS_COUNT = 100;

// useDefaults makes the schema the one place where defaults live.
const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: false });
const validateSchema = ajv.compile<CarenetConfig>(schema);

/**
 * The defaults the schema gives one part of the config (a JSON pointer into it, e.g.
 * "/definitions/checkinSettings"), for code handed a config built by hand (tests, tools)
 * rather than loaded: the schema stays the one place where defaults are written.
 */
export function schemaDefaults<T>(pointer: string): T {
  const part = pointer
    .split("/")
    .slice(1)
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], schema);
  const validate = new Ajv({ useDefaults: true, strict: false }).compile({ ...(part as object), definitions: schema.definitions });
  const value = {};
  validate(value);
  return value as T;
}

/** Reads, parses and validates a config file; throws ConfigError listing every problem. */
export function loadConfigFile(file: string): LoadedConfig {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, "utf8");
  } catch (err) {
    throw new ConfigError([
      { file: absolute, line: 1, col: 1, path: "", message: `cannot read the file: ${(err as Error).message}` },
    ]);
  }
  return parseConfig(text, absolute);
}

/** Parses and validates config text; relative paths are resolved against the file's folder. */
export function parseConfig(text: string, file: string): LoadedConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined) => {
    const pos = lines.linePos(offset ?? 0);
    return { line: pos.line, col: pos.col };
  };

  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({ file, ...at(e.pos[0]), path: "", message: `YAML syntax: ${firstLine(e.message)}` })),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  } catch (err) {
    if (!/alias/i.test((err as Error).message)) throw err;
    throw new ConfigError([{ file, ...at(firstAlias(doc)?.range?.[0]), path: "", message: `YAML aliases expand too much (more than ${MAX_ALIAS_COUNT} expansions, as in a "billion laughs" file): write the values out instead` }]);
  }
  const problems: ConfigProblem[] = [];
  if (!validateSchema(data)) {
    for (const e of validateSchema.errors ?? []) {
      if (isNoise(e)) continue;
      problems.push(describeSchemaError(e, doc, file, at));
    }
  }
  // Checked even when the schema failed, so an admin sees every problem in one go.
  problems.push(...checkMeaning(data as Partial<CarenetConfig>, doc, file, at));
  checkSafety(data as Partial<CarenetConfig>, (segments, message, severity) =>
    problems.push({ file, ...at(nodeAt(doc, segments)?.range?.[0]), path: pathToString(segments), message, ...(severity ? { severity } : {}) }),
  );
  const warnings = dedupe(problems.filter((p) => p.severity === "warning"));
  const errors = dedupe(problems.filter((p) => p.severity !== "warning"));
  if (errors.length > 0) throw new ConfigError(errors);

  const config = data as CarenetConfig;
  const dir = path.dirname(file);
  config.database.path = path.resolve(dir, config.database.path);
  config.appservice.registration = path.resolve(dir, config.appservice.registration);
  if (config.encryption) {
    config.encryption.key_file = path.resolve(dir, config.encryption.key_file);
    config.encryption.store = path.resolve(dir, config.encryption.store);
  }
  config.homeserver.url = config.homeserver.url.replace(/\/+$/, "");
  return { config, file, warnings };
}

type At = (offset: number | undefined) => { line: number; col: number };

function segmentsOf(instancePath: string): Array<string | number> {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function nodeAt(doc: Document, segments: Array<string | number>): Node | undefined {
  const node = segments.length === 0 ? doc.contents : doc.getIn(segments, true);
  return (node ?? undefined) as Node | undefined;
}

/** The key node of `key` in the map at `segments`, so unknown keys point at the key itself. */
function keyNodeAt(doc: Document, segments: Array<string | number>, key: string): Node | undefined {
  const map = nodeAt(doc, segments);
  if (!isMap(map)) return undefined;
  const pair = map.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
  return pair && isScalar(pair.key) ? pair.key : undefined;
}

// `oneOf`/`if` wrappers repeat what the specific errors already say.
function isNoise(e: ErrorObject): boolean {
  return e.keyword === "if" || e.keyword === "oneOf" || e.keyword === "anyOf";
}

function describeSchemaError(e: ErrorObject, doc: Document, file: string, at: At): ConfigProblem {
  const segments = segmentsOf(e.instancePath);
  const value = e.data;
  switch (e.keyword) {
    case "additionalProperty": // never produced; kept for exhaustiveness of intent
    case "additionalProperties": {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: object })?.properties ?? {});
      const hint = closest(key, known);
      return {
        file,
        ...at(keyNodeAt(doc, segments, key)?.range?.[0]),
        path: pathToString([...segments, key]),
        message:
          `unknown key "${key}"` +
          (hint ? ` (did you mean "${hint}"?)` : known.length ? ` (known keys: ${known.join(", ")})` : ""),
      };
    }
    case "required": {
      const missing = String((e.params as { missingProperty: string }).missingProperty);
      return {
        file,
        ...at(nodeAt(doc, segments)?.range?.[0]),
        path: pathToString(segments),
        message: `"${missing}" is required here`,
      };
    }
    case "pattern":
    case "enum":
    case "type":
    case "minLength":
    case "minimum":
    case "maximum":
    case "minItems":
    case "uniqueItems": {
      const described = (e.parentSchema as { description?: string })?.description;
      const shown = (v: unknown) => (isSecretPath(segments) ? "(hidden)" : shownValue(v));
      let message = `${shown(value)} ${e.message ?? "is invalid"}`;
      if (e.keyword === "enum") {
        const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
        message = `${shown(value)} is not one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`;
      } else if (e.keyword === "pattern" && described) {
        message = `${shown(value)} is not valid: expected ${lowerFirst(described)}`;
      }
      return { file, ...at(nodeAt(doc, segments)?.range?.[0]), path: pathToString(segments), message };
    }
    default:
      return {
        file,
        ...at(nodeAt(doc, segments)?.range?.[0]),
        path: pathToString(segments),
        message: e.message ?? "is invalid",
      };
  }
}

/**
 * Checks the schema cannot express: real time zones, sensible windows, unique ids. The
 * data may have failed the schema, so every step checks the shape it relies on.
 */
function checkMeaning(config: Partial<CarenetConfig>, doc: Document, file: string, at: At): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const flag = (segments: Array<string | number>, message: string) =>
    problems.push({ file, ...at(nodeAt(doc, segments)?.range?.[0]), path: pathToString(segments), message });
  const communities = Array.isArray(config.communities) ? config.communities : [];

  const seen = new Set<string>();
  communities.forEach((c, i) => {
    if (!c || typeof c !== "object") return;
    const base: Array<string | number> = ["communities", i];
    if (typeof c.id === "string") {
      if (seen.has(c.id)) flag([...base, "id"], `the community id "${c.id}" is used twice`);
      seen.add(c.id);
    }
    if (typeof c.timezone === "string" && !isValidZone(c.timezone)) {
      flag([...base, "timezone"], `"${c.timezone}" is not a known IANA time zone (e.g. Europe/London)`);
    }
    const rooms = c.rooms && typeof c.rooms === "object" ? c.rooms : undefined;
    if (!rooms) return;
    const extra = Array.isArray(rooms.extra) ? rooms.extra : [];
    const roomIds = new Set(["community", "staff", "alumni"]);
    extra.forEach((r, j) => {
      if (typeof r?.id !== "string") return;
      if (roomIds.has(r.id)) flag([...base, "rooms", "extra", j, "id"], `the room id "${r.id}" is already used`);
      roomIds.add(r.id);
    });
    const all: Array<[Array<string | number>, unknown]> = [
      [[...base, "rooms", "community"], rooms.community],
      [[...base, "rooms", "staff"], rooms.staff],
      [[...base, "rooms", "alumni"], rooms.alumni],
      ...extra.map((r, j): [Array<string | number>, unknown] => [[...base, "rooms", "extra", j], r]),
    ];
    for (const [roomPath, room] of all) {
      const windows = (room as { posting_hours?: unknown } | undefined)?.posting_hours;
      if (!Array.isArray(windows)) continue;
      windows.forEach((w: { from?: unknown; to?: unknown } | null, k) => {
        if (!w || typeof w.from !== "string" || typeof w.to !== "string") return;
        if (w.from === "24:00") flag([...roomPath, "posting_hours", k, "from"], `a window cannot start at 24:00`);
        if (w.from === w.to && !(w.from === "00:00" && w.to === "24:00")) {
          flag([...roomPath, "posting_hours", k], `"from" and "to" are both ${w.from}: the window would be empty`);
        }
      });
    }
    for (const [roomPath, room] of all) checkExceptions(room, roomPath, flag);
    checkCheckins(c, base, roomIds, flag);
  });
  return problems;
}

/**
 * Dated exceptions, checked by the same rules the posting-hours code runs on (a date that
 * does not exist, a half-given from/to, an extra opening in a room that is always open).
 */
function checkExceptions(room: unknown, roomPath: Array<string | number>, flag: (segments: Array<string | number>, message: string) => void): void {
  const r = room as { posting_hours?: unknown; exceptions?: unknown } | undefined;
  if (!Array.isArray(r?.exceptions)) return;
  const windows = Array.isArray(r.posting_hours) ? (r.posting_hours as PostingSchedule["windows"]) : [];
  const problems = validateSchedule({ timezone: "UTC", windows, exceptions: r.exceptions as PostingSchedule["exceptions"] });
  for (const problem of problems) {
    const m = /^exceptions\[(\d+)\](?:\.(\w+))?: (.*)$/.exec(problem);
    if (!m) continue; // windows are checked above, with their own wording
    flag([...roomPath, "exceptions", Number(m[1]), ...(m[2] ? [m[2]] : [])], m[3]);
  }
}

/** Check-in prompts: unique ids, real prompt times, rooms that exist (never the staff room), a scale that fits. */
function checkCheckins(
  c: Partial<CarenetConfig["communities"][number]>,
  base: Array<string | number>,
  roomIds: Set<string>,
  flag: (segments: Array<string | number>, message: string) => void,
): void {
  const deliverable = [...roomIds].filter((r) => r !== "staff");
  const checkDelivery = (where: Array<string | number>, delivery: unknown) => {
    if (typeof delivery !== "string" || delivery === "dm") return;
    if (delivery === "staff") flag(where, `check-ins are never asked in the staff room: use dm or one of ${deliverable.join(", ")}`);
    else if (!roomIds.has(delivery)) flag(where, `"${delivery}" is not one of this community's rooms (use dm or one of ${deliverable.join(", ")})`);
  };
  const checkins = Array.isArray(c.checkins) ? c.checkins : [];
  const ids = new Set<string>();
  checkins.forEach((ck, j) => {
    if (!ck || typeof ck !== "object") return;
    const at: Array<string | number> = [...base, "checkins", j];
    if (typeof ck.id === "string") {
      if (ck.id === "alumni") flag([...at, "id"], `"alumni" is the name of the alumni check-in; choose another id`);
      if (ids.has(ck.id)) flag([...at, "id"], `the check-in id "${ck.id}" is used twice`);
      ids.add(ck.id);
    }
    if (ck.at === "24:00") flag([...at, "at"], "a prompt cannot be at 24:00; use 00:00");
    (Array.isArray(ck.times) ? ck.times : []).forEach((t, k) => {
      if (t === "24:00") flag([...at, "times", k], "a prompt cannot be at 24:00; use 00:00");
    });
    checkDelivery([...at, "delivery"], ck.delivery);
    if (typeof ck.delivery === "string" && ck.delivery !== "dm" && Array.isArray(ck.times) && ck.times.length > 0) {
      flag([...at, "times"], "a prompt asked in a room comes at one time for everyone; times are for prompts sent by dm");
    }
  });
  const s = c.checkin_settings;
  if (s && typeof s === "object") {
    const scale = Array.isArray(s.scale) ? s.scale : undefined;
    if (scale && typeof s.low_at_or_below === "number" && s.low_at_or_below >= scale.length) {
      flag([...base, "checkin_settings", "low_at_or_below"], `with ${scale.length} answers on the scale, ${s.low_at_or_below} would make every answer low`);
    }
    if (s.alumni && typeof s.alumni === "object") {
      checkDelivery([...base, "checkin_settings", "alumni", "delivery"], s.alumni.delivery);
      if (s.alumni.at === "24:00") flag([...base, "checkin_settings", "alumni", "at"], "a prompt cannot be at 24:00; use 00:00");
    }
  }
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.line}:${p.col}:${p.path}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The first alias in the document, where an alias bomb shows itself. */
function firstAlias(doc: Document): Node | undefined {
  let found: Node | undefined;
  visit(doc, {
    Alias(_key, node) {
      found = node;
      return visit.BREAK;
    },
  });
  return found;
}

/** Keys whose values are secrets: a problem with one never quotes the value (problems reach logs, the audit log and staff rooms). */
const SECRET_KEYS = new Set(["token", "secret", "pass", "password", "hs_token", "as_token"]);

function isSecretPath(segments: Array<string | number>): boolean {
  const last = segments[segments.length - 1];
  return typeof last === "string" && SECRET_KEYS.has(last);
}

/** A value as shown in a message: JSON, cut short (a 20 MB value must not make a 20 MB message). */
function shownValue(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 80 ? `${json.slice(0, 77)}…` : json;
}

function firstLine(s: string): string {
  return s.split("\n")[0];
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
