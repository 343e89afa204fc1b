/**
 * The bench's homeserver: a real Synapse from the pinned venv (scripts/ensure-synapse.sh,
 * tools/localSynapse.ts) with three appservices registered: carenet, the two-hop echo
 * anchor, and the bare ingest/memory anchor (registered only because matrix-bot-sdk
 * registers its bot user at start; it is in no room, so Synapse sends it nothing).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { generateRegistration, registrationToYaml, type Registration } from "../../src/matrix/registration";
import { MatrixUser } from "../../test/e2e/harness/matrixUser";
import { findFreePort, registerUser, startLocalSynapse, type LocalSynapse } from "../../tools/localSynapse";

export interface BenchHomeserver {
  dir: string;
  synapse: LocalSynapse;
  domain: string;
  carenet: { registration: Registration; registrationPath: string; port: number };
  echo: { registration: Registration; port: number };
  bare: { registration: Registration; port: number };
  /** A new real user with a /sync loop running. */
  user(name: string): Promise<MatrixUser>;
  /** Ends every user's /sync loop. */
  stopUsers(): Promise<void>;
}

export async function startBenchHomeserver(): Promise<BenchHomeserver> {
  const dir = mkdtempSync(path.join(tmpdir(), "carenet-bench-"));
  const domain = "localhost";
  const [carenetPort, echoPort, barePort] = [await findFreePort(), await findFreePort(), await findFreePort()];
  const carenetReg = generateRegistration({ url: `http://127.0.0.1:${carenetPort}`, domain, localpart: "carenet" });
  const echoReg = generateRegistration({ url: `http://127.0.0.1:${echoPort}`, domain, localpart: "echo", id: "echo" });
  const bareReg = generateRegistration({ url: `http://127.0.0.1:${barePort}`, domain, localpart: "bare", id: "bare" });
  const carenetRegPath = path.join(dir, "carenet-registration.yaml");
  const echoRegPath = path.join(dir, "echo-registration.yaml");
  writeFileSync(carenetRegPath, registrationToYaml(carenetReg));
  const bareRegPath = path.join(dir, "bare-registration.yaml");
  writeFileSync(echoRegPath, registrationToYaml(echoReg));
  writeFileSync(bareRegPath, registrationToYaml(bareReg));
  const synapse = await startLocalSynapse({ dir: path.join(dir, "synapse"), registrationFiles: [carenetRegPath, echoRegPath, bareRegPath] });
  let n = 0;
  const users: MatrixUser[] = [];
  return {
    dir,
    synapse,
    domain,
    carenet: { registration: carenetReg, registrationPath: carenetRegPath, port: carenetPort },
    echo: { registration: echoReg, port: echoPort },
    bare: { registration: bareReg, port: barePort },
    async user(name: string) {
      const u = await registerUser(synapse.url, synapse.sharedSecret, `${name}-${++n}`);
      const user = new MatrixUser(synapse.url, u.userId, u.accessToken);
      users.push(user);
      return user;
    },
    async stopUsers() {
      await Promise.all(users.map((u) => u.stop()));
    },
  };
}
