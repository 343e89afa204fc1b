import type { Db } from "../../../src/store/database";
import { Member, MembersStore } from "../../../src/features/communities/store/members";
import { ALEX, BEA, KIM, MIN, SAM, withMemoryDb } from "../../support/fixtures";

const T0 = Date.parse("2025-03-01T10:00:00Z");

const OAK = "oakwood";
const ELM = "elmfield";

let db: Db, members: MembersStore;
withMemoryDb((d) => ([db, members] = [d, new MembersStore(d)]));

function rawRow(communityId: string, userId: string): Record<string, unknown> | undefined {
  return db.prepare("SELECT * FROM members WHERE community_id = ? AND user_id = ?").get(communityId, userId) as
    | Record<string, unknown>
    | undefined;
}

describe("add", () => {
  it("adds a new member with role member by default and every field recorded", () => {
    expect(members.add({ communityId: OAK, userId: ALEX, sponsor: SAM, addedBy: SAM }, T0)).toBe("added");
    expect(members.get(OAK, ALEX)).toEqual<Member>({
      communityId: OAK,
      userId: ALEX,
      role: "member",
      sponsor: SAM,
      status: "active",
      addedBy: SAM,
      addedAt: T0,
      updatedAt: T0,
      removedReason: null,
    });
  });

  it("accepts a role and a null sponsor", () => {
    members.add({ communityId: OAK, userId: ALEX, role: "peer", sponsor: null, addedBy: SAM }, T0);
    expect(members.get(OAK, ALEX)).toMatchObject({ role: "peer", sponsor: null });
  });

  it("leaves an already active member exactly as they were", () => {
    members.add({ communityId: OAK, userId: ALEX, role: "peer", sponsor: SAM, addedBy: SAM }, T0);
    const before = members.get(OAK, ALEX);
    expect(members.add({ communityId: OAK, userId: ALEX, sponsor: KIM, addedBy: KIM }, T0 + MIN)).toBe("already_active");
    expect(members.get(OAK, ALEX)).toEqual(before);
    expect(db.prepare("SELECT COUNT(*) AS n FROM members").get()).toEqual({ n: 1 });
  });

  it("keeps memberships of different communities apart", () => {
    members.add({ communityId: OAK, userId: ALEX, sponsor: SAM, addedBy: SAM }, T0);
    expect(members.add({ communityId: ELM, userId: ALEX, sponsor: KIM, addedBy: KIM }, T0 + MIN)).toBe("added");
    expect(members.get(OAK, ALEX)?.sponsor).toBe(SAM);
    expect(members.get(ELM, ALEX)?.sponsor).toBe(KIM);
  });

  it("reactivates a removed member: active again, new sponsor, reason cleared", () => {
    members.add({ communityId: OAK, userId: ALEX, role: "peer", sponsor: SAM, addedBy: SAM }, T0);
    members.remove(OAK, ALEX, "asked to leave", T0 + MIN);
    expect(members.add({ communityId: OAK, userId: ALEX, sponsor: KIM, addedBy: KIM }, T0 + 2 * MIN)).toBe("reactivated");
    expect(members.get(OAK, ALEX)).toEqual<Member>({
      communityId: OAK,
      userId: ALEX,
      role: "member",
      sponsor: KIM,
      status: "active",
      addedBy: KIM,
      addedAt: T0 + 2 * MIN,
      updatedAt: T0 + 2 * MIN,
      removedReason: null,
    });
  });

  it("reactivates a discharged member: alumni become a member again (or the role given)", () => {
    members.add({ communityId: OAK, userId: ALEX, sponsor: SAM, addedBy: SAM }, T0);
    members.discharge(OAK, ALEX, T0 + MIN);
    expect(members.add({ communityId: OAK, userId: ALEX, role: "peer", sponsor: SAM, addedBy: SAM }, T0 + 2 * MIN)).toBe(
      "reactivated",
    );
    expect(members.get(OAK, ALEX)).toMatchObject({ role: "peer", status: "active" });
  });

  it("does not forget rooms the member left on their own when they are re-added", () => {
    members.add({ communityId: OAK, userId: ALEX, sponsor: SAM, addedBy: SAM }, T0);
    members.recordLeft(OAK, ALEX, "community", T0 + MIN);
    members.remove(OAK, ALEX, null, T0 + 2 * MIN);
    members.add({ communityId: OAK, userId: ALEX, sponsor: SAM, addedBy: SAM }, T0 + 3 * MIN);
    expect(members.hasLeft(OAK, ALEX, "community")).toBe(true);
  });
});

