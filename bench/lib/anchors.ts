/** Starting the anchor appservices (bench/anchors/) as processes of their own. */
import path from "node:path";
import type { Registration } from "../../src/matrix/registration";
import { REPO_ROOT } from "../../tools/localSynapse";
import { READY, type AnchorOptions } from "../anchors/appserviceOptions";
import type { BenchHomeserver } from "./homeserver";
import { NodeProcess } from "./nodeProcess";

async function startAnchor(name: string, script: string, hs: BenchHomeserver, port: number, registration: Registration): Promise<NodeProcess> {
  const options: AnchorOptions = {
    port,
    homeserverUrl: hs.synapse.url,
    domain: hs.domain,
    registration: registration as unknown as AnchorOptions["registration"],
  };
  const p = new NodeProcess(name, path.join(REPO_ROOT, "dist", "bench", "anchors", script), [], path.join(hs.dir, `${name}.log`), {
    BENCH_APPSERVICE: JSON.stringify(options),
  });
  await p.waitForOutput(READY, 60_000);
  return p;
}

/** The two-hop echo relay, registered with Synapse as @echo:<domain>. */
export function startEcho(hs: BenchHomeserver): Promise<NodeProcess> {
  return startAnchor("echo-appservice", "echoAppservice.js", hs, hs.echo.port, hs.echo.registration);
}

/** A bare matrix-bot-sdk Appservice; only the bench sends it transactions. */
export async function startBare(hs: BenchHomeserver): Promise<{ process: NodeProcess; port: number; hsToken: string }> {
  const process = await startAnchor("bare-appservice", "bareAppservice.js", hs, hs.bare.port, hs.bare.registration);
  return { process, port: hs.bare.port, hsToken: hs.bare.registration.hs_token };
}
