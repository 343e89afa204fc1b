/**
 * `npm run demo`: a local Synapse on loopback with carenet registered, carenet running
 * in-process on config/demo.yaml (the sample community "oakwood"), four demo accounts
 * (staff, a member, a peer on call now and a backup peer: tools/demoStory.ts),
 * and a box saying how to sign in with Element or any Matrix client. Ctrl-C stops it all.
 *
 *   node dist/tools/demo.js            run until Ctrl-C (SIGINT) or SIGTERM
 *   node dist/tools/demo.js --check    start, have demo-member send !help to the bot, wait
 *                                      for the answer, stop; exit 0 if it came (also
 *                                      CARENET_DEMO_CHECK=1)
 *   node dist/tools/demo.js --reset    forget the demo's state (.cache/demo/) first
 *
 * State lives in .cache/demo/ (git-ignored), so a second run reuses the Synapse database,
 * the registration and the accounts:
 *   synapse/            Synapse's data dir (homeserver.db, signing key, synapse.log)
 *   registration.yaml   carenet's appservice registration (tokens kept across runs)
 *   accounts.json       the demo accounts' passwords: random, made on the first run, local-only
 *   ports.json          the ports used last time (reused when 8008/9993 are taken)
 *   carenet.db          carenet's database
 *   carenet.log         carenet's log (JSON lines); the terminal gets a short form
 *
 * Nothing listens beyond 127.0.0.1 and nothing is fetched from the network.
 */
import { randomBytes, randomInt } from "node:crypto";
import {
  chmodSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  type WriteStream,
} from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { start, type Carenet } from "../src/app/start";
import { parseConfig } from "../src/config/load";
import { ConfigError } from "../src/config/problems";
import { generateRegistration, loadRegistration, registrationToYaml, type Registration } from "../src/matrix/registration";
import { playStory, type StoryPeople, type StoryResult } from "./demoStory";
import { findFreePort, registerUser, REPO_ROOT, startLocalSynapse, type LocalSynapse } from "./localSynapse";

// ---------------------------------------------------------------------------------------
// Where things are

const ROOT = REPO_ROOT;
const STATE = path.join(ROOT, ".cache", "demo");
const SYNAPSE_DIR = path.join(STATE, "synapse");
const SYNAPSE_CONFIG = path.join(SYNAPSE_DIR, "homeserver.yaml");
const SYNAPSE_LOG = path.join(SYNAPSE_DIR, "synapse.log");
const REGISTRATION = path.join(STATE, "registration.yaml");
const ACCOUNTS = path.join(STATE, "accounts.json");
const PORTS = path.join(STATE, "ports.json");
const CARENET_DB = path.join(STATE, "carenet.db");
const CARENET_LOG = path.join(STATE, "carenet.log");
const LOCK = path.join(STATE, "demo.pid");
const DEMO_CONFIG = path.join(ROOT, "config", "demo.yaml");

const SERVER_NAME = "localhost";
const BOT_LOCALPART = "carenet";
const BOT = `@${BOT_LOCALPART}:${SERVER_NAME}`;
const PREFERRED_SYNAPSE_PORT = 8008;
const PREFERRED_APPSERVICE_PORT = 9993;
const CHECK_TIMEOUT_MS = 30_000;

const DEMO_USERS = [
  { username: "demo-staff", displayname: "Demo Staff", role: "staff + admin of oakwood" },
  { username: "demo-member", displayname: "Demo Member", role: "a member" },
  { username: "demo-peer", displayname: "Demo Peer", role: "a peer supporter, on call now" },
  { username: "demo-peer2", displayname: "Demo Backup", role: "a second peer, backup now" },
] as const;
const STORY_PEOPLE: StoryPeople = {
  staff: `@demo-staff:${SERVER_NAME}`,
  member: `@demo-member:${SERVER_NAME}`,
  peer: `@demo-peer:${SERVER_NAME}`,
  backupPeer: `@demo-peer2:${SERVER_NAME}`,
};
type DemoUsername = (typeof DEMO_USERS)[number]["username"];
type Accounts = Record<DemoUsername, { password: string }>;