describe("remove", () => {
  it("marks an active member removed with the reason, keeping the row", () => {
    members.add({ communityId: OAK, userId: ALEX, role: "peer", sponsor: SAM, addedBy: SAM }, T0);
    expect(members.remove(OAK, ALEX, "moved away", T0 + MIN)).toBe("removed");
    expect(members.get(OAK, ALEX)).toMatchObject({
      status: "removed",
      removedReason: "moved away",
      role: "peer",
      sponsor: SAM,
      addedAt: T0,
      updatedAt: T0 + MIN,
    });
  });

  it("accepts no reason", () => {
    members.add({ communityId: OAK, userId: ALEX, sponsor: SAM, addedBy: SAM }, T0);
    expect(members.remove(OAK, ALEX, null, T0 + MIN)).toBe("removed");
    expect(members.get(OAK, ALEX)).toMatchObject({ status: "removed", removedReason: null });
  });

  it("removes a discharged member (alumni) too", () => {
    members.add({ communityId: OAK, userId: ALEX, sponsor: SAM, addedBy: SAM }, T0);
    members.discharge(OAK, ALEX, T0 + MIN);
    expect(members.remove(OAK, ALEX, "no longer wants contact", T0 + 2 * MIN)).toBe("removed");
    expect(members.get(OAK, ALEX)).toMatchObject({ status: "removed", role: "alumni" });
  });

  it("reports a second removal and a stranger without changing anything", () => {
    members.add({ communityId: OAK, userId: ALEX, sponsor: SAM, addedBy: SAM }, T0);
    members.remove(OAK, ALEX, "first", T0 + MIN);
    expect(members.remove(OAK, ALEX, "second", T0 + 2 * MIN)).toBe("already_removed");
    expect(members.get(OAK, ALEX)).toMatchObject({ removedReason: "first", updatedAt: T0 + MIN });
    expect(members.remove(OAK, BEA, null, T0)).toBe("not_member");
    expect(members.remove(ELM, ALEX, null, T0)).toBe("not_member");
    expect(members.get(OAK, BEA)).toBeUndefined();
  });
});

describe("discharge", () => {
  it("makes an active member alumni and keeps sponsor and history", () => {
    members.add({ communityId: OAK, userId: ALEX, role: "peer", sponsor: SAM, addedBy: SAM }, T0);
    expect(members.discharge(OAK, ALEX, T0 + MIN)).toBe("discharged");
    expect(members.get(OAK, ALEX)).toEqual<Member>({
      communityId: OAK,
      userId: ALEX,
      role: "alumni",
      sponsor: SAM,
      status: "discharged",
      addedBy: SAM,
      addedAt: T0,
      updatedAt: T0 + MIN,
      removedReason: null,
    });
  });

  it("refuses a removed member, reports a repeat and a stranger", () => {
    members.add({ communityId: OAK, userId: ALEX, sponsor: SAM, addedBy: SAM }, T0);
    members.add({ communityId: OAK, userId: BEA, sponsor: SAM, addedBy: SAM }, T0);
    members.discharge(OAK, ALEX, T0 + MIN);
    expect(members.discharge(OAK, ALEX, T0 + 2 * MIN)).toBe("already_discharged");
    expect(members.get(OAK, ALEX)?.updatedAt).toBe(T0 + MIN);

    members.remove(OAK, BEA, "left", T0 + MIN);
    expect(members.discharge(OAK, BEA, T0 + 2 * MIN)).toBe("not_active");
    expect(members.get(OAK, BEA)).toMatchObject({ status: "removed", role: "member" });

    expect(members.discharge(OAK, KIM, T0)).toBe("not_member");
  });
});

