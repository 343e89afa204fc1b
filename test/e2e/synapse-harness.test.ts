/**
 * Checks the e2e harness itself against a real Synapse, without the appservice:
 * startLocalSynapse + registerUser + MatrixUser, including a homeserver restart.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startLocalSynapse, type LocalSynapse } from "../../tools/localSynapse";
import { MatrixError, MatrixUser } from "./harness/matrixUser";

jest.setTimeout(120_000);

describe("local Synapse harness", () => {
  let dir: string;
  let synapse: LocalSynapse | undefined;
  const users: MatrixUser[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "carenet-synapse-"));
    synapse = await startLocalSynapse({ dir, registrationFiles: [] });
  });

  afterAll(async () => {
    await Promise.all(users.map((u) => u.stop()));
    await synapse?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("delivers a DM between two users, and survives a homeserver restart", async () => {
    const hs = synapse!;
    const alice = await MatrixUser.register(hs, "Alice", { displayname: "Alice" });
    const bob = await MatrixUser.register(hs, "bob");
    users.push(alice, bob);
    expect(alice.userId).toBe("@alice:localhost"); // usernames are lowercased

    const dm = await alice.createDm(bob.userId);
    expect(await bob.waitForInvite((inv) => inv.roomId === dm && inv.sender === alice.userId)).toBe(dm);
    await bob.joinRoom(dm);
    expect(await alice.getJoinedMembers(dm)).toEqual([alice.userId, bob.userId].sort());

    const first = await alice.sendText(dm, "hello bob");
    const got = await bob.waitForEvent(dm, (ev) => ev.event_id === first);
    expect(got).toMatchObject({ type: "m.room.message", sender: alice.userId, content: { body: "hello bob" } });

    // HS errors surface as MatrixError with errcode/status.
    const privateRoom = await alice.createRoom({ preset: "private_chat" });
    const denied = await bob.joinRoom(privateRoom).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(MatrixError);
    expect(denied).toMatchObject({ errcode: "M_FORBIDDEN", status: 403 });

    await hs.restart();

    // Same sqlite file and signing key: tokens, rooms and membership survive.
    const second = await alice.sendText(dm, "still there?");
    await bob.waitForEvent(dm, (ev) => ev.event_id === second);
    const reply = await bob.sendText(dm, "yes");
    const echoed = await alice.waitForEvent(dm, (ev) => ev.event_id === reply);
    expect(echoed.content.body).toBe("yes");
    // (bob's own `reply` may not have come back through his sync yet, so it isn't checked here.)
    expect(bob.eventsSoFar(dm).map((e) => e.event_id)).toEqual(expect.arrayContaining([first, second]));
  });
});
