import {
  addInterval,
  alertRecipients,
  catchUp,
  DEFAULT_PLAN,
  getsPrompt,
  isPaused,
  localDate,
  nextOccurrence,
  normalisePlan,
  occurrencesBetween,
  parseAnswer,
  resolvePlan,
  rhythmIncludes,
  scaleLines,
  valueOfReaction,
  weekAtAGlance,
  type CommunityPrompt,
  type Plan,
} from "../../../src/features/checkins/domain/checkins";
import { editPlan } from "../../../src/features/checkins/domain/planEdit";
import { planLines } from "../../../src/features/checkins/words";
import type { CommunityConfig } from "../../../src/config/types";
import { glanceWords } from "../../../src/features/checkins/words";
import { DEFAULT_CONTEXT, renderWords } from "../../../src/words";
import { expectToContainAll } from "../../support/expectText";

const LONDON = "Europe/London";
const Z = (iso: string) => Date.parse(iso);
const HOUR = 3600_000;
const SCALE = ["really struggling", "not great", "okay", "fine", "good"];

const evening: CommunityPrompt = { id: "evening", at: "20:00", prompt: "How are you this evening?", times: ["19:00", "21:00"] };
const morning: CommunityPrompt = { id: "morning", at: "09:00", days: ["mon", "wed", "fri"], prompt: "Good morning — how did you sleep?" };
const roomPrompt: CommunityPrompt = { id: "group", at: "12:00", prompt: "Lunchtime check-in", delivery: "community" };
const PROMPTS = [evening, morning];
const ctx = (now = Z("2026-03-02T10:00:00Z")) => ({ prompts: PROMPTS, zone: LONDON, now });

function edit(plan: Plan, ...args: string[]): Plan {
  const r = editPlan(plan, args, ctx());
  if (!r.ok) throw new Error(r.problem.code);
  return r.plan;
}

describe("schedules in the community's time zone", () => {
  /** When a daily prompt set for `at` London time goes out between two instants, as ISO strings. */
  const promptsAt = (at: string, from: string, to: string) => occurrencesBetween(LONDON, { at }, Z(from), Z(to)).map((t) => new Date(t).toISOString());

  it("keeps a daily prompt at 20:00 local across the spring change (20:00Z, then 19:00Z)", () => {
    expect(promptsAt("20:00", "2026-03-27T00:00:00Z", "2026-03-31T00:00:00Z")).toEqual([
      "2026-03-27T20:00:00.000Z",
      "2026-03-28T20:00:00.000Z",
      "2026-03-29T19:00:00.000Z",
      "2026-03-30T19:00:00.000Z",
    ]);
  });

  it("keeps it at 20:00 local across the autumn change", () => {
    expect(promptsAt("20:00", "2026-10-24T00:00:00Z", "2026-10-27T00:00:00Z")).toEqual([
      "2026-10-24T19:00:00.000Z",
      "2026-10-25T20:00:00.000Z",
      "2026-10-26T20:00:00.000Z",
    ]);
  });

  it("sends a prompt set in the skipped hour at the end of the gap, once", () => {
    expect(promptsAt("01:30", "2026-03-29T00:00:00Z", "2026-03-29T05:00:00Z")).toEqual(["2026-03-29T01:00:00.000Z"]); // 02:00 BST
  });

  it("sends a prompt set in the repeated hour once, at its first occurrence", () => {
    expect(promptsAt("01:30", "2026-10-24T23:00:00Z", "2026-10-25T05:00:00Z")).toEqual(["2026-10-25T00:30:00.000Z"]); // 01:30 BST
  });

  it("honours the days a prompt is set for", () => {
    // 2 March 2026 is a Monday.
    const got = occurrencesBetween(LONDON, { at: "09:00", days: ["mon", "wed", "fri"] }, Z("2026-03-02T00:00:00Z"), Z("2026-03-09T00:00:00Z"));
    expect(got.map((t) => localDate(LONDON, t))).toEqual(["2026-03-02", "2026-03-04", "2026-03-06"]);
  });

  it("finds the next occurrence strictly after a moment, in another zone too", () => {
    expect(nextOccurrence(LONDON, { at: "20:00" }, Z("2026-03-02T20:00:00Z"))).toBe(Z("2026-03-03T20:00:00Z"));
    expect(nextOccurrence(LONDON, { at: "20:00" }, Z("2026-03-02T19:59:59Z"))).toBe(Z("2026-03-02T20:00:00Z"));
    expect(nextOccurrence("America/New_York", { at: "08:00", days: ["sun"] }, Z("2026-03-07T12:00:00Z"))).toBe(Z("2026-03-08T12:00:00Z")); // EDT starts that day
    expect(nextOccurrence(LONDON, { at: "20:00", days: [] }, 0)).toBeNull();
  });

  it("adds a review interval in local days, so the local time stays", () => {
    const from = Z("2026-03-20T20:00:00Z"); // 20:00 GMT
    expect(new Date(addInterval(LONDON, from, "2w") as number).toISOString()).toBe("2026-04-03T19:00:00.000Z"); // 20:00 BST
    expect(addInterval(LONDON, from, "8x")).toBeNull();
  });
});