const rel = (p: string) => path.relative(process.cwd(), p) || p;
const say = (line: string) => process.stdout.write(`${line}\n`);

// ---------------------------------------------------------------------------------------
// Arguments

interface Args {
  check: boolean;
  reset: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { check: /^(1|true|yes)$/i.test(process.env.CARENET_DEMO_CHECK ?? ""), reset: false };
  for (const a of argv) {
    if (a === "--check") args.check = true;
    else if (a === "--reset") args.reset = true;
    else if (a === "-h" || a === "--help") {
      say("usage: npm run demo [-- --check] [-- --reset]");
      say("  --check   start, send !help as demo-member, wait for the bot's answer, stop (exit 0 if answered)");
      say("            (or CARENET_DEMO_CHECK=1)");
      say(`  --reset   forget the demo's state in ${rel(STATE)} (homeserver, accounts, carenet database) first`);
      process.exit(0);
    } else {
      process.stderr.write(`demo: unknown argument "${a}" (try --help)\n`);
      process.exit(2);
    }
  }
  return args;
}

// ---------------------------------------------------------------------------------------
// State files

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

function writePrivate(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
}

/** Easy to type, 14 characters of which 12 are random from 36: about 62 bits. */
function newPassword(): string {
  const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"; // no l/o/0/1 to misread
  const group = () => Array.from({ length: 4 }, () => alphabet[randomInt(alphabet.length)]).join("");
  return `${group()}-${group()}-${group()}`;
}

function loadOrCreateAccounts(): Accounts {
  const stored = readJson<Partial<Accounts>>(ACCOUNTS) ?? {};
  let changed = false;
  const accounts = {} as Accounts;
  for (const u of DEMO_USERS) {
    const password = stored[u.username]?.password;
    if (typeof password === "string" && password) {
      accounts[u.username] = { password };
    } else {
      accounts[u.username] = { password: newPassword() };
      changed = true;
    }
  }
  if (changed) writePrivate(ACCOUNTS, JSON.stringify(accounts, null, 2) + "\n");
  return accounts;
}

/** The stored registration with its url pointing at `url` (tokens kept), or a new one. */
function prepareRegistration(url: string): Registration {
  let reg: Registration | undefined;
  if (existsSync(REGISTRATION)) {
    try {
      reg = loadRegistration(REGISTRATION, { localpart: BOT_LOCALPART });
    } catch (err) {
      say(`demo: ${(err as Error).message}; making a new registration`);
    }
  }
  if (!reg) {
    reg = generateRegistration({ url, domain: SERVER_NAME, localpart: BOT_LOCALPART });
    writePrivate(REGISTRATION, registrationToYaml(reg));
  } else if (reg.url !== url) {
    reg.url = url;
    writePrivate(REGISTRATION, registrationToYaml(reg));
  }
  return reg;
}

// ---------------------------------------------------------------------------------------
// Ports

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/** The first free port of `preferred` (in order), else any free loopback port. */
async function choosePort(preferred: Array<number | undefined>, avoid: number[] = []): Promise<number> {
  for (const p of preferred) {
    if (p && !avoid.includes(p) && (await portIsFree(p))) return p;
  }
  for (;;) {
    const p = await findFreePort();
    if (!avoid.includes(p)) return p;
  }
}

