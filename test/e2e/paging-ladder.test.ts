import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DateTime } from "luxon";
import { SMTPServer } from "smtp-server";
import { botReplyTo, CRISIS, newUser, startCarenet, type RunningCarenet, e2eScene, tempDir, joinStaffRoom, addMember } from "./harness/carenet";
import { sleep } from "./harness/child";
import type { MatrixUser } from "./harness/matrixUser";
import { acceptBotDm, body, botSays, pagingCommunity } from "./harness/paging";
import { onCallNow } from "./harness/rota";

/**
 * Issue 16, items 4 and 5, on a real Synapse: `!decline` moves the ladder at once; an empty
 * rota gives the member a true answer within a second and staff a loud alert; the daily gap
 * warning arrives at its time; an email reaches a real SMTP server (started here) and a
 * signed webhook reaches a receiver here that verifies it, when the page reaches the last
 * step — naming no member and carrying no note.
 *
 * ASH: peer `pat` on call, staff `stan` (with an email address and the webhook set by an
 * admin); peers 10m → all staff 10m. BIRCH: nobody on the rota, staff `sue`; peers 10m →
 * on-call staff 10m, and a gap warning due a minute or two after the start.
 */

const { env, bot, rand, openDm } = e2eScene();
const ASH = `ash-${rand}`;
const BIRCH = `birch-${rand}`;
const TZ = "Europe/London";
const NOTE = `e2e-ladder-note-${rand} please someone`;
const SECRET = `webhook-secret-${rand}-0123456789`;
const STAN_EMAIL = `stan-${rand}@example.org`;

interface Mail {
  to: string[];
  raw: string;
}
interface Hook {
  ok: boolean;
  why?: string;
  body: Record<string, unknown>;
  raw: string;
}

let running: RunningCarenet;
let smtp: SMTPServer;
let smtpPort: number;
let hookServer: Server;
let hookPort: number;
const mails: Mail[] = [];
const hooks: Hook[] = [];
const seenDeliveries = new Set<string>();
let kim: MatrixUser; // ASH member
let pat: MatrixUser; // ASH peer on call
let stan: MatrixUser; // ASH staff
let mo: MatrixUser; // BIRCH member
let sue: MatrixUser; // BIRCH staff
let patDm: string;
let ashStaffRoom: string;
let birchStaffRoom: string;
let gapAt: DateTime;

/** What a receiver does (docs/paging.md): HMAC over "<timestamp>.<raw body>", constant-time compare, 5-minute window, repeats dropped. */
function verify(secret: string, headers: Record<string, string | string[] | undefined>, raw: string): string | undefined {
  const ts = Number(headers["x-carenet-timestamp"]);
  const sig = String(headers["x-carenet-signature"] ?? "");
  const delivery = String(headers["x-carenet-delivery"] ?? "");
  if (!Number.isInteger(ts) || Math.abs(Date.now() / 1000 - ts) > 300) return "stale or missing timestamp";
  const want = Buffer.from(`sha256=${createHmac("sha256", secret).update(`${ts}.${raw}`).digest("hex")}`);
  const got = Buffer.from(sig);
  if (got.length !== want.length || !timingSafeEqual(got, want)) return "bad signature";
  if (seenDeliveries.has(delivery)) return "repeat";
  seenDeliveries.add(delivery);
  return undefined;
}

/** The mail as a person would read it: quoted-printable soft breaks and =XX bytes decoded. */
function decodeQuotedPrintable(raw: string): string {
  const joined = raw.replace(/=\r?\n/g, "");
  return Buffer.from(joined.replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), "latin1").toString("utf8");
}