describe("alumni rhythms", () => {
  // Sundays in March 2026: 1, 8, 15, 22, 29.
  const sundays = [1, 8, 15, 22, 29].map((d) => Z(`2026-03-${String(d).padStart(2, "0")}T18:00:00Z`));

  it("monthly: only the first such weekday of the month", () => {
    expect(sundays.map((t) => rhythmIncludes("monthly", LONDON, t))).toEqual([true, false, false, false, false]);
  });

  it("fortnightly: every other week, without a double at the turn of a year", () => {
    const picks = sundays.map((t) => rhythmIncludes("fortnightly", LONDON, t));
    expect(picks).toEqual([picks[0], !picks[0], picks[0], !picks[0], picks[0]]);
    const turn = [Z("2026-12-20T18:00:00Z"), Z("2026-12-27T18:00:00Z"), Z("2027-01-03T18:00:00Z"), Z("2027-01-10T18:00:00Z")];
    const t = turn.map((x) => rhythmIncludes("fortnightly", LONDON, x));
    expect(t).toEqual([t[0], !t[0], t[0], !t[0]]);
  });

  it("weekly: every one", () => {
    expect(sundays.every((t) => rhythmIncludes("weekly", LONDON, t))).toBe(true);
  });
});

describe("prompts missed while carenet was down (grace window)", () => {
  const occ = Z("2026-03-02T20:00:00Z");
  const GRACE = 2 * HOUR;

  it("sends an on-time prompt as it is", () => {
    expect(catchUp([occ], occ + 5_000, GRACE)).toEqual({ send: occ, late: false, skipped: [] });
  });

  it("sends a prompt late, with its original time, within the grace window", () => {
    expect(catchUp([occ], occ + 90 * 60_000, GRACE)).toEqual({ send: occ, late: true, skipped: [] });
  });

  it("skips a prompt older than the grace window", () => {
    expect(catchUp([occ], occ + GRACE + 1, GRACE)).toEqual({ late: false, skipped: [occ] });
  });

  it("never sends a burst: after days down, at most the latest goes, the rest are skipped", () => {
    const days = [0, 1, 2].map((d) => occ + d * 24 * HOUR);
    expect(catchUp(days, days[2] + HOUR, GRACE)).toEqual({ send: days[2], late: true, skipped: [days[0], days[1]] });
    expect(catchUp(days, days[2] + 3 * HOUR, GRACE)).toEqual({ late: false, skipped: days });
  });

  it("has nothing to do with nothing due", () => {
    expect(catchUp([], occ, GRACE)).toEqual({ late: false, skipped: [] });
  });
});