describe("setRole and setSponsor", () => {
  it("changes an active member's role", () => {
    members.add({ communityId: OAK, userId: ALEX, sponsor: SAM, addedBy: SAM }, T0);
    expect(members.setRole(OAK, ALEX, "peer", T0 + MIN)).toBe(true);
    expect(members.get(OAK, ALEX)).toMatchObject({ role: "peer", updatedAt: T0 + MIN });
    expect(members.setRole(OAK, ALEX, "member", T0 + 2 * MIN)).toBe(true);
    expect(members.get(OAK, ALEX)?.role).toBe("member");
  });

  it("does not touch removed or discharged members, or strangers", () => {
    members.add({ communityId: OAK, userId: ALEX, sponsor: SAM, addedBy: SAM }, T0);
    members.add({ communityId: OAK, userId: BEA, sponsor: SAM, addedBy: SAM }, T0);
    members.discharge(OAK, ALEX, T0 + MIN);
    members.remove(OAK, BEA, null, T0 + MIN);
    expect(members.setRole(OAK, ALEX, "peer", T0 + 2 * MIN)).toBe(false);
    expect(members.setRole(OAK, BEA, "peer", T0 + 2 * MIN)).toBe(false);
    expect(members.setRole(OAK, KIM, "peer", T0 + 2 * MIN)).toBe(false);
    expect(members.get(OAK, ALEX)?.role).toBe("alumni");
    expect(members.get(OAK, BEA)?.role).toBe("member");
  });

  it("names a sponsor for a member of any status, but not for a stranger", () => {
    members.add({ communityId: OAK, userId: ALEX, sponsor: null, addedBy: SAM }, T0);
    expect(members.setSponsor(OAK, ALEX, KIM, T0 + MIN)).toBe(true);
    expect(members.get(OAK, ALEX)).toMatchObject({ sponsor: KIM, updatedAt: T0 + MIN });
    members.discharge(OAK, ALEX, T0 + 2 * MIN);
    expect(members.setSponsor(OAK, ALEX, SAM, T0 + 3 * MIN)).toBe(true);
    expect(members.get(OAK, ALEX)?.sponsor).toBe(SAM);
    expect(members.setSponsor(OAK, BEA, SAM, T0)).toBe(false);
    expect(members.get(OAK, BEA)).toBeUndefined();
  });
});

describe("get, list and communitiesOf", () => {
  beforeEach(() => {
    // Inserted out of order so sorting is visible.
    members.add({ communityId: OAK, userId: KIM, sponsor: SAM, addedBy: SAM }, T0);
    members.add({ communityId: OAK, userId: ALEX, sponsor: SAM, addedBy: SAM }, T0);
    members.add({ communityId: OAK, userId: BEA, sponsor: SAM, addedBy: SAM }, T0);
    members.add({ communityId: ELM, userId: ALEX, sponsor: SAM, addedBy: SAM }, T0);
    members.discharge(OAK, BEA, T0 + MIN);
    members.remove(OAK, KIM, null, T0 + MIN);
  });

  it("gets nothing for a stranger or another community", () => {
    expect(members.get(OAK, "@nobody:example.org")).toBeUndefined();
    expect(members.get(ELM, BEA)).toBeUndefined();
  });

  it("lists every status by user id, or only the status asked for", () => {
    expect(members.list(OAK).map((m) => m.userId)).toEqual([ALEX, BEA, KIM]);
    expect(members.list(OAK, { status: "active" }).map((m) => m.userId)).toEqual([ALEX]);
    expect(members.list(OAK, { status: "discharged" }).map((m) => m.userId)).toEqual([BEA]);
    expect(members.list(OAK, { status: "removed" }).map((m) => m.userId)).toEqual([KIM]);
    expect(members.list(ELM).map((m) => m.userId)).toEqual([ALEX]);
    expect(members.list("nowhere")).toEqual([]);
  });

  it("gives a user's active memberships by community id", () => {
    members.add({ communityId: "ashgrove", userId: ALEX, sponsor: SAM, addedBy: SAM }, T0);
    expect(members.communitiesOf(ALEX).map((m) => m.communityId)).toEqual(["ashgrove", ELM, OAK]);
    expect(members.communitiesOf(ALEX)[0]).toMatchObject({ userId: ALEX, status: "active" });
    expect(members.communitiesOf(BEA)).toEqual([]);
    expect(members.communitiesOf(KIM)).toEqual([]);
  });

  it("includes alumni memberships only when asked, never removed ones", () => {
    expect(members.communitiesOf(BEA, { includeDischarged: true })).toEqual([expect.objectContaining({ communityId: OAK, role: "alumni" })]);
    expect(members.communitiesOf(KIM, { includeDischarged: true })).toEqual([]);
  });
});

