import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { Writable } from "node:stream";
import { createLogger } from "../../../src/app/logger";
import { createHttpServer, type HealthReport } from "../../../src/matrix/httpServer";
import { openDatabase, type Db } from "../../../src/store/database";
import { InboxStore, type IncomingEvent } from "../../../src/store/inbox";

const HS_TOKEN = "hs-token-0123456789abcdef";
const NOW = 1_800_000_000_000;

let db: Db;
let inbox: InboxStore;
let server: Server;
let base: string;
let order: string[];
let failRecordOnce: boolean;
let healthReport: HealthReport;
let logLines: string[];
const recorded = jest.fn(() => {
  order.push("recorded");
});
const recordCalls = jest.fn();

beforeEach(async () => {
  db = openDatabase(":memory:");
  inbox = new InboxStore(db);
  order = [];
  failRecordOnce = false;
  healthReport = { ok: true, homeserver: { reachable: true } };
  logLines = [];
  recorded.mockClear();
  recordCalls.mockClear();
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logLines.push(String(chunk));
      cb();
    },
  });
  server = createHttpServer({
    hsToken: HS_TOKEN,
    log: createLogger("info", sink),
    recordTransaction: (txnId, events) => {
      recordCalls(txnId, events);
      if (failRecordOnce) {
        failRecordOnce = false;
        throw new Error("SQLITE_FULL: database or disk is full");
      }
      const fresh = inbox.recordTransaction(txnId, events, NOW);
      order.push(`record:${txnId}`);
      return fresh;
    },
    recorded,
    health: async () => healthReport,
    fallback: (req, res) => {
      res.writeHead(418, { "content-type": "text/plain" });
      res.end(`fallback ${req.method} ${req.url}`);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  db.close();
});

function ev(id: string): IncomingEvent {
  return { event_id: id, room_id: "!r:example.org", sender: "@m:example.org", type: "m.room.message", content: { body: "secret words" } };
}

function putTxn(txnId: string, body: unknown, token: string | null = HS_TOKEN, path = "/_matrix/app/v1/transactions/"): Promise<Response> {
  return fetch(`${base}${path}${encodeURIComponent(txnId)}`, {
    method: "PUT",
    headers: { "content-type": "application/json", ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

const storedIds = () => (db.prepare("SELECT event_id FROM inbox ORDER BY seq").all() as Array<{ event_id: string }>).map((r) => r.event_id);

describe("transactions", () => {
  it("refuses a transaction without a token with 401, recording nothing", async () => {
    const res = await putTxn("t1", { events: [ev("$a")] }, null);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ errcode: "M_UNAUTHORIZED" });
    expect(recordCalls).not.toHaveBeenCalled();
    expect(recorded).not.toHaveBeenCalled();
    expect(storedIds()).toEqual([]);
    expect(inbox.isTransactionRecorded("t1")).toBe(false);
  });

  it("checks the token before reading a malformed transaction id, and refuses the id with 400", async () => {
    const raw = (auth: Record<string, string>) =>
      fetch(`${base}/_matrix/app/v1/transactions/%E0%A4%A`, {
        method: "PUT",
        headers: { "content-type": "application/json", ...auth },
        body: JSON.stringify({ events: [] }),
      });
    expect((await raw({})).status).toBe(401);
    expect((await raw({ authorization: `Bearer ${HS_TOKEN}` })).status).toBe(400);
    expect(recordCalls).not.toHaveBeenCalled();
  });

  it("refuses a wrong token with 403, recording nothing", async () => {
    for (const token of ["wrong", HS_TOKEN + "x", HS_TOKEN.slice(0, -1) + "X"]) {
      const res = await putTxn("t1", { events: [ev("$a")] }, token);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ errcode: "M_FORBIDDEN" });
    }
    expect(recordCalls).not.toHaveBeenCalled();
    expect(storedIds()).toEqual([]);
  });

  it("records a good transaction, then answers 200, then calls recorded", async () => {
    const res = await putTxn("t1", { events: [ev("$a"), ev("$b")] });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    expect(storedIds()).toEqual(["$a", "$b"]);
    expect(inbox.isTransactionRecorded("t1")).toBe(true);
    expect(recordCalls).toHaveBeenCalledWith("t1", [ev("$a"), ev("$b")]);
    expect(order).toEqual(["record:t1", "recorded"]);
  });

  it("accepts the token as an access_token query parameter and the legacy path", async () => {
    const res = await fetch(`${base}/transactions/legacy?access_token=${HS_TOKEN}`, {
      method: "PUT",
      body: JSON.stringify({ events: [ev("$q")] }),
    });
    expect(res.status).toBe(200);
    expect(storedIds()).toEqual(["$q"]);
    expect(inbox.isTransactionRecorded("legacy")).toBe(true);
  });

  it("decodes the transaction id from the path", async () => {
    const res = await putTxn("txn/with spaces&more", { events: [ev("$a")] });
    expect(res.status).toBe(200);
    expect(inbox.isTransactionRecorded("txn/with spaces&more")).toBe(true);
  });

  it("answers 500 when recording fails, so the homeserver retries; the retry then records", async () => {
    failRecordOnce = true;
    const first = await putTxn("t1", { events: [ev("$a")] });
    expect(first.status).toBe(500);
    expect(storedIds()).toEqual([]);
    expect(inbox.isTransactionRecorded("t1")).toBe(false);
    expect(recorded).not.toHaveBeenCalled();

    const retry = await putTxn("t1", { events: [ev("$a")] });
    expect(retry.status).toBe(200);
    expect(storedIds()).toEqual(["$a"]);
    expect(recorded).toHaveBeenCalledTimes(1);
  });

  it("answers a replay 200 without adding anything or calling recorded again", async () => {
    expect((await putTxn("t1", { events: [ev("$a")] })).status).toBe(200);
    const replay = await putTxn("t1", { events: [ev("$a")] });
    expect(replay.status).toBe(200);
    expect(storedIds()).toEqual(["$a"]);
    expect(recorded).toHaveBeenCalledTimes(1);
  });

  it("records new events that come under a reused transaction id, and calls recorded", async () => {
    expect((await putTxn("t1", { events: [ev("$a")] })).status).toBe(200);
    expect((await putTxn("t1", { events: [ev("$b")] })).status).toBe(200);
    expect(storedIds()).toEqual(["$a", "$b"]);
    expect(recorded).toHaveBeenCalledTimes(2);
  });

  it("answers 400 to a body that is not JSON, recording nothing", async () => {
    const res = await putTxn("t1", "{not json");
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ errcode: "M_NOT_JSON" });
    expect(recordCalls).not.toHaveBeenCalled();
    expect(inbox.isTransactionRecorded("t1")).toBe(false);
  });

  it("answers 400 when events is not an array", async () => {
    for (const body of [{}, { events: "nope" }, [1, 2]]) {
      const res = await putTxn("t1", body);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ errcode: "M_BAD_JSON" });
    }
    expect(recordCalls).not.toHaveBeenCalled();
  });

  it("does not treat other methods on the transaction path as transactions", async () => {
    const res = await fetch(`${base}/_matrix/app/v1/transactions/t1`, { headers: { authorization: `Bearer ${HS_TOKEN}` } });
    expect(res.status).toBe(418);
    expect(recordCalls).not.toHaveBeenCalled();
  });

  it("never logs message content or the token", async () => {
    failRecordOnce = true;
    await putTxn("t1", { events: [ev("$a")] });
    await fetch(`${base}/transactions/t2?access_token=${HS_TOKEN}`, { method: "PUT", body: JSON.stringify({ events: [ev("$b")] }) });
    const logs = logLines.join("");
    expect(logs).toContain("HTTP request failed");
    expect(logs).not.toContain("secret words");
    expect(logs).not.toContain(HS_TOKEN);
  });
});

