/**
 * Run a throwaway Synapse (from the pinned venv made by scripts/ensure-synapse.sh) for e2e tests.
 * See /work/shared/research/synapse-testing.md §2 for where the config values come from.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { stringify } from "yaml";

export interface LocalSynapse {
  url: string;
  port: number;
  serverName: string;
  sharedSecret: string;
  dir: string;
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** Starts it again after stop() (same config, database and keys). */
  start(): Promise<void>;
  /** SIGSTOP / SIGCONT: a homeserver that accepts connections and never answers, then answers again. */
  freeze(): void;
  thaw(): void;
  /** SIGKILL, as a crash would: no graceful shutdown. */
  crash(): Promise<void>;
}

export interface StartLocalSynapseOptions {
  dir: string;
  registrationFiles: string[];
  /** Default "localhost". */
  serverName?: string;
  /** Default: a free loopback port. */
  port?: number;
  /** Default false: every rc_* limiter is raised to 9999/s so tests never get throttled. */
  realRateLimits?: boolean;
  /** Default: <repo>/.cache/synapse-venv. */
  venvDir?: string;
  /** Default: <dir>/synapse.log. Receives WARNING+ logs plus the process's stdout/stderr. */
  logFile?: string;
  /** Default true: sqlite file in dir, so restart() keeps state. False: ":memory:". */
  persistentDb?: boolean;
  /** Top-level homeserver.yaml keys set over the defaults, e.g. `{ encryption_enabled_by_default_for_room_type: "all" }`. */
  extraConfig?: Record<string, unknown>;
}

/** The repository root, whether this runs from tools/ (ts-jest) or dist/tools/ (compiled). */
export const REPO_ROOT = (() => {
  let dir = __dirname;
  while (!existsSync(path.join(dir, "package.json")) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
})();
const HEALTH_POLL_MS = 200;
const START_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 10_000;

// Children still running; killed synchronously if this Node process goes away first,
// because they are detached (own process group) and would otherwise outlive us.
const live = new Set<ChildProcess>();
let handlersInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal); // negative pid: the whole detached process group
  } catch {
    /* already gone */
  }
}

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on("exit", () => {
    for (const child of live) killGroup(child, "SIGKILL");
  });
  // 'exit' does not fire when Node dies from a signal (e.g. Ctrl-C on a jest worker).
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = (): void => {
      for (const child of live) killGroup(child, "SIGKILL");
      // Re-raise for the default behaviour, unless someone else handles this signal.
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    };
    process.once(sig, onSignal);
  }
}

export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error("could not allocate a port"))));
    });
  });
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log file)";
  }
}

function rateLimits(): Record<string, unknown> {
  const high = { per_second: 9999, burst_count: 9999 };
  const flat = [
    "rc_message", "rc_registration", "rc_registration_token_validity", "rc_admin_redaction",
    "rc_joins_per_room", "rc_key_requests", "rc_3pid_validation", "rc_third_party_invite",
    "rc_media_create", "rc_delayed_event_mgmt", "rc_room_creation", "rc_reports",
    "rc_user_directory", "rc_profile",
  ];
  return {
    ...Object.fromEntries(flat.map((k) => [k, high])),
    rc_login: { address: high, account: high, failed_attempts: high },
    rc_joins: { local: high, remote: high },
    rc_invites: { per_room: high, per_user: high, per_issuer: high },
    rc_presence: { per_user: high },
  };
}

