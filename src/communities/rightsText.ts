import { createHash } from "node:crypto";
import { supportNow } from "../commands/help";
import { Message } from "../commands/message";
import type { CommunityConfig, PostingWindowConfig } from "../config/types";
import { DAY_NAMES, WEEKDAYS, type Weekday } from "../domain/localTime";
import { BOOKKEEPING_DAYS, daysWord, retentionOf, type RetentionPeriods } from "../rights/settings";
import type { CrisisResources } from "../config/types";

/**
 * What every member is told, in plain words, before anything optional is recorded about
 * them: what the network is for (and that it is not a crisis service), the community's
 * rules, how posting hours and paging work, what carenet keeps and for how long, who can
 * see it, their choices and how to change them.
 */
export interface RightsText {
  message: Message;
  /**
   * `<community id>@<hash of the text>`: consent is recorded against it, so a changed text
   * (new rules, new crisis numbers, a new capability) asks everyone again.
   */
  version: string;
}

/** Which commands are installed: the text names a command only when people can use it. */
export type HasCommand = (name: string) => boolean;

export function rightsText(c: CommunityConfig, crisisResources: CrisisResources, has: HasCommand, retention: RetentionPeriods = retentionOf({})): RightsText {
  const m = new Message().heading(`${c.name} on the care network: what it is, your rights and your choices`);

  m.heading("What this network is for");
  m.p(
    `It connects the members, peer supporters and staff of ${c.name} out of hours, so that nobody has to struggle alone ` +
      "and everything can be brought back to the group.",
  );
  m.p(
    "It is NOT a crisis service. Nobody watches it all the time and a message may not be read for a while. " +
      "If you are in danger or need help now, use these:",
  );
  m.append(supportNow(crisisResources));

  m.heading(`The rules of ${c.name}`);
  m.append(rulesBlock(c));

  m.heading("Posting hours and paging");
  m.p(
    "The community room is open for members to post at set hours; outside them you can still read it, and support is still there. " +
      "The hours are listed at the end of this message" +
      (has("hours") ? ", and `!hours` shows them at any time." : "."),
  );
  m.p(
    "At any time, day or night, you can send `!page` (with a few words if you like) in your conversation with me. " +
      "The peers on call are told and one of them joins you in a private room; if nobody answers in time, more people are asked in turn, " +
      "as your community has arranged, and I tell you truthfully who was asked. You will always end up either with a person or with the crisis numbers above.",
  );

  m.heading("What carenet keeps, and for how long");
  if (has("mydata") && has("forgetme")) keptWithPeriods(m, c, retention, has);
  else {
    m.list([
      `That you are a member of ${c.name}: your role, your named staff sponsor, and when you were added, discharged or removed.`,
      "Your answer to this text (agree, decline or withdraw), with the version you were shown and the date.",
      "The rooms you left on your own, so that you are never invited back against your will.",
      "An audit log of what staff and carenet did (for example who added you, and when). It never holds what anyone wrote, and nobody can edit it.",
      "When you page: when, who was asked and who answered — not what you wrote — so that no call for help is lost. This is kept whether or not you agree.",
      "Only if you agree: your check-in answers and check-in plan, and your rota shifts if you volunteer as a peer supporter.",
    ...(has("contact")
      ? [
          "Only if you set it yourself with `!contact` (or an admin sets it in the configuration): an email address, or your choice to be reached through your community's webhook (an SMS or paging gateway), used only when you are asked to come to a page. " +
            "Kept until you remove it (`!contact remove email`) or ask to be forgotten.",
        ]
      : []),
      "Messages you write in rooms are kept by the Matrix homeserver, not by carenet, and never written into carenet's logs.",
    ]);
    m.p(
      "carenet keeps this while you are a member or alumni of the community. If you are removed it is kept as a closed record, " +
        (has("forgetme") ? "until you ask for it to be erased with `!forgetme`." : "until you ask your sponsor or the service's admins to erase it."),
    );
  }

  m.heading("Who can see it");
  m.list([
    "You: `!consent` shows your answer" + (has("mydata") ? ", and `!mydata` sends you everything carenet keeps about you." : "; your sponsor can tell you what else is kept."),
    `The staff and admins of ${c.name}: your membership, role and sponsor, whether you agreed to this text, the audit log, and the pages you sent.`,
    "The peers on call: the pages you send while they are on call.",
    "Your check-in answers: nobody, unless your own check-in plan names who hears about them.",
    "Other members: what you post in the rooms you share with them.",
    "The people who run the service can read carenet's database to keep it working.",
  ]);

  m.heading("Your choices");
  m.list([
    "Agree to this text, or not. If you do not agree, nothing optional (check-ins, the rota) is recorded about you — and you can still read, post, use `!help` and `!page`. Support is never withheld.",
    "If you agree: whether to take part in check-ins, and who, if anyone, hears about a missed or low one; whether to volunteer for the rota.",
    "Leave any room you want: carenet will not invite you back against your will (staff are told that you left).",
    ...(has("mydata") && has("forgetme")
      ? [
          "Ask for a copy of everything carenet keeps about you (`!mydata`), or for it to be erased (`!forgetme`). If you ask to be erased, staff are told that you asked to leave; taking you out of the rooms is their decision.",
        ]
      : []),
    "Change your mind at any time.",
  ]);

  m.heading("How to agree or change your mind");
  m.list([
    "`!consent agree` — you agree to this text.",
    "`!consent decline` — you do not agree.",
    "`!consent withdraw` — you take back an earlier agreement; from then on nothing optional is recorded.",
    "`!consent` shows your answer, `!rights` shows this text again, `!rules` the community's rules, `!help` everything else.",
  ]);
  m.p("If this text changes, I will ask you again.");

  const hash = createHash("sha256").update(JSON.stringify(m.blocks)).digest("hex").slice(0, 12);
  return { message: m, version: `${c.id}@${hash}` };
}

