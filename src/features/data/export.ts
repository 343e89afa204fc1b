import { Message, type Block, type Text } from "../../messaging/message";
import type { CarenetConfig } from "../../config/types";
import { BOOKKEEPING_DAYS } from "../../config/retention";
import { communityById } from "../../config/communities";
import type { PersonalRecord } from "../../ports/personalData";
import { command, listOf, person, t, time, zone } from "../../words";
import type { OwnData } from "./ownRecords";

/** Everything carenet keeps about one person, as read from every store. */
export interface PersonData extends OwnData {
  userId: string;
  /** Every part, the data capability's own and the other capabilities', in the order they are told. */
  records: PersonalRecord[];
  /** The language they chose, if any (carenet says goodbye in it). */
  language?: string;
}

/** True when nothing is kept about the person but the audit log's entries. */
export function onlyAuditRemains(d: PersonData): boolean {
  return d.records.every((r) => r.empty);
}

/**
 * A Matrix event may hold 64 KiB; an export larger than this (plain text and HTML
 * together) is sent in several messages, each well inside that limit.
 */
export const EXPORT_PART_BYTES = 24_000;

/**
 * `!mydata`: everything in `d`, in plain words, grouped by community (what belongs to no
 * one community comes last). Only the person's own data is here: of other people's pages
 * they helped with, only their own part; other people appear only where they acted on
 * the person's own record (who added them, who came to their page, who was told about
 * their check-in). Returned as one or more messages, in order.
 */
export function exportMessages(d: PersonData, config: CarenetConfig, now: number): Message[] {
  const ids = [...new Set(d.records.flatMap((r) => r.communityIds))].sort();
  const zoneOf = (id: string) => communityById(config.communities, id)?.timezone ?? "UTC";
  // What belongs to no one community is dated in the zone of the first community they belong to.
  const home = d.memberships.length ? zoneOf(d.memberships[0].communityId) : ids.length ? zoneOf(ids[0]) : "UTC";
  const zones = [...new Set([home, ...ids.map(zoneOf)])];
  const blocks = new Message();
  blocks.heading(t("data.heading", { user: person(d.userId), when: time(now, home, "datetime") }));
  blocks.p(t("data.intro", { zone: listOf(zones.map((z) => zone(z))) }));

  for (const id of ids) {
    const c = communityById(config.communities, id);
    const m = new Message().heading(c ? t("data.communityHeading", { name: c.name, id }) : t("data.communityGone", { id }));
    for (const r of d.records) r.inCommunity(m, id, c, c?.timezone ?? "UTC");
    blocks.append(m);
  }
  const general = new Message();
  for (const r of d.records) r.general(general, home);
  if (general.blocks.length) blocks.heading(t("data.general")).append(general);
  if (onlyAuditRemains(d)) blocks.p(d.audit.length ? t("data.onlyAudit") : t("data.nothing"));
  blocks.heading(t("data.notHeading"));
  blocks.list([t("data.notRooms"), t("data.notSent", { days: BOOKKEEPING_DAYS }), t("data.notForget", { forgetme: command("!forgetme") })]);
  return pack(blocks.blocks, EXPORT_PART_BYTES);
}

/**
 * Splits blocks into messages of at most `budget` bytes (plain and HTML together), cutting
 * long lists between items; with more than one, each says which part it is.
 */
export function pack(blocks: ReadonlyArray<Block>, budget: number): Message[] {
  const parts: Block[][] = [[]];
  let used = 0;
  const size = (b: Block) => {
    const m = new Message();
    m.blocks.push(b);
    return Buffer.byteLength(m.plain) + Buffer.byteLength(m.html);
  };
  const add = (b: Block) => {
    const n = size(b);
    if (used + n > budget && parts[parts.length - 1].length) {
      parts.push([]);
      used = 0;
    }
    parts[parts.length - 1].push(b);
    used += n;
  };
  for (const b of blocks) {
    if (b.kind !== "list" || size(b) <= budget / 2) {
      add(b);
      continue;
    }
    // A long list goes in pieces, each small enough to share a message.
    let items: Text[] = [];
    for (const item of b.items) {
      if (items.length && size({ kind: "list", items: [...items, item] }) > budget / 2) {
        add({ kind: "list", items });
        items = [];
      }
      items.push(item);
    }
    if (items.length) add({ kind: "list", items });
  }
  return parts.map((bs, i) => {
    const m = new Message();
    if (parts.length > 1) m.p(t("data.part", { n: i + 1, total: parts.length }));
    m.blocks.push(...bs);
    return m;
  });
}
