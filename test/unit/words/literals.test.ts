import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

/**
 * The ratchet that keeps person-facing English out of the code: every string and template
 * literal in src/ that reads like an English sentence must be in a message catalogue
 * (src/words/locales), or be one of the few texts listed below with the reason it is still
 * English. Adding a reply, notice, reason or topic as a literal fails this test; moving an
 * entry into the catalogues means deleting it here (a listed text no longer in the code fails
 * too, so the list only shrinks).
 *
 * A literal "reads like a sentence" when it has at least three words of letters (a template's
 * `${…}` parts count as gaps). Not counted: SQL, URLs, commands (they start with "!"), lists
 * of identifiers or names ("id, at, actor"), and literals inside a logger call (`log.info`,
 * `log.warn`, …, `console.*`) or `new Error(…)` (a programmer's error, for the log).
 */

const ROOT = path.resolve(__dirname, "../../..");
const SRC = path.join(ROOT, "src");

/**
 * Files whose texts are read by the operator or by programs, never by a member, peer or
 * staff in a chat: they stay English on purpose.
 */
const NOT_FOR_PEOPLE: Record<string, string> = {
  "src/cli.ts": "the command line's output and help, for whoever runs carenet",
  "src/config/load.ts": "configuration problems, reported to the operator when the config is checked or loaded",
  "src/config/safety.ts": "configuration problems, reported to the operator when the config is checked or loaded",
  "src/config/problems.ts": "configuration problems, reported to the operator when the config is checked or loaded",
  "src/config/postingSchedule.ts": "a posting schedule's problems, reported to the operator when the config is checked or loaded",
  "src/features/hours/domain/postingHours.ts":
    "describeState (English) is used by no person-facing code, only its tests; person-facing hours go through src/hours",
  "src/metrics/registry.ts": "Prometheus metric help texts",
  "src/metrics/server.ts": "HTTP answers to a metrics scraper",
  "src/matrix/httpServer.ts": "HTTP error bodies for the homeserver (Matrix appservice API errors)",
  "src/features/rota/calendar/http.ts": "HTTP error bodies for calendar apps",
  "src/matrix/registration.ts": "the appservice registration file and its problems, for the operator",
  "src/store/database.ts": "a refusal to start on a newer database, for the operator",
  "src/matrix/catchUp.ts": "reasons the homeserver looks unreachable, for the log and /health",
  "src/matrix/homeserver.ts": "reasons the homeserver looks unreachable, for the log and /health",
  "src/kernel/jsonArrayItems.ts": "why a homeserver answer could not be read, for the log",
  "src/matrix/encryptedRooms.ts": "encryption problems for /health and the log",
  "src/matrix/crypto/endToEnd.ts": "the encryption device's state, for /health and the log",
  "src/matrix/crypto/keyFile.ts": "a key-derivation label, never shown",
  "src/scheduler/scheduler.ts": "why a job failed, kept in the jobs table for the operator",
};

/**
 * English still shown to people, whatever their language, each with why. `${}` stands for
 * an expression in a template. Keep this short: each entry is a known gap (docs/words.md).
 */
