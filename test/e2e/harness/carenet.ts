import { LogCapture } from "../../support/logCapture";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import { start, type Carenet, type StartOptions } from "../../../src/app/start";
import { loadConfigFile, parseConfig } from "../../../src/config/load";
import type { CarenetConfig, CommunityConfig } from "../../../src/config/types";
import { loadRegistration } from "../../../src/matrix/registration";
import { registerUser } from "../../../tools/localSynapse";
import { MatrixUser, type MatrixEvent } from "./matrixUser";
import { E2E_ENV_FILE, type E2eEnv } from "./paths";

export function e2eEnv(): E2eEnv {
  return JSON.parse(readFileSync(E2E_ENV_FILE, "utf8")) as E2eEnv;
}

/** What a test file starts from: the Synapse it talks to and the bot there. */
export interface E2eScene {
  env: E2eEnv;
  bot: string;
  /** A suffix that keeps this file's communities and notes apart from every other run's. */
  rand: string;
  /** Opens a direct chat with the bot and waits for its welcome. */
  openDm(user: MatrixUser): Promise<string>;
}

export function e2eScene(): E2eScene {
  const env = e2eEnv();
  const bot = botUserId(env);
  return { env, bot, rand: randomBytes(3).toString("hex"), openDm: (user) => openBotDm(user, bot) };
}

/** A fresh directory for one carenet's config and database, named after what the test is about. */
export function tempDir(name: string): string {
  return mkdtempSync(path.join(tmpdir(), `carenet-${name}-`));
}

export const CRISIS = "In an emergency call 999. Samaritans 116 123 (free, 24/7).";

/** The Oakwood community as its config would read, with `staff`; `over` adds or replaces fields. */
export function oakwood(id: string, staff: string[], over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    name: "Oakwood",
    timezone: "Europe/London",
    staff,
    rooms: { community: { name: "Oakwood community" }, staff: { name: "Oakwood staff" }, alumni: { name: "Oakwood alumni" } },
    ...over,
  };
}

/** A config as an admin would write it, pointing at the shared test Synapse. */
export function testConfigYaml(env: E2eEnv, dbPath: string, communities: unknown[] = [], extra: Record<string, unknown> = {}): string {
  return stringify({
    // The crisis resources may be replaced (e.g. by structured entries); the rest may not.
    crisis_resources: CRISIS,
    ...extra,
    homeserver: { url: env.hsUrl, domain: env.serverName },
    appservice: { bind: "127.0.0.1", port: env.asPort, registration: env.registrationPath },
    database: { path: dbPath },
    logging: { level: "info" },
    communities,
  });
}

/** Writes the config to a file in `dir` and returns its path (for CLI runs). */
export function writeTestConfig(env: E2eEnv, dir: string, communities: unknown[] = []): string {
  const file = path.join(dir, `config-${randomBytes(3).toString("hex")}.yaml`);
  writeFileSync(file, testConfigYaml(env, path.join(dir, "carenet.db"), communities));
  return file;
}

export { LogCapture };

export interface RunningCarenet {
  carenet: Carenet;
  config: CarenetConfig;
  logs: LogCapture;
}

/** Starts carenet in-process against the shared Synapse, with its database in `dir`. */
export async function startCarenet(
  env: E2eEnv,
  dir: string,
  opts: { communities?: CommunityConfig[] | unknown[]; dbPath?: string; /** More top-level config keys (e.g. `metrics`). */ extraConfig?: Record<string, unknown> } & StartOptions = {},
): Promise<RunningCarenet> {
  const dbPath = opts.dbPath ?? path.join(dir, "carenet.db");
  const { config } = parseConfig(testConfigYaml(env, dbPath, opts.communities ?? [], opts.extraConfig), path.join(dir, "config.yaml"));
  const logs = new LogCapture();
  const carenet = await start(config, {
    registration: loadRegistration(env.registrationPath, { localpart: "carenet" }),
    logDestination: logs,
    ...opts,
  });
  return { carenet, config, logs };
}

/** Starts carenet in-process from a config file, as the CLI does (so `reload()` and the file watch work). */
export async function startCarenetFromFile(env: E2eEnv, file: string, opts: StartOptions = {}): Promise<RunningCarenet> {
  const { config } = loadConfigFile(file);
  const logs = new LogCapture();
  const carenet = await start(config, {
    registration: loadRegistration(env.registrationPath, { localpart: "carenet" }),
    logDestination: logs,
    configFile: file,
    ...opts,
  });
  return { carenet, config, logs };
}

/** A new real user on the test homeserver, with a name unique to this run. */
export async function newUser(env: E2eEnv, name: string): Promise<MatrixUser> {
  const username = `${name}-${randomBytes(3).toString("hex")}`;
  const u = await registerUser(env.hsUrl, env.sharedSecret, username);
  return new MatrixUser(env.hsUrl, u.userId, u.accessToken);
}

export function botUserId(env: E2eEnv): string {
  return `@carenet:${env.serverName}`;
}

/** Opens a direct chat between `user` and the bot, and waits for the bot's first message there (it has joined and welcomed them). */
export async function openBotDm(user: MatrixUser, bot: string, timeoutMs?: number): Promise<string> {
  const dm = await user.createDm(bot);
  await user.waitForEvent(dm, (ev) => ev.sender === bot && ev.type === "m.room.message", timeoutMs);
  return dm;
}

/** Records `member` in a community as if `sponsor` had added them (the test skips that conversation). */
export function addMember(running: RunningCarenet, communityId: string, member: MatrixUser, sponsor: MatrixUser): void {
  running.carenet.app.members.add({ communityId, userId: member.userId, sponsor: sponsor.userId, addedBy: sponsor.userId }, Date.now());
}

/** Accepts carenet's invitation to a community's staff room; returns the room's id. */
export async function joinStaffRoom(running: RunningCarenet, staff: MatrixUser, communityId: string): Promise<string> {
  const roomId = running.carenet.app.rooms.get(communityId, "staff")!.roomId;
  await staff.waitForInvite((inv) => inv.roomId === roomId);
  await staff.joinRoom(roomId);
  return roomId;
}

type Relation = { event_id?: string; "m.in_reply_to"?: { event_id?: string } };

export const relatesTo = (ev: MatrixEvent): Relation | undefined =>
  (ev.content as { "m.relates_to"?: Relation })["m.relates_to"];

/** Matches the bot's reply (an m.room.message in reply) to `eventId`. */
export const botReplyTo = (bot: string, eventId: string) => (ev: MatrixEvent) =>
  ev.sender === bot && ev.type === "m.room.message" && relatesTo(ev)?.["m.in_reply_to"]?.event_id === eventId;

/** Matches the bot's ✅/⛔ reaction to `eventId`. */
export const botReactionTo = (bot: string, eventId: string) => (ev: MatrixEvent) =>
  ev.sender === bot && ev.type === "m.reaction" && relatesTo(ev)?.event_id === eventId;
