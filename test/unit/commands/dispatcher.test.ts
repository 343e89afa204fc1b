import { Dispatcher, type DispatchContext } from "../../../src/commands/dispatcher";
import { availableTo, helpCommand } from "../../../src/commands/help";
import { supportNow } from "../../../src/messaging/support";
import { Message } from "../../../src/messaging/message";
import { UsageError, type CommandContext, type CommandResult, type CommandSpec } from "../../../src/commands/types";

const CRISIS = "In an emergency call 999.\nSamaritans 116 123 (free, 24/7).";

function ctx(overrides: Partial<DispatchContext> = {}): DispatchContext {
  return {
    sender: "@member:example.org",
    place: "dm",
    roomId: "!dm:example.org",
    eventId: "$cmd",
    isStaffHere: false,
    now: 1_000,
    crisisResources: CRISIS,
    ...overrides,
  };
}

function spec(name: string, overrides: Partial<CommandSpec> = {}): CommandSpec {
  return {
    name,
    usage: `!${name} <thing>`,
    summary: `does ${name}`,
    audience: "everyone",
    run: (_c, args) => ({ outcome: "ok", reply: Message.of(`${name} ran with ${args.join("|")}`) }),
    ...overrides,
  };
}

const staffSpec = (run: CommandSpec["run"] = () => ({ outcome: "ok", reply: Message.of("members listed") })) =>
  spec("member", { audience: "staff", usage: "!member add|remove|list", summary: "manage members", run });

/** The crisis text, line by line, appears in the reply. */
function expectCrisis(reply: Message): void {
  for (const line of CRISIS.split("\n")) expect(reply.plain).toContain(line);
  expect(reply.plain).toContain("If you need support right now:");
}

