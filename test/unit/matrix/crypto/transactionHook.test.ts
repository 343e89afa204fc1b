import type { Server } from "node:http";
import pino from "pino";
import { createHttpServer } from "../../../../src/matrix/httpServer";
import { openDatabase, type Db } from "../../../../src/store/database";
import { InboxStore, type IncomingEvent } from "../../../../src/store/inbox";
import { closeNow, listenLocally } from "../../../support/localServer";

/**
 * With encryption on, a transaction goes to the bot's device before it is recorded
 * (`prepareTransaction`): what is recorded is what the device gave back (decrypted events),
 * and the homeserver gets its 200 only after that; a failure is a 500 that records nothing,
 * so the homeserver sends the transaction again.
 */

const HS_TOKEN = "hs-token-0123456789abcdef";
let db: Db;
let inbox: InboxStore;
let server: Server;
let base: string;
let order: string[];
let failOnce: boolean;
const seen: Array<Record<string, unknown>> = [];

beforeEach(async () => {
  db = openDatabase(":memory:");
  inbox = new InboxStore(db);
  order = [];
  failOnce = false;
  seen.length = 0;
  server = createHttpServer({
    hsToken: HS_TOKEN,
    log: pino({ level: "silent" }),
    recordTransaction: (txnId, events) => {
      order.push(`record:${txnId}`);
      return inbox.recordTransaction(txnId, events, Date.now());
    },
    recorded: () => undefined,
    health: async () => ({ ok: true }),
    prepareTransaction: async (body, events) => {
      seen.push(body);
      await new Promise((r) => setTimeout(r, 20));
      if (failOnce) {
        failOnce = false;
        throw new Error("the crypto store could not be written");
      }
      order.push("prepared");
      return events.map((e) => (e.type === "m.room.encrypted" ? { ...e, type: "m.room.message", content: { msgtype: "m.text", body: "!page" } } : e));
    },
  });
  base = await listenLocally(server);
});

afterEach(async () => {
  await closeNow(server);
  db.close();
});

const encrypted: IncomingEvent = { event_id: "$e", room_id: "!dm:example.org", sender: "@m:example.org", type: "m.room.encrypted", content: { algorithm: "m.megolm.v1.aes-sha2", ciphertext: "…" } };
const body = { events: [encrypted], "de.sorunome.msc2409.to_device": [{ type: "m.room.encrypted", to_user_id: "@carenet:example.org", to_device_id: "CARENET" }] };

const put = (txnId: string) =>
  fetch(`${base}/_matrix/app/v1/transactions/${txnId}`, { method: "PUT", headers: { authorization: `Bearer ${HS_TOKEN}`, "content-type": "application/json" }, body: JSON.stringify(body) });

test("the device sees the whole transaction (to-device messages too) before it is recorded, and the recorded events are the decrypted ones", async () => {
  const res = await put("t1");
  expect(res.status).toBe(200);
  expect(order).toEqual(["prepared", "record:t1"]);
  expect(seen[0]["de.sorunome.msc2409.to_device"]).toEqual(body["de.sorunome.msc2409.to_device"]);
  const row = inbox.pending(10)[0];
  expect(row.event).toMatchObject({ event_id: "$e", type: "m.room.message", content: { body: "!page" } });
});

test("a failure in the device is a 500 that records nothing; the homeserver's retry is recorded", async () => {
  failOnce = true;
  expect((await put("t2")).status).toBe(500);
  expect(inbox.isTransactionRecorded("t2")).toBe(false);
  expect(inbox.pending(10)).toEqual([]);
  expect((await put("t2")).status).toBe(200);
  expect(inbox.pending(10).map((r) => r.event.type)).toEqual(["m.room.message"]);
});
