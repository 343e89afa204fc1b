import schema from "../../config/config.schema.json";
import { parseDuration } from "../kernel/durations";
import type { CarenetConfig } from "./types";

/**
 * Checks that keep a config from quietly switching safety off: values the schema allows
 * but that would leave people without help (no crisis resources, nobody to page, a ladder
 * that waits for days), and sizes and durations beyond any sane use. Each finding is an
 * error (the config is refused) or a warning (legal but unusual: reported, applied).
 *
 * Bounds are a table (SIZE_BOUNDS, DURATION_BOUNDS) keyed by YAML path pattern; every
 * duration and every string the schema knows also meets a generic ceiling, so keys added
 * later are bounded without being listed here.
 */

export type Flag = (segments: Array<string | number>, message: string, severity?: "warning") => void;

/** A path pattern: `*` matches any key or index. */
type Pattern = string;

interface DurationBound {
  path: Pattern;
  /** Smallest allowed, in ms (errors below). */
  min?: number;
  max: number;
  /** Warn outside [warnBelow, warnAbove]. */
  warnBelow?: number;
  warnAbove?: number;
  why: string;
}

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

/**
 * Every duration in the config. Why these bounds:
 * - an escalation step's wait is how long a person in crisis waits before the next people
 *   are asked: over 2 hours is refused, over 30 minutes is unusual;
 * - events.max_age decides which commands count as late: under 10 seconds every command
 *   would (clocks differ, handling takes time) and nothing would run; over a day, commands
 *   nobody remembers sending would run;
 * - a check-in sent more than a day late, or counted missed after more than a week, means
 *   nothing any more; a handoff reminder more than a week ahead is forgotten by the shift;
 * - anything else: a week (DEFAULT_DURATION_MAX).
 */
export const DURATION_BOUNDS: DurationBound[] = [
  { path: "communities.*.paging.escalation.*.wait", max: 2 * H, warnAbove: 30 * M, why: "a person in crisis would wait that long before the next people are asked" },
  { path: "events.max_age", min: 10 * S, max: 1 * D, warnBelow: 1 * M, warnAbove: 1 * H, why: "it decides which commands are too late to run" },
  { path: "communities.*.checkin_settings.grace", max: 1 * D, why: "a check-in sent that late means nothing any more" },
  { path: "communities.*.checkin_settings.missed_after", min: 1 * M, max: 7 * D, why: "it decides when a check-in counts as missed" },
  { path: "communities.*.rota.handoff_reminder", max: 7 * D, why: "a reminder that early is forgotten by the shift" },
];
export const DEFAULT_DURATION_MAX = 7 * D;

/** Retention periods ("365d"): at most ten years. */
export const DAYS_MAX = 3650;

interface SizeBound {
  path: Pattern;
  max: number;
  why: string;
}

/** Longest strings, in characters. Every other string: DEFAULT_STRING_MAX. */
export const SIZE_BOUNDS: SizeBound[] = [
  { path: "crisis_resources", max: 2000, why: "it is added to !help, pages and many replies, which must stay readable and within the homeserver's message size" },
  { path: "crisis_resources.*", max: 1000, why: "each item is added to !help, pages and many replies, which must stay readable" },
  { path: "crisis_resources.*.label", max: 80, why: "a service's name, read on a phone screen" },
  { path: "crisis_resources.*.note", max: 200, why: "a short note beside the service's name" },
  { path: "crisis_resources.*.phone", max: 30, why: "a phone number" },
  { path: "crisis_resources.*.sms", max: 30, why: "a phone number" },
  { path: "crisis_resources.*.url", max: 500, why: "a web address" },
  { path: "communities.*.name", max: 255, why: "it becomes room names" },
  { path: "communities.*.rooms.*.name", max: 255, why: "room names" },
  { path: "communities.*.rooms.extra.*.name", max: 255, why: "room names" },
  { path: "communities.*.rules.*", max: 2000, why: "each rule is shown to every new member" },
  { path: "communities.*.checkins.*.prompt", max: 2000, why: "prompts are sent to members" },
];
export const DEFAULT_STRING_MAX = 10_000;

export function checkSafety(config: Partial<CarenetConfig>, flag: Flag): void {
  checkCrisisResources(config, flag);
  checkHomeserver(config, flag);
  checkPaths(config, flag);
  checkPeople(config, flag);
  walk(schema as SchemaNode, config, [], flag);
}

// ---------------------------------------------------------------------------

