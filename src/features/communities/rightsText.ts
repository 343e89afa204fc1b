import { createHash } from "node:crypto";
import { supportNow } from "../../messaging/support";
import { Message } from "../../messaging/message";
import type { CommunityConfig, PostingWindowConfig, ReachConfig } from "../../config/types";
import { WEEKDAYS, type Weekday } from "../../kernel/localTime";
import { BOOKKEEPING_DAYS, retentionOf, type RetentionPeriods } from "../../config/retention";
import { command, LANGUAGES, link, listOf, phone, t, zone, type Value, type Words, type RichValue } from "../../words";
import type { CrisisResources } from "../../config/types";

/**
 * What every member is told, in plain words, before anything optional is recorded about
 * them: what the network is for (and that it is not a crisis service), the community's
 * rules, how posting hours and paging work, what carenet keeps and for how long, who can
 * see it (and that nothing is used to monitor treatment), their choices, and help from
 * outside the community (an independent advocate, the complaints route).
 *
 * Layered: a short summary, one line per section with the command that opens it
 * (`!rights kept`, …), and each section in full on request.
 */
export interface RightsText {
  /** The easy-read summary: one line per section and the command that opens it. */
  summary: Message;
  /** Each section in full, by the word that opens it (`!rights <section>`). */
  sections: Record<RightsSection, Message>;
  /** Every section in one message (`!rights all`). */
  message: Message;
  /**
   * `<community id>@<hash of the text>`: consent is recorded against it, so a changed text
   * (new rules, new crisis numbers, a new capability, new words) asks everyone again.
   */
  version: string;
}

export const RIGHTS_SECTIONS = ["about", "kept", "see", "choices", "advocacy"] as const;
export type RightsSection = (typeof RIGHTS_SECTIONS)[number];

/** Which commands are installed: the text names a command only when people can use it. */
export type HasCommand = (name: string) => boolean;

const cmd = (text: string) => command(text);
const days = (n: number) => n;

export function rightsText(c: CommunityConfig, crisisResources: CrisisResources, has: HasCommand, retention: RetentionPeriods = retentionOf({})): RightsText {
  const sections: Record<RightsSection, Message> = {
    about: aboutSection(c, crisisResources, has),
    kept: keptSection(c, retention, has),
    see: seeSection(c, has),
    choices: choicesSection(has),
    advocacy: advocacySection(c),
  };
  const rules = new Message().heading(t("rights.rulesHeading", { community: c.name })).append(rulesBlock(c));
  const { about, kept, see, choices, advocacy } = sections;
  const message = new Message().append(about).append(rules).append(kept).append(see).append(choices).append(advocacy);
  return { summary: summarySection(c, has), sections, message, version: versionOf(c, message) };
}

/** `<community id>@<hash>`: the words as each language reads them, not only the keys, so a reworded text asks again. */
function versionOf(c: CommunityConfig, message: Message): string {
  const hash = createHash("sha256")
    .update(LANGUAGES.map((language) => message.render({ language }).plain).join("\u0000"))
    .digest("hex")
    .slice(0, 12);
  return `${c.id}@${hash}`;
}

const hasPostingHours = (c: CommunityConfig) => (c.rooms.community.posting_hours ?? []).length > 0;
const hasDataCommands = (has: HasCommand) => has("mydata") && has("forgetme");

function aboutSection(c: CommunityConfig, crisisResources: CrisisResources, has: HasCommand): Message {
  const about = new Message().heading(t("rights.aboutHeading"));
  about.p(t("rights.aboutWhat", { community: c.name }));
  about.p(t("rights.aboutNotCrisis"));
  about.append(supportNow(crisisResources));
  about.heading(t("rights.pagingHeading"));
  // A room without posting hours is open at any time: say so, never "at set hours".
  about.p(hasPostingHours(c) ? t("rights.hoursSet", { hasHours: has("hours") ? "yes" : "no", command: cmd("!hours") }) : t("rights.hoursAlways"));
  about.p(t("rights.paging", { command: cmd("!page") }));
  return about;
}

