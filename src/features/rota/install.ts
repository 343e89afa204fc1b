import { breakCommand } from "./commands/break";
import type { RotaCommandDeps } from "./commands/common";
import { oncallCommand } from "./commands/oncall";
import { rotaCommand } from "./commands/rota";
import { RotaService } from "./service";
import { volunteerCommand } from "./commands/volunteer";
import { isOnBreak } from "./domain/rota";
import { RotaStore } from "./store/rota";
import { CalendarFeedsStore } from "./store/calendarFeeds";
import type { HasConsent, InstallContext, OnBreak, OnCall } from "../../ports/context";
import type { RotaStretches } from "../../ports/rota";
import { rotaPersonalData } from "./personalData";
import type { ConsentNeeded } from "../../ports/communities";
import type { LadderGapsTonight } from "../../ports/paging";
import { Handoffs, HANDOFF_JOB, PLAN_JOB } from "./handoff";
import { calendarHttp, type CalendarHttp } from "./calendar/install";

/** What the rota is handed of other capabilities: consent and its words (communities), the ladder's gaps (paging). */
export interface RotaPorts {
  hasConsent: HasConsent;
  consentNeeded: ConsentNeeded;
  gapsTonight: LadderGapsTonight;
}

/** What the rota hands the others: who is on call (paging, check-ins), who is on a break (check-ins), the stretches (the weekly report), its calendar feeds (the HTTP door). */
export interface RotaGives {
  onCall: OnCall;
  isOnBreak: OnBreak;
  stretches: RotaStretches;
  calendar: CalendarHttp;
}

/**
 * The rota: `!volunteer`, `!rota`, `!break` and `!oncall`; handoff messages as durable
 * jobs, planned after every reconcile and every change. Returns who is on call, which
 * paging asks at page time, and who is on a break.
 */
export function installRota(app: InstallContext, ports: RotaPorts): RotaGives {
  const { hasConsent } = ports;
  const store = new RotaStore(app.db);
  const rota = new RotaService({ store, members: app.members, config: app.config, hasConsent });
  const calendarFeeds = new CalendarFeedsStore(app.db);
  const handoffs = new Handoffs({
    rota,
    jobs: app.jobs,
    effects: app.effects,
    clock: app.clock,
    log: app.log.child({ component: "rota" }),
    config: app.config,
    crisisResources: () => app.config().crisis_resources,
    atomically: app.atomically,
    wake: () => app.scheduler.wake(),
  });
  const deps: RotaCommandDeps = {
    rota,
    members: app.members,
    rooms: app.rooms,
    effects: app.effects,
    audit: app.audit,
    config: app.config,
    replan: (communityId, now) => handoffs.plan(communityId, now),
    hasConsent,
    consentNeeded: ports.consentNeeded,
    gapsTonight: ports.gapsTonight,
    calendarFeeds,
  };
  app.commands.push(oncallCommand(deps), volunteerCommand(deps), rotaCommand(deps), breakCommand(deps));
  app.scheduler.on(HANDOFF_JOB, handoffs.onHandoffJob);
  app.scheduler.on(PLAN_JOB, handoffs.onPlanJob);
  app.afterReconcile.push((config) => handoffs.planAll(config, app.clock.now()));
  const onCall: OnCall = (communityId, atMs) => rota.onCall(communityId, atMs);
  (app.personalData ??= []).push(rotaPersonalData(app, onCall, store, calendarFeeds));
  // Breaks are the person's, in every community: off the rota and off check-in prompts.
  const onBreak: OnBreak = (_communityId, userId, atMs) => isOnBreak(store.breaksFrom(atMs), userId, atMs);
  return { onCall, isOnBreak: onBreak, stretches: rota, calendar: calendarHttp(app, rota, calendarFeeds) };
}

