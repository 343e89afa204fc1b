import {
  DatedException,
  PostingSchedule,
  WeeklyWindow,
  describeSchedule,
  describeState,
  isOpenAt,
  nextTransition,
  validateSchedule,
} from "../../../src/features/hours/domain/postingHours";
import { renderWords } from "../../../src/words";

/** The schedule sentence as an English reader sees it. */
const say = (s: PostingSchedule): string => renderWords(describeSchedule(s)).plain;

const t = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad test instant ${iso}`);
  return ms;
};
const HOUR = 3600_000;

const weekdays: WeeklyWindow = { days: ["mon", "tue", "wed", "thu", "fri"], from: "17:00", to: "09:00" };
const weekend: WeeklyWindow = { days: ["sat", "sun"], from: "00:00", to: "24:00" };
/** The sample config's community room: weekday evenings/nights and whole weekends. */
const oakwood: PostingSchedule = { timezone: "Europe/London", windows: [weekdays, weekend] };

const london = (windows: WeeklyWindow[], exceptions?: DatedException[]): PostingSchedule => ({
  timezone: "Europe/London",
  windows,
  exceptions,
});

// 2 March 2026 is a Monday; London is on GMT (+00:00) until 29 March.
describe("overnight windows", () => {
  it("opens at 17:00 and stays open until 09:00 the next morning", () => {
    expect(isOpenAt(oakwood, t("2026-03-02T16:59:59+00:00"))).toBe(false);
    expect(isOpenAt(oakwood, t("2026-03-02T17:00:00+00:00"))).toBe(true);
    expect(isOpenAt(oakwood, t("2026-03-03T03:00:00+00:00"))).toBe(true);
    expect(isOpenAt(oakwood, t("2026-03-03T08:59:59+00:00"))).toBe(true);
    expect(isOpenAt(oakwood, t("2026-03-03T09:00:00+00:00"))).toBe(false);
    expect(isOpenAt(oakwood, t("2026-03-03T12:00:00+00:00"))).toBe(false);
  });

  it("finds the opening and then the closing, strictly after the given instant", () => {
    expect(nextTransition(oakwood, t("2026-03-02T12:00:00+00:00"))).toEqual({
      atMs: t("2026-03-02T17:00:00+00:00"),
      open: true,
    });
    // Exactly at the opening: the next change is the closing, not the opening itself.
    expect(nextTransition(oakwood, t("2026-03-02T17:00:00+00:00"))).toEqual({
      atMs: t("2026-03-03T09:00:00+00:00"),
      open: false,
    });
  });

  it("an overnight window starting on Friday runs into Saturday morning (and merges with the weekend)", () => {
    const fridayNightsOnly = london([{ days: ["fri"], from: "22:00", to: "02:00" }]);
    expect(isOpenAt(fridayNightsOnly, t("2026-03-07T01:00:00+00:00"))).toBe(true);
    expect(isOpenAt(fridayNightsOnly, t("2026-03-08T01:00:00+00:00"))).toBe(false);
    expect(nextTransition(fridayNightsOnly, t("2026-03-06T23:00:00+00:00"))).toEqual({
      atMs: t("2026-03-07T02:00:00+00:00"),
      open: false,
    });
  });
});

describe("several windows per day", () => {
  const officeHours = london([
    { days: ["mon", "tue", "wed", "thu", "fri"], from: "09:00", to: "12:00" },
    { days: ["mon", "tue", "wed", "thu", "fri"], from: "14:00", to: "17:00" },
  ]);

  it("is closed over lunch", () => {
    expect(isOpenAt(officeHours, t("2026-03-04T11:59:00+00:00"))).toBe(true);
    expect(isOpenAt(officeHours, t("2026-03-04T12:00:00+00:00"))).toBe(false);
    expect(isOpenAt(officeHours, t("2026-03-04T13:59:00+00:00"))).toBe(false);
    expect(isOpenAt(officeHours, t("2026-03-04T14:00:00+00:00"))).toBe(true);
  });

  it("transitions at each window edge", () => {
    expect(nextTransition(officeHours, t("2026-03-04T10:00:00+00:00"))).toEqual({
      atMs: t("2026-03-04T12:00:00+00:00"),
      open: false,
    });
    expect(nextTransition(officeHours, t("2026-03-04T12:30:00+00:00"))).toEqual({
      atMs: t("2026-03-04T14:00:00+00:00"),
      open: true,
    });
  });
});

describe("all-day windows and merging", () => {
  it("00:00–24:00 covers the whole local day", () => {
    const wednesdays = london([{ days: ["wed"], from: "00:00", to: "24:00" }]);
    expect(isOpenAt(wednesdays, t("2026-03-03T23:59:59+00:00"))).toBe(false);
    expect(isOpenAt(wednesdays, t("2026-03-04T00:00:00+00:00"))).toBe(true);
    expect(isOpenAt(wednesdays, t("2026-03-04T23:59:59+00:00"))).toBe(true);
    expect(nextTransition(wednesdays, t("2026-03-03T12:00:00+00:00"))).toEqual({
      atMs: t("2026-03-04T00:00:00+00:00"),
      open: true,
    });
    expect(nextTransition(wednesdays, t("2026-03-04T00:00:00+00:00"))).toEqual({
      atMs: t("2026-03-05T00:00:00+00:00"),
      open: false,
    });
  });

  it("mon 17:00–24:00 followed by tue 00:00–09:00 is one open period (no transition at midnight)", () => {
    const split = london([
      { days: ["mon"], from: "17:00", to: "24:00" },
      { days: ["tue"], from: "00:00", to: "09:00" },
    ]);
    expect(isOpenAt(split, t("2026-03-03T00:00:00+00:00"))).toBe(true);
    expect(nextTransition(split, t("2026-03-02T18:00:00+00:00"))).toEqual({
      atMs: t("2026-03-03T09:00:00+00:00"),
      open: false,
    });
  });

  it("overlapping windows merge", () => {
    const overlapping = london([
      { days: ["thu"], from: "10:00", to: "15:00" },
      { days: ["thu"], from: "12:00", to: "18:00" },
    ]);
    expect(nextTransition(overlapping, t("2026-03-05T11:00:00+00:00"))).toEqual({
      atMs: t("2026-03-05T18:00:00+00:00"),
      open: false,
    });
  });

  it("a window on every day all day never changes state", () => {
    const always = london([{ days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], from: "00:00", to: "24:00" }]);
    expect(isOpenAt(always, t("2026-06-01T03:00:00+01:00"))).toBe(true);
    expect(nextTransition(always, t("2026-06-01T03:00:00+01:00"))).toBeNull();
  });

  it("no windows and no exceptions means always open", () => {
    const none: PostingSchedule = { timezone: "Europe/London", windows: [] };
    expect(isOpenAt(none, t("2026-03-04T04:00:00+00:00"))).toBe(true);
    expect(nextTransition(none, t("2026-03-04T04:00:00+00:00"))).toBeNull();
  });
});

describe("nextTransition across a weekend", () => {
  it("Friday evening runs through the weekend and closes at Monday 00:00 until Monday 17:00", () => {
    // Fri 17:00 → Sat 09:00 merges with all-day Saturday and Sunday; nothing covers Monday 00:00–17:00.
    expect(isOpenAt(oakwood, t("2026-03-07T09:30:00+00:00"))).toBe(true);
    expect(nextTransition(oakwood, t("2026-03-06T18:00:00+00:00"))).toEqual({
      atMs: t("2026-03-09T00:00:00+00:00"),
      open: false,
    });
    expect(nextTransition(oakwood, t("2026-03-09T00:00:00+00:00"))).toEqual({
      atMs: t("2026-03-09T17:00:00+00:00"),
      open: true,
    });
  });

  it("a weekday-only schedule skips the weekend when looking for the next opening", () => {
    const weekdayMornings = london([{ days: ["mon", "tue", "wed", "thu", "fri"], from: "09:00", to: "12:00" }]);
    expect(nextTransition(weekdayMornings, t("2026-03-06T13:00:00+00:00"))).toEqual({
      atMs: t("2026-03-09T09:00:00+00:00"),
      open: true,
    });
  });

  it("looks far ahead (about 400 days) but no further", () => {
    const always = { days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], from: "00:00", to: "24:00" } as WeeklyWindow;
    const soon = london([always], [{ date: "2026-12-25", open: false }]);
    expect(nextTransition(soon, t("2026-03-02T12:00:00+00:00"))).toEqual({
      atMs: t("2026-12-25T00:00:00+00:00"),
      open: false,
      exception: { date: "2026-12-25", open: false },
    });
    const tooFar = london([always], [{ date: "2027-06-01", open: false }]);
    expect(nextTransition(tooFar, t("2026-03-02T12:00:00+00:00"))).toBeNull();
  });
});

describe("dated exceptions", () => {
  // 25 December 2026 is a Friday, 29 December a Tuesday, 30 December a Wednesday.
  const christmas: DatedException = {
    date: "2026-12-25",
    open: false,
    message: "Closed for Christmas Day. The room reopens on Boxing Day.",
  };
  const extraSession: DatedException = {
    date: "2026-12-29",
    open: true,
    from: "10:00",
    to: "16:00",
    message: "Extra daytime session over the holidays",
  };
  const newYearsEveParty: DatedException = { date: "2026-12-30", open: false, from: "20:00", to: "24:00" };
  const holidays = london([weekdays, weekend], [christmas, extraSession, newYearsEveParty]);

  it("a whole-day closure cuts into the overnight window from the evening before", () => {
    expect(isOpenAt(holidays, t("2026-12-24T23:00:00+00:00"))).toBe(true);
    expect(nextTransition(holidays, t("2026-12-24T20:00:00+00:00"))).toEqual({
      atMs: t("2026-12-25T00:00:00+00:00"),
      open: false,
      exception: christmas,
    });
    // Friday 18:00 is normally open.
    expect(isOpenAt(oakwood, t("2026-12-25T18:00:00+00:00"))).toBe(true);
    expect(isOpenAt(holidays, t("2026-12-25T18:00:00+00:00"))).toBe(false);
  });

  it("reopens when the closure ends, without attaching the closure", () => {
    expect(nextTransition(holidays, t("2026-12-25T00:00:00+00:00"))).toEqual({
      atMs: t("2026-12-26T00:00:00+00:00"),
      open: true,
    });
  });

  it("an extra opening adds an interval and carries its exception", () => {
    expect(isOpenAt(holidays, t("2026-12-29T12:00:00+00:00"))).toBe(true);
    expect(isOpenAt(oakwood, t("2026-12-29T12:00:00+00:00"))).toBe(false);
    expect(nextTransition(holidays, t("2026-12-29T09:30:00+00:00"))).toEqual({
      atMs: t("2026-12-29T10:00:00+00:00"),
      open: true,
      exception: extraSession,
    });
    expect(nextTransition(holidays, t("2026-12-29T10:00:00+00:00"))).toEqual({
      atMs: t("2026-12-29T16:00:00+00:00"),
      open: false,
    });
    expect(nextTransition(holidays, t("2026-12-29T16:00:00+00:00"))).toEqual({
      atMs: t("2026-12-29T17:00:00+00:00"),
      open: true,
    });
  });

  it("a partial closure closes only its interval", () => {
    expect(isOpenAt(holidays, t("2026-12-30T19:59:00+00:00"))).toBe(true);
    expect(isOpenAt(holidays, t("2026-12-30T21:00:00+00:00"))).toBe(false);
    expect(nextTransition(holidays, t("2026-12-30T19:00:00+00:00"))).toEqual({
      atMs: t("2026-12-30T20:00:00+00:00"),
      open: false,
      exception: newYearsEveParty,
    });
    expect(nextTransition(holidays, t("2026-12-30T20:00:00+00:00"))).toEqual({
      atMs: t("2026-12-31T00:00:00+00:00"),
      open: true,
    });
  });

  it("an extra opening wins over a closure on the same date", () => {
    const gathering: DatedException = { date: "2026-12-25", open: true, from: "14:00", to: "15:00" };
    const s = london([weekdays, weekend], [christmas, gathering]);
    expect(isOpenAt(s, t("2026-12-25T14:30:00+00:00"))).toBe(true);
    expect(isOpenAt(s, t("2026-12-25T15:30:00+00:00"))).toBe(false);
    // Back to the closure, which is what decides the state after 15:00.
    expect(nextTransition(s, t("2026-12-25T14:30:00+00:00"))).toEqual({
      atMs: t("2026-12-25T15:00:00+00:00"),
      open: false,
      exception: christmas,
    });
  });

  it("closures apply on top of an always-open room", () => {
    const s: PostingSchedule = { timezone: "Europe/London", windows: [], exceptions: [christmas] };
    expect(isOpenAt(s, t("2026-12-24T12:00:00+00:00"))).toBe(true);
    expect(isOpenAt(s, t("2026-12-25T12:00:00+00:00"))).toBe(false);
    expect(nextTransition(s, t("2026-12-24T12:00:00+00:00"))).toEqual({
      atMs: t("2026-12-25T00:00:00+00:00"),
      open: false,
      exception: christmas,
    });
  });
});

describe("DST in Europe/London, 2026", () => {
  // Spring forward: Sunday 29 March, 01:00 GMT → 02:00 BST (local 01:00–01:59 does not exist).
  it("a boundary in the skipped hour takes effect at the first instant after the gap (02:00 BST)", () => {
    const s = london([{ days: ["sun"], from: "01:30", to: "03:00" }]);
    expect(nextTransition(s, t("2026-03-28T12:00:00+00:00"))).toEqual({
      atMs: t("2026-03-29T02:00:00+01:00"),
      open: true,
    });
    expect(isOpenAt(s, t("2026-03-29T00:59:59+00:00"))).toBe(false);
    expect(isOpenAt(s, t("2026-03-29T02:00:00+01:00"))).toBe(true);
    expect(nextTransition(s, t("2026-03-29T02:00:00+01:00"))).toEqual({
      atMs: t("2026-03-29T03:00:00+01:00"),
      open: false,
    });
  });

  it("a window ending in the skipped hour ends at 02:00 BST", () => {
    const s = london([{ days: ["sat"], from: "22:00", to: "01:30" }]);
    expect(nextTransition(s, t("2026-03-28T23:00:00+00:00"))).toEqual({
      atMs: t("2026-03-29T02:00:00+01:00"),
      open: false,
    });
  });

  it("an overnight window across spring forward is an hour shorter in real time", () => {
    const s = london([{ days: ["sat"], from: "22:00", to: "06:00" }]);
    const opens = nextTransition(s, t("2026-03-28T12:00:00+00:00"));
    const closes = nextTransition(s, opens!.atMs);
    expect(opens).toEqual({ atMs: t("2026-03-28T22:00:00+00:00"), open: true });
    expect(closes).toEqual({ atMs: t("2026-03-29T06:00:00+01:00"), open: false });
    expect(closes!.atMs - opens!.atMs).toBe(7 * HOUR);
  });

  it("the all-day window on the spring-forward Sunday is 23 hours long", () => {
    const s = london([{ days: ["sun"], from: "00:00", to: "24:00" }]);
    const opens = nextTransition(s, t("2026-03-28T12:00:00+00:00"))!;
    const closes = nextTransition(s, opens.atMs)!;
    expect(opens.atMs).toBe(t("2026-03-29T00:00:00+00:00"));
    expect(closes.atMs).toBe(t("2026-03-30T00:00:00+01:00"));
    expect(closes.atMs - opens.atMs).toBe(23 * HOUR);
  });

  // Fall back: Sunday 25 October, 02:00 BST → 01:00 GMT (local 01:00–01:59 happens twice).
  it("a boundary in the repeated hour takes effect at its first occurrence (BST)", () => {
    const s = london([{ days: ["sun"], from: "01:30", to: "04:00" }]);
    expect(nextTransition(s, t("2026-10-24T12:00:00+01:00"))).toEqual({
      atMs: t("2026-10-25T01:30:00+01:00"),
      open: true,
    });
    expect(isOpenAt(s, t("2026-10-25T01:29:00+01:00"))).toBe(false);
    expect(isOpenAt(s, t("2026-10-25T01:15:00+00:00"))).toBe(true); // the second 01:15
    expect(nextTransition(s, t("2026-10-25T01:30:00+01:00"))).toEqual({
      atMs: t("2026-10-25T04:00:00+00:00"),
      open: false,
    });
  });

  it("a window ending in the repeated hour ends at the first 01:30 and stays closed through the second", () => {
    const s = london([{ days: ["sat"], from: "22:00", to: "01:30" }]);
    expect(isOpenAt(s, t("2026-10-25T01:29:00+01:00"))).toBe(true);
    expect(isOpenAt(s, t("2026-10-25T01:40:00+01:00"))).toBe(false);
    expect(isOpenAt(s, t("2026-10-25T01:15:00+00:00"))).toBe(false);
    expect(nextTransition(s, t("2026-10-24T23:00:00+01:00"))).toEqual({
      atMs: t("2026-10-25T01:30:00+01:00"),
      open: false,
    });
  });

  it("an overnight window across fall back is an hour longer in real time", () => {
    const s = london([{ days: ["sat"], from: "22:00", to: "06:00" }]);
    const opens = nextTransition(s, t("2026-10-24T12:00:00+01:00"))!;
    const closes = nextTransition(s, opens.atMs)!;
    expect(opens.atMs).toBe(t("2026-10-24T22:00:00+01:00"));
    expect(closes.atMs).toBe(t("2026-10-25T06:00:00+00:00"));
    expect(closes.atMs - opens.atMs).toBe(9 * HOUR);
  });
});

describe("DST in other zones", () => {
  const ny = (windows: WeeklyWindow[]): PostingSchedule => ({ timezone: "America/New_York", windows });

  // 8 March 2026: 02:00 EST → 03:00 EDT.
  it("America/New_York spring forward: 02:30 becomes 03:00 EDT", () => {
    const s = ny([{ days: ["sun"], from: "02:30", to: "05:00" }]);
    expect(nextTransition(s, t("2026-03-07T12:00:00-05:00"))).toEqual({
      atMs: t("2026-03-08T03:00:00-04:00"),
      open: true,
    });
    expect(isOpenAt(s, t("2026-03-08T01:59:00-05:00"))).toBe(false);
  });

  // 1 November 2026: 02:00 EDT → 01:00 EST.
  it("America/New_York fall back: 01:30 is the first (EDT) occurrence", () => {
    const s = ny([{ days: ["sun"], from: "01:30", to: "02:30" }]);
    const opens = nextTransition(s, t("2026-10-31T12:00:00-04:00"))!;
    const closes = nextTransition(s, opens.atMs)!;
    expect(opens.atMs).toBe(t("2026-11-01T01:30:00-04:00"));
    expect(closes.atMs).toBe(t("2026-11-01T02:30:00-05:00"));
    expect(closes.atMs - opens.atMs).toBe(2 * HOUR);
  });

  // Southern hemisphere: 5 April 2026 03:00 AEDT → 02:00 AEST; 4 October 2026 02:00 AEST → 03:00 AEDT.
  it("Australia/Sydney overnight windows across both changes", () => {
    const s: PostingSchedule = {
      timezone: "Australia/Sydney",
      windows: [{ days: ["sat"], from: "20:00", to: "08:00" }],
    };
    const aprilOpens = nextTransition(s, t("2026-04-04T12:00:00+11:00"))!;
    const aprilCloses = nextTransition(s, aprilOpens.atMs)!;
    expect(aprilOpens.atMs).toBe(t("2026-04-04T20:00:00+11:00"));
    expect(aprilCloses.atMs).toBe(t("2026-04-05T08:00:00+10:00"));
    expect(aprilCloses.atMs - aprilOpens.atMs).toBe(13 * HOUR);

    const octoberOpens = nextTransition(s, t("2026-10-03T12:00:00+10:00"))!;
    const octoberCloses = nextTransition(s, octoberOpens.atMs)!;
    expect(octoberOpens.atMs).toBe(t("2026-10-03T20:00:00+10:00"));
    expect(octoberCloses.atMs).toBe(t("2026-10-04T08:00:00+11:00"));
    expect(octoberCloses.atMs - octoberOpens.atMs).toBe(11 * HOUR);
  });
});

describe("validateSchedule", () => {
  it("accepts a good schedule", () => {
    expect(validateSchedule(oakwood)).toEqual([]);
    expect(
      validateSchedule(london([weekdays], [{ date: "2026-12-25", open: false }, { date: "2026-12-29", open: true, from: "10:00", to: "16:00" }])),
    ).toEqual([]);
  });

  it("reports an unknown time zone", () => {
    expect(validateSchedule({ timezone: "Mars/Olympus_Mons", windows: [weekdays] })).toEqual([
      'timezone: "Mars/Olympus_Mons" is not a known IANA time zone (e.g. Europe/London)',
    ]);
  });

  it("reports bad HH:MM times, with where they are", () => {
    const problems = validateSchedule(
      london([
        { days: ["mon"], from: "25:00", to: "09:00" },
        { days: ["tue"], from: "9:00", to: "17:00" },
        { days: ["wed"], from: "24:00", to: "12:60" },
      ]),
    );
    expect(problems).toEqual([
      'windows[0].from: "25:00" is not a time (use HH:MM, 00:00–23:59)',
      'windows[1].from: "9:00" is not a time (use HH:MM, 00:00–23:59)',
      'windows[2].from: "24:00" is not a time (use HH:MM, 00:00–23:59)',
      'windows[2].to: "12:60" is not a time (use HH:MM, 00:00–24:00)',
    ]);
  });

  it("reports empty windows (from == to), but accepts 00:00–24:00", () => {
    expect(validateSchedule(london([{ days: ["mon"], from: "09:00", to: "09:00" }]))).toEqual([
      "windows[0]: from and to are both 09:00, which is empty (use 00:00–24:00 for the whole day)",
    ]);
    expect(validateSchedule(london([{ days: ["mon"], from: "00:00", to: "00:00" }]))).toHaveLength(1);
    expect(validateSchedule(london([{ days: ["mon"], from: "00:00", to: "24:00" }]))).toEqual([]);
  });

  it("reports bad or missing days", () => {
    expect(validateSchedule(london([{ days: [], from: "09:00", to: "17:00" }]))).toEqual([
      "windows[0].days: list at least one day (mon, tue, wed, thu, fri, sat, sun)",
    ]);
    expect(validateSchedule(london([{ days: ["monday" as never], from: "09:00", to: "17:00" }]))).toEqual([
      'windows[0].days: "monday" is not a day (use mon, tue, wed, thu, fri, sat, sun)',
    ]);
  });

  it("reports bad dates and half-given intervals in exceptions", () => {
    expect(
      validateSchedule(
        london(
          [weekdays],
          [
            { date: "2026-02-30", open: false },
            { date: "25/12/2026", open: false },
            { date: "2026-12-24", open: false, from: "12:00" },
            { date: "2026-12-23", open: true, from: "10:00", to: "10:00" },
          ],
        ),
      ),
    ).toEqual([
      'exceptions[0].date: "2026-02-30" is not a date (use YYYY-MM-DD)',
      'exceptions[1].date: "25/12/2026" is not a date (use YYYY-MM-DD)',
      "exceptions[2]: give both from and to, or neither for the whole day",
      "exceptions[3]: from and to are both 10:00, which is empty (use 00:00–24:00 for the whole day)",
    ]);
  });

  it("reports an extra opening that cannot do anything because there are no weekly windows", () => {
    expect(validateSchedule({ timezone: "Europe/London", windows: [], exceptions: [{ date: "2026-12-25", open: true }] })).toEqual([
      "exceptions[0]: an extra opening has no effect because with no weekly windows the room is always open",
    ]);
  });

  it("queries refuse an invalid schedule instead of guessing", () => {
    const bad = london([{ days: ["mon"], from: "25:00", to: "09:00" }]);
    expect(() => isOpenAt(bad, t("2026-03-02T12:00:00+00:00"))).toThrow(/windows\[0\]\.from/);
    expect(() => nextTransition(bad, t("2026-03-02T12:00:00+00:00"))).toThrow(/invalid posting schedule/);
  });
});

describe("describeSchedule", () => {
  it("describes the sample community room", () => {
    expect(say(oakwood)).toBe(
      "Open Monday to Friday 17:00–09:00 (overnight) and all day Saturday and Sunday (times are United Kingdom Time).",
    );
  });

  it("groups windows with the same days and names day runs", () => {
    expect(
      say(
        london([
          { days: ["mon", "tue", "wed", "fri"], from: "09:00", to: "12:00" },
          { days: ["fri", "wed", "tue", "mon"], from: "14:00", to: "17:00" },
          { days: ["thu"], from: "18:00", to: "24:00" },
        ]),
      ),
    ).toBe(
      "Open Monday to Wednesday and Friday 09:00–12:00 and 14:00–17:00 and Thursday 18:00–24:00 (times are United Kingdom Time).",
    );
    expect(say(london([{ days: ["mon", "wed", "sun"], from: "10:00", to: "11:00" }]))).toBe(
      "Open Monday, Wednesday, and Sunday 10:00–11:00 (times are United Kingdom Time).",
    );
  });

  it("says when the room is always open, and lists exceptions by date with their messages", () => {
    expect(say({ timezone: "Europe/London", windows: [] })).toBe("Open at all times.");
    expect(
      say(
        london(
          [{ days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], from: "18:00", to: "22:00" }],
          [
            { date: "2026-12-29", open: true, from: "10:00", to: "16:00", message: "Extra daytime session" },
            { date: "2026-12-25", open: false, message: "Christmas Day." },
            { date: "2026-12-31", open: false, from: "20:00", to: "02:00" },
          ],
        ),
      ),
    ).toBe(
      "Open every day 18:00–22:00 (times are United Kingdom Time)." +
        " Closed all day Fri, Dec 25: Christmas Day." +
        " Also open Tue, Dec 29 10:00–16:00: Extra daytime session." +
        " Closed Thu, Dec 31 20:00–02:00 (overnight).",
    );
  });
});

describe("describeState", () => {
  it("closed now, opening later today", () => {
    expect(describeState(oakwood, t("2026-03-02T12:00:00+00:00"))).toBe("Closed now, opens today at 17:00.");
  });

  it("open now, closing tomorrow morning", () => {
    expect(describeState(oakwood, t("2026-03-02T20:00:00+00:00"))).toBe("Open now, closes tomorrow at 09:00.");
  });

  it("uses the weekday name for later this week, in local time", () => {
    expect(describeState(oakwood, t("2026-03-06T20:00:00+00:00"))).toBe("Open now, closes Monday at 00:00.");
    // 16:30 UTC on 30 March is 17:30 BST: already open locally.
    expect(describeState(oakwood, t("2026-03-30T16:30:00+00:00"))).toBe("Open now, closes tomorrow at 09:00.");
  });

  it("uses the date for openings more than a week away, and adds the exception's message", () => {
    const s = london(
      [{ days: ["mon"], from: "17:00", to: "21:00" }],
      [{ date: "2026-03-09", open: false, message: "Closed for the community away day" }],
    );
    expect(describeState(s, t("2026-03-09T18:00:00+00:00"))).toBe(
      "Closed now, opens Monday 16 March at 17:00. Closed for the community away day.",
    );
  });

  it("always open", () => {
    expect(describeState({ timezone: "Europe/London", windows: [] }, t("2026-03-02T12:00:00+00:00"))).toBe(
      "Open now, at all times.",
    );
  });
});
