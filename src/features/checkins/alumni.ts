import { supportNow } from "../../messaging/support";
import { Message } from "../../messaging/message";
import { refused } from "../../messaging/outcome";
import { rhythmWords } from "./words";
import { command, t } from "../../words";
import type { CommandResult } from "../../commands/types";
import type { CommunityConfig, CrisisResources } from "../../config/types";
import { ALUMNI_RHYTHMS, type AlumniRhythm } from "./domain/checkins";
import type { CheckinsStore } from "./store/checkins";
import type { Member } from "../../ports/communities";
import { checkinSettingsOf } from "./settings";
import type { WhoAndWhere } from "./whoAndWhere";

/** Alumni check-ins: whether and how often a former member hears from their community. */
export class AlumniChoices {
  constructor(
    private readonly store: CheckinsStore,
    private readonly who: WhoAndWhere,
  ) {}

  alumniRhythmOf(c: CommunityConfig, userId: string): { enabled: boolean; rhythm: AlumniRhythm } {
    const s = checkinSettingsOf(c);
    const choice = this.store.alumni(c.id, userId);
    return { enabled: s.alumni.enabled && (choice?.enabled ?? true), rhythm: choice?.rhythm ?? s.alumni.every };
  }

  alumni(c: CommunityConfig, member: Member, args: string[], now: number, crisis: CrisisResources): CommandResult {
    const s = checkinSettingsOf(c);
    const current = this.alumniRhythmOf(c, member.userId);
    const status = () => {
      const after = this.alumniRhythmOf(c, member.userId);
      const state = s.alumni.enabled ? (after.enabled ? "on" : "off") : "none";
      const m = Message.of(t("checkins.alumniStatus", { community: c.name, state, rhythm: rhythmWords(after.rhythm, s.alumni.day, s.alumni.at) }));
      if (member.status !== "discharged") m.p(t("checkins.alumniStart"));
      return m.p(
        t("checkins.alumniHow", {
          on: command("!checkin alumni on"),
          off: command("!checkin alumni off"),
          weekly: command("!checkin alumni weekly"),
          fortnightly: command("!checkin alumni fortnightly"),
          monthly: command("!checkin alumni monthly"),
        }),
      );
    };
    const v = (args[0] === "every" ? args[1] : args[0])?.toLowerCase();
    if (!v) return { outcome: "ok", reply: status() };
    if (!this.who.hasConsent(c.id, member.userId)) return this.who.consentPointer(c, member.userId, crisis);
    let next = { ...current };
    if (v === "on" || v === "off") next.enabled = v === "on";
    else if ((ALUMNI_RHYTHMS as readonly string[]).includes(v)) next = { enabled: true, rhythm: v as AlumniRhythm };
    else {
      return refused(Message.of(t("checkins.alumniBad", { example: command("!checkin alumni monthly") })).append(supportNow(crisis)));
    }
    const words = (x: { enabled: boolean; rhythm: AlumniRhythm }) => (x.enabled ? `on, ${x.rhythm}` : "off");
    if (words(next) === words(current)) return { outcome: "ok", reply: status() };
    this.store.setAlumni(c.id, member.userId, { enabled: next.enabled, rhythm: next.rhythm }, now);
    this.store.recordChange(c.id, member.userId, { setting: "alumni", before: words(current), after: words(next) }, now);
    return { outcome: "ok", reply: Message.of(t("checkins.alumniChanged", { change: `${words(current)} → ${words(next)}` })).append(status()) };
  }
}
