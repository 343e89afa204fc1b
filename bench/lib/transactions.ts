/**
 * Transactions pushed straight at an appservice's port with the hs_token, exactly as Synapse
 * sends them (PUT /_matrix/app/v1/transactions/{txnId}, one at a time, the next only after
 * the last was acknowledged). Synapse is then not the bottleneck: only the appservice is.
 */
import { randomBytes } from "node:crypto";
import { request, Agent } from "node:http";

export interface PlainMessages {
  roomId: string;
  sender: string;
}

let serial = 0;
const runId = randomBytes(4).toString("hex");

/** `n` plain text messages, each with a unique event id. */
export function plainMessages(o: PlainMessages, n: number): Array<Record<string, unknown>> {
  const now = Date.now();
  return Array.from({ length: n }, () => {
    const i = ++serial;
    return {
      event_id: `$bench-${runId}-${i}`,
      room_id: o.roomId,
      sender: o.sender,
      type: "m.room.message",
      origin_server_ts: now,
      content: { msgtype: "m.text", body: `an ordinary message, number ${i}, about nothing in particular` },
      unsigned: { age: 0 },
    };
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function put(port: number, hsToken: string, txnId: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: "PUT",
        path: `/_matrix/app/v1/transactions/${txnId}`,
        agent,
        headers: { authorization: `Bearer ${hsToken}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`transaction ${txnId}: HTTP ${res.statusCode}`))));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Sends `transactions` transactions of `perTransaction` events; returns events per second acknowledged. */
export async function pushTransactions(
  port: number,
  hsToken: string,
  events: PlainMessages,
  transactions: number,
  perTransaction: number,
): Promise<number> {
  // Built before the clock starts: the bench's own JSON work is not the appservice's.
  const bodies = Array.from({ length: transactions }, () => JSON.stringify({ events: plainMessages(events, perTransaction) }));
  const started = performance.now();
  for (const [i, body] of bodies.entries()) await put(port, hsToken, `bench-${runId}-${++serial}-${i}`, body);
  const seconds = (performance.now() - started) / 1000;
  return (transactions * perTransaction) / seconds;
}
