/**
 * Named points where a test can make carenet stop as if it had crashed there. They are
 * off unless a test passes them in (or sets CARENET_FAILPOINTS for a child process);
 * the end-to-end crash tests use them to kill carenet at an exact moment.
 */
export type Failpoint =
  /** Record incoming events but never handle them (crash between acknowledgement and handling). */
  | "hold-inbox"
  /** Queue outgoing messages but never send them. */
  | "hold-outbox"
  /** Send a message, then fail before recording that it was sent. */
  | "fail-after-send"
  /** Never read room timelines (shows what is lost without catch-up, src/matrix/catchUp.ts). */
  | "no-catch-up";

export type Failpoints = ReadonlySet<Failpoint>;

const KNOWN: Failpoint[] = ["hold-inbox", "hold-outbox", "fail-after-send", "no-catch-up"];

export function parseFailpoints(value: string | undefined): Failpoints {
  const names = (value ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  for (const n of names) {
    if (!KNOWN.includes(n as Failpoint)) throw new Error(`unknown failpoint "${n}" (known: ${KNOWN.join(", ")})`);
  }
  return new Set(names as Failpoint[]);
}
