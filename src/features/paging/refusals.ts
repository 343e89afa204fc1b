/** What a homeserver's refusal means for a support room's steps (paging/rooms.ts). */

/** A client error other than a rate limit or a timeout: sending the same thing again will fail again. */
export function refusedForGood(err: unknown): boolean {
  const status = (err as { statusCode?: number })?.statusCode;
  return typeof status === "number" && status >= 400 && status < 500 && status !== 429 && status !== 408;
}

export function reasonOf(err: unknown): string {
  const e = err as { statusCode?: number; errcode?: string };
  return `${e?.statusCode ?? "?"} ${e?.errcode ?? ""}`.trim();
}
