import { RotaService } from "../../../src/features/rota/service";
import { weekChartPng, weekChartSvg } from "../../../src/features/reports/chart";
import { median, nextWeeklyAt, weeklyReport } from "../../../src/features/reports/weekly";
import { RotaStore } from "../../../src/features/rota/store/rota";
import { ALEX, BEA, community, SAM, World } from "../rota/world";
import { expectToContainAll } from "../../support/expectText";

/** Monday 30 March 2026, 09:00 BST: the week before holds the DST change (Sunday 29). */
const MON_0900 = Date.parse("2026-03-30T08:00:00Z");
const STAFF = { community: "oak", room: "staff" } as const;

test("the next report time: the configured weekday and time in the community's zone, across DST", () => {
  // From Friday 27 March (GMT) to Monday 30 March 09:00 BST = 08:00 UTC.
  expect(nextWeeklyAt("Europe/London", "mon", "09:00", Date.parse("2026-03-27T12:00:00Z"))).toBe(MON_0900);
  // Exactly at the time: the next week's.
  expect(nextWeeklyAt("Europe/London", "mon", "09:00", MON_0900)).toBe(MON_0900 + 7 * 24 * 3600_000);
  expect(median([])).toBeNull();
  expect(median([3, 1, 2])).toBe(2);
  expect(median([4, 1, 2, 3])).toBe(2.5);
});

test("the week's numbers: coverage per step, pages by outcome, median time to acknowledge, declines, check-ins; no names, no notes", async () => {
  const w = new World({ now: Date.parse("2026-03-23T09:00:00Z"), communities: [community("oak")] });
  w.addMember(ALEX);
  w.addMember(BEA);
  const id = /#(\d+)/.exec(await w.ok(ALEX, "!volunteer sun 18:00-22:00"))![1];
  await w.ok(SAM, `!rota approve ${id}`, STAFF);
  // A shift request staff made that the person declined.
  const asked = /#(\d+)/.exec(await w.ok(SAM, `!rota add ${BEA} tue 10:00-12:00`, STAFF))![1];
  await w.ok(BEA, `!rota decline ${asked}`);
  // Three pages: acknowledged after 4 and 10 minutes, and one nobody acknowledged.
  const page = (member: string, opened: number, ack: number | null, exhausted: number | null) =>
    w.db
      .prepare(
        "INSERT INTO pages (community_id, member, status, step, ladder_json, opened_at, acknowledged_by, acknowledged_at, exhausted_at) VALUES ('oak', ?, ?, 0, '[]', ?, ?, ?, ?)",
      )
      .run(member, ack ? "resolved" : "exhausted", opened, ack ? ALEX : null, ack, exhausted);
  const t = Date.parse("2026-03-25T20:00:00Z");
  page(BEA, t, t + 4 * 60_000, null);
  page(BEA, t + 86400_000, t + 86400_000 + 10 * 60_000, null);
  page("@zed:example.org", t + 2 * 86400_000, null, t + 2 * 86400_000 + 35 * 60_000);
  // Check-ins: two prompts, one answered with a note, one missed.
  const prompt = (user: string, missed: boolean) =>
    Number(
      w.db
        .prepare(
          "INSERT INTO checkin_prompts (community_id, user_id, checkin_id, occurrence_at, local_date, sent_at, outbox_key, missed_at) VALUES ('oak', ?, 'evening', ?, '2026-03-26', ?, ?, ?)",
        )
        .run(user, t, t, `k-${user}`, missed ? t + 3 * 3600_000 : null).lastInsertRowid,
    );
  const answered = prompt(BEA, false);
  prompt(ALEX, true);
  w.db
    .prepare(
      "INSERT INTO checkin_answers (community_id, user_id, prompt_id, local_date, value, note, via, answered_at, answered_date) VALUES ('oak', ?, ?, '2026-03-26', 2, 'secret-note-words', 'command', ?, '2026-03-26')",
    )
    .run(BEA, answered, t + 60_000);

  w.now = MON_0900;
  const rota = new RotaService({ store: new RotaStore(w.db), members: w.members, config: () => w.config, hasConsent: () => true });
  const r = weeklyReport({ db: w.db, rota }, w.c(), MON_0900, w.now);
  const text = r.message.plain;
  expectToContainAll(text, [
    "Opened: 3", "Acknowledged: 2", "Nobody acknowledged (crisis resources sent, staff alerted): 1", "Median time to acknowledge: 7 min (over 2)",
    "Shift requests declined: 1", "Prompts sent: 2", "Answered: 1 (50%)", "Missed: 1",
  ]);
  // Alex's Sunday 18:00–22:00 (BST that Sunday): 4 h of the week's 167 (the week lost an hour).
  expect(text).toContain("Step 1 (on call peers): covered 4 h of 167 h (2%)");
  for (const secret of [ALEX, BEA, SAM, "@zed:example.org", "secret-note-words", "alex", "bea"]) expect(text).not.toContain(secret);
  // The chart: pages per local day, and the Sunday's peer coverage (4 of its 23 hours).
  expect(r.chart.days).toEqual(["Mon 23", "Tue 24", "Wed 25", "Thu 26", "Fri 27", "Sat 28", "Sun 29"]);
  expect(r.chart.pagesPerDay).toEqual([0, 0, 1, 1, 1, 0, 0]);
  expect(Math.round(r.chart.coveragePerDay[6])).toBe(Math.round((100 * 4) / 23));
  expect(weekChartSvg(r.chart, r.chartTexts)).not.toMatch(/@|alex|bea|secret/i);
  expect(r.chartTexts).toEqual({ title: "Oak TC: week to Mon 30 Mar 2026", pages: "Pages opened", coverage: "Peer on call (% of day)" });
  expect(r.chartBody).toBe("Weekly chart: pages opened and peer coverage per day");

  // A Spanish community's chart speaks Spanish, day names included.
  const es = weeklyReport({ db: w.db, rota }, { ...w.c(), language: "es" }, MON_0900, w.now);
  expect(es.chartTexts).toEqual({ title: "Oak TC: semana hasta el lun 30 mar 2026", pages: "Avisos abiertos", coverage: "Compañeros de guardia (% del día)" });
  expect(es.chart.days[0]).toBe("lun 23");
  expect(es.chartBody).toBe("Gráfico semanal: avisos abiertos y cobertura de compañeros por día");
});

test("the chart is a real PNG of the stated size", () => {
  const { png, width, height } = weekChartPng({ days: ["Mon 1", "Tue 2", "Wed 3", "Thu 4", "Fri 5", "Sat 6", "Sun 7"], pagesPerDay: [0, 2, 1, 0, 5, 0, 1], coveragePerDay: [100, 50, 0, 75, 100, 100, 20] }, { title: "Oak: week", pages: "Pages opened", coverage: "Peer on call (% of day)" });
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(png.readUInt32BE(16)).toBe(width);
  expect(png.readUInt32BE(20)).toBe(height);
  expect(width).toBe(760);
  expect(png.length).toBeGreaterThan(2000);
});
