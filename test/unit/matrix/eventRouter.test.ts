import { JobsStore } from "../../../src/store/jobs";
import { createLogger } from "../../../src/kernel/logger";
import { Dispatcher } from "../../../src/commands/dispatcher";
import { helpCommand } from "../../../src/commands/help";
import { Message } from "../../../src/messaging/message";
import type { CommandContext, CommandSpec } from "../../../src/commands/types";
import { parseConfig } from "../../../src/config/load";
import type { CarenetConfig } from "../../../src/config/types";
import { acceptingLateReactions, EventRouter, type MembershipHook, type ReactionHook, type RoomMessageHook } from "../../../src/matrix/eventRouter";
import type { Homeserver } from "../../../src/matrix/homeserver";
import { AuditLog } from "../../../src/store/audit";
import { CommunityRoomsStore } from "../../../src/features/communities/store/communityRooms";
import { openDatabase, type Db } from "../../../src/store/database";
import { DmRoomsStore } from "../../../src/matrix/store/dmRooms";
import { InboxStore, type IncomingEvent } from "../../../src/store/inbox";
import { OutboxStore } from "../../../src/store/outbox";
import { stringify } from "yaml";

const T = 1_800_000_000_000;
const BOT = "@carenet:example.org";
const SAM = "@sam:example.org"; // staff of oak
const ELLA = "@ella:example.org"; // staff of elm
const MIA = "@mia:example.org"; // a member

let db: Db;
let inbox: InboxStore;
let outbox: OutboxStore;
let audit: AuditLog;
let router: EventRouter;
let seen: CommandContext[];
let messageHook: jest.Mock<ReturnType<RoomMessageHook>, Parameters<RoomMessageHook>>;
let membershipHook: jest.Mock<ReturnType<MembershipHook>, Parameters<MembershipHook>>;
let reactionHook: jest.Mock<ReturnType<ReactionHook>, Parameters<ReactionHook>>;
let lateReactionHook: jest.Mock<ReturnType<ReactionHook>, Parameters<ReactionHook>>;
let seq = 0;

const config: CarenetConfig = parseConfig(
  stringify({
    homeserver: { url: "http://127.0.0.1:8008", domain: "example.org" },
    appservice: { registration: "r.yaml" },
    crisis_resources: "Call 999.",
    communities: [
      { id: "oak", name: "Oakwood", timezone: "Europe/London", staff: [SAM], rooms: { community: { name: "c" }, staff: { name: "s" }, alumni: { name: "a" } } },
      { id: "elm", name: "Elmfield", timezone: "Europe/London", staff: [ELLA], rooms: { community: { name: "c" }, staff: { name: "s" }, alumni: { name: "a" } } },
    ],
  }),
  "/etc/carenet/config.yaml",
).config;

/** A command that records the context it ran in and answers `reply` (in a DM when `replyTo` says so). */
function recording(spec: Omit<CommandSpec, "run">, reply: string, replyTo?: "dm"): CommandSpec {
  return {
    ...spec,
    run: (ctx) => {
      seen.push(ctx);
      return { outcome: "ok", reply: Message.of(reply), ...(replyTo ? { replyTo } : {}) };
    },
  };
}

const staffOnly = recording({ name: "member", usage: "!member list", summary: "members", audience: "staff" }, "the list");
const secretive = recording({ name: "page", usage: "!page [note]", summary: "page", audience: "everyone" }, "someone is coming", "dm");

