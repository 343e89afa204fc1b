import { weekChartPng } from "./chart";
import { nextWeeklyAt, WEEKLY_JOB, weeklyKey, weeklyReport } from "./weekly";
import type { InstallContext } from "../../ports/context";
import type { RotaStretches } from "../../ports/rota";
import { communityById } from "../../config/communities";

/**
 * The weekly picture (config `weekly_report: { day, at }` per community): a durable job that
 * posts the week's numbers to the staff room with a chart, uploaded to the homeserver's
 * media repository and sent as m.image. Counts only, never names or notes. `rota` (the
 * rota's) tells who is on call when.
 */
export function installReports(app: InstallContext, rota: RotaStretches): void {
  const log = app.log.child({ component: "reports" });
  const community = (id: string) => communityById(app.config().communities, id);

  const scheduleAll = (now: number) => {
    const pending = app.jobs.pending(WEEKLY_JOB);
    for (const c of app.config().communities) {
      const r = c.weekly_report;
      const wanted = r ? weeklyKey(c.id, nextWeeklyAt(c.timezone, r.day, r.at, now)) : undefined;
      // An overdue one (carenet was down at report time) is kept: it runs now.
      for (const j of pending) if (j.payload.communityId === c.id && j.dueAt > now && j.key !== wanted) app.jobs.cancel(j.key, now);
      if (r && wanted && app.jobs.get(wanted)?.state !== "pending") {
        app.jobs.reschedule({ kind: WEEKLY_JOB, key: wanted, dueAt: nextWeeklyAt(c.timezone, r.day, r.at, now), payload: { communityId: c.id } }, now);
      }
    }
    const known = new Set(app.config().communities.map((c) => c.id));
    for (const j of pending) if (!known.has(String(j.payload.communityId))) app.jobs.cancel(j.key, now);
  };

  app.scheduler.on(
    WEEKLY_JOB,
    async (job) => {
      const c = community(String(job.payload.communityId));
      if (!c) return;
      const staffRoom = app.rooms.get(c.id, "staff");
      const now = app.clock.now();
      const report = weeklyReport({ db: app.db, rota }, c, job.dueAt, now);
      const key = weeklyKey(c.id, job.dueAt);
      let image: { url: string; size: number; w: number; h: number } | undefined;
      if (staffRoom && !app.outbox.has(`${key}:chart`)) {
        const { png, width, height } = weekChartPng(report.chart, report.chartTexts);
        const url = await app.homeserver.uploadMedia(png, "image/png", "carenet-weekly.png");
        image = { url, size: png.length, w: width, h: height };
      }
      app.atomically(() => {
        if (staffRoom) {
          app.effects.post(staffRoom.roomId, report.message, `${key}:text`);
          if (image) {
            app.outbox.enqueue(
              {
                dedupeKey: `${key}:chart`,
                roomId: staffRoom.roomId,
                eventType: "m.room.message",
                content: { msgtype: "m.image", body: report.chartBody, url: image.url, info: { mimetype: "image/png", size: image.size, w: image.w, h: image.h } },
              },
              app.clock.now(),
            );
          }
        } else log.warn({ communityId: c.id }, "no staff room recorded: the weekly report could not be posted");
        const r = community(c.id)?.weekly_report;
        if (r) {
          const next = nextWeeklyAt(c.timezone, r.day, r.at, Math.max(now, job.dueAt));
          app.effects.schedule({ kind: WEEKLY_JOB, key: weeklyKey(c.id, next), dueAt: next, payload: { communityId: c.id } });
        }
      });
      log.info({ communityId: c.id }, "weekly report posted");
    },
    { usesHomeserver: true },
  );
  app.afterReconcile.push(() => app.atomically(() => scheduleAll(app.clock.now())));
}