/**
 * What is kept and for how long, exactly as the retention job and `!forgetme` treat it
 * (src/rights/retention.ts, src/rights/service.ts; docs/data.md says the same at more length).
 */
function keptWithPeriods(m: Message, c: CommunityConfig, r: RetentionPeriods, has: HasCommand): void {
  const days = (p: keyof RetentionPeriods) => daysWord(r[p]);
  m.list([
    `That you are a member of ${c.name}: your role, your named staff sponsor, who added you and when you were added, discharged or removed. ` +
      `Kept while you are a member or alumni; if staff remove you, for ${days("removed_members")} after that, and then deleted, ` +
      `together with your answers to this text, the rooms you left and your check-ins and rota shifts in ${c.name}.`,
    "Your answers to this text (agree, decline or withdraw), with the version you were shown and the date — as long as your membership is kept.",
    "The rooms you left on your own, so that you are never invited back against your will — as long as your membership is kept.",
    `When you page or call a crisis meeting: when, who was asked and who came — not what you wrote (a note you add is held only until it is shown in your support room). ` +
      `This is kept whether or not you agree, so that no call for help is lost, for ${days("pages")}; a page that is not closed yet is never deleted.`,
    `Only if you agree: your check-in answers (with any notes you add) and who was told about a low or missed one, for ${days("checkins")}; ` +
      `your check-in plan as long as your membership is kept, and the changes you made to it for ${days("checkins")}.`,
    `Only if you agree: your rota shifts and breaks if you volunteer as a peer supporter, while they run and for ${days("rota")} after they end.`,
    ...(has("contact")
      ? [
          "Only if you set it yourself with `!contact` (or an admin sets it in the configuration): an email address, or your choice to be reached through your community's webhook (an SMS or paging gateway), used only when you are asked to come to a page. " +
            "Kept until you remove it (`!contact remove email`) or ask to be forgotten.",
        ]
      : []),
    "An audit log of what staff and carenet did (for example who added you, and when). It never holds what anyone wrote, nobody can edit it, " +
      "and it is never deleted — not even when you ask to be forgotten — because it is the record that staff acted properly.",
    `Messages carenet sends you stay in its database for ${daysWord(BOOKKEEPING_DAYS)} after they are sent, so that none is sent twice; ` +
      `of the messages you send carenet it keeps only that they arrived, for ${daysWord(BOOKKEEPING_DAYS)}, never what they said.`,
    "Messages you write in rooms are kept by the Matrix homeserver, not by carenet, and never written into carenet's logs.",
  ]);
  m.p("`!mydata` sends you all of it, and `!forgetme` erases it (all but the audit log) whenever you ask.");
}

/** The community's rules as a list, or a plain sentence when the config has none. */
export function rulesBlock(c: CommunityConfig): Message {
  const rules = c.rules ?? [];
  return rules.length
    ? new Message().list(rules)
    : Message.of(`${c.name} has no written rules in carenet; your sponsor will go through the community's agreements with you.`);
}

/** When the community room is open now (from the config; not part of the versioned text). */
export function postingHoursBlock(c: CommunityConfig): Message {
  const windows = c.rooms.community.posting_hours ?? [];
  const m = new Message().heading(`When “${c.rooms.community.name}” is open for posting (${c.timezone} time)`);
  if (!windows.length) return m.p("At any time.");
  return m.list(windows.map(describeWindow)).p("Staff announce any dated change (a holiday, a closure) in the room.");
}


export function describeWindow(w: PostingWindowConfig): string {
  const days = describeDays(w.days);
  if (w.from === "00:00" && w.to === "24:00") return `${days}: all day`;
  if (w.to !== "24:00" && w.to <= w.from) return `${days}: from ${w.from} to ${w.to} the next morning`;
  return `${days}: from ${w.from} to ${w.to === "24:00" ? "midnight" : w.to}`;
}

/** mon–fri → "Monday to Friday"; sat, sun → "Saturday and Sunday". */
export function describeDays(days: Weekday[]): string {
  const sorted = WEEKDAYS.filter((d) => days.includes(d));
  const runs: Weekday[][] = [];
  for (const d of sorted) {
    const last = runs[runs.length - 1];
    if (last && WEEKDAYS.indexOf(d) === WEEKDAYS.indexOf(last[last.length - 1]) + 1) last.push(d);
    else runs.push([d]);
  }
  const parts = runs.flatMap((r) => (r.length >= 3 ? [`${DAY_NAMES[r[0]]} to ${DAY_NAMES[r[r.length - 1]]}`] : r.map((d) => DAY_NAMES[d])));
  return parts.length <= 1 ? (parts[0] ?? "") : `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
}
