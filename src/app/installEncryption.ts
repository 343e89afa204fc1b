import { EncryptedRooms } from "../matrix/encryptedRooms";
import { acceptingLateReactions } from "../matrix/eventRouter";
import { EncryptionStore } from "../matrix/store/encryption";
import { PagesStore } from "../features/paging/store/pages";
import type { AppContext } from "./context";

/**
 * End-to-end encrypted rooms carenet cannot read (docs/encryption.md): every encrypted
 * message is answered, a reaction in a member's encrypted direct chat pages, and the rooms
 * are read back after every provisioning (logged, in /health, told once to staff).
 */
export function installEncryption(app: AppContext): EncryptedRooms {
  const encrypted = new EncryptedRooms({
    encryption: new EncryptionStore(app.db),
    outbox: app.outbox,
    dmRooms: app.dmRooms,
    rooms: app.rooms,
    pages: new PagesStore(app.db),
    effects: app.effects,
    homeserver: app.homeserver,
    config: app.config,
    clock: app.clock,
    log: app.log.child({ component: "encryption" }),
    botUserId: app.botUserId,
    commands: () => app.commands,
    atomically: app.atomically,
    readers: app.readers,
    snapshots: app.roomSnapshots,
  });
  (app.encryptedHooks ??= []).push((e) => encrypted.onEncrypted(e));
  // A page asked for late (carenet was down) is still a request for help, as a late `!page` is.
  app.reactionHooks.push(acceptingLateReactions(encrypted.onReaction));
  app.membershipHooks.push(encrypted.onMembership);
  app.afterReconcile.push(async (config) => {
    await encrypted.check(config);
  });
  return encrypted;
}