function keptSection(c: CommunityConfig, retention: RetentionPeriods, has: HasCommand): Message {
  const kept = new Message().heading(t("rights.keptHeading"));
  if (hasDataCommands(has)) {
    keptWithPeriods(kept, c, retention, has);
    return kept;
  }
  kept.list([
    t("rights.keptMember", { community: c.name }),
    t("rights.keptConsent"),
    t("rights.keptLeft"),
    t("rights.keptAudit"),
    t("rights.keptPages"),
    t("rights.keptOptional"),
    ...(has("contact") ? [t("rights.keptContact", { command: cmd("!contact"), remove: cmd("!contact remove email") })] : []),
    t("rights.keptRooms"),
  ]);
  kept.p(has("forgetme") ? t("rights.keptWhileForget", { command: cmd("!forgetme") }) : t("rights.keptWhile"));
  return kept;
}

function seeSection(c: CommunityConfig, has: HasCommand): Message {
  const community = c.name;
  const see = new Message().heading(t("rights.seeHeading"));
  see.list([
    has("mydata") ? t("rights.seeYou", { consent: cmd("!consent"), mydata: cmd("!mydata") }) : t("rights.seeYouNoData", { consent: cmd("!consent") }),
    t("rights.seeStaff", { community }),
    t("rights.seePeers"),
    t("rights.seeCheckins"),
    t("rights.seeMembers"),
    t("rights.seeAdmins"),
  ]);
  see.p(t("rights.seeCannot"));
  see.p(t("rights.seeTreatment"));
  if (c.rights?.staff_note) see.p(t("rights.staffNote", { community, note: c.rights.staff_note }));
  return see;
}

function choicesSection(has: HasCommand): Message {
  const choices = new Message().heading(t("rights.choicesHeading"));
  choices.list([
    t("rights.choiceAgree", { help: cmd("!help"), page: cmd("!page") }),
    t("rights.choiceOptional"),
    t("rights.choiceLeave"),
    ...(hasDataCommands(has) ? [t("rights.choiceData", { mydata: cmd("!mydata"), forgetme: cmd("!forgetme") })] : []),
    ...(has("sponsor") ? [t("rights.choiceSponsor", { command: cmd("!sponsor") })] : []),
    t("rights.choiceMind"),
  ]);
  choices.heading(t("rights.howHeading"));
  choices.list([
    t("rights.howAgree", { command: cmd("!consent agree") }),
    t("rights.howDecline", { command: cmd("!consent decline") }),
    t("rights.howWithdraw", { command: cmd("!consent withdraw") }),
    t("rights.howOther", { consent: cmd("!consent"), rights: cmd("!rights"), rules: cmd("!rules"), help: cmd("!help") }),
  ]);
  choices.p(t("rights.howAgain"));
  return choices;
}

function advocacySection(c: CommunityConfig): Message {
  const community = c.name;
  const advocacy = new Message().heading(t("rights.advocacyHeading", { community }));
  advocacy.p(t("rights.advocacyIntro", { community }));
  const a = c.rights?.advocacy;
  advocacy.p(a ? t("rights.advocacyNamed", { service: reach(a) }) : t("rights.advocacyNone", { community }));
  const complaints = c.rights?.complaints;
  advocacy.p(complaints ? t("rights.complaintsNamed", { service: reach(complaints) }) : t("rights.complaintsNone"));
  return advocacy;
}

/** The easy-read summary: one line per section and the command that opens it. */
function summarySection(c: CommunityConfig, has: HasCommand): Message {
  const community = c.name;
  const summary = new Message().heading(t("rights.summaryHeading", { community }));
  summary.list([
    t("rights.summaryAbout", { command: cmd("!rights about") }),
    t("rights.summaryRules", { community, command: cmd("!rules") }),
    t("rights.summaryHours", { hasHours: hasPostingHours(c) ? "yes" : "no", command: cmd("!rights hours") }),
    t("rights.summaryKept", { command: cmd("!rights kept") }),
    t("rights.summarySee", { command: cmd("!rights see") }),
    t("rights.summaryChoices", { command: cmd("!rights choices") }),
    t("rights.summaryAdvocacy", { command: cmd("!rights advocacy") }),
    ...(has("sponsor") ? [t("rights.summarySponsor", { command: cmd("!sponsor") })] : []),
  ]);
  summary.p(t("rights.summaryAll", { command: cmd("!rights all") }));
  return summary;
}

