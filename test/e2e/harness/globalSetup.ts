import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { generateRegistration, registrationToYaml } from "../../../src/matrix/registration";
import { findFreePort, startLocalSynapse } from "../../../tools/localSynapse";
import { E2E_ENV_FILE, REPO_ROOT, type E2eEnv } from "./paths";

/**
 * One real Synapse for the whole e2e run (starting one takes seconds), with carenet's
 * registration loaded. Each test file starts carenet in-process on the registered port
 * with a fresh database, and registers its own users.
 */
export default async function globalSetup(): Promise<void> {
  execFileSync("bash", [path.join(REPO_ROOT, "scripts/ensure-synapse.sh")], { stdio: "inherit" });
  // The crash tests run carenet's CLI from dist/ as a child process, so it must be current.
  execFileSync(process.execPath, [path.join(REPO_ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], {
    cwd: REPO_ROOT,
    stdio: "inherit",
  });
  const dir = mkdtempSync(path.join(tmpdir(), "carenet-e2e-"));
  const asPort = await findFreePort();
  const registrationPath = path.join(dir, "registration.yaml");
  const registration = generateRegistration({ url: `http://127.0.0.1:${asPort}`, domain: "localhost", localpart: "carenet" });
  writeFileSync(registrationPath, registrationToYaml(registration));
  const synapse = await startLocalSynapse({ dir: path.join(dir, "synapse"), registrationFiles: [registrationPath] });
  (globalThis as { __carenetSynapse?: unknown }).__carenetSynapse = synapse;
  const env: E2eEnv = {
    dir,
    hsUrl: synapse.url,
    serverName: synapse.serverName,
    sharedSecret: synapse.sharedSecret,
    asPort,
    registrationPath,
  };
  mkdirSync(path.dirname(E2E_ENV_FILE), { recursive: true });
  writeFileSync(E2E_ENV_FILE, JSON.stringify(env, null, 2));
}