beforeEach(() => {
  db = openDatabase(":memory:");
  inbox = new InboxStore(db);
  outbox = new OutboxStore(db);
  audit = new AuditLog(db);
  seen = [];
  messageHook = jest.fn();
  membershipHook = jest.fn();
  reactionHook = jest.fn();
  lateReactionHook = jest.fn();
  const rooms = new CommunityRoomsStore(db);
  for (const [c, key] of [["oak", "staff"], ["oak", "community"], ["elm", "staff"]]) {
    rooms.record({ communityId: c, roomKey: key, roomId: `!${c}-${key}:example.org`, alias: `#${c}-${key}:example.org`, name: key, origin: "created" }, T);
  }
  const dmRooms = new DmRoomsStore(db);
  dmRooms.record("!dm-mia:example.org", MIA, T);
  router = new EventRouter({
    db,
    inbox,
    outbox,
    dmRooms,
    homeserver: { joinRoom: async () => undefined, leaveRoom: async () => undefined } as unknown as Homeserver,
    dispatcher: new Dispatcher([helpCommand, staffOnly, secretive], () => undefined, (fn) => db.transaction(fn)()),
    clock: { now: () => T },
    log: createLogger("silent"),
    botUserId: BOT,
    domain: "example.org",
    config: () => config,
    rooms,
    audit,
    jobs: new JobsStore(db),
    wakeScheduler: () => undefined,
    roomMessageHooks: [messageHook],
    membershipHooks: [membershipHook],
    reactionHooks: [reactionHook, acceptingLateReactions(lateReactionHook)],
    plainAnswerHooks: [(r) => (r.text === "3" ? { outcome: "ok", reply: Message.of(`taken as an answer from ${r.sender}`) } : undefined)],
    maxEventAgeMs: 5 * 60_000,
    outboxChanged: () => undefined,
  });
});
afterEach(() => db.close());

async function deliver(ev: Partial<IncomingEvent> & { type: string; room_id: string; sender: string }): Promise<string> {
  const eventId = `$e${++seq}`;
  inbox.recordTransaction(`t${seq}`, [{ event_id: eventId, origin_server_ts: T, content: {}, ...ev } as IncomingEvent], T);
  const row = inbox.pending().find((r) => r.eventId === eventId)!;
  await router.handle(row);
  return eventId;
}

const say = (room: string, sender: string, body: string) => deliver({ type: "m.room.message", room_id: room, sender, content: { msgtype: "m.text", body } });
const outgoing = () =>
  db.prepare("SELECT dedupe_key, room_id, to_user, content_json FROM outbox ORDER BY id").all() as Array<{ dedupe_key: string; room_id: string; to_user: string | null; content_json: string }>;

describe("staff commands", () => {
  it("run for the community's staff in its staff room, knowing the community, and are audited", async () => {
    await say("!oak-staff:example.org", SAM, "!member list");
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ isStaffHere: true, roomKey: "staff", community: expect.objectContaining({ id: "oak" }) });
    expect(audit.latest("oak", 1)[0]).toMatchObject({ actor: SAM, action: "command.member", detail: "!member list ok" });
  });

  it("are refused, with a reason, and audited for another community's staff, in the community room, and in a DM", async () => {
    await say("!oak-staff:example.org", ELLA, "!member list"); // staff of elm in oak's staff room
    await say("!oak-community:example.org", SAM, "!member list"); // oak staff, wrong room
    await say("!dm-mia:example.org", MIA, "!member list");
    expect(seen).toEqual([]);
    const replies = outgoing().filter((o) => o.dedupe_key.startsWith("reply:")).map((o) => JSON.parse(o.content_json).body as string);
    expect(replies).toHaveLength(3);
    // In oak's staff room, elm's staff are told who they are not; elsewhere, where it works.
    expect(replies[0]).toMatch(/^!member is for the staff of .*, and you are not staff of /);
    for (const r of replies.slice(1)) expect(r).toMatch(/^!member is a staff command: it works only in/);
    expect(audit.latest("oak", 5).map((e) => [e.actor, e.action])).toEqual([
      [SAM, "command.refused"],
      [ELLA, "command.refused"],
    ]);
    expect(audit.latest(null, 5).map((e) => [e.actor, e.action])).toEqual([[MIA, "command.refused"]]);
  });
});

describe("replies", () => {
  it("a reply meant for the person alone goes to their DM, with only the reaction in the shared room", async () => {
    const cmd = await say("!oak-community:example.org", MIA, "!page I am not ok");
    const out = outgoing();
    expect(out.find((o) => o.dedupe_key === `reply:${cmd}`)).toMatchObject({ to_user: MIA, room_id: "" });
    expect(out.find((o) => o.dedupe_key === `react:${cmd}`)).toMatchObject({ room_id: "!oak-community:example.org", to_user: null });
    expect(out.some((o) => o.content_json.includes("not ok"))).toBe(false);
  });

  it("in the person's own DM the reply stays there", async () => {
    const cmd = await say("!dm-mia:example.org", MIA, "!page");
    expect(outgoing().find((o) => o.dedupe_key === `reply:${cmd}`)).toMatchObject({ room_id: "!dm-mia:example.org", to_user: null });
  });
});