const STILL_ENGLISH: Array<{ file: string; texts: string[]; why: string }> = [
  { file: "src/matrix/eventRouter.ts", texts: ["carenet only serves its own homeserver's users"], why: "a leave reason for a room of strangers from another homeserver, who have no community and no language" },
  {
    file: "src/matrix/outboxSender.ts",
    texts: ["A message I had for this room was too large for the homeserver to accept, so it could not be shown. Please ask staff if you were waiting for something."],
    why: "the outbox's last resort when a rendered message is refused as too large; the outbox holds rendered messages and knows no reader",
  },
  { file: "src/matrix/fitContent.ts", texts: ["[… ${} more characters not shown: too long to send]"], why: "added to an already rendered message cut to the homeserver's size limit; knows no reader" },
  {
    file: "src/features/checkins/domain/planEdit.ts",
    texts: ["the staff on call", "on (not paused)", "paused until you resume", "paused; they start again on ${}", "the community's wording", "the community's wording", "kept as it is"],
    why: "a check-in plan change's before and after, stored as text in the plan's history",
  },
  { file: "src/features/checkins/store/checkins.ts", texts: ["kept as it is"], why: "a check-in plan change's after, stored as text in the plan's history" },
  {
    file: "src/features/paging/texts.ts",
    texts: ["the peer supporters on call", "the backup peer supporters", "the staff on call", "the staff team"],
    why: "ladder step names written into audit log details (replies use targetWords)",
  },
  {
    file: "src/features/paging/service.ts",
    texts: [
      "restarted (acknowledged long ago)",
      "acknowledged: asked to confirm",
      "page ${} restarted (not confirmed after a repeat page)",
    ],
    why: "audit log details, stored as text when the action happens",
  },
  {
    file: "src/features/paging/escalator.ts",
    texts: ["page ${}: step ${} (${}), ${} asked", "page ${}: nobody on call to ask", "page ${}: nobody acknowledged"],
    why: "audit log details, stored as text when the action happens",
  },
  { file: "src/features/paging/responses.ts", texts: ["page ${} (${}, confirmed after a repeat page)"], why: "audit log details, stored as text when the action happens" },
  { file: "src/features/communities/commands/member.ts", texts: ["sponsor ${}${}; invited to ${}", "no reason given"], why: "audit log details, stored as text when the action happens" },
  { file: "src/features/rota/commands/calendar.ts", texts: ["${} calendar links revoked (${})", "${} calendar link issued"], why: "audit log details, stored as text when the action happens" },
  { file: "src/features/communities/leftRooms.ts", texts: ["declined the invitation to ${}", "${} on their own"], why: "audit log details, stored as text when the action happens" },
  { file: "src/features/data/service.ts", texts: ["someone who asked to be forgotten", "at their request"], why: "audit log details and what replaces an erased name in them, stored as text" },
];

/** Texts for the operator (or for nobody) in files that also speak to people. */
const OPERATOR_TEXTS: Array<{ file: string; text: string; why: string }> = [
  { file: "src/app/start.ts", text: "rooms were created", why: "why a catch-up was asked for, written to the log" },
  { file: "src/features/paging/warmRooms.ts", text: "no longer needed", why: "the reason carenet leaves a spare support room that nobody else was ever in" },
  { file: "src/matrix/provisioning.ts", text: "provisioning: ${} communities, ${} rooms: ", why: "the provisioning report, for the log and the CLI" },
  { file: "src/matrix/provisioning.ts", text: "${} created, ${} updated, ${} unchanged, ", why: "the provisioning report, for the log and the CLI" },
  { file: "src/matrix/provisioning.ts", text: "${} no longer configured, ${} failed; ${} invitations", why: "the provisioning report, for the log and the CLI" },
  { file: "src/matrix/provisioning.ts", text: "the Space could not be provisioned: ${}", why: "the provisioning report, for the log and the CLI" },
  { file: "src/matrix/provisioning.ts", text: "not provisioned because the community's Space failed", why: "the provisioning report, for the log and the CLI" },
  { file: "src/matrix/provisioning.ts", text: "could not invite ${}: ${}", why: "the provisioning report, for the log and the CLI" },
];


const LOGGER_METHODS = new Set(["trace", "debug", "info", "warn", "error", "fatal"]);
const PROGRAMMER_ERRORS = new Set(["Error", "TypeError", "RangeError"]);
const SQL = /^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|PRAGMA|WITH|BEGIN|COMMIT|REPLACE)\b/i;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const full = path.join(dir, f);
    return statSync(full).isDirectory() ? sourceFiles(full) : full.endsWith(".ts") ? [full] : [];
  });
}

