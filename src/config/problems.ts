/** One thing wrong with a config file, located so an admin can go straight to it. */
export interface ConfigProblem {
  file: string;
  line: number;
  col: number;
  /** The YAML path, e.g. communities[0].rooms.community.posting_hours[1].to */
  path: string;
  message: string;
  /** Set for a value that is legal but unusual: reported, and the config is still used. */
  severity?: "warning";
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.severity === "warning" ? "warning: " : ""}${p.path || "(top level)"}: ${p.message}`;
}

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      `the configuration is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => "  " + formatProblem(p)).join("\n"),
    );
    this.name = "ConfigError";
  }
}

export function pathToString(segments: ReadonlyArray<string | number>): string {
  let out = "";
  for (const s of segments) out += typeof s === "number" ? `[${s}]` : out ? `.${s}` : s;
  return out;
}