// ---------------------------------------------------------------------------------------
// One demo at a time; a Synapse left behind by a killed demo is stopped

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function takeLock(): void {
  try {
    writeFileSync(LOCK, String(process.pid), { flag: "wx" });
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  const other = Number(readFileSync(LOCK, "utf8").trim());
  if (Number.isInteger(other) && other > 0 && other !== process.pid && alive(other)) {
    throw new Error(`another demo is already running (pid ${other}); stop it first (Ctrl-C in its terminal, or kill ${other})`);
  }
  writeFileSync(LOCK, String(process.pid)); // stale: its process is gone
}

function releaseLock(): void {
  try {
    if (readFileSync(LOCK, "utf8").trim() === String(process.pid)) rmSync(LOCK);
  } catch {
    /* not ours or already gone */
  }
}

/** Synapse processes running on this demo's config (Linux /proc; elsewhere none are found). */
function demoSynapsePids(): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const argv = readFileSync(`/proc/${e}/cmdline`, "utf8").split("\0");
      if (argv.includes("synapse.app.homeserver") && argv.includes(SYNAPSE_CONFIG)) pids.push(Number(e));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return pids;
}

async function stopLeftoverSynapse(): Promise<void> {
  const pids = demoSynapsePids();
  if (pids.length === 0) return;
  say(`demo: stopping a Synapse left running by an earlier demo (pid ${pids.join(", ")})`);
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      /* already gone */
    }
  }
  const deadline = Date.now() + 10_000;
  while (pids.some(alive) && Date.now() < deadline) await sleep(200);
  for (const pid of pids.filter(alive)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
}

// ---------------------------------------------------------------------------------------
// carenet's log: every line to carenet.log, a short form to the terminal

class DemoLog {
  private readonly file: WriteStream;
  constructor(file: string) {
    this.file = createWriteStream(file, { flags: "a", mode: 0o600 });
  }
  /** pino calls this with one JSON line at a time. */
  write(line: string): void {
    this.file.write(line);
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    // matrix-bot-sdk logs the homeserver's "already taken" when carenet re-registers its
    // existing bot at start; carenet treats that as success, so the terminal skips it.
    if (rec.component === "matrix-bot-sdk" && /M_USER_IN_USE/.test(String(rec.msg))) return;
    const level = typeof rec.level === "number" ? rec.level : 30;
    const label = level >= 50 ? "ERROR " : level >= 40 ? "WARN " : "";
    const extras = Object.entries(rec)
      .filter(([k]) => !["level", "time", "pid", "hostname", "service", "msg"].includes(k))
      .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
      .join(" ");
    const time = new Date(typeof rec.time === "number" ? rec.time : Date.now()).toTimeString().slice(0, 8);
    say(`  carenet ${time} ${label}${String(rec.msg ?? "")}${extras ? `  (${extras})` : ""}`);
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.file.end(() => resolve()));
  }
}

// ---------------------------------------------------------------------------------------
// A few client-server API calls (for registering, checking passwords and --check)

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly errcode: string,
    message: string,
  ) {
    super(message);
  }
}

