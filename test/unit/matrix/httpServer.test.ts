import type { AddressInfo } from "node:net";
import { request, type Server } from "node:http";
import { Writable } from "node:stream";
import { createLogger } from "../../../src/kernel/logger";
import { createHttpServer, MAX_TRANSACTION_BYTES, type HealthReport } from "../../../src/matrix/httpServer";
import { openDatabase, type Db } from "../../../src/store/database";
import { InboxStore, type IncomingEvent } from "../../../src/store/inbox";
import { closeNow, listenLocally } from "../../support/localServer";

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
const outcomes = jest.fn();

beforeEach(async () => {
  db = openDatabase(":memory:");
  inbox = new InboxStore(db);
  order = [];
  failRecordOnce = false;
  healthReport = { ok: true, homeserver: { reachable: true } };
  logLines = [];
  recorded.mockClear();
  recordCalls.mockClear();
  outcomes.mockClear();
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
    recordOutcome: (ok) => outcomes(ok),
    health: async () => healthReport,
  });
  base = await listenLocally(server);
});

afterEach(async () => {
  await closeNow(server);
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

  it("accepts the token as an access_token query parameter", async () => {
    const res = await fetch(`${base}/_matrix/app/v1/transactions/q1?access_token=${HS_TOKEN}`, {
      method: "PUT",
      body: JSON.stringify({ events: [ev("$q")] }),
    });
    expect(res.status).toBe(200);
    expect(storedIds()).toEqual(["$q"]);
    expect(inbox.isTransactionRecorded("q1")).toBe(true);
  });

  it("serves only the exact path: the legacy unprefixed one and other letter cases are 404 M_UNRECOGNIZED and record nothing", async () => {
    for (const path of ["/transactions/", "/_matrix/app/v1/Transactions/", "/_MATRIX/app/v1/transactions/", "/_matrix/app/v1/transactions/x/", "/_matrix/app/v2/transactions/"]) {
      const res = await putTxn("t1", { events: [ev("$a")] }, HS_TOKEN, path);
      expect([path, res.status]).toEqual([path, 404]);
      expect(await res.json()).toMatchObject({ errcode: "M_UNRECOGNIZED" });
    }
    expect(recordCalls).not.toHaveBeenCalled();
    expect(storedIds()).toEqual([]);
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
    expect(outcomes.mock.calls).toEqual([[false]]);

    const retry = await putTxn("t1", { events: [ev("$a")] });
    expect(retry.status).toBe(200);
    expect(storedIds()).toEqual(["$a"]);
    expect(recorded).toHaveBeenCalledTimes(1);
    expect(outcomes.mock.calls).toEqual([[false], [true]]);
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

  it("answers 400 to a body that is not JSON, recording nothing and logging none of it", async () => {
    const res = await putTxn("t1", "{not json secret-junk");
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ errcode: "M_NOT_JSON" });
    expect(recordCalls).not.toHaveBeenCalled();
    expect(inbox.isTransactionRecorded("t1")).toBe(false);
    expect(logLines.join("")).toContain("request body is not JSON");
    expect(logLines.join("")).not.toContain("secret-junk");
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
    expect(res.status).toBe(405);
    expect(await res.json()).toMatchObject({ errcode: "M_UNRECOGNIZED" });
    expect(recordCalls).not.toHaveBeenCalled();
  });

  it("never logs message content or the token", async () => {
    failRecordOnce = true;
    await putTxn("t1", { events: [ev("$a")] });
    await fetch(`${base}/_matrix/app/v1/transactions/t2?access_token=${HS_TOKEN}`, { method: "PUT", body: JSON.stringify({ events: [ev("$b")] }) });
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

  it("reports only the status to anyone, and the details with the token", async () => {
    const good = await fetch(`${base}/health`);
    expect(good.status).toBe(200);
    expect(await good.json()).toEqual({ status: "ok" });
    const detailed = await fetch(`${base}/health`, { headers: { authorization: `Bearer ${HS_TOKEN}` } });
    expect(await detailed.json()).toEqual({ status: "ok", ok: true, homeserver: { reachable: true } });

    healthReport = { ok: false, homeserver: { reachable: false } };
    const bad = await fetch(`${base}/health`);
    expect(bad.status).toBe(503);
    expect(await bad.json()).toEqual({ status: "unavailable" });
    const wrongToken = await fetch(`${base}/health?access_token=nope`);
    expect(wrongToken.status).toBe(503);
    expect(await wrongToken.json()).toEqual({ status: "unavailable" });
  });

  it("answers the homeserver's user and alias queries 404 with the token, 401/403 without", async () => {
    for (const path of ["/_matrix/app/v1/users/%40carenet_x%3Aexample.org", "/_matrix/app/v1/rooms/%23carenet_x%3Aexample.org"]) {
      const ok = await fetch(`${base}${path}?access_token=${HS_TOKEN}`);
      expect(ok.status).toBe(404);
      expect(await ok.json()).toMatchObject({ errcode: "M_NOT_FOUND" });
      expect((await fetch(`${base}${path}`)).status).toBe(401);
      expect((await fetch(`${base}${path}?access_token=nope`)).status).toBe(403);
    }
  });

  it("answers anything else 404 (or 405 for another method on a known path) without reaching a handler", async () => {
    for (const path of ["/", "/_matrix/app/v1/nothing", "/_matrix/app/v1/thirdparty/protocol/x", "/_matrix/app/unstable/org.matrix.msc3983/keys/claim", "/users/x", "/HEALTH"]) {
      const res = await fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect([path, res.status]).toEqual([path, 404]);
      expect(await res.json()).toMatchObject({ errcode: "M_UNRECOGNIZED" });
    }
    expect((await fetch(`${base}/health`, { method: "POST" })).status).toBe(405);
  });
});

/** A request whose body is sent in chunks (or only announced), to see what is refused before it is read. */
function rawRequest(
  method: string,
  path: string,
  headers: Record<string, string | number>,
  chunks: number,
  chunkBytes = 64 * 1024,
): Promise<{ status: number | "reset"; body: string; sent: number }> {
  return new Promise((resolve) => {
    let sent = 0;
    const req = request(`${base}${path}`, { method, headers }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode!, body, sent }));
      res.on("error", () => resolve({ status: res.statusCode!, body, sent }));
    });
    req.on("error", () => resolve({ status: "reset", body: "", sent }));
    const chunk = Buffer.alloc(chunkBytes, "a");
    const pump = () => {
      while (sent < chunks) {
        sent++;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      req.end();
    };
    if (chunks > 0) pump();
    else if (headers["content-length"] === undefined) req.end();
    else req.flushHeaders();
  });
}

