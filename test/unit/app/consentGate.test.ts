import { AMY, CRISIS, FullApp, SAM, type Where } from "./fullApp";
import { expectToContainAll } from "../../support/expectText";

/**
 * With every capability installed: nothing optional is recorded about a member who has
 * not agreed to their community's current text — and support, information and the
 * consent commands themselves never ask for that agreement.
 */

let f: FullApp;
beforeEach(() => {
  f = new FullApp();
  f.addMember(AMY);
});
afterEach(() => f.close());

const CONSENT_REFUSAL = "recorded only for members who have agreed";
const count = (table: string) => (f.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

describe("never ask for consent", () => {
  const open = ["!help", "!help page", "!oncall", "!hours", "!rights", "!rules", "!consent", "!page", "!crisis-meeting"];
  it.each(["dm", "community"] as Where[])("!help, !page, !oncall, !hours, !rights, !rules, !consent, !crisis-meeting work without agreement (%s)", async (where) => {
    for (const command of open) {
      const r = await f.send(AMY, command, where);
      expect({ command, outcome: r.outcome }).toEqual({ command, outcome: "ok" });
      expect(r.reply.plain).not.toContain(CONSENT_REFUSAL);
    }
    expect(count("pages")).toBe(1);
  });

  it("!consent agree itself, of course, and then the optional things work", async () => {
    expect((await f.send(AMY, "!consent agree")).outcome).toBe("ok");
    expect(f.capabilities.hasConsent("oak", AMY)).toBe(true);
    expect((await f.send(AMY, "!checkin 4")).outcome).toBe("ok");
    expect(count("checkin_answers")).toBe(1);
    expect((await f.send(AMY, "!volunteer mon 18:00-22:00")).outcome).toBe("ok");
    expect(count("rota_entries")).toBe(1);
  });
});

describe("optional things without agreement", () => {
  it.each([
    ["!checkin 4", "Check-ins are"],
    ["!checkin 2 rough day", "Check-ins are"],
    ["!checkin plan alerts low sponsor", "Check-ins are"],
    ["!volunteer mon 18:00-22:00", "Shifts on the rota are"],
  ])("%s records nothing and answers kindly: how to agree, that support does not depend on it, the crisis resources", async (command, subject) => {
    for (const where of ["dm", "community"] as Where[]) {
      const r = await f.send(AMY, command, where);
      expect(r.outcome).toBe("refused");
      if (where === "community") expect(r.replyTo).toBe("dm");
      const text = r.reply.plain;
      expectToContainAll(text, [
        `${subject} ${CONSENT_REFUSAL} to how Oakwood keeps their information`, "I have not recorded anything", "!consent agree", "!page", CRISIS,
      ]);
    }
    for (const table of ["checkin_answers", "checkin_plans", "checkin_plan_changes", "rota_entries"]) expect(count(table)).toBe(0);
  });

  it("accepting a shift staff proposed is refused kindly after the member withdrew", async () => {
    await f.send(AMY, "!consent agree");
    const proposed = await f.send(SAM, `!rota add ${AMY} tue 18:00-22:00`, "staff");
    expect(proposed.outcome).toBe("ok");
    const id = Number(/#(\d+)/.exec(proposed.reply.plain)![1]);
    await f.send(AMY, "!consent withdraw");
    const r = await f.send(AMY, `!rota accept ${id}`);
    expect(r.outcome).toBe("refused");
    expect(r.reply.plain).toContain(`Shifts on the rota are ${CONSENT_REFUSAL}`);
    expect(r.reply.plain).toContain(CRISIS);
  });

  it("a changed rights text is named as the reason after an earlier agreement", async () => {
    await f.send(AMY, "!consent agree");
    f.config.communities[0] = { ...f.community, rules: ["A new rule."] };
    const r = await f.send(AMY, "!checkin 4");
    expect(r.outcome).toBe("refused");
    expect(r.reply.plain).toContain("that text has changed since you agreed to it");
  });
});
