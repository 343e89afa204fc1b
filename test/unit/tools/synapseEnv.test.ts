import { synapseEnv } from "../../../tools/localSynapse";

it("the test Synapse inherits no proxy settings (its pushes must reach the loopback gateway)", () => {
  const env = synapseEnv({ PATH: "/bin", http_proxy: "http://p:3128", HTTPS_PROXY: "http://p:3128", no_proxy: "x", ALL_PROXY: "socks5://p", HOME: "/h" });
  expect(env).toEqual({ PATH: "/bin", HOME: "/h" });
});