/** Characters that show nothing: whitespace, zero-width and other format characters. */
const INVISIBLE = /[\s\p{Cf}\p{Cc}]/gu;

/** At most this many crisis resources: the block is in many replies and must fit a phone screen. */
export const MAX_CRISIS_ENTRIES = 12;

function checkCrisisResources(config: Partial<CarenetConfig>, flag: Flag): void {
  const resources: unknown = config.crisis_resources;
  if (typeof resources === "string") {
    checkCrisisText(resources, ["crisis_resources"], flag);
    if (visibleText(resources) && !/\p{N}/u.test(visibleText(resources))) flag(["crisis_resources"], "contains no number: crisis resources usually give a phone number to call", "warning");
    return;
  }
  if (!Array.isArray(resources)) return; // the schema says what is wrong with it
  if (resources.length > MAX_CRISIS_ENTRIES) flag(["crisis_resources"], `has ${resources.length} items; at most ${MAX_CRISIS_ENTRIES} are allowed, so the support block fits a phone screen`);
  let numbers = false;
  resources.forEach((r: unknown, i) => {
    if (typeof r === "string") {
      checkCrisisText(r, ["crisis_resources", i], flag);
      checkSize(r, ["crisis_resources", i], flag);
      if (/\p{N}/u.test(r)) numbers = true;
    } else if (r && typeof r === "object") {
      const entry = r as Record<string, unknown>;
      for (const key of ["label", "note", "phone", "sms", "url"]) {
        const v = entry[key];
        if (typeof v === "string") checkSize(v, ["crisis_resources", i, key], flag);
      }
      if (typeof entry.label === "string" && !visibleText(entry.label)) flag(["crisis_resources", i, "label"], "has no visible text: people would see a number with no name");
      if (typeof entry.phone === "string" || typeof entry.sms === "string") numbers = true;
    }
  });
  if (resources.length > 0 && !numbers) flag(["crisis_resources"], "contains no number: crisis resources usually give a phone number to call", "warning");
}

function visibleText(text: string): string {
  return text.replace(INVISIBLE, "");
}

function checkCrisisText(text: string, at: Array<string | number>, flag: Flag): void {
  if (visibleText(text).length === 0) {
    flag(at, "has no visible text (only spaces, line breaks or invisible characters): the crisis section of !help, pages and late replies would be empty");
  }
}

function checkHomeserver(config: Partial<CarenetConfig>, flag: Flag): void {
  const hs = config.homeserver;
  if (!hs || typeof hs !== "object") return;
  if (typeof hs.url === "string") {
    const problem = urlProblem(hs.url);
    if (problem) flag(["homeserver", "url"], problem);
    else if (/^http:/i.test(hs.url) && !isLoopback(new URL(hs.url).hostname)) {
      flag(["homeserver", "url"], "is plain http to another machine: carenet's token and every message would travel unencrypted", "warning");
    }
  }
  if (typeof hs.domain === "string" && (/[\s\p{Cc}/]/u.test(hs.domain) || hs.domain.trim() === "")) {
    flag(["homeserver", "domain"], "must be a server name such as example.org (no spaces, slashes or control characters)");
  }
}

export function urlProblem(url: string): string | undefined {
  if (/\p{Cc}/u.test(url) || /\s/.test(url)) return "contains spaces or control characters (a NUL byte?): it must be an http(s) URL such as https://matrix.example.org";
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "is not a valid URL: it must be an http(s) URL such as https://matrix.example.org";
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return "must be an http(s) URL";
  if (!parsed.hostname) return "has no host: it must be an http(s) URL such as https://matrix.example.org";
  if (parsed.username || parsed.password) return "must not contain a user name or password";
  if (parsed.search || parsed.hash) return "must not contain a query or fragment";
  return undefined;
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "[::1]" || host === "::1" || /^127\./.test(host);
}

function checkPaths(config: Partial<CarenetConfig>, flag: Flag): void {
  const paths: Array<[Array<string | number>, unknown, string]> = [
    [["database", "path"], config.database?.path, "the SQLite file"],
    [["appservice", "registration"], config.appservice?.registration, "the registration file"],
  ];
  for (const [at, value, what] of paths) {
    if (typeof value !== "string") continue;
    if (value.trim() === "") flag(at, `is empty: give the path of ${what}`);
    else if (/\p{Cc}/u.test(value)) flag(at, "contains control characters (a NUL byte?)");
  }
}

