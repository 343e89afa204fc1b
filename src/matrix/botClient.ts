import { Appservice, type IAppserviceRegistration } from "matrix-bot-sdk";
import type { CarenetConfig } from "../config/types";
import type { Clock } from "../kernel/clock";
import type { InboxStore } from "../store/inbox";
import { SqliteAppserviceStorage } from "./appserviceStorage";
import { Homeserver } from "./homeserver";
import type { Registration } from "./registration";
import { timeRequests } from "./requestTiming";
import type { RegisteredUsersStore } from "./store/registeredUsers";

export interface HomeserverDoorDeps {
  config: CarenetConfig;
  registration: Registration;
  botUserId: string;
  inbox: InboxStore;
  registeredUsers: RegisteredUsersStore;
  clock: Clock;
  /** Told of every request to the homeserver: its method, how long it took, whether it worked. */
  timed: (method: string, ms: number, ok: boolean) => void;
}

/**
 * The homeserver as carenet calls it: the bot's client from matrix-bot-sdk's Appservice,
 * its requests timed. Only the client is used: carenet serves the homeserver's requests
 * itself (httpServer.ts), so none reaches matrix-bot-sdk's express app, which reads any
 * body whole before checking a token.
 */
export function openHomeserver(d: HomeserverDoorDeps): Homeserver {
  const appservice = new Appservice({
    homeserverName: d.config.homeserver.domain,
    homeserverUrl: d.config.homeserver.url,
    bindAddress: d.config.appservice.bind,
    port: d.config.appservice.port,
    registration: d.registration as unknown as IAppserviceRegistration,
    storage: new SqliteAppserviceStorage(d.inbox, d.registeredUsers, d.clock),
  });
  timeRequests(appservice.botClient, d.timed);
  return new Homeserver(appservice.botClient, d.config.homeserver.url, d.botUserId, d.timed);
}
