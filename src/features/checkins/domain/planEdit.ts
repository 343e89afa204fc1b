/**
 * `!checkin plan <setting> <value…>`: one edit to a member's check-in plan, checked against
 * the community's options and said back in words. Pure domain code, like the rest of the plan.
 */
import { DateTime } from "luxon";
import { addInterval, ALERT_TARGETS, longDate, normalisePlan, resolvePlan, timeOptions, type AlertTarget, type CommunityPrompt, type Plan } from "./checkins";

/**
 * Why a `!checkin plan` edit was refused, as a code with its values (the command layer says
 * it in its reader's words).
 */
export type PlanProblem =
  | { code: "noPrompts" }
  | { code: "whichPrompt"; ids: string[]; setting: string }
  | { code: "onOrOff"; prompt: string }
  | { code: "onlyTime"; prompt: string; at: string }
  | { code: "chooseTime"; prompt: string; options: string[] }
  | { code: "sharedRoomWording"; prompt: string }
  | { code: "wordingMissing"; prompt: string }
  | { code: "wordingTooLong"; max: number }
  | { code: "sayWho" }
  | { code: "unknownWho"; word: string }
  | { code: "nobodyAlone" }
  | { code: "shareValue" }
  | { code: "notesValue" }
  | { code: "pauseHow" }
  | { code: "unknownSetting"; setting: string };

export type PlanEdit =
  | { ok: true; plan: Plan; setting: string; before: string; after: string; reviewedOnly?: boolean }
  | { ok: false; problem: PlanProblem };

export interface PlanEditContext {
  prompts: readonly CommunityPrompt[];
  zone: string;
  now: number;
}

const ALERT_WORDS: Record<string, AlertTarget[]> = {
  nobody: [],
  none: [],
  sponsor: ["sponsor"],
  "on-call-staff": ["on_call_staff"],
  "on-call": ["on_call_staff"],
  oncall: ["on_call_staff"],
  staff: ["on_call_staff"],
};

export function describeTargets(targets: readonly AlertTarget[]): string {
  if (targets.length === 0) return "nobody";
  return targets.map((t) => (t === "sponsor" ? "your sponsor" : "the staff on call")).join(" and ");
}

function describePause(plan: Plan, zone: string): string {
  if (!plan.paused) return "on (not paused)";
  if (plan.paused.until === null) return "paused until you resume";
  return `paused; they start again on ${longDate(zone, plan.paused.until)}`;
}

function clone(plan: Plan): Plan {
  return normalisePlan(JSON.parse(JSON.stringify(plan)));
}

/** The longest wording of their own a member may give a prompt. */
const MAX_WORDING = 300;

/**
 * Applies one `!checkin plan <setting> <value…>` edit. Every edit is checked against the
 * community's options; the result says what changed in words (for the member and the
 * plan's history).
 */
export function editPlan(plan: Plan, args: readonly string[], ctx: PlanEditContext): PlanEdit {
  const [setting = "", ...rest] = args.map((a) => a.trim()).filter((a, i) => i === 0 || a !== "");
  const s = setting.toLowerCase();
  const next = clone(plan);
  switch (s) {
    case "prompts":
    case "prompt":
    case "time":
    case "wording":
      return editPromptChoice(s, plan, next, rest, ctx);
    case "alerts":
    case "alert":
    case "who":
      return editAlerts(plan, next, rest);
    case "share": {
      const v = rest[0]?.toLowerCase();
      if (v !== "nothing" && v !== "answers") return { ok: false, problem: { code: "shareValue" } };
      next.share = v;
      return { ok: true, plan: next, setting: "share", before: plan.share, after: v };
    }
    case "notes": {
      const v = rest[0]?.toLowerCase();
      const value = v === "shared" || v === "share" || v === "yes" ? "shared" : v === "private" || v === "no" ? "private" : undefined;
      if (!value) return { ok: false, problem: { code: "notesValue" } };
      next.notes = value;
      return { ok: true, plan: next, setting: "notes", before: plan.notes, after: value };
    }
    case "pause": {
      const until = parsePauseUntil(rest, ctx.zone, ctx.now);
      if (until === "invalid") return { ok: false, problem: { code: "pauseHow" } };
      next.paused = { until };
      return { ok: true, plan: next, setting: "pause", before: describePause(plan, ctx.zone), after: describePause(next, ctx.zone) };
    }
    case "resume": {
      next.paused = null;
      return { ok: true, plan: next, setting: "pause", before: describePause(plan, ctx.zone), after: describePause(next, ctx.zone) };
    }
    case "ok":
    case "reviewed":
    case "keep":
      return { ok: true, plan: next, setting: "review", before: "", after: "kept as it is", reviewedOnly: true };
    default:
      return { ok: false, problem: { code: "unknownSetting", setting } };
  }
}

