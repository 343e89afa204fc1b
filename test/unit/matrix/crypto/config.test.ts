import { parseConfig } from "../../../../src/config/load";
import { ConfigError } from "../../../../src/config/problems";

const FILE = "/srv/carenet/config.yaml";
const base = `homeserver: { url: "http://localhost:8008", domain: example.org }
appservice: { registration: registration.yaml }
crisis_resources: "Call 999."
communities: []
`;

test("encryption is off unless the config switches it on", () => {
  expect(parseConfig(base, FILE).config.encryption).toBeUndefined();
  expect(parseConfig(`${base}encryption: { enabled: false }\n`, FILE).config.encryption?.enabled).toBe(false);
});

test("switched on, the key file and the store default to the data folder, relative to the config file", () => {
  expect(parseConfig(`${base}encryption: { enabled: true }\n`, FILE).config.encryption).toEqual({
    enabled: true,
    key_file: "/srv/carenet/data/crypto-store.key",
    store: "/srv/carenet/data/crypto-store.sqlite",
    device_id: "CARENET",
  });
  const custom = parseConfig(`${base}encryption: { enabled: true, key_file: /etc/carenet/store.key, store: state/crypto.sqlite, device_id: CARENET2 }\n`, FILE);
  expect(custom.config.encryption).toMatchObject({ key_file: "/etc/carenet/store.key", store: "/srv/carenet/state/crypto.sqlite", device_id: "CARENET2" });
});

test("a bad encryption section is refused with where it is wrong", () => {
  for (const bad of ["encryption: { key_file: x }", "encryption: { enabled: true, device_id: 'has space' }", "encryption: { enabled: yes-please }", "encryption: { enabled: true, backup: true }"]) {
    let problems: string[] = [];
    try {
      parseConfig(`${base}${bad}\n`, FILE);
    } catch (err) {
      problems = (err as ConfigError).problems.map((p) => p.path);
    }
    expect(problems.some((p) => p.startsWith("encryption"))).toBe(true);
  }
});
