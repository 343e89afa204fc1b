import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startHomeserverForCarenet } from "./homeserver";
import { REPO_ROOT } from "./paths";

/**
 * One real Synapse for the whole e2e run (starting one takes seconds), with carenet's
 * registration loaded. Each test file starts carenet in-process on the registered port
 * with a fresh database, and registers its own users.
 */
export default async function globalSetup(): Promise<void> {
  execFileSync("bash", [path.join(REPO_ROOT, "scripts/ensure-synapse.sh")], { stdio: "inherit" });
  // Prometheus and promtool (Debian's package) for the metrics tests and the alert-rule checks.
  execFileSync("bash", [path.join(REPO_ROOT, "scripts/ensure-prometheus.sh")], { stdio: "inherit" });
  // The crash tests run carenet's CLI from dist/ as a child process, so it must be current.
  execFileSync(process.execPath, [path.join(REPO_ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], {
    cwd: REPO_ROOT,
    stdio: "inherit",
  });
  const { synapse, env } = await startHomeserverForCarenet("carenet-e2e-");
  (globalThis as { __carenetSynapse?: unknown }).__carenetSynapse = synapse;
  const envFile = path.join(REPO_ROOT, ".cache", `e2e-env-${process.pid}.json`);
  mkdirSync(path.dirname(envFile), { recursive: true });
  writeFileSync(envFile, JSON.stringify(env, null, 2));
  process.env.CARENET_E2E_ENV_FILE = envFile;
}