function checkPeople(config: Partial<CarenetConfig>, flag: Flag): void {
  const domain = typeof config.homeserver?.domain === "string" ? config.homeserver.domain : undefined;
  const communities = Array.isArray(config.communities) ? config.communities : [];
  communities.forEach((c, i) => {
    if (!c || typeof c !== "object") return;
    const staff = Array.isArray(c.staff) ? c.staff : [];
    const admins = Array.isArray(c.admins) ? c.admins : [];
    if (Array.isArray(c.staff) && staff.length === 0 && admins.length === 0) {
      flag(["communities", i, "staff"], "the community has no staff and no admins: nobody could be paged at the end of the ladder, told of problems, or run staff commands");
    }
    for (const key of ["staff", "admins"] as const) {
      const list = key === "staff" ? staff : admins;
      list.forEach((u, j) => {
        if (typeof u !== "string" || domain === undefined) return;
        const theirs = u.slice(u.indexOf(":") + 1);
        if (u.includes(":") && theirs !== domain) {
          flag(["communities", i, key, j], `${u} is on another homeserver (${theirs}, not ${domain}): carenet serves only its own homeserver's users, and would page and invite someone it cannot reach`);
        }
      });
    }
  });
}

// ---------------------------------------------------------------------------
// The walk over the data alongside the schema: every duration, day count and string.

interface SchemaNode {
  $ref?: string;
  type?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  definitions?: Record<string, SchemaNode>;
}

const DEFINITIONS = (schema as SchemaNode).definitions ?? {};

function walk(node: SchemaNode, value: unknown, at: Array<string | number>, flag: Flag): void {
  if (node.$ref) {
    const name = node.$ref.replace("#/definitions/", "");
    if (name === "duration") return checkDuration(value, at, flag);
    if (name === "days") return checkDays(value, at, flag);
    const target = DEFINITIONS[name];
    if (target) walk(target, value, at, flag);
    return;
  }
  if (typeof value === "string") return checkSize(value, at, flag);
  if (Array.isArray(value) && node.items) value.forEach((v, i) => walk(node.items!, v, [...at, i], flag));
  else if (value && typeof value === "object" && node.properties) {
    for (const [key, child] of Object.entries(node.properties)) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) walk(child, v, [...at, key], flag);
    }
  }
}

function matches(pattern: Pattern, at: Array<string | number>): boolean {
  const parts = pattern.split(".");
  return parts.length === at.length && parts.every((p, i) => p === "*" || p === String(at[i]));
}

function checkDuration(value: unknown, at: Array<string | number>, flag: Flag): void {
  if (typeof value !== "string") return;
  const ms = parseDuration(value);
  if (ms === null) return; // the schema says what is wrong with it
  const bound = DURATION_BOUNDS.find((b) => matches(b.path, at));
  const max = bound?.max ?? DEFAULT_DURATION_MAX;
  const why = bound ? `: ${bound.why}` : "";
  if (ms > max) flag(at, `"${value}" is longer than ${words(max)}, the most allowed here${why}`);
  else if (bound?.min !== undefined && ms < bound.min) flag(at, `"${value}" is shorter than ${words(bound.min)}, the least allowed here${why}`);
  else if (bound?.warnAbove !== undefined && ms > bound.warnAbove) flag(at, `"${value}" is unusually long (over ${words(bound.warnAbove)})${why}`, "warning");
  else if (bound?.warnBelow !== undefined && ms < bound.warnBelow) flag(at, `"${value}" is unusually short (under ${words(bound.warnBelow)})${why}`, "warning");
}

function checkDays(value: unknown, at: Array<string | number>, flag: Flag): void {
  if (typeof value !== "string") return;
  const days = Number(value.replace(/d$/, ""));
  if (Number.isFinite(days) && days > DAYS_MAX) flag(at, `"${value}" is more than ${DAYS_MAX} days (ten years), the most allowed`);
}

function checkSize(value: string, at: Array<string | number>, flag: Flag): void {
  const bound = SIZE_BOUNDS.find((b) => matches(b.path, at));
  const max = bound?.max ?? DEFAULT_STRING_MAX;
  const length = [...value].length;
  if (length > max) flag(at, `is ${length} characters long; at most ${max} are allowed here${bound ? ` (${bound.why})` : ""}`);
}

function words(ms: number): string {
  if (ms % D === 0) return `${ms / D} day${ms === D ? "" : "s"}`;
  if (ms % H === 0) return `${ms / H} hour${ms === H ? "" : "s"}`;
  if (ms % M === 0) return `${ms / M} minute${ms === M ? "" : "s"}`;
  return `${ms / S} seconds`;
}
