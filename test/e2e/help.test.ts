import { loadRegistration } from "../../src/matrix/registration";
import { botReactionTo, botReplyTo, CRISIS, newUser, startCarenet, type RunningCarenet, e2eScene, tempDir } from "./harness/carenet";
import type { MatrixUser } from "./harness/matrixUser";

const { env, bot } = e2eScene();
let running: RunningCarenet;
let alice: MatrixUser;
let dm: string;

beforeAll(async () => {
  running = await startCarenet(env, tempDir("help"));
  alice = await newUser(env, "alice");
  dm = await alice.createDm(bot);
  await alice.waitForEvent(dm, (ev) => ev.type === "m.room.member" && ev.state_key === bot && (ev.content as { membership?: string }).membership === "join");
});

afterAll(async () => {
  alice?.stop();
  await running?.carenet.stop();
});

test("the bot joins a DM from a local user and greets them with how to get support", async () => {
  const welcome = await alice.waitForEvent(dm, (ev) => ev.sender === bot && ev.type === "m.room.message");
  expect(welcome.content).toMatchObject({ msgtype: "m.notice" });
  expect(String(welcome.content.body)).toContain(CRISIS);
  expect(String(welcome.content.body)).toContain("!help");
});

test("!help is answered with a short notice that begins with !page, then the crisis resources, and a ✅", async () => {
  const command = await alice.sendText(dm, "!help");
  const reply = await alice.waitForEvent(dm, botReplyTo(bot, command));
  expect(reply.content.msgtype).toBe("m.notice");
  const body = String(reply.content.body);
  expect(body.startsWith("Need a person now? Send !page")).toBe(true);
  expect(body).toContain(CRISIS);
  expect(body).toContain("!help all lists every command");
  expect(body.split(/\s+/).length).toBeLessThanOrEqual(80);
  expect(body).not.toContain("`");
  expect(reply.content.format).toBe("org.matrix.custom.html");
  expect(String(reply.content.formatted_body)).toContain("<code>!page</code>");
  const reaction = await alice.waitForEvent(dm, botReactionTo(bot, command));
  expect((reaction.content as { "m.relates_to": { key: string } })["m.relates_to"].key).toBe("✅");
});

test("an unknown command gets a helpful answer and a ⛔, and the service carries on", async () => {
  const command = await alice.sendText(dm, "!nonsense please");
  const reply = await alice.waitForEvent(dm, botReplyTo(bot, command));
  expect(String(reply.content.body)).toContain("I don't know the command !nonsense.");
  expect(String(reply.content.body)).toContain("Send !help");
  expect(String(reply.content.body)).toContain(CRISIS);
  const reaction = await alice.waitForEvent(dm, botReactionTo(bot, command));
  expect((reaction.content as { "m.relates_to": { key: string } })["m.relates_to"].key).toBe("⛔");

  const typo = await alice.sendText(dm, "!hlep");
  expect(String((await alice.waitForEvent(dm, botReplyTo(bot, typo))).content.body)).toContain("Did you mean !help?");

  const malformed = await alice.sendText(dm, '!help "unclosed');
  expect(String((await alice.waitForEvent(dm, botReplyTo(bot, malformed))).content.body)).toContain("was opened but not closed");

  const after = await alice.sendText(dm, "!help help");
  expect(String((await alice.waitForEvent(dm, botReplyTo(bot, after))).content.body)).toContain("!help [all|command]");
});

test("a plain message in the DM gets a pointer to !help; its words never reach the logs, nor do tokens", async () => {
  const secret = "my-private-words-" + Math.random().toString(36).slice(2);
  const message = await alice.sendText(dm, `I feel awful tonight ${secret}`);
  const reply = await alice.waitForEvent(dm, botReplyTo(bot, message));
  expect(String(reply.content.body)).toContain("!help");
  const command = await alice.sendText(dm, `!nonsense ${secret}`);
  await alice.waitForEvent(dm, botReplyTo(bot, command));

  const logs = running.logs.text;
  expect(logs.length).toBeGreaterThan(0);
  expect(logs).toContain("joined a room on invitation"); // the capture works
  expect(logs).not.toContain(secret);
  expect(logs).not.toContain(alice.accessToken);
  const { as_token, hs_token } = loadRegistration(env.registrationPath, { localpart: "carenet" });
  expect(logs).not.toContain(as_token);
  expect(logs).not.toContain(hs_token);
});

test("the health endpoint tells anyone only the status, and the homeserver's token the details", async () => {
  const res = await fetch(`http://127.0.0.1:${env.asPort}/health`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: "ok" });
  const { hs_token } = loadRegistration(env.registrationPath, { localpart: "carenet" });
  const detailed = await fetch(`http://127.0.0.1:${env.asPort}/health`, { headers: { authorization: `Bearer ${hs_token}` } });
  expect(await detailed.json()).toMatchObject({
    status: "ok",
    ok: true,
    homeserver: { reachable: true },
    database: { open: true, writable: true },
    disk: { full: false },
    inbox: { stuck: false },
  });
});
