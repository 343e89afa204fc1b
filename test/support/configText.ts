import { parseConfig } from "../../src/config/load";
import { ConfigError, type ConfigProblem } from "../../src/config/problems";

/** Where the config texts of the tests claim to come from (messages name it). */
export const CONFIG_FILE = "/srv/carenet/config.yaml";

/** Parses `text` as carenet's config and returns the problems it reports; fails the test if the text is accepted. */
export function refusedConfig(text: string, file = CONFIG_FILE): ConfigProblem[] {
  try {
    parseConfig(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error("expected the config to be refused, but it was accepted");
}

/** Config text lines that open the Oakwood community, up to the fields of its community room (indented by 8). */
export const OAKWOOD_OPENING = [
  "communities:",
  "  - id: oakwood",
  "    name: Oakwood",
  "    timezone: Europe/London",
  '    staff: ["@sam:example.org"]',
  "    rooms:",
  "      community:",
];
