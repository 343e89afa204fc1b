/** A short reason for logs and reports: the Matrix error code and text, never a body. */
export function describeError(err: unknown): string {
  const e = err as { errcode?: string; error?: string; statusCode?: number; message?: string; code?: unknown };
  if (e?.errcode) return `${e.statusCode ?? ""} ${e.errcode}${e.error ? `: ${e.error}` : ""}`.trim();
  if (typeof e?.statusCode === "number") return `HTTP ${e.statusCode}`;
  if (typeof e?.code === "string") return e.message ? `${e.code}: ${e.message}` : e.code;
  // fetch() hides the network error (ECONNREFUSED, …) in `cause`.
  const cause = (err as { cause?: { code?: unknown } })?.cause?.code;
  if (typeof cause === "string") return `${e?.message ?? "request failed"} (${cause})`;
  return e?.message ?? String(err);
}

/** The Matrix error code of a failed request, if it has one. */
export function errcode(err: unknown): string | undefined {
  return (err as { errcode?: string })?.errcode;
}

/** Whether the homeserver refused: M_FORBIDDEN, or a plain 403. */
export function isForbidden(err: unknown): boolean {
  const e = err as { errcode?: string; statusCode?: number };
  return e?.errcode === "M_FORBIDDEN" || e?.statusCode === 403;
}
