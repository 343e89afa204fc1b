import path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "../../..");
/**
 * Written by globalSetup, read by every e2e test file: where the shared Synapse is. One file
 * per jest run (globalSetup names it in the environment the test files inherit), so two
 * runs on one machine each talk to their own Synapse.
 */
export const E2E_ENV_FILE = process.env.CARENET_E2E_ENV_FILE ?? path.join(REPO_ROOT, ".cache", "e2e-env.json");

export interface E2eEnv {
  dir: string;
  hsUrl: string;
  serverName: string;
  sharedSecret: string;
  /** The port carenet must listen on: the registration Synapse loaded points there. */
  asPort: number;
  registrationPath: string;
}