/** The prompt an edit is about: the one named first in `rest`, or the community's only one. */
function pickPrompt(prompts: readonly CommunityPrompt[], rest: string[], setting: string): { prompt: CommunityPrompt; rest: string[] } | { problem: PlanProblem } {
  const ids = prompts.map((p) => p.id);
  if (ids.length === 0) return { problem: { code: "noPrompts" } };
  const named = prompts.find((p) => p.id === rest[0]?.toLowerCase());
  if (named) return { prompt: named, rest: rest.slice(1) };
  if (ids.length === 1) return { prompt: prompts[0], rest };
  return { problem: { code: "whichPrompt", ids, setting } };
}

/** `prompts <id> on|off`, `time <id> HH:MM` or `wording <id> <words>|default` for one prompt. */
function editPromptChoice(s: string, plan: Plan, next: Plan, rest: string[], ctx: PlanEditContext): PlanEdit {
  const p = pickPrompt(ctx.prompts, rest, s);
  if ("problem" in p) return { ok: false, problem: p.problem };
  if (s === "time") {
    const options = timeOptions(p.prompt);
    const v = p.rest[0];
    if (!v || !options.includes(v)) {
      return {
        ok: false,
        problem: options.length === 1 ? { code: "onlyTime", prompt: p.prompt.id, at: p.prompt.at } : { code: "chooseTime", prompt: p.prompt.id, options },
      };
    }
    const before = resolvePlan(ctx.prompts, plan).find((r) => r.id === p.prompt.id)?.at ?? p.prompt.at;
    next.prompts[p.prompt.id] = { ...next.prompts[p.prompt.id], at: v === p.prompt.at ? undefined : v };
    return { ok: true, plan: next, setting: `time ${p.prompt.id}`, before, after: v };
  }
  if (s === "wording") {
    if ((p.prompt.delivery ?? "dm") !== "dm") {
      return { ok: false, problem: { code: "sharedRoomWording", prompt: p.prompt.id } };
    }
    const text = p.rest.join(" ").trim();
    if (!text) return { ok: false, problem: { code: "wordingMissing", prompt: p.prompt.id } };
    if (text.length > MAX_WORDING) return { ok: false, problem: { code: "wordingTooLong", max: MAX_WORDING } };
    const before = plan.prompts[p.prompt.id]?.wording ?? "the community's wording";
    const own = text.toLowerCase() === "default" ? undefined : text;
    next.prompts[p.prompt.id] = { ...next.prompts[p.prompt.id], wording: own };
    return { ok: true, plan: next, setting: `wording ${p.prompt.id}`, before, after: own ?? "the community's wording" };
  }
  const v = p.rest[0]?.toLowerCase();
  if (v !== "on" && v !== "off") return { ok: false, problem: { code: "onOrOff", prompt: p.prompt.id } };
  const before = plan.prompts[p.prompt.id]?.enabled === false ? "off" : "on";
  next.prompts[p.prompt.id] = { ...next.prompts[p.prompt.id], enabled: v === "on" };
  return { ok: true, plan: next, setting: `prompts ${p.prompt.id}`, before, after: v };
}

/** `alerts [low|missed] nobody|sponsor|on-call-staff…`: who hears about a low or missed check-in. */
function editAlerts(plan: Plan, next: Plan, rest: string[]): PlanEdit {
  let kinds: Array<"low" | "missed"> = ["low", "missed"];
  let words = rest.map((w) => w.toLowerCase());
  if (words[0] === "low" || words[0] === "missed") {
    kinds = [words[0]];
    words = words.slice(1);
  }
  words = words.filter((w) => w !== "and" && w !== "+" && w !== ",").flatMap((w) => w.split(/[+,]/)).filter(Boolean);
  if (words.length === 0) return { ok: false, problem: { code: "sayWho" } };
  const targets = new Set<AlertTarget>();
  for (const w of words) {
    const t = ALERT_WORDS[w];
    if (!t) return { ok: false, problem: { code: "unknownWho", word: w } };
    if (t.length === 0 && words.length > 1) return { ok: false, problem: { code: "nobodyAlone" } };
    t.forEach((x) => targets.add(x));
  }
  const chosen = ALERT_TARGETS.filter((t) => targets.has(t));
  const say = (p: Plan) => (kinds.length === 1 ? describeTargets(p.alerts[kinds[0]]) : kinds.map((k) => `${k}: ${describeTargets(p.alerts[k])}`).join("; "));
  const before = say(plan);
  for (const k of kinds) next.alerts[k] = chosen;
  const after = say(next);
  return { ok: true, plan: next, setting: kinds.length === 2 ? "alerts" : `alerts ${kinds[0]}`, before, after };
}

/** The instant prompts start again, null for "until I resume", "invalid" when unreadable. */
function parsePauseUntil(args: readonly string[], zone: string, now: number): number | null | "invalid" {
  const words = args.filter((a) => a.toLowerCase() !== "until");
  if (words.length === 0) return null;
  if (words.length > 1) return "invalid";
  const w = words[0].toLowerCase();
  const d = /^([1-9]\d*)([dw])$/.exec(w);
  if (d) return addInterval(zone, now, w);
  if (/^\d{4}-\d{2}-\d{2}$/.test(w)) {
    const dt = DateTime.fromISO(w, { zone });
    if (!dt.isValid || dt.toMillis() <= now) return "invalid";
    return dt.startOf("day").toMillis();
  }
  return "invalid";
}