describe("other routes", () => {
  it("answers the homeserver's ping with the token", async () => {
    const ok = await fetch(`${base}/_matrix/app/v1/ping`, {
      method: "POST",
      headers: { authorization: `Bearer ${HS_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ transaction_id: "p1" }),
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({});
  });

  it("refuses a ping without or with a wrong token", async () => {
    expect((await fetch(`${base}/_matrix/app/v1/ping`, { method: "POST", body: "{}" })).status).toBe(401);
    expect(
      (await fetch(`${base}/_matrix/app/v1/ping`, { method: "POST", headers: { authorization: "Bearer nope" }, body: "{}" })).status,
    ).toBe(403);
  });

  it("reports health as 200 when ok and 503 when not, with the report as the body", async () => {
    const good = await fetch(`${base}/health`);
    expect(good.status).toBe(200);
    expect(await good.json()).toEqual({ ok: true, homeserver: { reachable: true } });

    healthReport = { ok: false, homeserver: { reachable: false } };
    const bad = await fetch(`${base}/health`);
    expect(bad.status).toBe(503);
    expect(await bad.json()).toEqual({ ok: false, homeserver: { reachable: false } });
  });

  it("sends everything else to the fallback", async () => {
    const user = await fetch(`${base}/_matrix/app/v1/users/%40carenet_x%3Aexample.org?x=1`);
    expect(user.status).toBe(418);
    expect(await user.text()).toBe("fallback GET /_matrix/app/v1/users/%40carenet_x%3Aexample.org?x=1");

    const postHealth = await fetch(`${base}/health`, { method: "POST" });
    expect(postHealth.status).toBe(418);
    expect(await postHealth.text()).toBe("fallback POST /health");
  });
});