describe("commands in a batch", () => {
  it("a command that needs no homeserver check is handled at once, its reply queued and its event done, with no promise", () => {
    inbox.recordTransaction("batch", [{ event_id: "$now", origin_server_ts: T, type: "m.room.message", room_id: "!dm-mia:example.org", sender: MIA, content: { msgtype: "m.text", body: "!help" } } as IncomingEvent], T);
    const row = inbox.pending().find((r) => r.eventId === "$now")!;
    expect(router.handle(row)).toBeUndefined();
    expect(outgoing().map((o) => o.dedupe_key)).toEqual(["reply:$now", "react:$now"]);
    expect(inbox.pending().some((r) => r.eventId === "$now")).toBe(false);
  });
});

describe("threads", () => {
  it("a command written in a thread is answered in that thread, as a reply to it (the fallback for clients without threads)", async () => {
    const cmd = await deliver({
      type: "m.room.message",
      room_id: "!dm-mia:example.org",
      sender: MIA,
      content: { msgtype: "m.text", body: "!page", "m.relates_to": { rel_type: "m.thread", event_id: "$root", is_falling_back: true, "m.in_reply_to": { event_id: "$root" } } },
    });
    const reply = JSON.parse(outgoing().find((o) => o.dedupe_key === `reply:${cmd}`)!.content_json);
    expect(reply["m.relates_to"]).toEqual({ rel_type: "m.thread", event_id: "$root", is_falling_back: true, "m.in_reply_to": { event_id: cmd } });
  });

  it("outside a thread a reply is an ordinary reply", async () => {
    const cmd = await say("!dm-mia:example.org", MIA, "!page");
    const reply = JSON.parse(outgoing().find((o) => o.dedupe_key === `reply:${cmd}`)!.content_json);
    expect(reply["m.relates_to"]).toEqual({ "m.in_reply_to": { event_id: cmd } });
  });
});

describe("hooks", () => {
  it("every message in a community room reaches the message hooks, with whether the sender is staff", async () => {
    const id = await say("!oak-community:example.org", MIA, "hello all");
    await say("!oak-community:example.org", SAM, "evening");
    await say("!dm-mia:example.org", MIA, "private");
    expect(messageHook.mock.calls.map(([m]) => [m.sender, m.isStaff, m.place.roomKey])).toEqual([
      [MIA, false, "community"],
      [SAM, true, "community"],
    ]);
    expect(messageHook.mock.calls[0][0].eventId).toBe(id);
  });

  it("images and edits reach the message hooks too (a closed room must see every post)", async () => {
    await deliver({ type: "m.room.message", room_id: "!oak-community:example.org", sender: MIA, content: { msgtype: "m.image", body: "pic.png", url: "mxc://x/y" } });
    await deliver({ type: "m.room.message", room_id: "!oak-community:example.org", sender: MIA, content: { msgtype: "m.text", body: "* fixed", "m.relates_to": { rel_type: "m.replace", event_id: "$old" } } });
    expect(messageHook).toHaveBeenCalledTimes(2);
  });

  it("membership changes reach the membership hooks with the room's place; leaving the DM forgets it", async () => {
    await deliver({ type: "m.room.member", room_id: "!oak-community:example.org", sender: MIA, state_key: MIA, content: { membership: "leave" }, unsigned: { prev_content: { membership: "join" } } } as never);
    expect(membershipHook).toHaveBeenCalledWith(expect.objectContaining({ userId: MIA, sender: MIA, membership: "leave", previous: "join", place: expect.objectContaining({ roomKey: "community" }) }));
    await deliver({ type: "m.room.member", room_id: "!dm-mia:example.org", sender: MIA, state_key: MIA, content: { membership: "leave" } });
    expect(new DmRoomsStore(db).userFor("!dm-mia:example.org")).toBeUndefined();
  });

  it("reactions reach the reaction hooks with what they annotate", async () => {
    await deliver({ type: "m.reaction", room_id: "!dm-mia:example.org", sender: MIA, content: { "m.relates_to": { rel_type: "m.annotation", event_id: "$prompt", key: "✅" } } });
    expect(reactionHook).toHaveBeenCalledWith(expect.objectContaining({ sender: MIA, targetEventId: "$prompt", key: "✅", place: undefined, late: false }));
    expect(lateReactionHook).toHaveBeenCalledWith(expect.objectContaining({ targetEventId: "$prompt", late: false }));
  });

  it("a reaction that reached carenet late (it was down) goes only to the hooks that accept late reactions, marked late", async () => {
    await deliver({
      type: "m.reaction",
      room_id: "!dm-mia:example.org",
      sender: MIA,
      origin_server_ts: T - 20 * 60_000,
      content: { "m.relates_to": { rel_type: "m.annotation", event_id: "$page-notice", key: "✅" } },
    });
    expect(reactionHook).not.toHaveBeenCalled();
    expect(lateReactionHook).toHaveBeenCalledWith(expect.objectContaining({ sender: MIA, targetEventId: "$page-notice", key: "✅", late: true }));
  });
});

