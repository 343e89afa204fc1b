import { breakCommand } from "./commands/break";
import type { RotaCommandDeps } from "./commands/common";
import { oncallCommand } from "./commands/oncall";
import { rotaCommand } from "./commands/rota";
import { RotaService } from "./service";
import { volunteerCommand } from "./commands/volunteer";
import { isOnBreak } from "./domain/rota";
import { RotaStore } from "./store/rota";
import { CalendarFeedsStore } from "./store/calendarFeeds";
import type { InstallContext } from "../../ports/context";
import type { RotaStretches } from "../../ports/rota";
import { rotaPersonalData } from "./personalData";
import type { ConsentNeeded } from "../../ports/communities";
import type { LadderGapsTonight } from "../../ports/paging";
import { Handoffs, HANDOFF_JOB, PLAN_JOB } from "./handoff";

/** What the rota is handed of other capabilities: consent's words (communities), the ladder's gaps (paging). */
export interface RotaPorts {
  consentNeeded: ConsentNeeded;
  gapsTonight: LadderGapsTonight;
}

/**
 * The rota: `!volunteer`, `!rota`, `!break` and `!oncall`; handoff messages as durable
 * jobs, planned after every reconcile and every change; and `app.onCall`, which paging
 * asks at page time.
 */
export function installRota(app: InstallContext, ports: RotaPorts): RotaStretches {
  // Through `app` at every call: consent is the communities capability's, whatever the install order.
  const hasConsent = (communityId: string, userId: string) => app.hasConsent(communityId, userId);
  const rota = new RotaService({ store: new RotaStore(app.db), members: app.members, config: app.config, hasConsent });
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
  app.onCall = (communityId, atMs) => rota.onCall(communityId, atMs);
  (app.personalData ??= []).push(rotaPersonalData(app, new RotaStore(app.db), calendarFeeds));
  // Breaks are the person's, in every community: off the rota and off check-in prompts.
  const breaks = new RotaStore(app.db);
  app.isOnBreak = (_communityId, userId, atMs) => isOnBreak(breaks.breaksFrom(atMs), userId, atMs);
  return rota;
}
