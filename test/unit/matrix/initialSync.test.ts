import http from "node:http";
import { MatrixError, type MatrixClient } from "matrix-bot-sdk";
import { Homeserver, type InitialSyncRoom } from "../../../src/matrix/homeserver";
import { closeNow, listenLocally } from "../../support/localServer";

/** Every server a test started; those still listening are closed after it. */
const started: http.Server[] = [];
afterEach(async () => {
  for (const server of started.splice(0)) if (server.listening) await closeNow(server);
});

/** A homeserver that answers GET /initialSync with `answer` (it may write the body itself). */
async function homeserverAnswering(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const server = http.createServer(answer);
  started.push(server);
  const url = await listenLocally(server);
  const client = { homeserverUrl: url, accessToken: "as-token" } as unknown as MatrixClient;
  const timed: boolean[] = [];
  const hs = new Homeserver(client, url, "@carenet:example.org", (_m, _ms, ok) => timed.push(ok));
  return { hs, timed, close: () => closeNow(server) };
}

const room = (id: string, membership = "join") => ({
  room_id: id,
  membership,
  messages: { start: "s0", end: "s2", chunk: [{ event_id: `$${id}`, type: "m.room.message" }] },
  state: [{ type: "m.room.create", state_key: "", sender: "@a:x", content: {} }],
});

test("each joined room is handed over as its part of the answer arrives, before the answer ends", async () => {
  let handedOver: () => void = () => undefined;
  const firstHandedOver = new Promise<void>((r) => (handedOver = r));
  const server = await homeserverAnswering((req, res) => {
    expect(req.url).toBe("/_matrix/client/v3/initialSync?limit=10");
    expect(req.headers.authorization).toBe("Bearer as-token");
    res.writeHead(200, { "content-type": "application/json" });
    res.write(`{"end":"s9","rooms":[${JSON.stringify(room("!a:x"))},`);
    // The rest only once the first room was handed over: a reader that waits for the whole answer never gets it.
    void firstHandedOver.then(() => res.end(`${JSON.stringify(room("!left:x", "leave"))},${JSON.stringify(room("!b:x"))}],"presence":[]}`));
  });
  const rooms: InitialSyncRoom[] = [];
  await server.hs.initialSync(10, (r) => {
    rooms.push(r);
    handedOver();
  });
  expect(rooms.map((r) => r.roomId)).toEqual(["!a:x", "!b:x"]);
  expect(rooms[0]).toEqual({
    roomId: "!a:x",
    timeline: { start: "s0", end: "s2", chunk: [{ event_id: "$!a:x", type: "m.room.message" }] },
    state: [{ type: "m.room.create", state_key: "", sender: "@a:x", content: {} }],
  });
  expect(server.timed).toEqual([true]);
});

test("a refusal is a MatrixError with its status, as the SDK's would be", async () => {
  const server = await homeserverAnswering((_req, res) => {
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ errcode: "M_UNRECOGNIZED", error: "Unrecognized request" }));
  });
  const err = await server.hs.initialSync(10, () => undefined).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(MatrixError);
  expect(err).toMatchObject({ statusCode: 404, errcode: "M_UNRECOGNIZED" });
  expect(server.timed).toEqual([false]);
});

test("an answer that is not JSON or is cut short fails with a 5xx-like status, after the rooms read before it", async () => {
  const server = await homeserverAnswering((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    if (req.url?.endsWith("limit=2")) return void res.end("<html>Bad gateway</html>");
    res.write(`{"rooms":[${JSON.stringify(room("!a:x"))},{"room_id":"!b`);
    setTimeout(() => res.socket?.destroy(), 50);
  });
  await expect(server.hs.initialSync(2, () => undefined)).rejects.toMatchObject({ statusCode: 502, message: expect.stringContaining("not a JSON object") });
  const rooms: string[] = [];
  const err = await server.hs.initialSync(10, (r) => rooms.push(r.roomId)).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(Error);
  expect(rooms).toEqual(["!a:x"]);
});

test("a homeserver that cannot be reached is an error with no status (an outage)", async () => {
  const server = await homeserverAnswering(() => undefined);
  await server.close();
  const err = await server.hs.initialSync(10, () => undefined).catch((e: unknown) => e);
  expect(err).toMatchObject({ code: "ECONNREFUSED" });
  expect((err as { statusCode?: number }).statusCode).toBeUndefined();
});
