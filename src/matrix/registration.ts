import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { parse, stringify } from "yaml";

/** The appservice registration file the homeserver and carenet share. */
export interface Registration {
  id: string;
  url: string;
  as_token: string;
  hs_token: string;
  sender_localpart: string;
  rate_limited: boolean;
  namespaces: {
    users: Array<{ exclusive: boolean; regex: string }>;
    aliases: Array<{ exclusive: boolean; regex: string }>;
    rooms: Array<{ exclusive: boolean; regex: string }>;
  };
  [key: string]: unknown;
}

export interface RegistrationParams {
  url: string;
  domain: string;
  localpart: string;
  id?: string;
  /** Adds the keys end-to-end encryption needs (MSC2409, MSC3202, MSC4190; docs/encryption.md). */
  encryption?: boolean;
}

/** The registration keys that give an appservice's device what it needs for end-to-end encryption. */
export const ENCRYPTION_REGISTRATION_FLAGS = {
  // MSC2409: to-device messages (room keys) in transactions.
  receive_ephemeral: true,
  "de.sorunome.msc2409.push_ephemeral": true,
  // MSC3202: device-list changes and one-time-key counts in transactions, and acting as a device.
  "org.matrix.msc3202": true,
  // MSC4190: the appservice creates its bot's device itself.
  "io.element.msc4190": true,
} as const;

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The alias namespace: every room carenet provisions is #<localpart>_…:<domain>. */
export function aliasPrefix(localpart: string): string {
  return `${localpart}_`;
}

/** A fresh registration: random 32-byte tokens, exclusive namespaces for the bot and its aliases. */
export function generateRegistration(p: RegistrationParams): Registration {
  const domain = escapeRegex(p.domain);
  return {
    id: p.id ?? "carenet",
    url: p.url,
    as_token: randomBytes(32).toString("hex"),
    hs_token: randomBytes(32).toString("hex"),
    sender_localpart: p.localpart,
    rate_limited: false,
    namespaces: {
      // The bot (the sender) belongs to the appservice anyway; the namespace reserves
      // @<localpart>_… for carenet (matrix-bot-sdk wants exactly one, ending in .*).
      users: [{ exclusive: true, regex: `@${escapeRegex(p.localpart)}_.*:${domain}` }],
      aliases: [{ exclusive: true, regex: `#${escapeRegex(aliasPrefix(p.localpart))}.*:${domain}` }],
      rooms: [],
    },
    ...(p.encryption ? ENCRYPTION_REGISTRATION_FLAGS : {}),
  };
}

export function registrationToYaml(r: Registration): string {
  return (
    "# carenet appservice registration. Give this file to Synapse (app_service_config_files)\n" +
    "# and to carenet (appservice.registration). The tokens are secrets: keep the file private.\n" +
    stringify(r)
  );
}

/** Loads and sanity-checks a registration file; throws with a plain reason. */
export function loadRegistration(file: string, expect: { localpart: string }): Registration {
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`cannot read the registration file ${file}: ${(err as Error).message}`);
  }
  const r = raw as Partial<Registration> | null;
  const problems: string[] = [];
  for (const key of ["id", "as_token", "hs_token", "sender_localpart"] as const) {
    if (typeof r?.[key] !== "string" || !r[key]) problems.push(`"${key}" is missing`);
  }
  if (!Array.isArray(r?.namespaces?.users) || r.namespaces.users.length !== 1) {
    problems.push(`"namespaces.users" must hold exactly one entry`);
  }
  if (r?.sender_localpart && r.sender_localpart !== expect.localpart) {
    problems.push(`sender_localpart "${r.sender_localpart}" does not match bot.localpart "${expect.localpart}" in the config`);
  }
  if (problems.length) throw new Error(`the registration file ${file} is not usable: ${problems.join("; ")}`);
  const reg = r as Registration;
  reg.namespaces.aliases ??= [];
  reg.namespaces.rooms ??= [];
  return reg;
}

