import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { generateRegistration, registrationToYaml, type RegistrationParams } from "../../../src/matrix/registration";
import { findFreePort, startLocalSynapse, type LocalSynapse, type StartLocalSynapseOptions } from "../../../tools/localSynapse";
import type { E2eEnv } from "./paths";

/**
 * A real Synapse in a new temp folder with a fresh carenet registration loaded, pointing at
 * a free port for carenet to listen on. The shared one (globalSetup) and tests that need a
 * homeserver of their own (e.g. to restart it) both come from here.
 */
export async function startHomeserverForCarenet(
  prefix: string,
  synapseOptions: Pick<StartLocalSynapseOptions, "extraConfig"> = {},
  registrationOptions: Pick<RegistrationParams, "encryption"> = {},
): Promise<{ synapse: LocalSynapse; env: E2eEnv }> {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const asPort = await findFreePort();
  const registrationPath = path.join(dir, "registration.yaml");
  const registration = generateRegistration({ url: `http://127.0.0.1:${asPort}`, domain: "localhost", localpart: "carenet", ...registrationOptions });
  writeFileSync(registrationPath, registrationToYaml(registration));
  const synapse = await startLocalSynapse({ dir: path.join(dir, "synapse"), registrationFiles: [registrationPath], ...synapseOptions });
  const env: E2eEnv = {
    dir,
    hsUrl: synapse.url,
    serverName: synapse.serverName,
    sharedSecret: synapse.sharedSecret,
    asPort,
    registrationPath,
  };
  return { synapse, env };
}
