/** What a staff member typed as a person's Matrix user id, checked. */
export type UserIdReading =
  | { ok: true; userId: string }
  /** Not a user id at all: the command's usage line helps. */
  | { ok: false; kind: "malformed"; problem: UserIdProblem }
  /** A well-formed id on another homeserver: carenet serves only its own. */
  | { ok: false; kind: "foreign"; userId: string; problem: UserIdProblem };

/**
 * What is wrong with a typed user id, with what was typed (`raw`) and, where one helps, an
 * id written as it should be (`example`). Said through the catalogue by the command layer
 * (`userIdProblemWords`, src/features/communities/commands/member.ts).
 */
export type UserIdProblem =
  /** No @ in front. */
  | { code: "noAt"; raw: string; example: string }
  /** No `:server`. */
  | { code: "noServer"; raw: string; example: string }
  /** Nothing between @ and the colon. */
  | { code: "noName"; raw: string }
  /** Capital letters in the name. */
  | { code: "capitals"; raw: string; example: string }
  /** Characters a Matrix name may not hold. */
  | { code: "badName"; raw: string }
  /** The part after the colon is not a server name. */
  | { code: "badServer"; raw: string; server: string }
  /** A user of another homeserver than carenet's (`domain`). */
  | { code: "foreign"; userId: string; server: string; domain: string };

const LOCALPART = /^[a-z0-9._=\-/+]+$/;
const SERVER = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * Reads `@name:server`, also as a matrix.to link (what "copy link" in Element gives). A
 * bare name gets a suggestion with the homeserver's domain.
 */
export function readUserId(raw: string, domain: string): UserIdReading {
  let text = raw.trim();
  const link = /^https:\/\/matrix\.to\/#\/([^?/]+)/.exec(text);
  if (link) text = safeDecode(link[1]);
  if (!text.startsWith("@")) {
    const name = text.split(":")[0].replace(/[^a-z0-9._=\-/+]/gi, "").toLowerCase();
    return malformed({ code: "noAt", raw, example: `@${name || "name"}:${domain}` });
  }
  const colon = text.indexOf(":");
  if (colon < 0) return malformed({ code: "noServer", raw, example: `${text.toLowerCase()}:${domain}` });
  const localpart = text.slice(1, colon);
  const server = text.slice(colon + 1);
  if (!localpart) return malformed({ code: "noName", raw });
  if (localpart !== localpart.toLowerCase() && LOCALPART.test(localpart.toLowerCase())) {
    return malformed({ code: "capitals", raw, example: `@${localpart.toLowerCase()}:${server}` });
  }
  if (!LOCALPART.test(localpart)) return malformed({ code: "badName", raw });
  if (!SERVER.test(server)) return malformed({ code: "badServer", raw, server });
  const userId = `@${localpart}:${server}`;
  if (server !== domain) return { ok: false, kind: "foreign", userId, problem: { code: "foreign", userId, server, domain } };
  return { ok: true, userId };
}

function malformed(problem: UserIdProblem): UserIdReading {
  return { ok: false, kind: "malformed", problem };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
