import { createLogger } from "../../src/kernel/logger";
import { Provisioner, type ProvisionerDeps } from "../../src/matrix/provisioning";
import { BOT, DOMAIN } from "./fixtures";

type Given = Omit<ProvisionerDeps, "botUserId" | "domain" | "aliasPrefix" | "log" | "outboxChanged"> & Partial<Pick<ProvisionerDeps, "log" | "outboxChanged">>;

/** The provisioner as start.ts builds it for the bot of example.org (silent, aliases under "carenet_"); `d` gives the rest. */
export function testProvisioner(d: Given): Provisioner {
  return new Provisioner({ botUserId: BOT, domain: DOMAIN, aliasPrefix: "carenet_", log: createLogger("silent"), outboxChanged: () => undefined, ...d });
}