describe("answers on a worded scale", () => {
  it.each([
    ["3", 3, ""],
    ["3 long day", 3, "long day"],
    ["3, long day", 3, "long day"],
    ["3/5 ok", 3, "ok"],
    ["okay", 3, ""],
    ["Really Struggling", 1, ""],
    ["really struggling — work was awful", 1, "work was awful"],
    ["not great tonight", 2, "tonight"],
    ["good", 5, ""],
  ])("reads %j as %d with note %j", (text, value, note) => {
    expect(parseAnswer(text, SCALE)).toEqual({ ok: true, value, note });
  });

  it("refuses numbers off the scale and words it does not know, saying why", () => {
    expect(parseAnswer("6", SCALE)).toEqual({ ok: false, problem: { code: "offScale", value: 6, max: 5 } });
    expect(parseAnswer("0", SCALE)).toMatchObject({ ok: false });
    expect(parseAnswer("meh whatever", SCALE)).toEqual({ ok: false, problem: { code: "unmatched", words: "meh whatever" } });
    expect(parseAnswer("goodish", SCALE)).toMatchObject({ ok: false }); // a word must end where the wording ends
    expect(parseAnswer("  ", SCALE)).toEqual({ ok: false, problem: { code: "empty" } });
  });

  it("maps reaction keycaps to answers, with or without the variation selector, and nothing else", () => {
    expect(valueOfReaction("1️⃣", 5)).toBe(1);
    expect(valueOfReaction("5\u20E3", 5)).toBe(5);
    expect(valueOfReaction("2", 5)).toBe(2);
    expect(valueOfReaction("6️⃣", 5)).toBeUndefined();
    expect(valueOfReaction("👍", 5)).toBeUndefined();
    expect(valueOfReaction("🔟", 10)).toBe(10);
  });

  it("lists every option with its words, never the symbol alone", () => {
    expect(scaleLines(SCALE)).toEqual(["1️⃣ really struggling", "2️⃣ not great", "3️⃣ okay", "4️⃣ fine", "5️⃣ good"]);
  });
});

