import { LogLevel, LogService } from "matrix-bot-sdk";
import type { Logger } from "../kernel/logger";

/**
 * matrix-bot-sdk logs through its own LogService. Route it into ours at warn and above:
 * its info/debug lines describe every request, which is noise (and its debug lines can
 * include request bodies, i.e. message content).
 */
export function routeSdkLogs(logger: Logger): void {
  const sdk = logger.child({ component: "matrix-bot-sdk" });
  const text = (module: string, args: unknown[]) =>
    `${module}: ${args.map((a) => (a instanceof Error ? a.message : typeof a === "string" ? a : summarise(a))).join(" ")}`;
  LogService.setLevel(LogLevel.WARN);
  LogService.setLogger({
    trace: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: (module: string, ...args: unknown[]) => sdk.warn(text(module, args)),
    error: (module: string, ...args: unknown[]) => sdk.error(text(module, args)),
  });
}

// The SDK passes whole response bodies to error logs; keep only their error code and text.
function summarise(value: unknown): string {
  if (value && typeof value === "object") {
    const v = value as { errcode?: unknown; error?: unknown; statusCode?: unknown };
    if (v.errcode || v.error) return `${String(v.errcode ?? "")} ${String(v.error ?? "")}`.trim();
    if (v.statusCode) return `HTTP ${String(v.statusCode)}`;
    return "[object]";
  }
  return String(value);
}
