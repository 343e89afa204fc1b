import pino, { type DestinationStream, type Logger } from "pino";

export type { Logger };

/**
 * Log fields that could carry message content or secrets are removed wherever they
 * appear: carenet logs ids and outcomes, never what people wrote, never tokens.
 */
const REDACT = [
  "body",
  "formatted_body",
  "content",
  "note",
  "*.body",
  "*.formatted_body",
  "*.content",
  "*.note",
  "as_token",
  "hs_token",
  "access_token",
  "*.as_token",
  "*.hs_token",
  "*.access_token",
  "*.secret",
  "*.pass",
  "headers.authorization",
  "req.headers.authorization",
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, base: { service: "carenet" }, redact: { paths: REDACT, remove: true } }, destination);
}
