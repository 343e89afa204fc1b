import { echoableCommand, withoutQuotedInput } from "../../../src/commands/echo";

describe("what carenet repeats of what someone wrote", () => {
  it("a command name only when short and made of letters and hyphens", () => {
    expect(echoableCommand("pgae")).toBe("`!pgae`");
    expect(echoableCommand("crisis-meeting")).toBe("`!crisis-meeting`");
    for (const name of ["call-0900-555-1234", "x".repeat(25), "see-https://evil.example", "<b>hi</b>", "ｈｅｌｐ"]) {
      expect(echoableCommand(name)).toBeUndefined();
    }
  });

  it("quoted input only when it is a short plain word", () => {
    expect(withoutQuotedInput('"someday" is not a date.')).toBe('"someday" is not a date.');
    expect(withoutQuotedInput('"0900-555-1234" is not a page number.')).toBe("That is not a page number.");
    expect(withoutQuotedInput('I did not understand "call us at www.evil.example".')).toBe("I did not understand that.");
    expect(withoutQuotedInput('"2026-02-30" is not a real date; "24:00" is late; "18:00-22:00" ok; "#12" and "123456"')).toBe(
      '"2026-02-30" is not a real date; "24:00" is late; "18:00-22:00" ok; "#12" and "123456"',
    );
    expect(withoutQuotedInput('"1234567" is not a shift number.')).toBe("That is not a shift number.");
  });
});
