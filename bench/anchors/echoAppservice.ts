/**
 * The latency floor: a two-hop relay with matrix-bot-sdk 0.7.1 and nothing else. A user's
 * "ping <room id> <n>" reaches it in a transaction and it at once says "pong <n>" in that
 * room, so user → appservice → user costs exactly what Synapse and the SDK cost.
 */
import { Appservice, LogLevel, LogService } from "matrix-bot-sdk";
import { anchorOptions, READY } from "./appserviceOptions";

const o = anchorOptions();
LogService.setLevel(LogLevel.WARN);
const appservice = new Appservice({
  homeserverName: o.domain,
  homeserverUrl: o.homeserverUrl,
  bindAddress: "127.0.0.1",
  port: o.port,
  registration: o.registration,
});
const bot = appservice.botUserId;

appservice.on("room.invite", (roomId: string, event: { state_key?: string }) => {
  if (event.state_key === bot) void appservice.botClient.joinRoom(roomId).catch((e) => console.error(`join ${roomId}: ${e}`));
});
appservice.on("room.message", (_roomId: string, event: { sender: string; content?: { body?: unknown } }) => {
  if (event.sender === bot) return;
  const m = /^ping (\S+) (\S+)$/.exec(String(event.content?.body ?? ""));
  if (!m) return;
  void appservice.botClient
    .sendMessage(m[1], { msgtype: "m.notice", body: `pong ${m[2]}` })
    .catch((e) => console.error(`send to ${m[1]}: ${e}`));
});

void (async () => {
  await appservice.begin();
  await appservice.botIntent.ensureRegistered();
  console.log(READY);
})();
process.on("SIGTERM", () => {
  appservice.stop();
  process.exit(0);
});
