#!/usr/bin/env node
import { chmodSync, existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Command, Option } from "commander";
import { parseFailpoints } from "./kernel/failpoints";
import { start } from "./app/start";
import { loadConfigFile } from "./config/load";
import { ConfigError, formatProblem } from "./config/problems";
import { generateRegistration, loadRegistration, registrationToYaml } from "./matrix/registration";
import { loadMigrations, migrate, openUnmigrated } from "./store/database";

const program = new Command();
/** After SIGTERM or SIGINT the process is gone within this long, however stopping goes (systemd waits 15 s). */
const STOP_DEADLINE_MS = 8000;
const configOption = () =>
  new Option("-c, --config <file>", "the carenet config file").env("CARENET_CONFIG").default("config.yaml");

program
  .name("carenet")
  .description("carenet: a virtual network of care for therapeutic and peer-led recovery communities, on Matrix.")
  .showHelpAfterError();

program
  .command("start")
  .description("run the appservice until SIGTERM or SIGINT; SIGHUP (or saving the config file) reloads the config")
  .addOption(configOption())
  .option("-r, --registration <file>", "the registration file (default: appservice.registration from the config)")
  .option("--no-watch", "reload the config only on SIGHUP, not when the file changes")
  .action(async (opts: { config: string; registration?: string; watch: boolean }) => {
    const { config, file } = loadConfigOrExit(opts.config);
    const adjust = (c: typeof config) => {
      if (opts.registration) c.appservice.registration = path.resolve(opts.registration);
    };
    adjust(config);
    // Installed before start(), which can wait a long time for the homeserver: SIGHUP's
    // default is to end the process, and scheduled work (escalations) runs during that wait.
    let running: Awaited<ReturnType<typeof start>> | undefined;
    let reloadWhenRunning = false;
    const reload = (c: NonNullable<typeof running>) => {
      c.log.info("SIGHUP: reloading the config");
      c.reload().catch((err) => c.log.error({ err: (err as Error).message }, "config reload failed"));
    };
    process.on("SIGHUP", () => {
      if (running) reload(running);
      else reloadWhenRunning = true;
    });
    // Also installed before start(): a stop asked for while carenet waits for the homeserver
    // must end that wait, not the process halfway through something.
    const aborted = new AbortController();
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      running?.log.info({ signal }, "shutting down");
      // Whatever the homeserver does, the process ends within STOP_DEADLINE_MS: all pending
      // work is in SQLite already and is picked up at the next start.
      setTimeout(() => {
        running?.log.error({ deadlineMs: STOP_DEADLINE_MS }, "stopping took too long; exiting now (pending work stays queued)");
        process.exit(1);
      }, STOP_DEADLINE_MS).unref();
      if (!running) return aborted.abort();
      running.stop().then(
        () => process.exit(0),
        (err) => {
          running?.log.error({ err: (err as Error).message }, "shutdown failed");
          process.exit(1);
        },
      );
    };
    process.on("SIGTERM", () => shutdown("SIGTERM"));
    process.on("SIGINT", () => shutdown("SIGINT"));
    let carenet: Awaited<ReturnType<typeof start>>;
    try {
      carenet = await start(config, {
        failpoints: parseFailpoints(process.env.CARENET_FAILPOINTS),
        configFile: file,
        adjustConfig: adjust,
        watchConfig: opts.watch,
        signal: aborted.signal,
      });
    } catch (err) {
      if (aborted.signal.aborted) process.exit(0); // stopped while starting: nothing is lost
      throw err;
    }
    running = carenet;
    if (stopping) return void carenet.stop().finally(() => process.exit(0)); // asked to stop as start() ended
    if (reloadWhenRunning) reload(carenet);
  });

program
  .command("validate-config")
  .description("check a config file; exit 1 listing every problem with file:line:column")
  .addOption(configOption())
  .action((opts: { config: string }) => {
    const { config, file } = loadConfigOrExit(opts.config);
    const names = config.communities.map((c) => c.id).join(", ") || "none";
    console.log(
      `${path.relative(process.cwd(), file) || file} is valid: homeserver ${config.homeserver.domain}, ` +
        `${config.communities.length} communit${config.communities.length === 1 ? "y" : "ies"} (${names})`,
    );
  });

program
  .command("generate-registration")
  .description("write a new appservice registration with fresh random tokens")
  .requiredOption("-u, --url <url>", "the URL at which the homeserver reaches carenet, e.g. http://127.0.0.1:9993")
  .option("-o, --output <file>", "where to write it", "registration.yaml")
  .option("-f, --force", "overwrite an existing file (its tokens stop working)")
  .addOption(configOption())
  .action((opts: { url: string; output: string; force?: boolean; config: string }) => {
    const { config } = loadConfigOrExit(opts.config);
    if (!/^https?:\/\/[^/]+/.test(opts.url)) fail(`--url must be an http(s) URL, e.g. http://127.0.0.1:9993 (got "${opts.url}")`);
    if (existsSync(opts.output) && !opts.force) {
      fail(`${opts.output} exists already; pass --force to replace it (the homeserver must then load the new one)`);
    }
    const reg = generateRegistration({ url: opts.url, domain: config.homeserver.domain, localpart: config.bot.localpart, encryption: config.encryption?.enabled });
    writeFileSync(opts.output, registrationToYaml(reg), { mode: 0o600 });
    chmodSync(opts.output, 0o600); // `mode` applies only when the file is new; --force overwrites

    // Parse what was written, so a registration that carenet itself would refuse is never left behind.
    loadRegistration(opts.output, { localpart: config.bot.localpart });
    console.log(`wrote ${opts.output} (id ${reg.id}, bot @${reg.sender_localpart}:${config.homeserver.domain}); add it to Synapse's app_service_config_files and restart Synapse`);
  });

program
  .command("migrate")
  .description("apply pending database migrations and report the schema version")
  .addOption(configOption())
  .action((opts: { config: string }) => {
    const { config } = loadConfigOrExit(opts.config);
    const migrations = loadMigrations();
    const db = openUnmigrated(config.database.path);
    try {
      const { from, to } = migrate(db, migrations);
      console.log(
        from === to
          ? `${config.database.path}: schema version ${to}, up to date`
          : `${config.database.path}: schema version ${from} → ${to}, up to date`,
      );
    } catch (err) {
      fail((err as Error).message);
    } finally {
      db.close();
    }
  });

function loadConfigOrExit(file: string) {
  try {
    const loaded = loadConfigFile(file);
    for (const w of loaded.warnings) console.error(formatProblem(w));
    return loaded;
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      console.error("carenet did not start: fix the problems above and try again.");
      process.exit(1);
    }
    throw err;
  }
}

function fail(message: string): never {
  console.error(`carenet: ${message}`);
  process.exit(1);
}

program.parseAsync(process.argv).catch((err: Error) => {
  console.error(`carenet: ${err.message}`);
  process.exit(1);
});