function writeConfig(o: {
  dir: string; port: number; serverName: string; sharedSecret: string; logFile: string;
  registrationFiles: string[]; realRateLimits: boolean; persistentDb: boolean;
  extraConfig?: Record<string, unknown>;
}): string {
  const logConfigPath = path.join(o.dir, "log.config.yaml");
  writeFileSync(
    logConfigPath,
    stringify({
      version: 1,
      formatters: { precise: { format: "%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(message)s" } },
      handlers: {
        file: { class: "logging.FileHandler", formatter: "precise", filename: o.logFile, level: "WARNING" },
      },
      root: { level: "WARNING", handlers: ["file"] },
      disable_existing_loggers: false,
    }),
  );
  const config: Record<string, unknown> = {
    server_name: o.serverName,
    public_baseurl: `http://127.0.0.1:${o.port}/`,
    report_stats: false, // mandatory key, else ConfigError
    pid_file: path.join(o.dir, "homeserver.pid"),
    log_config: logConfigPath,
    listeners: [
      {
        port: o.port,
        bind_addresses: ["127.0.0.1"], // never ::1 (may lack IPv6) nor public interfaces
        type: "http",
        tls: false,
        x_forwarded: false,
        // "client" also serves the admin API; no "federation" resource.
        resources: [{ names: ["client"], compress: false }],
      },
    ],
    database: {
      name: "sqlite3",
      args: { database: o.persistentDb ? path.join(o.dir, "homeserver.db") : ":memory:" },
    },
    media_store_path: path.join(o.dir, "media_store"),
    // Generated on first start by the default --generate-missing-and-run mode.
    signing_key_path: path.join(o.dir, `${o.serverName}.signing.key`),
    registration_shared_secret: o.sharedSecret,
    macaroon_secret_key: randomBytes(32).toString("hex"),
    form_secret: randomBytes(32).toString("hex"),
    enable_registration: false, // shared-secret and appservice registration still work
    app_service_config_files: o.registrationFiles.map((f) => path.resolve(f)),
    trusted_key_servers: [], // never contact matrix.org
    suppress_key_server_warning: true,
    federation_domain_whitelist: [], // federate with nobody
    bcrypt_rounds: 4, // password hashing is otherwise a large share of registration time
    caches: { sync_response_cache_duration: 0 }, // a cached /sync would hide fresh events
    presence: { enabled: false },
    url_preview_enabled: false,
    default_room_version: "11", // the default changes between releases; pin for determinism
    // Tests run a push gateway on loopback (test/e2e/harness/pushGateway.ts); Synapse refuses
    // to call private addresses unless allowed here. The block list itself stays the default.
    ip_range_whitelist: ["127.0.0.1/32"],
    ...(o.realRateLimits ? {} : rateLimits()),
    ...o.extraConfig,
  };
  const configPath = path.join(o.dir, "homeserver.yaml");
  writeFileSync(configPath, stringify(config));
  return configPath;
}

/**
 * The environment for the Synapse child: ours without proxy settings. Synapse sends pushes
 * through a proxy when these are set, and a proxy cannot reach the test's loopback gateway.
 */
export function synapseEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (!/^(https?|all|no)_proxy$/i.test(k)) out[k] = v;
  return out;
}

