import path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "../../..");
/** Written by globalSetup, read by every e2e test file: where the shared Synapse is. */
export const E2E_ENV_FILE = path.join(REPO_ROOT, ".cache", "e2e-env.json");

export interface E2eEnv {
  dir: string;
  hsUrl: string;
  serverName: string;
  sharedSecret: string;
  /** The port carenet must listen on: the registration Synapse loaded points there. */
  asPort: number;
  registrationPath: string;
}
