/** What a staff member typed as a person's Matrix user id, checked. */
export type UserIdReading =
  | { ok: true; userId: string }
  /** Not a user id at all: the command's usage line helps. */
  | { ok: false; kind: "malformed"; problem: string }
  /** A well-formed id on another homeserver: carenet serves only its own. */
  | { ok: false; kind: "foreign"; userId: string; problem: string };

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
  const shown = `\`${raw}\``;
  if (!text.startsWith("@")) {
    const name = text.split(":")[0].replace(/[^a-z0-9._=\-/+]/gi, "").toLowerCase();
    return malformed(`${shown} is not a Matrix user id: it starts with @, like \`@${name || "name"}:${domain}\`.`);
  }
  const colon = text.indexOf(":");
  if (colon < 0) {
    return malformed(`${shown} is missing its homeserver: write it in full, like \`${text.toLowerCase()}:${domain}\`.`);
  }
  const localpart = text.slice(1, colon);
  const server = text.slice(colon + 1);
  if (!localpart) return malformed(`${shown} has no name between @ and the colon.`);
  if (localpart !== localpart.toLowerCase() && LOCALPART.test(localpart.toLowerCase())) {
    return malformed(`${shown} has capital letters; Matrix user ids are lower case, like \`@${localpart.toLowerCase()}:${server}\`.`);
  }
  if (!LOCALPART.test(localpart)) {
    return malformed(`${shown} is not a valid Matrix user id: the name may hold only a-z, 0-9 and . _ = - / +`);
  }
  if (!SERVER.test(server)) return malformed(`${shown} is not a valid Matrix user id: \`${server}\` is not a server name.`);
  const userId = `@${localpart}:${server}`;
  if (server !== domain) {
    return { ok: false, kind: "foreign", userId, problem: `\`${userId}\` is on another homeserver (${server}); carenet serves only people on ${domain}.` };
  }
  return { ok: true, userId };
}

function malformed(problem: string): UserIdReading {
  return { ok: false, kind: "malformed", problem };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
