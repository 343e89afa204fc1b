import type { LocalSynapse } from "../../../tools/localSynapse";

export default async function globalTeardown(): Promise<void> {
  const synapse = (globalThis as { __carenetSynapse?: LocalSynapse }).__carenetSynapse;
  await synapse?.stop();
}