/** A service and how to reach it: tappable numbers and links. */
export function reach(r: ReachConfig): Words & RichValue {
  const ways: Value[] = [];
  if (r.phone) ways.push(t("rights.reachPhone", { number: phone(r.phone) }));
  if (r.sms) ways.push(t("rights.reachSms", { number: phone(r.sms, true) }));
  // An address as written: "x (mailto:x)" would read badly in the plain body, and clients link addresses themselves.
  if (r.email) ways.push(t("rights.reachEmail", { address: r.email }));
  if (r.url) ways.push(link(r.url, r.url));
  const values = { name: r.name, ways: listOf(ways, "disjunction") };
  return r.note ? t("rights.reachLineNote", { ...values, note: r.note }) : t("rights.reachLine", values);
}

/**
 * What is kept and for how long, exactly as the retention job and `!forgetme` treat it
 * (src/features/data/retention.ts, src/features/data/service.ts; docs/data.md says the same at more length).
 */
function keptWithPeriods(m: Message, c: CommunityConfig, r: RetentionPeriods, has: HasCommand): void {
  const community = c.name;
  m.list([
    t("rights.periodMember", { community, removed: days(r.removed_members.days) }),
    t("rights.periodConsent"),
    t("rights.periodLeft"),
    t("rights.periodPages", { days: days(r.pages.days) }),
    t("rights.periodCheckins", { days: days(r.checkins.days) }),
    t("rights.periodRota", { days: days(r.rota.days) }),
    ...(has("contact") ? [t("rights.keptContact", { command: cmd("!contact"), remove: cmd("!contact remove email") })] : []),
    t("rights.periodAudit"),
    t("rights.periodBookkeeping", { days: BOOKKEEPING_DAYS }),
    t("rights.keptRooms"),
  ]);
  m.p(t("rights.periodCommands", { mydata: cmd("!mydata"), forgetme: cmd("!forgetme") }));
}

/** The community's rules as a list, or a plain sentence when the config has none. */
export function rulesBlock(c: CommunityConfig): Message {
  const rules = c.rules ?? [];
  return rules.length ? new Message().list(rules) : Message.of(t("rights.noRules", { community: c.name }));
}

/** When the community room is open now (from the config; not part of the versioned text). */
export function postingHoursBlock(c: CommunityConfig): Message {
  const windows = c.rooms.community.posting_hours ?? [];
  const m = new Message().heading(t("rights.hoursHeading", { room: c.rooms.community.name, zone: zone(c.timezone) }));
  if (!windows.length) return m.p(t("rights.hoursAnyTime"));
  return m.list(windows.map(describeWindow)).p(t("rights.hoursChanges"));
}

export function describeWindow(w: PostingWindowConfig): Words {
  const days = describeDays(w.days);
  if (w.from === "00:00" && w.to === "24:00") return t("rights.windowAllDay", { days });
  if (w.to !== "24:00" && w.to <= w.from) return t("rights.windowOvernight", { days, from: w.from, to: w.to });
  if (w.to === "24:00") return t("rights.windowMidnight", { days, from: w.from });
  return t("rights.window", { days, from: w.from, to: w.to });
}

/** Day names as catalogue messages (keys are written out so the catalogue test finds each). */
const DAY_WORDS: Record<Weekday, Words> = {
  mon: t("rights.dayMon"),
  tue: t("rights.dayTue"),
  wed: t("rights.dayWed"),
  thu: t("rights.dayThu"),
  fri: t("rights.dayFri"),
  sat: t("rights.daySat"),
  sun: t("rights.daySun"),
};
const dayName = (d: Weekday): Value => DAY_WORDS[d] as Words & Value;

/** mon–fri → "Monday to Friday"; sat, sun → "Saturday and Sunday". */
export function describeDays(days: Weekday[]): Value {
  const sorted = WEEKDAYS.filter((d) => days.includes(d));
  const runs: Weekday[][] = [];
  for (const d of sorted) {
    const last = runs[runs.length - 1];
    if (last && WEEKDAYS.indexOf(d) === WEEKDAYS.indexOf(last[last.length - 1]) + 1) last.push(d);
    else runs.push([d]);
  }
  const parts = runs.flatMap((r) => (r.length >= 3 ? [t("rights.dayRange", { first: dayName(r[0]), last: dayName(r[r.length - 1]) })] : r.map(dayName)));
  return listOf(parts, "conjunction");
}