describe("Dispatcher", () => {
  it("runs a known command with its arguments and the context", async () => {
    const run = jest.fn(
      (c: CommandContext, args: string[]): CommandResult => ({ outcome: "ok", reply: Message.of(`${c.sender} ${args.join(",")}`) }),
    );
    const commands = [spec("page", { run })];
    const onError = jest.fn();
    const result = await new Dispatcher(commands, onError).dispatch('!PAGE "not ok" tonight', ctx());
    expect(result.outcome).toBe("ok");
    expect(result.reply.plain).toBe("@member:example.org not ok,tonight");
    expect(run).toHaveBeenCalledTimes(1);
    const [passed, args] = run.mock.calls[0];
    expect(args).toEqual(["not ok", "tonight"]);
    expect(passed.commands).toBe(commands);
    expect(passed).toMatchObject(ctx());
    expect(onError).not.toHaveBeenCalled();
  });

  it("awaits an async precheck, and a precheck's answer refuses the command without running it", async () => {
    const run = jest.fn(() => ({ outcome: "ok" as const, reply: Message.of("ran") }));
    const d = new Dispatcher(
      [
        spec("slow", { precheck: async () => undefined, run }),
        spec("nope", { precheck: async () => ({ outcome: "refused", reply: Message.of("no such user") }), run }),
      ],
      jest.fn(),
    );
    expect((await d.dispatch("!slow", ctx())).reply.plain).toBe("ran");
    expect((await d.dispatch("!nope", ctx())).reply.plain).toBe("no such user");
    expect(run).toHaveBeenCalledTimes(1);
  });

  it("answers without a promise unless the command has a precheck, so its handling can join a batch", async () => {
    const finish = jest.fn();
    const d = new Dispatcher([spec("now"), spec("later", { precheck: async () => undefined })], jest.fn());
    const now = d.dispatchNow("!now a", ctx(), finish);
    expect(now).not.toBeInstanceOf(Promise);
    expect((now as CommandResult).reply.plain).toBe("now ran with a");
    expect(finish).toHaveBeenCalledTimes(1);
    const unknown = d.dispatchNow("!nothing", ctx(), finish);
    expect(unknown).not.toBeInstanceOf(Promise);
    expect((unknown as CommandResult).outcome).toBe("refused");
    const later = d.dispatchNow("!later b", ctx(), finish);
    expect(later).toBeInstanceOf(Promise);
    expect((await later).reply.plain).toBe("later ran with b");
    expect(finish).toHaveBeenCalledTimes(3);
  });

  it("runs the command and its finish in one atomic step, and rolls the command back when it throws", async () => {
    const log: string[] = [];
    const atomically = <T>(fn: () => T): T => {
      const mark = log.length;
      try {
        return fn();
      } catch (err) {
        log.length = mark; // what a SQLite rollback does to the command's writes
        throw err;
      }
    };
    const d = new Dispatcher(
      [
        spec("good", { run: () => (log.push("good wrote"), { outcome: "ok", reply: Message.of("ok") }) }),
        spec("bad", { run: () => (log.push("bad wrote"), (() => { throw new Error("boom"); })()) }),
      ],
      jest.fn(),
      atomically,
    );
    const finish = (r: CommandResult) => void log.push(`finished ${r.outcome}`);
    await d.dispatch("!good", ctx(), finish);
    await d.dispatch("!bad", ctx(), finish);
    expect(log).toEqual(["good wrote", "finished ok", "finished refused"]);
  });

  it("refuses an unknown command, suggests the nearest one and gives the crisis resources", async () => {
    const d = new Dispatcher([helpCommand, spec("page"), spec("rights")], jest.fn());
    const result = await d.dispatch("!pgae now", ctx());
    expect(result.outcome).toBe("refused");
    expect(result.reply.plain).toContain("I don't know the command !pgae.");
    expect(result.reply.plain).toContain("Did you mean !page?");
    expect(result.reply.html).toContain("<code>!help</code>");
    expectCrisis(result.reply);
  });

  it("does not repeat an unknown command name someone chose for the bot to post", async () => {
    const d = new Dispatcher([helpCommand, spec("page")], jest.fn());
    for (const body of ["!call-0900-555-1234-now", "!visit-evil.example", `!${"a".repeat(60_000)}`, "!<b>gratis</b>"]) {
      const result = await d.dispatch(body, ctx());
      expect(result.outcome).toBe("refused");
      expect(result.reply.plain).toContain("I don't know that command.");
      expect(result.reply.plain).not.toMatch(/0900|evil|aaaaaaaaaaaaaaaaaaaaaaaaa|gratis/);
      expect(result.reply.plain.length).toBeLessThan(1000);
    }
  });

  it("does not suggest anything for a word far from every command", async () => {
    const d = new Dispatcher([helpCommand, spec("page")], jest.fn());
    const result = await d.dispatch("!xylophonequartet", ctx());
    expect(result.outcome).toBe("refused");
    expect(result.reply.plain).not.toContain("Did you mean");
    expectCrisis(result.reply);
  });

  it("does not suggest a staff command to someone who is not staff here", async () => {
    const d = new Dispatcher([helpCommand, staffSpec()], jest.fn());
    const notStaff = await d.dispatch("!membr", ctx());
    expect(notStaff.reply.plain).not.toContain("Did you mean !member?");
    const staff = await d.dispatch("!membr", ctx({ isStaffHere: true, place: "room" }));
    expect(staff.reply.plain).toContain("Did you mean !member?");
  });

  it("refuses a staff command outside the staff room without running it", async () => {
    const run = jest.fn(() => ({ outcome: "ok" as const, reply: Message.of("members listed") }));
    const d = new Dispatcher([staffSpec(run)], jest.fn());
    const result = await d.dispatch("!member list", ctx({ place: "room", isStaffHere: false }));
    expect(result.outcome).toBe("refused");
    expect(result.reply.plain).toMatch(/!member is a staff command: it works only in your community's staff room/);
    expect(run).not.toHaveBeenCalled();

    // In a community's own room it names the community; in its staff room, to someone who is
    // not its staff, it says who they are not rather than where to go.
    const oak = { id: "oak", name: "Oak TC", timezone: "Europe/London", staff: [], admins: [], rooms: {} } as unknown as NonNullable<DispatchContext["community"]>;
    const chat = await d.dispatch("!member list", ctx({ place: "room", isStaffHere: false, community: oak, roomKey: "community" }));
    expect(chat.reply.plain).toBe("!member is a staff command: it works only in Oak TC's staff room, for its staff.");
    const standingInIt = await d.dispatch("!member list", ctx({ place: "room", isStaffHere: false, community: oak, roomKey: "staff" }));
    expect(standingInIt.reply.plain).toBe("!member is for the staff of Oak TC, and you are not staff of Oak TC.");
    expect(run).not.toHaveBeenCalled();

    const inStaffRoom = await d.dispatch("!member list", ctx({ place: "room", isStaffHere: true }));
    expect(inStaffRoom).toMatchObject({ outcome: "ok" });
    expect(run).toHaveBeenCalledTimes(1);
  });

  it("answers a handler that throws with a generic refusal, reports it, and does not throw", async () => {
    const onError = jest.fn();
    const boom = new Error("database is locked: SELECT secret FROM notes");
    const d = new Dispatcher(
      [
        spec("page", {
          run: () => {
            throw boom;
          },
        }),
      ],
      onError,
    );
    const result = await d.dispatch("!page help me", ctx());
    expect(result.outcome).toBe("refused");
    expect(result.reply.plain).toMatch(/Something went wrong while handling !page/);
    expect(result.reply.plain).not.toContain("database is locked");
    expect(result.reply.plain).not.toContain("secret");
    expectCrisis(result.reply);
    expect(onError).toHaveBeenCalledWith(boom, "page");
  });

  it("treats a rejected precheck like a throw", async () => {
    const onError = jest.fn();
    const d = new Dispatcher([spec("page", { precheck: () => Promise.reject(new Error("nope")) })], onError);
    await expect(d.dispatch("!page", ctx())).resolves.toMatchObject({ outcome: "refused" });
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it("answers a UsageError with its message and the usage line, without reporting an error", async () => {
    const onError = jest.fn();
    const d = new Dispatcher(
      [
        spec("checkin", {
          usage: "!checkin <answer> [note]",
          run: () => {
            throw new UsageError("Say how you are, e.g. `!checkin ok`.");
          },
        }),
      ],
      onError,
    );
    const result = await d.dispatch("!checkin", ctx());
    expect(result.outcome).toBe("refused");
    expect(result.reply.plain).toBe("Say how you are, e.g. `!checkin ok`.\n\nUsage: !checkin <answer> [note]");
    expect(result.reply.html).toContain("<code>!checkin &lt;answer&gt; [note]</code>");
    expect(onError).not.toHaveBeenCalled();
  });

  it("answers input it cannot parse with a reason, never throwing", async () => {
    const d = new Dispatcher([helpCommand], jest.fn());
    const unclosed = await d.dispatch('!help "page', ctx());
    expect(unclosed.outcome).toBe("refused");
    expect(unclosed.reply.plain).toMatch(/I could not read that command: a quote \(".*not closed/);
    expect(unclosed.reply.plain).toContain("Send !help to see what you can do.");
    expect(unclosed.reply.plain).toContain("If you need support right now:");

    const bare = await d.dispatch("!", ctx());
    expect(bare.outcome).toBe("refused");
    expect(bare.reply.plain).toMatch(/no command name/);
  });
});

describe("!help", () => {
  const member = spec("page", { usage: "!page [note]", summary: "ask the on-call peers for support", details: "Opens a private room." });
  const commands = () => [helpCommand, member, staffSpec()];

  it("begins with how to get support now, then lists only the commands the person can use", async () => {
    const d = new Dispatcher(commands(), jest.fn());
    const result = await d.dispatch("!help", ctx());
    expect(result.outcome).toBe("ok");
    const plain = result.reply.plain;
    expect(plain.startsWith("Need a person now? Send !page")).toBe(true);
    expectCrisis(result.reply);
    expect(plain).not.toContain("!member");
    const all = (await d.dispatch("!help all", ctx())).reply.plain;
    expect(all.indexOf(CRISIS.split("\n")[0])).toBeLessThan(all.indexOf("Commands you can use here:"));
    expect(all).toContain("- !help [all|command]: how to get support now");
    expect(all).toContain("- !page [note]: ask the on-call peers for support");
    expect(all).not.toContain("!member");
  });

  it("lists staff commands for staff in their staff room", async () => {
    const d = new Dispatcher(commands(), jest.fn());
    const result = await d.dispatch("!help", ctx({ place: "room", isStaffHere: true }));
    expect(result.reply.plain).toContain("- !member add|remove|list: manage members");
    expect(result.reply.plain.startsWith("Need a person now? Send !page")).toBe(true);
  });

  it("explains one command with !help <command>, with or without the !", async () => {
    const d = new Dispatcher(commands(), jest.fn());
    for (const text of ["!help page", "!help !page", "!help PAGE"]) {
      const result = await d.dispatch(text, ctx());
      expect(result.outcome).toBe("ok");
      expect(result.reply.plain).toContain("!page [note]: ask the on-call peers for support.");
      expect(result.reply.plain).toContain("Opens a private room.");
    }
  });

  it("refuses !help for a command the person cannot use, with the crisis resources", async () => {
    const d = new Dispatcher(commands(), jest.fn());
    for (const text of ["!help member", "!help nosuch"]) {
      const result = await d.dispatch(text, ctx());
      expect(result.outcome).toBe("refused");
      expect(result.reply.plain).toMatch(/There is no command !(member|nosuch) you can use here/);
      expect(result.reply.plain).not.toContain("manage members");
      expectCrisis(result.reply);
    }
  });

  it("trims the crisis text it shows", () => {
    expect(supportNow(`\n  ${CRISIS}  \n`).plain).toBe(`If you need support right now:\n\n${CRISIS}`);
  });

  it("availableTo filters by audience", () => {
    const all = commands();
    expect(availableTo({ isStaffHere: false, commands: all }).map((c) => c.name)).toEqual(["help", "page"]);
    expect(availableTo({ isStaffHere: true, commands: all }).map((c) => c.name)).toEqual(["help", "page", "member"]);
  });
});

describe("free-text commands", () => {
  it("a stray quote in a !page note never refuses it: the words are taken as written", async () => {
    const seen: string[][] = [];
    const page = spec("page", { freeText: true, run: (_c, args) => (seen.push(args), { outcome: "ok", reply: Message.of("paging") }) });
    const d = new Dispatcher([page, spec("rights")], jest.fn());
    expect((await d.dispatch('!page my dad said "you\'re useless', ctx())).outcome).toBe("ok");
    expect((await d.dispatch("!page he said “go away", ctx())).outcome).toBe("ok");
    expect(seen).toEqual([
      ["my", "dad", 'said', '"you\'re', "useless"],
      ["he", "said", "“go", "away"],
    ]);
    // Other commands still explain an unclosed quote.
    expect((await d.dispatch('!rights "oops', ctx())).reply.plain).toContain("was opened but not closed");
  });
});