export async function startLocalSynapse(opts: StartLocalSynapseOptions): Promise<LocalSynapse> {
  const dir = path.resolve(opts.dir);
  const serverName = opts.serverName ?? "localhost";
  const venvDir = path.resolve(opts.venvDir ?? path.join(REPO_ROOT, ".cache", "synapse-venv"));
  const logFile = path.resolve(opts.logFile ?? path.join(dir, "synapse.log"));
  const python = path.join(venvDir, "bin", "python");
  if (!existsSync(python)) {
    throw new Error(`No Synapse venv at ${venvDir}; run scripts/ensure-synapse.sh first`);
  }
  mkdirSync(dir, { recursive: true });
  mkdirSync(path.dirname(logFile), { recursive: true });

  const port = opts.port ?? (await findFreePort());
  const url = `http://127.0.0.1:${port}`;
  const sharedSecret = randomBytes(32).toString("hex");
  // Written once: restart() reuses it, so secrets and the signing key stay the same.
  const configPath = writeConfig({
    dir, port, serverName, sharedSecret, logFile,
    registrationFiles: opts.registrationFiles,
    realRateLimits: opts.realRateLimits ?? false,
    persistentDb: opts.persistentDb ?? true,
    extraConfig: opts.extraConfig,
  });

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  async function launch(): Promise<void> {
    installExitHandlers();
    const logFd = openSync(logFile, "a");
    const proc = spawn(python, ["-m", "synapse.app.homeserver", "-c", configPath], {
      cwd: dir,
      detached: true, // own session: no tty, no Ctrl-C from the terminal's process group
      stdio: ["ignore", logFd, logFd], // never the test's stdout
      env: { ...synapseEnv(), PYTHONUNBUFFERED: "1" },
    });
    closeSync(logFd); // the child holds its own copy
    child = proc;
    live.add(proc);
    let exitInfo: string | undefined;
    exited = new Promise((resolve) => {
      proc.once("exit", (code, signal) => {
        exitInfo = `exited with ${signal ?? `code ${code}`}`;
        live.delete(proc);
        resolve();
      });
      proc.once("error", (err) => {
        exitInfo = `failed to spawn: ${err.message}`;
        live.delete(proc);
        resolve();
      });
    });

    const deadline = Date.now() + START_TIMEOUT_MS;
    while (exitInfo === undefined && Date.now() < deadline) {
      try {
        const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) return;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, HEALTH_POLL_MS));
    }
    const why = exitInfo ?? `not healthy after ${START_TIMEOUT_MS / 1000} s`;
    await stop();
    throw new Error(`Synapse on ${url} ${why}. Last 40 lines of ${logFile}:\n${tail(logFile, 40)}`);
  }

  async function stop(): Promise<void> {
    const proc = child;
    if (!proc) return; // idempotent
    child = undefined;
    if (proc.exitCode === null && proc.signalCode === null) {
      killGroup(proc, "SIGTERM");
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        exited.then(() => false),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(true), STOP_GRACE_MS))),
      ]);
      clearTimeout(timer);
      if (timedOut) killGroup(proc, "SIGKILL");
    }
    await exited;
  }

  await launch();
  return {
    url,
    port,
    serverName,
    sharedSecret,
    dir,
    stop,
    async restart() {
      await stop();
      await launch();
    },
    async start() {
      if (!child) await launch();
    },
    freeze() {
      if (child) killGroup(child, "SIGSTOP");
    },
    thaw() {
      if (child) killGroup(child, "SIGCONT");
    },
    async crash() {
      const proc = child;
      if (!proc) return;
      child = undefined;
      killGroup(proc, "SIGKILL");
      await exited;
    },
  };
}

export interface RegisteredUser {
  userId: string;
  accessToken: string;
  deviceId: string;
}

/** Register a user through the shared-secret admin API (docs/admin_api/register_api.md). */
export async function registerUser(
  hsUrl: string,
  sharedSecret: string,
  username: string,
  opts: { password?: string; admin?: boolean; displayname?: string } = {},
): Promise<RegisteredUser> {
  // The MAC covers the username as sent but the server lowercases it, so lowercase first.
  const localpart = username.replace(/^@/, "").replace(/:.*$/, "").toLowerCase();
  const password = opts.password ?? randomBytes(12).toString("hex");
  const admin = opts.admin ?? false;
  const endpoint = new URL("/_synapse/admin/v1/register", hsUrl).toString();

  for (let attempt = 1; ; attempt++) {
    // Nonces are single-use, so every attempt fetches a new one.
    const nonceRes = await fetch(endpoint);
    if (!nonceRes.ok) {
      throw new Error(`register ${localpart}: GET nonce failed: HTTP ${nonceRes.status} ${await nonceRes.text()}`);
    }
    const { nonce } = (await nonceRes.json()) as { nonce: string };
    const mac = createHmac("sha1", sharedSecret)
      .update(`${nonce}\0${localpart}\0${password}\0${admin ? "admin" : "notadmin"}`)
      .digest("hex");
    const res = await fetch(endpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ nonce, username: localpart, password, admin, mac, displayname: opts.displayname }),
    });
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      /* non-JSON error page; reported via text below */
    }
    if (res.ok) {
      return {
        userId: body.user_id as string,
        accessToken: body.access_token as string,
        deviceId: body.device_id as string,
      };
    }
    if (body.errcode === "M_LIMIT_EXCEEDED" && attempt < 10) {
      const wait = typeof body.retry_after_ms === "number" ? body.retry_after_ms : 1000;
      await new Promise((r) => setTimeout(r, wait));
      continue;
    }
    const detail = body.errcode ? `${body.errcode}: ${String(body.error)}` : text.slice(0, 500);
    throw new Error(`register ${localpart} on ${hsUrl} failed: HTTP ${res.status} ${detail}`);
  }
}
