import { Break, onCallAt, OneOffShift, Override, RecurringShift, RotaInput, shiftsStartingBetween, validateShiftTimes } from "../../../src/features/rota/domain/rota";
import { exceedsWeeklyCap, loadBetween, weekBounds, weeklyLoad } from "../../../src/features/rota/domain/load";
import { overlappingOverrides, swapOverrides } from "../../../src/features/rota/domain/overrides";
import { isValidZone as isValidTimezone, parseHHMM } from "../../../src/kernel/localTime";

const parseTimeOfDay = (s: string) => parseHHMM(s, true);

const TZ = "Europe/London";
const at = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad test date ${iso}`);
  return ms;
};
const HOUR = 3_600_000;

function rota(parts: Partial<Omit<RotaInput, "timezone">> & { timezone?: string } = {}): RotaInput {
  return {
    timezone: parts.timezone ?? TZ,
    recurring: parts.recurring ?? [],
    oneOff: parts.oneOff ?? [],
    overrides: parts.overrides ?? [],
    breaks: parts.breaks ?? [],
  };
}

function shift(id: string, userId: string, day: RecurringShift["day"], from: string, to: string, role: RecurringShift["role"] = "peer"): RecurringShift {
  return { id, userId, role, day, from, to };
}

/** Monday evening 17:00–21:00 for @amy, 12 January 2026 is a Monday (GMT). */
const amyMonday = shift("s-amy", "@amy:x", "mon", "17:00", "21:00");

describe("recurring shifts", () => {
  const input = rota({ recurring: [amyMonday, shift("s-sam", "@sam:x", "wed", "09:00", "17:00", "staff")] });

  it("is on call from `from` inclusive to `to` exclusive, in winter (GMT = UTC)", () => {
    expect(onCallAt(input, at("2026-01-12T16:59:59Z"))).toEqual({ peers: [], staff: [] });
    expect(onCallAt(input, at("2026-01-12T17:00:00Z"))).toEqual({ peers: ["@amy:x"], staff: [] });
    expect(onCallAt(input, at("2026-01-12T20:59:59Z"))).toEqual({ peers: ["@amy:x"], staff: [] });
    expect(onCallAt(input, at("2026-01-12T21:00:00Z"))).toEqual({ peers: [], staff: [] });
  });

  it("only on its weekday, and staff are reported separately", () => {
    expect(onCallAt(input, at("2026-01-13T18:00:00Z"))).toEqual({ peers: [], staff: [] }); // Tuesday
    expect(onCallAt(input, at("2026-01-14T12:00:00Z"))).toEqual({ peers: [], staff: ["@sam:x"] }); // Wednesday
  });

  it("keeps local wall-clock time in summer (BST = UTC+1)", () => {
    expect(onCallAt(input, at("2026-07-13T15:59:00Z")).peers).toEqual([]);
    expect(onCallAt(input, at("2026-07-13T16:00:00Z")).peers).toEqual(["@amy:x"]);
    expect(onCallAt(input, at("2026-07-13T19:59:00Z")).peers).toEqual(["@amy:x"]);
    expect(onCallAt(input, at("2026-07-13T20:00:00Z")).peers).toEqual([]);
  });

  it("sorts user ids and removes duplicates", () => {
    const many = rota({
      recurring: [
        shift("1", "@zed:x", "mon", "17:00", "21:00"),
        shift("2", "@amy:x", "mon", "18:00", "22:00"),
        shift("3", "@amy:x", "mon", "17:00", "19:00"),
        shift("4", "@bob:x", "mon", "17:00", "21:00"),
      ],
    });
    expect(onCallAt(many, at("2026-01-12T18:30:00Z"))).toEqual({ peers: ["@amy:x", "@bob:x", "@zed:x"], staff: [] });
  });

  it("ignores shifts with invalid times instead of guessing", () => {
    const bad = rota({ recurring: [shift("b", "@amy:x", "mon", "7pm", "21:00")] });
    expect(onCallAt(bad, at("2026-01-12T19:30:00Z")).peers).toEqual([]);
  });

  it("refuses an unknown time zone", () => {
    expect(() => onCallAt(rota({ timezone: "Mars/Olympus" }), 0)).toThrow(/Unknown time zone "Mars\/Olympus"/);
    expect(isValidTimezone("Europe/London")).toBe(true);
    expect(isValidTimezone("Mars/Olympus")).toBe(false);
  });
});

describe("overnight shifts", () => {
  const friNight = shift("n", "@amy:x", "fri", "22:00", "06:00");
  const input = rota({ recurring: [friNight] });

  it("crosses midnight into the next day (Fri 16 → Sat 17 January 2026)", () => {
    expect(onCallAt(input, at("2026-01-16T21:59:00Z")).peers).toEqual([]);
    expect(onCallAt(input, at("2026-01-16T22:00:00Z")).peers).toEqual(["@amy:x"]);
    expect(onCallAt(input, at("2026-01-17T03:00:00Z")).peers).toEqual(["@amy:x"]);
    expect(onCallAt(input, at("2026-01-17T05:59:00Z")).peers).toEqual(["@amy:x"]);
    expect(onCallAt(input, at("2026-01-17T06:00:00Z")).peers).toEqual([]);
    // Saturday night is not Friday night.
    expect(onCallAt(input, at("2026-01-17T23:00:00Z")).peers).toEqual([]);
  });

  it("is found by onCallAt early on the day after the shift's weekday", () => {
    const occ = shiftsStartingBetween(input, at("2026-01-12T00:00:00Z"), at("2026-01-19T00:00:00Z"));
    expect(occ).toEqual([
      { userId: "@amy:x", role: "peer", startMs: at("2026-01-16T22:00:00Z"), endMs: at("2026-01-17T06:00:00Z"), shiftId: "n" },
    ]);
  });

  it("treats to = 24:00 as midnight at the end of the day and from = to as 24 hours", () => {
    const day = rota({ recurring: [shift("d", "@amy:x", "sat", "00:00", "24:00"), shift("e", "@bob:x", "sun", "09:00", "09:00")] });
    const occ = shiftsStartingBetween(day, at("2026-01-17T00:00:00Z"), at("2026-01-19T00:00:00Z"));
    expect(occ.map((o) => [o.userId, new Date(o.startMs).toISOString(), new Date(o.endMs).toISOString()])).toEqual([
      ["@amy:x", "2026-01-17T00:00:00.000Z", "2026-01-18T00:00:00.000Z"],
      ["@bob:x", "2026-01-18T09:00:00.000Z", "2026-01-19T09:00:00.000Z"],
    ]);
  });
});

describe("one-off shifts", () => {
  const oneOff: OneOffShift = { id: "o1", userId: "@kim:x", role: "staff", startMs: at("2026-02-01T10:00:00Z"), endMs: at("2026-02-01T12:00:00Z") };
  const input = rota({ oneOff: [oneOff] });

  it("is on call in [startMs, endMs)", () => {
    expect(onCallAt(input, at("2026-02-01T09:59:59Z")).staff).toEqual([]);
    expect(onCallAt(input, at("2026-02-01T10:00:00Z")).staff).toEqual(["@kim:x"]);
    expect(onCallAt(input, at("2026-02-01T12:00:00Z")).staff).toEqual([]);
  });

  it("is listed when it starts in the window, not when it only overlaps it", () => {
    expect(shiftsStartingBetween(input, at("2026-02-01T10:00:00Z"), at("2026-02-01T10:00:01Z"))).toEqual([
      { userId: "@kim:x", role: "staff", startMs: oneOff.startMs, endMs: oneOff.endMs, shiftId: "o1" },
    ]);
    expect(shiftsStartingBetween(input, at("2026-02-01T10:00:01Z"), at("2026-02-01T11:00:00Z"))).toEqual([]);
    expect(shiftsStartingBetween(input, at("2026-02-01T09:00:00Z"), at("2026-02-01T10:00:00Z"))).toEqual([]);
  });

  it("ignores an empty interval", () => {
    const empty = rota({ oneOff: [{ ...oneOff, endMs: oneOff.startMs }] });
    expect(onCallAt(empty, oneOff.startMs).staff).toEqual([]);
  });
});

describe("overrides", () => {
  it("replace: the cover holds the covered user's shift inside the range only", () => {
    const cover: Override = { id: "ov1", coveredUserId: "@amy:x", coverUserId: "@bob:x", startMs: at("2026-01-12T18:00:00Z"), endMs: at("2026-01-12T19:00:00Z") };
    const input = rota({ recurring: [amyMonday], overrides: [cover] });
    expect(onCallAt(input, at("2026-01-12T17:30:00Z")).peers).toEqual(["@amy:x"]);
    expect(onCallAt(input, at("2026-01-12T18:30:00Z")).peers).toEqual(["@bob:x"]);
    expect(onCallAt(input, at("2026-01-12T19:30:00Z")).peers).toEqual(["@amy:x"]);
    // The next Monday is untouched.
    expect(onCallAt(input, at("2026-01-19T18:30:00Z")).peers).toEqual(["@amy:x"]);
  });

  it("replace: handoffs reflect the cover, and the scheduled user resumes afterwards", () => {
    const cover: Override = { id: "ov1", coveredUserId: "@amy:x", coverUserId: "@bob:x", startMs: at("2026-01-12T18:00:00Z"), endMs: at("2026-01-12T19:00:00Z") };
    const input = rota({ recurring: [amyMonday], overrides: [cover] });
    expect(shiftsStartingBetween(input, at("2026-01-12T00:00:00Z"), at("2026-01-13T00:00:00Z"))).toEqual([
      { userId: "@amy:x", role: "peer", startMs: at("2026-01-12T17:00:00Z"), endMs: at("2026-01-12T18:00:00Z"), shiftId: "s-amy" },
      { userId: "@bob:x", role: "peer", startMs: at("2026-01-12T18:00:00Z"), endMs: at("2026-01-12T19:00:00Z"), shiftId: "s-amy", overrideId: "ov1", coveringFor: "@amy:x" },
      { userId: "@amy:x", role: "peer", startMs: at("2026-01-12T19:00:00Z"), endMs: at("2026-01-12T21:00:00Z"), shiftId: "s-amy" },
    ]);
  });

  it("replace: a whole-shift cover takes the role of the covered shift", () => {
    const staffShift = shift("st", "@sam:x", "mon", "09:00", "17:00", "staff");
    const cover: Override = { id: "ov", coveredUserId: "@sam:x", coverUserId: "@kim:x", startMs: at("2026-01-12T00:00:00Z"), endMs: at("2026-01-13T00:00:00Z") };
    expect(onCallAt(rota({ recurring: [staffShift], overrides: [cover] }), at("2026-01-12T12:00:00Z"))).toEqual({ peers: [], staff: ["@kim:x"] });
  });

  it("replace: does nothing for a user with no shift in the range", () => {
    const cover: Override = { id: "ov", coveredUserId: "@zed:x", coverUserId: "@bob:x", startMs: at("2026-01-12T00:00:00Z"), endMs: at("2026-01-13T00:00:00Z") };
    expect(onCallAt(rota({ recurring: [amyMonday], overrides: [cover] }), at("2026-01-12T18:00:00Z")).peers).toEqual(["@amy:x"]);
  });

  it("add: adds cover without replacing anyone, as a peer unless a role is given", () => {
    const add: Override = { id: "add1", coveredUserId: null, coverUserId: "@cat:x", startMs: at("2026-01-12T18:00:00Z"), endMs: at("2026-01-12T20:00:00Z") };
    const addStaff: Override = { id: "add2", coveredUserId: null, coverUserId: "@kim:x", startMs: at("2026-01-12T18:00:00Z"), endMs: at("2026-01-12T20:00:00Z"), role: "staff" };
    const input = rota({ recurring: [amyMonday], overrides: [add, addStaff] });
    expect(onCallAt(input, at("2026-01-12T17:30:00Z"))).toEqual({ peers: ["@amy:x"], staff: [] });
    expect(onCallAt(input, at("2026-01-12T18:00:00Z"))).toEqual({ peers: ["@amy:x", "@cat:x"], staff: ["@kim:x"] });
    expect(onCallAt(input, at("2026-01-12T20:00:00Z"))).toEqual({ peers: ["@amy:x"], staff: [] });
    expect(shiftsStartingBetween(input, at("2026-01-12T17:30:00Z"), at("2026-01-12T18:30:00Z"))).toEqual([
      { userId: "@cat:x", role: "peer", startMs: add.startMs, endMs: add.endMs, shiftId: "add1", overrideId: "add1" },
      { userId: "@kim:x", role: "staff", startMs: addStaff.startMs, endMs: addStaff.endMs, shiftId: "add2", overrideId: "add2" },
    ]);
  });

  it("overlapping replace overrides: the later-starting one wins, deterministically, and is reported", () => {
    const first: Override = { id: "a", coveredUserId: "@amy:x", coverUserId: "@bob:x", startMs: at("2026-01-12T17:00:00Z"), endMs: at("2026-01-12T21:00:00Z") };
    const second: Override = { id: "b", coveredUserId: "@amy:x", coverUserId: "@cat:x", startMs: at("2026-01-12T19:00:00Z"), endMs: at("2026-01-12T20:00:00Z") };
    for (const overrides of [[first, second], [second, first]]) {
      const input = rota({ recurring: [amyMonday], overrides });
      expect(onCallAt(input, at("2026-01-12T18:00:00Z")).peers).toEqual(["@bob:x"]);
      expect(onCallAt(input, at("2026-01-12T19:30:00Z")).peers).toEqual(["@cat:x"]);
      expect(onCallAt(input, at("2026-01-12T20:30:00Z")).peers).toEqual(["@bob:x"]);
    }
    expect(overlappingOverrides([second, first])).toEqual([["a", "b"]]);
    expect(overlappingOverrides([first, { ...second, coveredUserId: "@zed:x" }])).toEqual([]);
    expect(overlappingOverrides([first, { ...second, startMs: first.endMs, endMs: first.endMs + HOUR }])).toEqual([]);
  });
});

describe("swaps (two replace overrides)", () => {
  const bobTuesday = shift("s-bob", "@bob:x", "tue", "17:00", "21:00");

  it("exchanges two shifts on different days", () => {
    const overrides = swapOverrides(
      "sw1",
      { userId: "@amy:x", startMs: at("2026-01-12T17:00:00Z"), endMs: at("2026-01-12T21:00:00Z") },
      { userId: "@bob:x", startMs: at("2026-01-13T17:00:00Z"), endMs: at("2026-01-13T21:00:00Z") },
    );
    expect(overrides).toEqual([
      { id: "sw1:a", coveredUserId: "@amy:x", coverUserId: "@bob:x", startMs: at("2026-01-12T17:00:00Z"), endMs: at("2026-01-12T21:00:00Z") },
      { id: "sw1:b", coveredUserId: "@bob:x", coverUserId: "@amy:x", startMs: at("2026-01-13T17:00:00Z"), endMs: at("2026-01-13T21:00:00Z") },
    ]);
    const input = rota({ recurring: [amyMonday, bobTuesday], overrides });
    expect(onCallAt(input, at("2026-01-12T18:00:00Z")).peers).toEqual(["@bob:x"]);
    expect(onCallAt(input, at("2026-01-13T18:00:00Z")).peers).toEqual(["@amy:x"]);
    // Only that week.
    expect(onCallAt(input, at("2026-01-19T18:00:00Z")).peers).toEqual(["@amy:x"]);
    expect(onCallAt(input, at("2026-01-20T18:00:00Z")).peers).toEqual(["@bob:x"]);
  });

  it("does not chain when the swapped shifts overlap in time (roles stay with the shifts)", () => {
    const samMonday = shift("s-sam", "@sam:x", "mon", "17:00", "21:00", "staff");
    const range = { startMs: at("2026-01-12T17:00:00Z"), endMs: at("2026-01-12T21:00:00Z") };
    const overrides = swapOverrides("sw2", { userId: "@amy:x", ...range }, { userId: "@sam:x", ...range });
    const input = rota({ recurring: [amyMonday, samMonday], overrides });
    expect(onCallAt(input, at("2026-01-12T18:00:00Z"))).toEqual({ peers: ["@sam:x"], staff: ["@amy:x"] });
  });
});

describe("breaks", () => {
  const input = (breaks: Break[]) =>
    rota({
      recurring: [amyMonday, shift("s-bob", "@bob:x", "mon", "17:00", "21:00")],
      overrides: [{ id: "add", coveredUserId: null, coverUserId: "@cat:x", startMs: at("2026-01-12T17:00:00Z"), endMs: at("2026-01-12T21:00:00Z") }],
      breaks,
    });

  it("a user on an open-ended break is never on call, whatever the source of the shift", () => {
    const r = input([{ userId: "@amy:x", untilMs: null }, { userId: "@cat:x", untilMs: null }]);
    expect(onCallAt(r, at("2026-01-12T18:00:00Z")).peers).toEqual(["@bob:x"]);
    expect(onCallAt(r, at("2026-01-19T18:00:00Z")).peers).toEqual(["@bob:x"]);
  });

  it("a break with an end stops applying at untilMs", () => {
    const r = input([{ userId: "@amy:x", untilMs: at("2026-01-12T19:00:00Z") }]);
    expect(onCallAt(r, at("2026-01-12T18:59:59Z")).peers).toEqual(["@bob:x", "@cat:x"]);
    expect(onCallAt(r, at("2026-01-12T19:00:00Z")).peers).toEqual(["@amy:x", "@bob:x", "@cat:x"]);
  });

  it("no handoff reminder for a shift starting during a break", () => {
    const r = input([{ userId: "@amy:x", untilMs: at("2026-01-13T00:00:00Z") }]);
    const week = [at("2026-01-12T00:00:00Z"), at("2026-01-20T00:00:00Z")] as const;
    expect(shiftsStartingBetween(r, ...week).map((o) => [o.userId, new Date(o.startMs).toISOString()])).toEqual([
      ["@bob:x", "2026-01-12T17:00:00.000Z"],
      ["@cat:x", "2026-01-12T17:00:00.000Z"],
      ["@amy:x", "2026-01-19T17:00:00.000Z"],
      ["@bob:x", "2026-01-19T17:00:00.000Z"],
    ]);
  });

  it("a cover on break leaves the covered shift empty (escalation handles the gap)", () => {
    const r = rota({
      recurring: [amyMonday],
      overrides: [{ id: "ov", coveredUserId: "@amy:x", coverUserId: "@bob:x", startMs: at("2026-01-12T17:00:00Z"), endMs: at("2026-01-12T21:00:00Z") }],
      breaks: [{ userId: "@bob:x", untilMs: null }],
    });
    expect(onCallAt(r, at("2026-01-12T18:00:00Z")).peers).toEqual([]);
  });
});

describe("DST weeks in Europe/London", () => {
  const nightly = (["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const).map((d) => shift(`night-${d}`, "@amy:x", d, "22:00", "06:00"));
  const daily = (["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const).map((d) => shift(`day-${d}`, "@sam:x", d, "09:00", "17:00", "staff"));
  const iso = (ms: number) => new Date(ms).toISOString();

  it("spring forward (Sun 29 March 2026): the Saturday night shift lasts 7 hours and ends at 06:00 BST", () => {
    const input = rota({ recurring: nightly });
    const occ = shiftsStartingBetween(input, at("2026-03-23T00:00:00Z"), at("2026-03-30T00:00:00Z"));
    expect(occ.map((o) => [o.shiftId, iso(o.startMs), iso(o.endMs)])).toEqual([
      ["night-mon", "2026-03-23T22:00:00.000Z", "2026-03-24T06:00:00.000Z"],
      ["night-tue", "2026-03-24T22:00:00.000Z", "2026-03-25T06:00:00.000Z"],
      ["night-wed", "2026-03-25T22:00:00.000Z", "2026-03-26T06:00:00.000Z"],
      ["night-thu", "2026-03-26T22:00:00.000Z", "2026-03-27T06:00:00.000Z"],
      ["night-fri", "2026-03-27T22:00:00.000Z", "2026-03-28T06:00:00.000Z"],
      ["night-sat", "2026-03-28T22:00:00.000Z", "2026-03-29T05:00:00.000Z"],
      ["night-sun", "2026-03-29T21:00:00.000Z", "2026-03-30T05:00:00.000Z"],
    ]);
    expect(onCallAt(input, at("2026-03-29T04:59:00Z")).peers).toEqual(["@amy:x"]);
    expect(onCallAt(input, at("2026-03-29T05:00:00Z")).peers).toEqual([]); // 06:00 BST
    expect(onCallAt(input, at("2026-03-29T20:59:00Z")).peers).toEqual([]);
    expect(onCallAt(input, at("2026-03-29T21:00:00Z")).peers).toEqual(["@amy:x"]); // 22:00 BST
  });

  it("spring forward: day shifts keep 09:00–17:00 local on both sides of the change", () => {
    const input = rota({ recurring: daily });
    const occ = shiftsStartingBetween(input, at("2026-03-28T00:00:00Z"), at("2026-03-30T00:00:00Z"));
    expect(occ.map((o) => [iso(o.startMs), iso(o.endMs)])).toEqual([
      ["2026-03-28T09:00:00.000Z", "2026-03-28T17:00:00.000Z"],
      ["2026-03-29T08:00:00.000Z", "2026-03-29T16:00:00.000Z"],
    ]);
    expect(onCallAt(input, at("2026-03-29T08:30:00Z")).staff).toEqual(["@sam:x"]);
    expect(onCallAt(input, at("2026-03-29T16:30:00Z")).staff).toEqual([]);
  });

  it("spring forward: a time in the gap means the end of the gap; a shift wholly in the gap does not happen", () => {
    const input = rota({
      recurring: [
        shift("gap", "@amy:x", "sun", "01:30", "03:00"),
        shift("inside", "@bob:x", "sun", "01:15", "01:45"),
        shift("void", "@cat:x", "sun", "01:30", "02:00"),
      ],
    });
    const occ = shiftsStartingBetween(input, at("2026-03-29T00:00:00Z"), at("2026-03-30T00:00:00Z"));
    expect(occ.map((o) => [o.shiftId, iso(o.startMs), iso(o.endMs)])).toEqual([
      ["gap", "2026-03-29T01:00:00.000Z", "2026-03-29T02:00:00.000Z"], // 02:00–03:00 BST
    ]);
    // The following Sunday all three happen at their wall-clock times (BST).
    expect(
      shiftsStartingBetween(input, at("2026-04-05T00:00:00Z"), at("2026-04-06T00:00:00Z")).map((o) => [o.shiftId, iso(o.startMs)]),
    ).toEqual([
      ["inside", "2026-04-05T00:15:00.000Z"],
      ["gap", "2026-04-05T00:30:00.000Z"],
      ["void", "2026-04-05T00:30:00.000Z"],
    ]);
  });

  it("fall back (Sun 25 October 2026): the Saturday night shift lasts 9 hours and ends at 06:00 GMT", () => {
    const input = rota({ recurring: nightly });
    const occ = shiftsStartingBetween(input, at("2026-10-19T00:00:00Z"), at("2026-10-26T00:00:00Z"));
    expect(occ.map((o) => [o.shiftId, iso(o.startMs), iso(o.endMs)])).toEqual([
      ["night-mon", "2026-10-19T21:00:00.000Z", "2026-10-20T05:00:00.000Z"],
      ["night-tue", "2026-10-20T21:00:00.000Z", "2026-10-21T05:00:00.000Z"],
      ["night-wed", "2026-10-21T21:00:00.000Z", "2026-10-22T05:00:00.000Z"],
      ["night-thu", "2026-10-22T21:00:00.000Z", "2026-10-23T05:00:00.000Z"],
      ["night-fri", "2026-10-23T21:00:00.000Z", "2026-10-24T05:00:00.000Z"],
      ["night-sat", "2026-10-24T21:00:00.000Z", "2026-10-25T06:00:00.000Z"],
      ["night-sun", "2026-10-25T22:00:00.000Z", "2026-10-26T06:00:00.000Z"],
    ]);
    expect(onCallAt(input, at("2026-10-25T05:30:00Z")).peers).toEqual(["@amy:x"]); // 05:30 GMT
    expect(onCallAt(input, at("2026-10-25T06:00:00Z")).peers).toEqual([]);
  });

  it("fall back: a repeated wall-clock time means its first occurrence (BST)", () => {
    const input = rota({ recurring: [shift("amb", "@amy:x", "sun", "01:30", "03:00"), shift("before", "@bob:x", "sat", "22:00", "01:30")] });
    const occ = shiftsStartingBetween(input, at("2026-10-24T00:00:00Z"), at("2026-10-26T00:00:00Z"));
    expect(occ.map((o) => [o.shiftId, iso(o.startMs), iso(o.endMs)])).toEqual([
      ["before", "2026-10-24T21:00:00.000Z", "2026-10-25T00:30:00.000Z"],
      ["amb", "2026-10-25T00:30:00.000Z", "2026-10-25T03:00:00.000Z"],
    ]);
    // Contiguous handoff: someone is on call throughout.
    expect(onCallAt(input, at("2026-10-25T00:29:59Z")).peers).toEqual(["@bob:x"]);
    expect(onCallAt(input, at("2026-10-25T00:30:00Z")).peers).toEqual(["@amy:x"]);
  });

  it("weekBounds follows local Mondays across the change", () => {
    expect(weekBounds(TZ, at("2026-03-29T12:00:00Z"))).toEqual({ startMs: at("2026-03-23T00:00:00Z"), endMs: at("2026-03-29T23:00:00Z") });
    expect(weekBounds(TZ, at("2026-10-25T12:00:00Z"))).toEqual({ startMs: at("2026-10-18T23:00:00Z"), endMs: at("2026-10-26T00:00:00Z") });
  });
});

describe("time validation", () => {
  it("accepts valid shift times, including overnight and 24:00 as an end", () => {
    expect(validateShiftTimes("17:00", "21:00")).toBeNull();
    expect(validateShiftTimes("22:00", "06:00")).toBeNull();
    expect(validateShiftTimes("00:00", "24:00")).toBeNull();
    expect(parseTimeOfDay("23:59")).toBe(1439);
    expect(parseTimeOfDay("24:00")).toBe(1440);
  });

  it("says what is wrong with a bad time, as a code with its values", () => {
    expect(validateShiftTimes("9:00", "17:00")).toEqual({ code: "notATime", which: "start", value: "9:00" });
    expect(validateShiftTimes("09:00", "5pm")).toEqual({ code: "notATime", which: "end", value: "5pm" });
    expect(validateShiftTimes("25:00", "06:00")).toEqual({ code: "outOfRange", which: "start", value: "25:00" });
    expect(validateShiftTimes("09:00", "12:60")).toEqual({ code: "outOfRange", which: "end", value: "12:60" });
    expect(validateShiftTimes("09:00", "24:30")).toEqual({ code: "outOfRange", which: "end", value: "24:30" });
    expect(validateShiftTimes("24:00", "06:00")).toEqual({ code: "startsAt24" });
    expect(parseTimeOfDay("24:01")).toBeNull();
  });
});

describe("load caps", () => {
  it("counts each shift once per user, a covered part for the cover, and time in ms", () => {
    const input = rota({
      recurring: [amyMonday, shift("s-amy-tue", "@amy:x", "tue", "17:00", "21:00"), shift("fri", "@amy:x", "fri", "22:00", "06:00")],
      overrides: [{ id: "ov", coveredUserId: "@amy:x", coverUserId: "@bob:x", startMs: at("2026-01-12T18:00:00Z"), endMs: at("2026-01-12T19:00:00Z") }],
    });
    expect(weeklyLoad(input, at("2026-01-14T12:00:00Z"))).toEqual([
      { userId: "@amy:x", shifts: 3, durationMs: 3 * HOUR + 4 * HOUR + 8 * HOUR },
      { userId: "@bob:x", shifts: 1, durationMs: HOUR },
    ]);
    expect(loadBetween(input, at("2026-01-13T00:00:00Z"), at("2026-01-14T00:00:00Z"))).toEqual([
      { userId: "@amy:x", shifts: 1, durationMs: 4 * HOUR },
    ]);
  });

  it("exceedsWeeklyCap: no cap never exceeds; the cap itself is allowed", () => {
    expect(exceedsWeeklyCap(10, undefined)).toBe(false);
    expect(exceedsWeeklyCap(3, 3)).toBe(false);
    expect(exceedsWeeklyCap(4, 3)).toBe(true);
    expect(exceedsWeeklyCap(1, 0)).toBe(true);
  });
});