describe("plans", () => {
  it("by default: every prompt on, at the community's time and in its words; nobody hears anything; nothing shared", () => {
    const r = resolvePlan(PROMPTS, DEFAULT_PLAN);
    expect(r.map((x) => [x.id, x.enabled, x.at, x.wording])).toEqual([
      ["evening", true, "20:00", "How are you this evening?"],
      ["morning", true, "09:00", "Good morning — how did you sleep?"],
    ]);
    expect(DEFAULT_PLAN.alerts).toEqual({ low: [], missed: [] });
    expect(DEFAULT_PLAN.share).toBe("nothing");
    expect(DEFAULT_PLAN.notes).toBe("private");
  });

  it("lets the member turn prompts off, pick a time the community offers, and use their own words", () => {
    let plan = edit(DEFAULT_PLAN, "prompts", "morning", "off");
    plan = edit(plan, "time", "evening", "21:00");
    plan = edit(plan, "wording", "evening", "Hey", "you,", "how's", "it", "going?");
    const r = resolvePlan(PROMPTS, plan);
    expect(r[0]).toMatchObject({ id: "evening", enabled: true, at: "21:00", wording: "Hey you, how's it going?", ownWording: true });
    expect(r[1]).toMatchObject({ id: "morning", enabled: false });
    expect(resolvePlan(PROMPTS, edit(plan, "wording", "evening", "default"))[0]).toMatchObject({ wording: "How are you this evening?", ownWording: false });
  });

  it("keeps times within the community's options", () => {
    const r = editPlan(DEFAULT_PLAN, ["time", "evening", "23:00"], ctx());
    expect(r).toEqual({ ok: false, problem: { code: "chooseTime", prompt: "evening", options: ["19:00", "20:00", "21:00"] } });
    expect(editPlan(DEFAULT_PLAN, ["time", "morning", "10:00"], ctx())).toEqual({ ok: false, problem: { code: "onlyTime", prompt: "morning", at: "09:00" } });
    // A time the community later stops offering falls back to the prompt's own time.
    const plan = edit(DEFAULT_PLAN, "time", "evening", "19:00");
    expect(resolvePlan([{ ...evening, times: [] }], plan)[0].at).toBe("20:00");
  });

  it("asks which prompt when there is more than one, and not when there is one", () => {
    expect(editPlan(DEFAULT_PLAN, ["time", "21:00"], ctx())).toEqual({ ok: false, problem: { code: "whichPrompt", ids: ["evening", "morning"], setting: "time" } });
    const r = editPlan(DEFAULT_PLAN, ["time", "21:00"], { ...ctx(), prompts: [evening] });
    expect(r).toMatchObject({ ok: true, setting: "time evening", before: "20:00", after: "21:00" });
  });

  it("keeps the community's wording for a prompt asked in a shared room", () => {
    expect(editPlan(DEFAULT_PLAN, ["wording", "group", "mine"], { ...ctx(), prompts: [roomPrompt, evening] })).toMatchObject({ ok: false });
    const forced = normalisePlan({ prompts: { group: { wording: "mine" } } });
    expect(resolvePlan([roomPrompt], forced)[0]).toMatchObject({ wording: "Lunchtime check-in", ownWording: false, timeOptions: ["12:00"] });
  });

  it("records who hears, per kind or both, in words", () => {
    const r = editPlan(DEFAULT_PLAN, ["alerts", "low", "sponsor"], ctx());
    expect(r).toMatchObject({ ok: true, setting: "alerts low", before: "nobody", after: "your sponsor" });
    const both = edit(DEFAULT_PLAN, "alerts", "sponsor", "on-call-staff");
    expect(both.alerts).toEqual({ low: ["sponsor", "on_call_staff"], missed: ["sponsor", "on_call_staff"] });
    expect(edit(both, "alerts", "missed", "nobody").alerts).toEqual({ low: ["sponsor", "on_call_staff"], missed: [] });
    expect(editPlan(DEFAULT_PLAN, ["alerts", "nobody", "sponsor"], ctx())).toMatchObject({ ok: false });
    expect(editPlan(DEFAULT_PLAN, ["alerts", "everyone"], ctx())).toEqual({ ok: false, problem: { code: "unknownWho", word: "everyone" } });
  });

  it("shares answers and notes only when asked", () => {
    expect(edit(DEFAULT_PLAN, "share", "answers").share).toBe("answers");
    expect(edit(DEFAULT_PLAN, "notes", "shared").notes).toBe("shared");
    expect(edit(edit(DEFAULT_PLAN, "notes", "yes"), "notes", "private").notes).toBe("private");
    expect(editPlan(DEFAULT_PLAN, ["share", "everything"], ctx())).toMatchObject({ ok: false });
  });

  it("pauses until a date, for a while, or until resumed", () => {
    const now = Z("2026-03-02T10:00:00Z");
    const untilDate = edit(DEFAULT_PLAN, "pause", "until", "2026-03-10");
    expect(untilDate.paused).toEqual({ until: Z("2026-03-10T00:00:00Z") });
    expect(isPaused(untilDate, Z("2026-03-09T23:59:00Z"))).toBe(true);
    expect(isPaused(untilDate, Z("2026-03-10T00:00:00Z"))).toBe(false);
    const forAWhile = edit(DEFAULT_PLAN, "pause", "3d");
    expect(forAWhile.paused).toEqual({ until: now + 3 * 24 * HOUR });
    const open = edit(DEFAULT_PLAN, "pause");
    expect(isPaused(open, now + 365 * 24 * HOUR)).toBe(true);
    expect(edit(open, "resume").paused).toBeNull();
    expect(editPlan(DEFAULT_PLAN, ["pause", "2020-01-01"], ctx())).toMatchObject({ ok: false });
  });

  it("decides who gets which prompt at which slot", () => {
    const now = Z("2026-03-02T20:00:00Z");
    expect(getsPrompt(PROMPTS, DEFAULT_PLAN, "evening", "20:00", now)).toBeDefined();
    expect(getsPrompt(PROMPTS, DEFAULT_PLAN, "evening", "21:00", now)).toBeUndefined();
    const later = edit(DEFAULT_PLAN, "time", "evening", "21:00");
    expect(getsPrompt(PROMPTS, later, "evening", "20:00", now)).toBeUndefined();
    expect(getsPrompt(PROMPTS, later, "evening", "21:00", now)).toBeDefined();
    expect(getsPrompt(PROMPTS, edit(DEFAULT_PLAN, "prompts", "evening", "off"), "evening", "20:00", now)).toBeUndefined();
    expect(getsPrompt(PROMPTS, edit(DEFAULT_PLAN, "pause"), "evening", "20:00", now)).toBeUndefined();
  });

  it("describes the plan in plain words", () => {
    const plan = edit(edit(DEFAULT_PLAN, "alerts", "low", "sponsor"), "prompts", "morning", "off");
    const text = planLines({ checkins: PROMPTS, timezone: LONDON } as CommunityConfig, plan)
      .map((l) => renderWords(l).plain)
      .join("\n");
    expectToContainAll(text, [
      "evening check-in: on, at 20:00 every day, in a private message", "Times you can choose: 19:00, 20:00, and 21:00.", "morning check-in: off.",
      "Who hears about a low answer: your sponsor.", "Who hears about a missed check-in: nobody.", "nothing, your answers stay private",
      "Your notes: private",
    ]);
  });

  it("reads back whatever was stored, defaulting anything unknown", () => {
    expect(normalisePlan(null)).toEqual(DEFAULT_PLAN);
    expect(normalisePlan({ alerts: { low: ["sponsor", "everyone"] }, share: "all", paused: { until: "x" } })).toEqual({
      ...DEFAULT_PLAN,
      alerts: { low: ["sponsor"], missed: [] },
      paused: { until: null },
    });
  });
});

