// A Matrix user on matrix-js-sdk with its Rust crypto: a real encrypting client that
// carenet did not write. It runs in its own process (matrix-js-sdk is ESM only; jest runs
// CommonJS) and is driven over IPC by encryptingClient.ts.
import * as sdk from "matrix-js-sdk";
import { logger } from "matrix-js-sdk/lib/logger.js";

logger.setLevel?.("error");
const { hsUrl, userId, accessToken, deviceId } = JSON.parse(process.argv[2]);

const client = sdk.createClient({ baseUrl: hsUrl, userId, accessToken, deviceId });
await client.initRustCrypto({ useIndexedDB: false });

const report = (ev, encrypted) => {
  const content = ev.getContent();
  process.send({
    kind: "event",
    event: {
      roomId: ev.getRoomId(),
      eventId: ev.getId(),
      sender: ev.getSender(),
      type: ev.getType(),
      body: typeof content.body === "string" ? content.body : undefined,
      msgtype: content.msgtype,
      inReplyTo: ev.replyEventId,
      relatesTo: content["m.relates_to"],
      encrypted,
      undecryptable: ev.isDecryptionFailure(),
    },
  });
};
client.on(sdk.RoomEvent.Timeline, (ev) => {
  if (!ev.isEncrypted()) report(ev, false);
});
client.on(sdk.MatrixEventEvent.Decrypted, (ev) => report(ev, true));
// Invitations (the bot opening a direct chat) are accepted at once, as a person would.
client.on(sdk.RoomMemberEvent.Membership, (_ev, member) => {
  if (member.userId === userId && member.membership === "invite") client.joinRoom(member.roomId).catch(() => undefined);
});

await client.startClient({ initialSyncLimit: 10 });
await new Promise((resolve) => client.once(sdk.ClientEvent.Sync, resolve));

const commands = {
  async createDm({ invite }) {
    const { room_id } = await client.createRoom({ is_direct: true, preset: "trusted_private_chat", invite: [invite] });
    return room_id;
  },
  async membership({ roomId, user }) {
    return client.getRoom(roomId)?.getMember(user)?.membership ?? null;
  },
  async isEncrypted({ roomId }) {
    return client.getCrypto().isEncryptionEnabledInRoom(roomId);
  },
  async send({ roomId, text }) {
    const { event_id } = await client.sendTextMessage(roomId, text);
    return event_id;
  },
  async stop() {
    client.stopClient();
    setTimeout(() => process.exit(0), 50);
    return true;
  },
};

process.on("message", async ({ id, cmd, args }) => {
  try {
    process.send({ kind: "result", id, result: await commands[cmd](args ?? {}) });
  } catch (err) {
    process.send({ kind: "result", id, error: err?.message ?? String(err) });
  }
});
process.send({ kind: "ready", deviceId: client.getDeviceId() });
