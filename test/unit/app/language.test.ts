import { Message } from "../../../src/messaging/message";
import { t } from "../../../src/words";
import { AMY, BOB, FullApp, SAM, roomOf } from "./fullApp";

/**
 * `!language`: a person's own language for everything carenet writes to them, else their
 * community's `language:`; rooms read their community's. Shown by `!mydata`, erased by
 * `!forgetme`.
 */
let f: FullApp;
beforeEach(() => {
  f = new FullApp();
  f.addMember(AMY);
  f.addMember(BOB);
});
afterEach(() => f.close());

const render = (userId: string, m: Message) => m.render(f.app.readers.forUser(userId)).plain;

describe("!language", () => {
  it("says which language is used now and how to change it", async () => {
    const r = await f.send(AMY, "!language");
    expect(r.outcome).toBe("ok");
    expect(render(AMY, r.reply)).toBe("I write to you in English. To change it, send one of: !language en for English or !language es for Español.");
  });

  it("switches only that person, and its own answer is already in the new language", async () => {
    const r = await f.send(AMY, "!language es");
    expect(r.outcome).toBe("ok");
    expect(f.app.readers.forUser(AMY).language).toBe("es");
    expect(render(AMY, r.reply)).toBe("A partir de ahora te escribo en Español. Para cambiarlo otra vez: !language en.");
    expect(f.app.readers.forUser(BOB).language).toBe("en");
    expect(f.app.readers.forRoom(roomOf("community")).language).toBe("en");
  });

  it("a person's direct chat with the bot reads as that person (replies there are in their language)", async () => {
    f.app.dmRooms.record("!amy-dm:example.org", AMY, f.now);
    await f.send(AMY, "!language es");
    f.community.time_label = "UK time";
    const dm = f.app.readers.forRoom("!amy-dm:example.org");
    expect(dm.language).toBe("es");
    expect(dm.zoneLabel?.(f.community.timezone)).toBe("UK time");
  });

  it("refuses a language it cannot write in, listing those it can", async () => {
    const r = await f.send(AMY, "!language klingon");
    expect(r.outcome).toBe("refused");
    expect(render(AMY, r.reply)).toBe("I can't write in that language yet. I can write in: !language en for English or !language es for Español.");
    expect(f.app.readers.forUser(AMY).language).toBe("en");
  });

  it("follows the community's language for people who chose none, and for its rooms", () => {
    f.community.language = "es";
    expect(f.app.readers.forUser(AMY).language).toBe("es");
    expect(f.app.readers.forUser(SAM).language).toBe("es"); // staff, by the config
    expect(f.app.readers.forRoom(roomOf("staff")).language).toBe("es");
    expect(f.app.readers.forUser("@stranger:example.org").language).toBe("en");
  });

  it("renders what is told to a person in their language, with the community's zone label", async () => {
    f.community.time_label = "UK time";
    await f.send(AMY, "!language es");
    f.app.atomically(() => f.app.effects.tell(AMY, Message.of(t("language.set", { name: "x", command: "y" })), "k1"));
    const row = f.db.prepare("SELECT content_json AS content FROM outbox WHERE dedupe_key = 'k1'").get() as { content: string };
    expect(JSON.parse(row.content).body).toBe("A partir de ahora te escribo en x. Para cambiarlo otra vez: y.");
    expect(f.app.readers.forUser(AMY).zoneLabel?.(f.community.timezone)).toBe("UK time");
    expect(f.app.readers.forUser(AMY).zoneLabel?.("Asia/Kathmandu")).toBeUndefined();
  });

  it("is shown by !mydata and erased by !forgetme", async () => {
    await f.send(AMY, "!language es");
    const mine = await f.send(AMY, "!mydata");
    expect(mine.reply.plain).toContain("The language you chose for my messages");
    expect(mine.reply.plain).toMatch(/- es\b/);
    await f.send(AMY, "!forgetme");
    await f.send(AMY, "!forgetme confirm");
    expect(f.app.readers.forUser(AMY).language).toBe("en");
  });
});
