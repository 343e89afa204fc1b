import { auditCommand } from "../../commands/audit";
import { sponsorCommand } from "./commands/sponsor";
import { memberCommand } from "./commands/member";
import { consentCommand, rightsCommand, rulesCommand } from "./commands/rights";
import { askAgainIfTextChanged, consentNeeded, hasCurrentConsent } from "./consent";
import { leftRoomsHook } from "./leftRooms";
import { inviteMembersToNewRooms } from "./memberRooms";
import type { HasConsent, InstallContext } from "../../ports/context";
import type { ConsentNeeded, KnownNames } from "../../ports/communities";
import { profilePersonalData } from "./personalData";
import { DisplayNamesStore } from "./store/displayNames";
import { LanguagesStore } from "./store/languages";

/**
 * Communities: members and roles managed from each staff room (`!member`, `!audit`),
 * onboarding with rights and choices (`!rights`, `!rules`, `!consent`), rooms people left
 * on their own remembered, and — after every reconcile — members invited to rooms they
 * have never been in and asked again when their community's text changed. Returns its
 * ports: whether someone has agreed, what the other capabilities tell someone who asks
 * for something optional without having agreed, and the display names it keeps.
 */
export function installCommunities(app: InstallContext): CommunitiesPorts {
  app.commands.push(rightsCommand(app), rulesCommand(app), consentCommand(app), sponsorCommand(app), memberCommand(app), auditCommand(app));
  app.membershipHooks.push(leftRoomsHook(app));
  const names = new DisplayNamesStore(app.db);
  (app.personalData ??= []).push(profilePersonalData(names, new LanguagesStore(app.db)));
  app.afterReconcile.push(
    async (config) => {
      await inviteMembersToNewRooms(app, config.communities);
    },
    (config) => {
      askAgainIfTextChanged(app, config);
    },
  );
  return {
    hasConsent: (communityId, userId) => hasCurrentConsent(app, communityId, userId),
    knownNames: names,
    consentNeeded: (c, userId, what, crisisResources) => consentNeeded(app, c, userId, what, crisisResources),
  };
}

/** What the communities capability hands the others. */
export interface CommunitiesPorts {
  hasConsent: HasConsent;
  consentNeeded: ConsentNeeded;
  /** The display names carenet knows people by (paging names the member with them). */
  knownNames: KnownNames;
}