describe("plain words and the words for !page", () => {
  const DM = "!dm-mia:example.org";
  const bodies = () => outgoing().filter((m) => m.dedupe_key.startsWith("reply:")).map((m) => String(JSON.parse(m.content_json).body));

  it("plain words in the DM: the first line is how to reach a person (!page), then the crisis resources, then !help; nothing of them is repeated", async () => {
    await say(DM, MIA, "i can't do this anymore");
    const [reply] = bodies();
    expect(reply.split("\n")[0]).toContain("send !page");
    expect(reply.indexOf("Call 999.")).toBeGreaterThan(0);
    expect(reply.trimEnd().endsWith("!help for everything else.")).toBe(true);
    expect(reply).not.toContain("anymore");
    expect(outgoing().some((m) => m.dedupe_key.startsWith("react:"))).toBe(false);
    expect(seen).toEqual([]);
  });

  it("plain words a plain-answer hook takes (\"3\" under an open check-in) are answered by it, not with the plain-words reply", async () => {
    const id = await say(DM, MIA, "3");
    expect(bodies()).toEqual([`taken as an answer from ${MIA}`]);
    expect(outgoing().find((o) => o.dedupe_key === `react:${id}`)).toBeDefined();
    await say(DM, MIA, "4");
    expect(bodies()[1]).toContain("!page");
    // Not in a shared room: there plain words are nobody's answer.
    await say("!oak-community:example.org", MIA, "3");
    expect(bodies()).toHaveLength(2);
  });

  it("plain words that reached carenet late are answered too; in a shared room they are not", async () => {
    await deliver({ type: "m.room.message", room_id: DM, sender: MIA, origin_server_ts: T - 60 * 60_000, content: { msgtype: "m.text", body: "help" } });
    expect(bodies()).toHaveLength(1);
    await say("!oak-community:example.org", MIA, "hello everyone");
    expect(bodies()).toHaveLength(1);
  });

  it("!crisis, !sos, !urgent and !help me run !page, with what follows as its words", async () => {
    for (const words of ["!crisis", "!SOS!", "!urgent please", "!help me", "! help  me now"]) await say(DM, MIA, words);
    expect(seen).toHaveLength(5);
    expect(bodies().every((b) => b === "someone is coming")).toBe(true);
  });

  it("look-alikes are not !page", async () => {
    for (const words of ["!help", "!help meeting", "!sosa", "!crisis-meeting"]) await say(DM, MIA, words);
    expect(seen).toEqual([]);
  });
});

describe("names", () => {
  it("a membership change passes on the display name it carries", async () => {
    await deliver({ type: "m.room.member", room_id: "!oak-community:example.org", sender: MIA, state_key: MIA, content: { membership: "join", displayname: "Mia" } });
    expect(membershipHook).toHaveBeenCalledWith(expect.objectContaining({ userId: MIA, membership: "join", displayName: "Mia" }));
  });
});