describe("rooms left on their own", () => {
  it("records once, keeping the first time, per community and room", () => {
    expect(members.hasLeft(OAK, ALEX, "community")).toBe(false);
    expect(members.recordLeft(OAK, ALEX, "community", T0)).toBe(true);
    expect(members.recordLeft(OAK, ALEX, "community", T0 + MIN)).toBe(false);
    expect(members.hasLeft(OAK, ALEX, "community")).toBe(true);
    expect(members.hasLeft(OAK, ALEX, "alumni")).toBe(false);
    expect(members.hasLeft(ELM, ALEX, "community")).toBe(false);
    expect(members.hasLeft(OAK, BEA, "community")).toBe(false);
    expect(members.leftRooms(OAK, ALEX)).toEqual([{ roomKey: "community", leftAt: T0 }]);
  });

  it("lists left rooms by key", () => {
    members.recordLeft(OAK, ALEX, "women", T0);
    members.recordLeft(OAK, ALEX, "community", T0 + MIN);
    members.recordLeft(ELM, ALEX, "alumni", T0);
    expect(members.leftRooms(OAK, ALEX)).toEqual([
      { roomKey: "community", leftAt: T0 + MIN },
      { roomKey: "women", leftAt: T0 },
    ]);
    expect(members.leftRooms(OAK, BEA)).toEqual([]);
  });

  it("clears one room, or every room of that community only", () => {
    members.recordLeft(OAK, ALEX, "community", T0);
    members.recordLeft(OAK, ALEX, "alumni", T0);
    members.recordLeft(OAK, ALEX, "women", T0);
    members.recordLeft(ELM, ALEX, "community", T0);
    members.recordLeft(OAK, BEA, "community", T0);

    expect(members.clearLeft(OAK, ALEX, "alumni")).toBe(1);
    expect(members.hasLeft(OAK, ALEX, "alumni")).toBe(false);
    expect(members.hasLeft(OAK, ALEX, "community")).toBe(true);
    expect(members.clearLeft(OAK, ALEX, "alumni")).toBe(0);

    expect(members.clearLeft(OAK, ALEX)).toBe(2);
    expect(members.leftRooms(OAK, ALEX)).toEqual([]);
    expect(members.hasLeft(ELM, ALEX, "community")).toBe(true);
    expect(members.hasLeft(OAK, BEA, "community")).toBe(true);
  });
});

describe("schema", () => {
  const insert = (role: string, status: string) => () =>
    db
      .prepare("INSERT INTO members (community_id, user_id, role, status, added_by, added_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
      .run(OAK, `@${role}-${status}:example.org`, role, status, SAM, T0, T0);

  it("refuses unknown roles and statuses, including staff and admin", () => {
    expect(insert("staff", "active")).toThrow(/CHECK constraint/);
    expect(insert("admin", "active")).toThrow(/CHECK constraint/);
    expect(insert("member", "paused")).toThrow(/CHECK constraint/);
  });

  it("keeps alumni and discharged together", () => {
    expect(insert("alumni", "active")).toThrow(/CHECK constraint/);
    expect(insert("member", "discharged")).toThrow(/CHECK constraint/);
    expect(insert("alumni", "discharged")).not.toThrow();
    expect(insert("alumni", "removed")).not.toThrow();
    expect(insert("peer", "removed")).not.toThrow();
  });

  it("allows one row per community and user", () => {
    members.add({ communityId: OAK, userId: ALEX, sponsor: SAM, addedBy: SAM }, T0);
    expect(() =>
      db
        .prepare("INSERT INTO members (community_id, user_id, added_by, added_at, updated_at) VALUES (?, ?, ?, ?, ?)")
        .run(OAK, ALEX, SAM, T0, T0),
    ).toThrow(/UNIQUE constraint/);
    expect(rawRow(OAK, ALEX)).toMatchObject({ added_at: T0 });
  });
});
