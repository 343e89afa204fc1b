/**
 * The latency floor: a two-hop relay with matrix-bot-sdk 0.7.1 and nothing else. A user's
 * "ping <room id> <n>" reaches it in a transaction and it at once says "pong <n>" in that
 * room, so user → appservice → user costs exactly what Synapse and the SDK cost.
 *
 * "ring <room id> <n> <user id>" answers the same way, but as a message that rings that
 * user, shaped as carenet's request to a peer is (m.text, a pill, `m.mentions`), where the
 * pong is an m.notice that Synapse's default push rules silence: what Synapse itself costs
 * for a message that must wake someone.
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
  const m = /^(ping|ring) (\S+) (\S+)(?: (@\S+))?$/.exec(String(event.content?.body ?? ""));
  if (!m) return;
  const [, kind, room, tag, user] = m;
  const content =
    kind === "ring" && user
      ? {
          msgtype: "m.text",
          body: `${user}: pong ${tag}`,
          format: "org.matrix.custom.html",
          formatted_body: `<p><a href="https://matrix.to/#/${user}">${user}</a>: pong ${tag}</p>`,
          "m.mentions": { user_ids: [user] },
        }
      : { msgtype: "m.notice", body: `pong ${tag}` };
  void appservice.botClient.sendMessage(room, content).catch((e) => console.error(`send to ${room}: ${e}`));
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