async function waitUntil<T>(what: string, check: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: decodeQuotedPrintable(Buffer.concat(chunks).toString("utf8")) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;
  hookServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const why = verify(SECRET, req.headers, raw);
      hooks.push({ ok: why === undefined, why, body: JSON.parse(raw) as Record<string, unknown>, raw });
      res.statusCode = why === undefined || why === "repeat" ? 200 : 401;
      res.end();
    });
  });
  await new Promise<void>((resolve) => hookServer.listen(0, "127.0.0.1", resolve));
  hookPort = (hookServer.address() as AddressInfo).port;

  [kim, pat, stan, mo, sue] = await Promise.all(["kim", "pat", "stan", "mo", "sue"].map((n) => newUser(env, n)));
  // A gap warning due at the start of a minute between 90 and 150 seconds from now.
  gapAt = DateTime.now().setZone(TZ).plus({ seconds: 90 }).startOf("minute").plus({ minutes: 1 });
  running = await startCarenet(env, tempDir("ladder"), {
    communities: [
      pagingCommunity(ASH, { staff: [stan.userId], escalation: [{ notify: "on_call_peers", wait: "10m" }, { notify: "all_staff", wait: "10m" }] }),
      {
        ...pagingCommunity(BIRCH, { staff: [sue.userId], escalation: [{ notify: "on_call_peers", wait: "10m" }, { notify: "on_call_staff", wait: "10m" }] }),
        paging: { escalation: [{ notify: "on_call_peers", wait: "10m" }, { notify: "on_call_staff", wait: "10m" }], gap_warning_at: gapAt.toFormat("HH:mm") },
      },
    ],
    extraConfig: {
      off_matrix: {
        link: "https://chat.example.org/",
        email: { host: "127.0.0.1", port: smtpPort, secure: false, require_tls: false, from: "carenet <carenet@example.org>" },
        webhook: { url: `http://127.0.0.1:${hookPort}/carenet`, secret: SECRET },
        contacts: [{ user: stan.userId, email: STAN_EMAIL, webhook: true }],
      },
    },
  });
  const { capabilities } = running.carenet;
  addMember(running, ASH, kim, stan);
  addMember(running, ASH, pat, stan);
  addMember(running, BIRCH, mo, sue);
  ashStaffRoom = await joinStaffRoom(running, stan, ASH);
  birchStaffRoom = await joinStaffRoom(running, sue, BIRCH);
  patDm = await openDm(pat);
  await onCallNow({ bot, peer: pat, peerDm: patDm, staff: stan, staffRoom: ashStaffRoom, timezone: TZ });
  expect(capabilities.onCall(ASH, Date.now()).peers).toEqual([pat.userId]);
}, 180_000);

afterAll(async () => {
  for (const u of [kim, pat, stan, mo, sue]) await u?.stop();
  await running?.carenet.stop();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  await new Promise<void>((resolve) => (hookServer ? hookServer.close(() => resolve()) : resolve()));
});

test("`!decline` moves the ladder at once; the last step also emails and calls the signed webhook, naming nobody", async () => {
  const kimDm = await openDm(kim);
  const stanDm = acceptBotDm(stan, bot);
  const sent = await kim.sendText(kimDm, `!page ${NOTE}`);
  const reply = body(await kim.waitForEvent(kimDm, botReplyTo(bot, sent)));
  expect(reply).toContain("I hear you");
  // The truth about what comes next: the staff team, after the peers' 10 minutes.
  expect(reply).toContain("If nobody answers within 10 minutes, I ask the staff team");

  const request = await pat.waitForEvent(patDm, botSays(bot, "needs support and has paged"));
  expect(body(request)).toContain("reply !decline here");
  expect(String(request.content.formatted_body)).toContain("<code>!decline</code>");
  const declined = await pat.sendText(patDm, "!decline");
  const declineAt = Date.now();
  expect(body(await pat.waitForEvent(patDm, botReplyTo(bot, declined)))).toContain("I have asked the next people at once");

  // The staff are asked now, not 10 minutes from now, and told they are the last people asked.
  const stanRoom = await stanDm;
  const staffRequest = await stan.waitForEvent(stanRoom, botSays(bot, "needs support and has paged"), 20_000);
  const movedInMs = Date.now() - declineAt;
  expect(movedInMs).toBeLessThan(20_000);
  expect(body(staffRequest)).toContain("You are the last people I ask for this page");
  const toKim = await kim.waitForEvent(kimDm, botSays(bot, "I have now also asked"));
  expect(body(toKim)).toContain("(the staff team)");
  expect(body(toKim)).not.toContain(pat.userId);

  // Off Matrix: an email to the staff member's address and a signed webhook call, once each.
  const mail = await waitUntil("an email", () => mails.find((m) => m.to.includes(STAN_EMAIL)));
  expect(mail.raw).toContain("needs support");
  expect(mail.raw).toContain("open your Matrix app");
  expect(mail.raw).toMatch(/Page \d+/);
  expect(mail.raw).toContain("https://chat.example.org/");
  const hook = await waitUntil("a webhook call", () => hooks.find((x) => x.body.user === stan.userId));
  expect(hook.ok).toBe(true);
  expect(hook.body).toMatchObject({ type: "carenet.page", community: ASH, step: 2 });
  for (const raw of [mail.raw, hook.raw]) {
    expect(raw).not.toContain(kim.userId);
    expect(raw).not.toContain("kim");
    expect(raw).not.toContain(NOTE);
  }
  // The receiver's checks reject a forged call.
  const forged = await fetch(`http://127.0.0.1:${hookPort}/carenet`, {
    method: "POST",
    headers: { "X-Carenet-Timestamp": String(Math.floor(Date.now() / 1000)), "X-Carenet-Signature": "sha256=00", "X-Carenet-Delivery": "forged" },
    body: hook.raw,
  });
  expect(forged.status).toBe(401);
  await sleep(2000);
  expect(mails.filter((m) => m.to.includes(STAN_EMAIL))).toHaveLength(1);
  expect(hooks.filter((x) => x.ok && x.body.user === stan.userId)).toHaveLength(1);

  // The digest-style list counts the decline, never the note or who declined to the member.
  const pages = await stan.sendText(ashStaffRoom, "!pages");
  const list = body(await stan.waitForEvent(ashStaffRoom, botReplyTo(bot, pages)));
  expect(list).toContain("Declined: 1.");
  expect(list).not.toContain(NOTE);
});

