/**
 * The ingest and memory anchor: a matrix-bot-sdk 0.7.1 Appservice with no handlers, as it
 * comes (memory storage, its own transaction dedup). What a Matrix appservice costs before
 * it does anything.
 */
import { Appservice } from "matrix-bot-sdk";
import { anchorOptions, READY } from "./appserviceOptions";

const o = anchorOptions();
const appservice = new Appservice({
  homeserverName: o.domain,
  homeserverUrl: o.homeserverUrl,
  bindAddress: "127.0.0.1",
  port: o.port,
  registration: o.registration,
});
void appservice.begin().then(() => console.log(READY));
process.on("SIGTERM", () => {
  appservice.stop();
  process.exit(0);
});