describe("alert routing: exactly the people the member named", () => {
  const people = { member: "@m:x", sponsor: "@sponsor:x", onCallStaff: ["@staff1:x", "@staff2:x"] };

  it("tells nobody by default", () => {
    expect(alertRecipients(DEFAULT_PLAN, "low", people)).toEqual({ recipients: [], unreachable: [] });
    expect(alertRecipients(DEFAULT_PLAN, "missed", people)).toEqual({ recipients: [], unreachable: [] });
  });

  it("tells the sponsor only, when the member chose the sponsor for that kind", () => {
    const plan = edit(DEFAULT_PLAN, "alerts", "low", "sponsor");
    expect(alertRecipients(plan, "low", people)).toEqual({ recipients: ["@sponsor:x"], unreachable: [] });
    expect(alertRecipients(plan, "missed", people)).toEqual({ recipients: [], unreachable: [] });
  });

  it("tells the staff on call, and says when there is nobody behind a choice", () => {
    const plan = edit(DEFAULT_PLAN, "alerts", "sponsor", "on-call-staff");
    expect(alertRecipients(plan, "missed", people).recipients).toEqual(["@sponsor:x", "@staff1:x", "@staff2:x"]);
    expect(alertRecipients(plan, "low", { member: "@m:x", sponsor: null, onCallStaff: [] })).toEqual({
      recipients: [],
      unreachable: ["sponsor", "on_call_staff"],
    });
  });

  it("never tells the member about themselves, nor anyone twice", () => {
    const plan = edit(DEFAULT_PLAN, "alerts", "sponsor", "on-call-staff");
    expect(alertRecipients(plan, "low", { member: "@m:x", sponsor: "@s:x", onCallStaff: ["@s:x", "@m:x"] }).recipients).toEqual(["@s:x"]);
  });
});

describe("week at a glance", () => {
  it("shows the last seven local days, with a dash for a day without an answer", () => {
    const now = Z("2026-03-04T21:00:00Z"); // Wednesday
    const text = weekAtAGlance(LONDON, now, [
      { localDate: "2026-03-02", value: 4 },
      { localDate: "2026-03-03", value: 2 },
      { localDate: "2026-03-03", value: 3 },
    ]);
    expect(text.map((d) => d.localDate)).toEqual(["2026-02-26", "2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04"]);
    expect(text[0].startMs).toBe(Z("2026-02-26T00:00:00Z"));
    expect(renderWords(glanceWords(LONDON, text)).plain).toBe("Thu – · Fri – · Sat – · Sun – · Mon 4 · Tue 2/3 · Wed –");
    expect(renderWords(glanceWords(LONDON, text), { ...DEFAULT_CONTEXT, language: "es" }).plain).toBe("jue – · vie – · sáb – · dom – · lun 4 · mar 2/3 · mié –");
  });
});
