/**
 * A member pages; how long until the peer on call sees carenet's message in their /sync,
 * and until they see the support room's invitation — each against the two-hop floor,
 * sampled alternately in the same run so both see the same machine.
 */
import type { MatrixUser } from "../../test/e2e/harness/matrixUser";
import { isSupportRoomName } from "../../test/e2e/harness/paging";
import { pageRequestAbout } from "../lib/world";
import { botReplyTo } from "../../test/e2e/harness/carenet";
import type { BenchContext } from "../lib/context";
import type { Row } from "../lib/report";
import { sleep } from "../lib/pool";
import { median } from "../lib/stats";

interface PageTimes {
  messageMs: number;
  inviteMs: number;
  /** Until the member sees carenet's answer to their !page. */
  answerMs: number;
}

export async function measurePaging(ctx: BenchContext): Promise<Row[]> {
  const w = await ctx.world();
  const reps = ctx.args.reps;
  // One member per page (plus a warm-up), all added before anything is timed.
  const members: MatrixUser[] = await Promise.all(Array.from({ length: reps + 1 }, (_, i) => ctx.hs.user(`pager${i}`)));
  ctx.say(`paging: adding ${members.length} members …`);
  const dms = await w.addMembers(members);
  const seenInvites = new Set<string>();

  const page = async (member: MatrixUser, dm: string): Promise<PageTimes> => {
    const t0 = performance.now();
    const message = w.peer
      .waitForEvent(w.peerDm, pageRequestAbout(w.bot, member.userId), 60_000)
      .then(() => performance.now() - t0);
    const invite = w.peer
      .waitForInvite((inv) => !seenInvites.has(inv.roomId) && isSupportRoomName(inv.state.find((e) => e.type === "m.room.name")?.content.name), 60_000)
      .then((roomId) => ({ roomId, ms: performance.now() - t0 }));
    const sent = await member.sendText(dm, "!page");
    // Its id is known long before the answer can come, so this times the answer's arrival.
    const answer = member.waitForEvent(dm, botReplyTo(w.bot, sent), 60_000).then(() => performance.now() - t0);
    const [messageMs, inv, answerMs] = await Promise.all([message, invite, answer]);
    seenInvites.add(inv.roomId);
    // Close it again, so every page meets the same carenet: the peer joins and resolves.
    await w.peer.joinRoom(inv.roomId);
    const resolve = await w.peer.sendText(inv.roomId, "!resolve");
    await w.peer.waitForEvent(inv.roomId, botReplyTo(w.bot, resolve), 60_000);
    return { messageMs, inviteMs: inv.ms, answerMs };
  };

  const times: PageTimes[] = [];
  for (let i = 0; i < members.length; i++) {
    await ctx.floorSample();
    await ctx.ringingSample();
    const t = await page(members[i], dms[i]);
    if (i > 0) times.push(t); // the first of each is a warm-up
    ctx.say(`paging: page ${i}${i === 0 ? " (warm-up)" : ""}: message ${t.messageMs.toFixed(0)} ms, invite ${t.inviteMs.toFixed(0)} ms, answer ${t.answerMs.toFixed(0)} ms; floor so far ${ctx.floor().toFixed(0)} ms, ringing ${ctx.ringingFloor().toFixed(0)} ms`);
    await sleep(1000);
  }
  const floor = ctx.floor();
  const note = `${times.length} pages, each from a new member; floor: ${ctx.floorSamples.length} samples of user → bare matrix-bot-sdk relay → user`;
  const message = median(times.map((t) => t.messageMs));
  return [
    {
      measure: "page → first message to the on-call peer (peer's /sync)",
      anchorName: "two-hop floor",
      anchor: floor,
      carenet: message,
      unit: "ms",
      target: { op: "<=", value: 1.2 },
      note,
    },
    {
      measure: "page → first message against the relay answering with a message that rings (informational: carenet's own share)",
      anchorName: "two-hop relay, answer mentioning the receiver",
      anchor: ctx.ringingFloor(),
      carenet: message,
      unit: "ms",
      note: `${ctx.ringingSamples.length} samples, one before each page: the relay's answer is an m.text mentioning the receiver (a pill and m.mentions), as a page's request is, where the floor's is an m.notice that Synapse's default push rules silence`,
    },
    {
      measure: "page → support-room invite seen by the peer",
      anchorName: "two-hop floor",
      anchor: floor,
      carenet: median(times.map((t) => t.inviteMs)),
      unit: "ms",
      target: { op: "<=", value: 2.5 },
    },
    {
      measure: "page → the member's answer (informational: the member's answer goes after the peer's request and invitation)",
      anchorName: "two-hop floor",
      anchor: floor,
      carenet: median(times.map((t) => t.answerMs)),
      unit: "ms",
    },
  ];
}
