import { DateTime } from "luxon";
import { plusDays, weekdayOf, WEEKDAYS } from "../../../src/kernel/localTime";

describe("calendar arithmetic on plain dates", () => {
  it("steps across month ends, leap days and years, both ways, as luxon's calendar does", () => {
    const starts = [
      { year: 2024, month: 2, day: 28 },
      { year: 2023, month: 12, day: 31 },
      { year: 2100, month: 2, day: 28 }, // not a leap year
      { year: 2000, month: 3, day: 1 }, // a leap year
      { year: 2026, month: 10, day: 25 }, // the UK's autumn change: still one day
    ];
    for (const d of starts) {
      for (const n of [-400, -366, -31, -2, -1, 0, 1, 2, 29, 365, 400]) {
        const want = DateTime.utc(d.year, d.month, d.day).plus({ days: n });
        expect(plusDays(d, n)).toEqual({ year: want.year, month: want.month, day: want.day });
      }
    }
    expect(plusDays({ year: 2024, month: 2, day: 28 }, 1)).toEqual({ year: 2024, month: 2, day: 29 });
    expect(plusDays({ year: 2025, month: 2, day: 28 }, 1)).toEqual({ year: 2025, month: 3, day: 1 });
  });

  it("keeps years below 100 as they are", () => {
    expect(plusDays({ year: 99, month: 12, day: 31 }, 1)).toEqual({ year: 100, month: 1, day: 1 });
  });

  it("names the weekday of every day of a fortnight", () => {
    for (let i = 0; i < 14; i++) {
      const d = plusDays({ year: 2026, month: 12, day: 4 }, i); // a Friday
      expect(weekdayOf(d)).toBe(WEEKDAYS[DateTime.utc(d.year, d.month, d.day).weekday - 1]);
    }
    expect(weekdayOf({ year: 2026, month: 12, day: 4 })).toBe("fri");
    expect(weekdayOf({ year: 2026, month: 12, day: 6 })).toBe("sun");
    expect(weekdayOf({ year: 2026, month: 12, day: 7 })).toBe("mon");
  });
});
