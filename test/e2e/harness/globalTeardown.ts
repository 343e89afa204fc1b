import { rmSync } from "node:fs";
import type { LocalSynapse } from "../../../tools/localSynapse";

export default async function globalTeardown(): Promise<void> {
  const synapse = (globalThis as { __carenetSynapse?: LocalSynapse }).__carenetSynapse;
  await synapse?.stop();
  if (process.env.CARENET_E2E_ENV_FILE) rmSync(process.env.CARENET_E2E_ENV_FILE, { force: true });
}
