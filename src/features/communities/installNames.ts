import { DisplayNamesStore } from "./store/displayNames";
import type { Job } from "../../store/jobs";
import type { InstallContext } from "../../ports/context";

export const NAMES_JOB = "names.refresh";
const DAY_MS = 24 * 60 * 60 * 1000;
/** Profile look-ups per run: a large community is named over a few runs, never in a burst. */
const LOOKUPS_PER_RUN = 200;

/**
 * Display names for alerting messages (docs/paging.md, "what rings"). Alerts are rendered
 * inside SQLite transactions, where the homeserver cannot be asked, so names are kept in
 * `display_names`: from every membership event carenet receives (a join carries the name
 * the person chose), and from profile look-ups by a durable job, after every reconcile and
 * daily, for the staff, admins and members of each community whose name is not known yet.
 */
export function installNames(app: InstallContext): void {
  const names = new DisplayNamesStore(app.db);
  const log = app.log.child({ component: "names" });

  app.membershipHooks.push((m) => {
    if (m.membership !== "join" || m.userId === app.botUserId) return;
    names.set(m.userId, m.displayName, "member", app.clock.now());
  });

  const everyone = (): string[] => {
    const ids = new Set<string>();
    for (const c of app.config().communities) {
      for (const u of [...c.staff, ...c.admins]) ids.add(u);
      for (const m of app.members.list(c.id, { status: "active" })) ids.add(m.userId);
    }
    ids.delete(app.botUserId);
    return [...ids];
  };

  app.scheduler.on(
    NAMES_JOB,
    async (job: Job) => {
      const unknown = everyone().filter((u) => !names.has(u)).slice(0, LOOKUPS_PER_RUN);
      let found = 0;
      for (const userId of unknown) {
        let name: string | null;
        try {
          name = await app.homeserver.displayName(userId);
        } catch (err) {
          const status = (err as { statusCode?: number }).statusCode;
          if (status === 403 || status === 404) continue; // no such profile, or not visible: the Matrix ID it is
          throw err; // the homeserver is unavailable: the job is retried
        }
        // A join seen meanwhile is fresher than this look-up.
        if (name !== null && !names.has(userId)) {
          names.set(userId, name, "profile", app.clock.now());
          found++;
        }
      }
      if (unknown.length) log.info({ asked: unknown.length, found }, "display names looked up");
      const now = app.clock.now();
      app.jobs.reschedule({ kind: NAMES_JOB, key: job.key, dueAt: now + DAY_MS, payload: {} }, now);
    },
    { usesHomeserver: true },
  );

  app.afterReconcile.push(() => {
    const now = app.clock.now();
    app.jobs.reschedule({ kind: NAMES_JOB, key: NAMES_JOB, dueAt: now, payload: {} }, now);
    app.scheduler.wake();
  });
}