describe("request bodies", () => {
  it("refuses an unauthenticated body before reading it, and closes the connection", async () => {
    const res = await rawRequest("PUT", "/_matrix/app/v1/transactions/t1", { "content-length": 300 * 1024 * 1024 }, 0);
    expect(res.status).toBe(401);
    const chunked = await rawRequest("POST", "/_matrix/app/v1/ping", { "transfer-encoding": "chunked" }, 2000);
    expect([401, "reset"]).toContain(chunked.status);
    expect(chunked.sent).toBeLessThan(2000); // it stopped being read long before the end
    expect(recordCalls).not.toHaveBeenCalled();
  });

  it("refuses 413 a transaction announced larger than the limit, without reading it", async () => {
    const res = await rawRequest("PUT", `/_matrix/app/v1/transactions/t1?access_token=${HS_TOKEN}`, { "content-length": MAX_TRANSACTION_BYTES + 1 }, 0);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ errcode: "M_TOO_LARGE" });
    expect(recordCalls).not.toHaveBeenCalled();
  });

  it("stops reading a body that grows past its route's limit (413), and closes the connection", async () => {
    const res = await rawRequest("POST", `/_matrix/app/v1/ping?access_token=${HS_TOKEN}`, { "transfer-encoding": "chunked" }, 2000);
    expect([413, "reset"]).toContain(res.status);
    expect(res.sent).toBeLessThan(2000);
    expect(logLines.join("")).toContain("request body too large");
  });

  it("has a limit that fits Synapse's largest transaction, and accepts a large one", async () => {
    // 100 events of 64 KiB, each with as much again in `unsigned`, at Synapse's 3× ASCII escaping.
    expect(MAX_TRANSACTION_BYTES).toBeGreaterThanOrEqual(100 * 2 * 64 * 1024 * 3);
    const events = Array.from({ length: 100 }, (_, i) => ({ ...ev(`$e${i}`), content: { body: "é".repeat(20_000) } }));
    const res = await putTxn("big", { events });
    expect(res.status).toBe(200);
    expect(storedIds()).toHaveLength(100);
  });

  it("refuses a body on a request that takes none", async () => {
    const res = await rawRequest("GET", `/_matrix/app/v1/users/%40a%3Ab?access_token=${HS_TOKEN}`, { "content-length": 10 }, 1, 10);
    expect(res.status).toBe(413);
  });
});

describe("calendar feeds", () => {
  const TOKEN = "cal0123456789abcdefTOKEN";
  let cal: Server;
  let calBase: string;
  let calLog: string[];
  const seen: string[] = [];

  beforeEach(async () => {
    calLog = [];
    seen.length = 0;
    cal = createHttpServer({
      hsToken: HS_TOKEN,
      log: createLogger("info", new Writable({ write: (c, _e, cb) => (calLog.push(String(c)), cb()) })),
      recordTransaction: () => true,
      recorded: () => undefined,
      health: async () => ({ ok: true }),
      calendar: (req, res) => {
        seen.push(req.method ?? "");
        if (req.url?.includes("boom")) throw new Error("feed failed");
        res.writeHead(200, { "content-type": "text/calendar" });
        res.end(req.method === "HEAD" ? undefined : "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n");
        return true;
      },
    });
    await new Promise<void>((resolve) => cal.listen(0, "127.0.0.1", () => resolve()));
    calBase = `http://127.0.0.1:${(cal.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    cal.closeAllConnections();
    await new Promise<void>((resolve) => cal.close(() => resolve()));
  });

  it("answers HEAD as well as GET (calendar apps check a feed with HEAD)", async () => {
    expect((await fetch(`${calBase}/_carenet/calendar/${TOKEN}.ics`, { method: "HEAD" })).status).toBe(200);
    expect((await fetch(`${calBase}/_carenet/calendar/${TOKEN}.ics`)).status).toBe(200);
    expect(seen).toEqual(["HEAD", "GET"]);
    expect((await fetch(`${calBase}/_carenet/calendar/${TOKEN}.ics`, { method: "POST" })).status).toBe(405);
  });

  it("never logs the token in a calendar path", async () => {
    const res = await fetch(`${calBase}/_carenet/calendar/${TOKEN}boom.ics`);
    expect(res.status).toBe(500);
    const logged = calLog.join("");
    expect(logged).toContain("HTTP request failed");
    expect(logged).toContain("/_carenet/calendar/…");
    expect(logged).not.toContain(TOKEN);
  });
});