async function cs<T = Record<string, unknown>>(
  hsUrl: string,
  method: string,
  apiPath: string,
  token?: string,
  body?: unknown,
  timeoutMs = 30_000,
): Promise<T> {
  const res = await fetch(new URL(apiPath, hsUrl), {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    /* not JSON */
  }
  if (!res.ok) {
    const errcode = typeof json.errcode === "string" ? json.errcode : "M_UNKNOWN";
    const why = typeof json.error === "string" ? json.error : text.slice(0, 200);
    throw new HttpError(res.status, errcode, `${method} ${apiPath.split("?")[0]}: HTTP ${res.status} ${errcode}: ${why}`);
  }
  return json as T;
}

interface Session {
  userId: string;
  token: string;
}

async function login(hsUrl: string, username: string, password: string, deviceName: string): Promise<Session> {
  const r = await cs<{ user_id: string; access_token: string }>(hsUrl, "POST", "/_matrix/client/v3/login", undefined, {
    type: "m.login.password",
    identifier: { type: "m.id.user", user: username },
    password,
    initial_device_display_name: deviceName,
  });
  return { userId: r.user_id, token: r.access_token };
}

async function logout(hsUrl: string, s: Session): Promise<void> {
  await cs(hsUrl, "POST", "/_matrix/client/v3/logout", s.token, {}).catch(() => undefined);
}

/** Registers the demo accounts (an existing one is fine) and proves each password works. */
async function ensureAccounts(synapse: LocalSynapse, accounts: Accounts): Promise<void> {
  for (const u of DEMO_USERS) {
    const { password } = accounts[u.username];
    try {
      await registerUser(synapse.url, synapse.sharedSecret, u.username, { password, displayname: u.displayname });
    } catch (err) {
      if (!/M_USER_IN_USE|already taken/i.test((err as Error).message)) throw err;
    }
    try {
      await logout(synapse.url, await login(synapse.url, u.username, password, "carenet demo (password check)"));
    } catch (err) {
      if (err instanceof HttpError && err.status === 403) {
        throw new Error(
          `${u.username} exists on the demo homeserver but its password is not the one in ${rel(ACCOUNTS)}. ` +
            `Run \`npm run demo -- --reset\` to start the demo afresh.`,
        );
      }
      throw err;
    }
  }
}

// ---------------------------------------------------------------------------------------
// --check: demo-member sends !help to the bot and waits for the answer

const SYNC_FILTER = encodeURIComponent(
  JSON.stringify({
    presence: { not_types: ["*"] },
    account_data: { not_types: ["*"] },
    room: { timeline: { limit: 50 }, state: { lazy_load_members: true }, ephemeral: { not_types: ["*"] } },
  }),
);

interface SyncEvent {
  event_id: string;
  type: string;
  sender: string;
  content: Record<string, unknown>;
}

async function botJoined(hsUrl: string, s: Session, roomId: string): Promise<boolean> {
  try {
    const m = await cs<{ membership?: string }>(
      hsUrl,
      "GET",
      `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/m.room.member/${encodeURIComponent(BOT)}`,
      s.token,
    );
    return m.membership === "join";
  } catch {
    return false;
  }
}

/** The member's DM with the bot from m.direct if they are still in it, else a new one (recorded in m.direct, as Element does). */
async function dmWithBot(hsUrl: string, s: Session, deadline: number): Promise<string> {
  const directPath = `/_matrix/client/v3/user/${encodeURIComponent(s.userId)}/account_data/m.direct`;
  let direct: Record<string, string[]> = {};
  try {
    direct = await cs<Record<string, string[]>>(hsUrl, "GET", directPath, s.token);
  } catch (err) {
    if (!(err instanceof HttpError && err.status === 404)) throw err;
  }
  const joined = (await cs<{ joined_rooms: string[] }>(hsUrl, "GET", "/_matrix/client/v3/joined_rooms", s.token)).joined_rooms;
  for (const roomId of direct[BOT] ?? []) {
    if (joined.includes(roomId) && (await botJoined(hsUrl, s, roomId))) {
      say(`demo check: using the DM ${roomId} with ${BOT}`);
      return roomId;
    }
  }
  const { room_id: roomId } = await cs<{ room_id: string }>(hsUrl, "POST", "/_matrix/client/v3/createRoom", s.token, {
    is_direct: true,
    preset: "trusted_private_chat",
    invite: [BOT],
  });
  await cs(hsUrl, "PUT", directPath, s.token, { ...direct, [BOT]: [roomId] });
  say(`demo check: created a DM ${roomId} and invited ${BOT}`);
  while (!(await botJoined(hsUrl, s, roomId))) {
    if (Date.now() > deadline) throw new Error(`${BOT} did not join the DM within ${CHECK_TIMEOUT_MS / 1000} s`);
    await sleep(250);
  }
  say(`demo check: ${BOT} joined`);
  return roomId;
}

async function runCheck(hsUrl: string, accounts: Accounts): Promise<void> {
  const started = Date.now();
  const deadline = started + CHECK_TIMEOUT_MS;
  const s = await login(hsUrl, "demo-member", accounts["demo-member"].password, "carenet demo --check");
  say(`demo check: logged in as ${s.userId} with the password from ${rel(ACCOUNTS)}`);
  try {
    const roomId = await dmWithBot(hsUrl, s, deadline);
    let since = (await cs<{ next_batch: string }>(hsUrl, "GET", `/_matrix/client/v3/sync?timeout=0&filter=${SYNC_FILTER}`, s.token))
      .next_batch;
    const txnId = `demo-check-${Date.now()}-${randomBytes(4).toString("hex")}`;
    const { event_id: commandId } = await cs<{ event_id: string }>(
      hsUrl,
      "PUT",
      `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${txnId}`,
      s.token,
      { msgtype: "m.text", body: "!help" },
    );
    const sentAt = Date.now();
    say(`demo check: sent !help (${commandId})`);
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no m.notice answer to !help from ${BOT} within ${CHECK_TIMEOUT_MS / 1000} s`);
      const wait = Math.min(5000, left);
      const sync = await cs<{
        next_batch: string;
        rooms?: { join?: Record<string, { timeline?: { events?: SyncEvent[] } }> };
      }>(hsUrl, "GET", `/_matrix/client/v3/sync?timeout=${wait}&since=${encodeURIComponent(since)}&filter=${SYNC_FILTER}`, s.token, undefined, wait + 10_000);
      since = sync.next_batch;
      const events = sync.rooms?.join?.[roomId]?.timeline?.events ?? [];
      const reply = events.find((ev) => {
        const relates = ev.content["m.relates_to"] as { "m.in_reply_to"?: { event_id?: string } } | undefined;
        return (
          ev.sender === BOT &&
          ev.type === "m.room.message" &&
          ev.content.msgtype === "m.notice" &&
          relates?.["m.in_reply_to"]?.event_id === commandId
        );
      });
      if (reply) {
        const firstLine = String(reply.content.body ?? "").split("\n")[0];
        say(`demo check: the bot answered in ${Date.now() - sentAt} ms: "${firstLine}"`);
        say(`demo check: !help answered (check took ${((Date.now() - started) / 1000).toFixed(1)} s)`);
        return;
      }
    }
  } finally {
    await logout(hsUrl, s);
  }
}

// ---------------------------------------------------------------------------------------
// The box

/** One line on the story's state: who is on call now, or why nobody is. */
function story(r: StoryResult | undefined): string {
  if (!r) return "The demo community could not be set up; see the log.";
  const on = r.onCall.length ? r.onCall.join(", ") : "nobody";
  return `On call now in oakwood: ${on}; backup: ${r.backup.length ? r.backup.join(", ") : "nobody"}.`;
}

function printBox(o: { hsUrl: string; accounts: Accounts; appservicePort: number; story?: StoryResult }): void {
  const lines = [
    "carenet demo: running on 127.0.0.1 only; local-only demo accounts",
    "",
    `Homeserver:  ${o.hsUrl}   (server name "${SERVER_NAME}")`,
    ...DEMO_USERS.map(
      (u) => `${u.username.padEnd(12)} password ${o.accounts[u.username].password}   (${u.role})`,
    ),
    "",
    `In Element: Sign in → Edit homeserver → ${o.hsUrl}`,
    `sign in as demo-member, start a chat with ${BOT} and send !help`,
    "",
    story(o.story),
    "",
    "Two minutes (sign in as demo-member in one window and demo-peer in another):",
    "  1. A page answered",
    "     demo-member, in the bot's DM:   !page I need to talk",
    "     demo-peer gets a request that rings; demo-peer sends:  !ack",
    "     demo-member is told Demo Peer is coming; both are invited to a private support room.",
    "     demo-peer, when it is over:     !resolve",
    "  2. A page escalated",
    "     demo-member again:              !page",
    "     demo-peer does nothing (or sends !decline): after 1 minute Demo Backup is asked,",
    "     then demo-staff, in \"Oakwood staff\", after 1 more; demo-member is told each step.",
    "  Also: !help, !hours, !oncall, !rota mine, !checkin plan, !language es, !mydata",
    "",
    `carenet:  127.0.0.1:${o.appservicePort}, ${rel(DEMO_CONFIG)} (sample community "oakwood")`,
    `Logs:     ${rel(CARENET_LOG)}, ${rel(SYNAPSE_LOG)}`,
    `State:    ${rel(STATE)}/ (npm run demo -- --reset forgets it)`,
    "",
    "Ctrl-C stops carenet and Synapse.",
  ];
  const width = Math.max(...lines.map((l) => [...l].length));
  const out = [
    `┌${"─".repeat(width + 2)}┐`,
    ...lines.map((l) => `│ ${l}${" ".repeat(width - [...l].length)} │`),
    `└${"─".repeat(width + 2)}┘`,
  ];
  say("");
  for (const l of out) say(l);
  say("");
}

// ---------------------------------------------------------------------------------------
// Start, run, stop

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  let carenet: Carenet | undefined;
  let synapse: LocalSynapse | undefined;
  let log: DemoLog | undefined;
  let stopping: Promise<never> | undefined;
  let firstSignalAt = 0;

  /** Stops carenet, then Synapse, then exits: the one way out once anything has started. */
  const shutdown = (code: number, reason?: string): Promise<never> => {
    stopping ??= (async () => {
      if (reason) say(reason);
      try {
        if (carenet) {
          say("demo: stopping carenet…");
          await carenet.stop().catch((err) => say(`demo: carenet did not stop cleanly: ${(err as Error).message}`));
        }
        if (synapse) {
          say("demo: stopping Synapse…");
          await synapse.stop().catch((err) => say(`demo: Synapse did not stop cleanly: ${(err as Error).message}`));
        }
        await log?.close();
      } finally {
        releaseLock();
      }
      say(code === 0 ? "demo: stopped." : "demo: stopped after an error.");
      process.exit(code);
    })();
    return stopping;
  };

  const onSignal = (signal: NodeJS.Signals) => {
    // npm forwards the terminal's Ctrl-C to us as well, so one press can arrive twice.
    if (firstSignalAt && Date.now() - firstSignalAt < 2000) return;
    if (firstSignalAt) {
      say(`demo: ${signal} again: exiting now`);
      process.exit(130); // localSynapse's exit hook kills Synapse
    }
    firstSignalAt = Date.now();
    void shutdown(0, `\ndemo: ${signal} received; stopping (Ctrl-C again after 2 s forces it)`);
  };
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(sig, onSignal);
  process.on("uncaughtException", (err) => void shutdown(1, `demo: unexpected error: ${err.stack ?? err.message}`));
  process.on("unhandledRejection", (err) =>
    void shutdown(1, `demo: unexpected error: ${(err as Error)?.stack ?? String(err)}`),
  );

  try {
    mkdirSync(STATE, { recursive: true });
    chmodSync(STATE, 0o700); // tokens, passwords and databases: this user's only
    takeLock(); // before anything else: never touch the state of a demo that is running
    await stopLeftoverSynapse();
    if (args.reset) {
      for (const e of readdirSync(STATE)) {
        if (e !== path.basename(LOCK)) rmSync(path.join(STATE, e), { recursive: true, force: true });
      }
      say(`demo: forgot the demo's state in ${rel(STATE)}`);
    }
    // The config, with the parts that depend on this machine filled in.
    const { config } = parseConfig(readFileSync(DEMO_CONFIG, "utf8"), DEMO_CONFIG);
    const lastPorts = readJson<{ synapse?: number; appservice?: number }>(PORTS) ?? {};
    const hsPort = await choosePort([PREFERRED_SYNAPSE_PORT, lastPorts.synapse]);
    const asPort = await choosePort([PREFERRED_APPSERVICE_PORT, lastPorts.appservice], [hsPort]);
    writeFileSync(PORTS, JSON.stringify({ synapse: hsPort, appservice: asPort }) + "\n");
    if (hsPort !== PREFERRED_SYNAPSE_PORT) say(`demo: port ${PREFERRED_SYNAPSE_PORT} is taken; Synapse will use ${hsPort}`);
    if (asPort !== PREFERRED_APPSERVICE_PORT) say(`demo: port ${PREFERRED_APPSERVICE_PORT} is taken; carenet will use ${asPort}`);
    config.homeserver.domain = SERVER_NAME;
    config.homeserver.url = `http://127.0.0.1:${hsPort}`;
    config.appservice.bind = "127.0.0.1";
    config.appservice.port = asPort;
    config.appservice.registration = REGISTRATION;
    config.database.path = CARENET_DB;
    config.bot.localpart = BOT_LOCALPART;

    // Synapse reads the registration when it starts, so it is written (or its url patched) first.
    const registration = prepareRegistration(`http://127.0.0.1:${asPort}`);
    const accounts = loadOrCreateAccounts();

    say(`demo: starting Synapse on 127.0.0.1:${hsPort} (data in ${rel(SYNAPSE_DIR)})…`);
    // localSynapse's own SIGINT/SIGTERM hooks SIGKILL Synapse at once; the demo stops it
    // gracefully instead, so they are removed again (its process 'exit' hook stays as a backstop).
    const before = new Map((["SIGINT", "SIGTERM", "SIGHUP"] as const).map((s) => [s, new Set(process.listeners(s))]));
    const removeTheirSignalHooks = () => {
      for (const [sig, had] of before) {
        for (const l of process.listeners(sig)) if (!had.has(l)) process.removeListener(sig, l);
      }
    };
    try {
      synapse = await startLocalSynapse({
        dir: SYNAPSE_DIR,
        registrationFiles: [REGISTRATION],
        serverName: SERVER_NAME,
        port: hsPort,
        persistentDb: true,
        logFile: SYNAPSE_LOG,
      });
    } finally {
      removeTheirSignalHooks();
    }
    if (stopping) return void (await stopping);
    say(`demo: Synapse is up at ${synapse.url}`);

    await ensureAccounts(synapse, accounts);
    if (stopping) return void (await stopping);
    say(`demo: accounts ready: ${DEMO_USERS.map((u) => `@${u.username}:${SERVER_NAME}`).join(", ")}`);

    say(`demo: starting carenet on 127.0.0.1:${asPort} (log: ${rel(CARENET_LOG)})…`);
    log = new DemoLog(CARENET_LOG);
    carenet = await start(config, { registration, logDestination: log, homeserverWaitMs: 30_000 });
    if (stopping) return void (await stopping);

    // The story: members, consent, an approved shift covering now (the same commands people send).
    let told: StoryResult | undefined;
    try {
      told = await playStory(carenet, STORY_PEOPLE);
      for (const line of told.did) say(`demo: ${line}`);
    } catch (err) {
      say(`demo: could not set up the demo community: ${(err as Error).message}`);
    }
    printBox({ hsUrl: synapse.url, accounts, appservicePort: carenet.port, story: told });

    if (args.check) {
      try {
        if (!told?.onCall.includes(STORY_PEOPLE.peer) || !told.backup.includes(STORY_PEOPLE.backupPeer)) {
          throw new Error(`the story is not in place: on call ${JSON.stringify(told?.onCall)}, backup ${JSON.stringify(told?.backup)}`);
        }
        say("demo check: demo-peer is on call and demo-peer2 is backup now");
        await runCheck(synapse.url, accounts);
      } catch (err) {
        await shutdown(1, `demo check: FAILED: ${(err as Error).message}`);
      }
      await shutdown(0);
    }
    // Otherwise run until a signal arrives; the open servers keep Node alive.
  } catch (err) {
    if (stopping) return void (await stopping); // e.g. Ctrl-C while Synapse was starting
    const message = err instanceof ConfigError ? err.message : (err as Error).message;
    await shutdown(1, `demo: could not start: ${message}`);
  }
}

void main();