/** True when the literal reads like an English sentence (see the rule at the top). */
export function looksLikeEnglish(text: string): boolean {
  const s = text.replace(/\$\{\}/g, " ").trim();
  if (s.startsWith("!") || SQL.test(s) || /^[a-z]+:\/\//i.test(s)) return false;
  // "id, at, community_id" or "Arial, sans-serif": a list of single names, not a sentence.
  if (s.includes(",") && s.split(",").every((part) => /^\s*[\w-]+(\s[A-Z][\w-]*)*\s*$/.test(part))) return false;
  const words = s.split(/\s+/).filter((w) => /^[("'“«[]?[A-Za-z][a-z']*[,.;:!?)"'”»\]]*$/.test(w) && /[aeiouAEIOU]/.test(w));
  return words.length >= 3;
}

/** Inside a logger call, `new Error(…)`, or an import: not for people. */
function exempt(node: ts.Node): boolean {
  for (let p: ts.Node | undefined = node.parent; p; p = p.parent) {
    if (ts.isCallExpression(p)) {
      const callee = p.expression;
      if (ts.isPropertyAccessExpression(callee) && LOGGER_METHODS.has(callee.name.text) && /\blog\b|logger|console/i.test(callee.expression.getText())) return true;
    }
    if (ts.isNewExpression(p) && ts.isIdentifier(p.expression) && PROGRAMMER_ERRORS.has(p.expression.text)) return true;
    if (ts.isImportDeclaration(p) || ts.isExportDeclaration(p)) return true;
  }
  return false;
}

/** Every English-looking literal in one file's source, as written (`${}` for expressions). */
export function englishLiterals(fileName: string, source: string): string[] {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (n: ts.Node): void => {
    let text: string | undefined;
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) text = n.text;
    else if (ts.isTemplateExpression(n)) text = n.head.text + n.templateSpans.map((s) => "${}" + s.literal.text).join("");
    if (text !== undefined && looksLikeEnglish(text) && !exempt(n)) found.push(text);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

describe("no person-facing English in the code", () => {
  const files = sourceFiles(SRC).map((f) => path.relative(ROOT, f).split(path.sep).join("/"));
  const found = new Map(files.filter((f) => !(f in NOT_FOR_PEOPLE)).map((f) => [f, englishLiterals(f, readFileSync(path.join(ROOT, f), "utf8"))]));

  it("every English-looking literal is in the catalogues or listed as still English", () => {
    const allowed = new Set([...STILL_ENGLISH.flatMap((e) => e.texts.map((t) => `${e.file}: ${t}`)), ...OPERATOR_TEXTS.map((e) => `${e.file}: ${e.text}`)]);
    const unlisted = [...found].flatMap(([f, texts]) => texts.map((t) => `${f}: ${t}`)).filter((x) => !allowed.has(x));
    expect(unlisted).toEqual([]);
  });

  it("every listed text is still in its file (the list only shrinks)", () => {
    const present = new Set([...found].flatMap(([f, texts]) => texts.map((t) => `${f}: ${t}`)));
    const listed = [...STILL_ENGLISH.flatMap((e) => e.texts.map((t) => `${e.file}: ${t}`)), ...OPERATOR_TEXTS.map((e) => `${e.file}: ${e.text}`)];
    expect(listed.filter((x) => !present.has(x))).toEqual([]);
    expect(Object.keys(NOT_FOR_PEOPLE).filter((f) => !files.includes(f))).toEqual([]);
  });

  it("every listed entry says why", () => {
    expect([...Object.values(NOT_FOR_PEOPLE), ...STILL_ENGLISH.map((e) => e.why), ...OPERATOR_TEXTS.map((e) => e.why)].filter((why) => why.trim().length < 10)).toEqual([]);
  });

  it("catches a reply written in code, and lets logs, errors, SQL and commands be", () => {
    const sample = `
      import { x } from "some module name here";
      reply(Message.of("You are on the rota now, thank you."));
      const topic = \`Support room for \${name} and the staff\`;
      log.info({ id }, "could not invite staff to a room");
      this.d.log.warn("the homeserver did not answer in time");
      throw new Error("the outbox row is missing its room");
      db.prepare("SELECT id, at FROM audit WHERE community_id = ?");
      command("!checkin plan alerts low sponsor");
      const cols = "id, at, community_id, actor";
    `;
    expect(englishLiterals("sample.ts", sample)).toEqual(["You are on the rota now, thank you.", "Support room for ${} and the staff"]);
  });
});