test("an empty rota: the member gets a true answer within a second, and staff a loud alert", async () => {
  const moDm = await openDm(mo);
  const sueDm = acceptBotDm(sue, bot);
  const sent = await mo.sendText(moDm, "!page");
  const sentEvent = await mo.waitForEvent(moDm, (ev) => ev.event_id === sent);
  const reply = await mo.waitForEvent(moDm, botReplyTo(bot, sent));
  expect(reply.origin_server_ts - sentEvent.origin_server_ts).toBeLessThan(1000);
  expect(body(reply)).toContain("nobody is on call to ask right now");
  expect(body(reply)).toContain(CRISIS);
  expect(body(reply)).not.toContain("up to the staff");

  const alert = await sue.waitForEvent(await sueDm, botSays(bot, "nobody has been asked"));
  expect(alert.content.msgtype).toBe("m.text");
  expect(alert.content["m.mentions"]).toEqual({ user_ids: [sue.userId] });
  const roomAlert = await sue.waitForEvent(birchStaffRoom, botSays(bot, "nobody has been asked"));
  expect(roomAlert.content["m.mentions"].user_ids).toContain(sue.userId);
});

test("`!contact email` is confirmed by a code emailed through the real SMTP server, and shows in `!mydata`", async () => {
  const address = `pat-${rand}@example.org`;
  const set = await pat.sendText(patDm, `!contact email ${address}`);
  expect(body(await pat.waitForEvent(patDm, botReplyTo(bot, set)))).toContain(`I have sent a 6-digit code to ${address}`);
  const mail = await waitUntil("the code", () => mails.find((m) => m.to.includes(address)));
  const code = /confirmation code is (\d{6})/.exec(mail.raw)![1];
  const confirm = await pat.sendText(patDm, `!contact confirm ${code}`);
  expect(body(await pat.waitForEvent(patDm, botReplyTo(bot, confirm)))).toContain(`I will also email ${address}`);
  const mine = await pat.sendText(patDm, "!mydata");
  expect(body(await pat.waitForEvent(patDm, botReplyTo(bot, mine)))).toContain(`Email address ${address}`);
  // The code is never logged.
  expect(running.logs.text).not.toContain(code);
});

test("the gap warning arrives at its time and lists the uncovered hours; `!oncall` shows the gaps too", async () => {
  const warning = await sue.waitForEvent(birchStaffRoom, botSays(bot, "hours with nobody on call"), 200_000);
  // At its minute (the scheduler looks at least every 30 s), not before.
  expect(warning.origin_server_ts).toBeGreaterThanOrEqual(gapAt.toMillis());
  expect(warning.origin_server_ts).toBeLessThan(gapAt.toMillis() + 35_000);
  const from = gapAt.toFormat("HH:mm");
  expect(body(warning)).toContain(`Step 1 (the peer supporters on call): nobody ${from}–12:00.`);
  expect(body(warning)).toContain(`Step 2 (the staff on call): nobody ${from}–12:00.`);

  const asked = await sue.sendText(birchStaffRoom, "!oncall");
  const answer = body(await sue.waitForEvent(birchStaffRoom, botReplyTo(bot, asked)));
  expect(answer).toContain("Gaps,");
  expect(answer).toContain("Step 1 (the peer supporters on call): nobody");
}, 240_000);
