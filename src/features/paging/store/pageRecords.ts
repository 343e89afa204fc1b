import type { EscalationStep, NotifyTarget, PageState } from "../domain/escalation";

/** A page as stored: the escalation state machine's state plus what carenet needs around it. */
export interface PageRecord {
  id: number;
  communityId: string;
  member: string;
  state: PageState;
  /** 1 for the ladder's first run; +1 each time a repeat page restarted an exhausted page. */
  round: number;
  /** The ladder this page follows (fixed when its current round started). */
  ladder: EscalationStep[];
  supportRoomId: string | null;
  /** The staff room has been told about this page. */
  staffTold: boolean;
  digestedAt: number | null;
}

export interface PageStepRecord {
  round: number;
  step: number;
  target: NotifyTarget;
  at: number;
  notified: number;
}

/** Why a ladder step left someone out (see migrations/011_paging_ladder.sql). */
export type SkipReason = "nightly_cap" | "break" | "no_consent" | "declined";

export interface PageSkip {
  round: number;
  step: number;
  userId: string;
  reason: SkipReason;
  at: number;
}

export interface PageContact {
  round: number;
  step: number;
  userId: string;
  notifiedAt: number;
  noticeKey: string;
}

export type ResponseHow = "command" | "reaction" | "join";

export interface PageResponse {
  userId: string;
  how: ResponseHow;
  at: number;
}

export interface PendingNote {
  id: number;
  txnId: string;
  note: string;
}

export interface CrisisMeeting {
  id: number;
  communityId: string;
  caller: string;
  calledAt: number;
  roomId: string | null;
  people: string[];
}

/** A person's part in pages and crisis meetings (see PagesStore.aboutPerson). */
export interface PersonPages {
  /** Pages they sent, with any note of theirs not shown yet. */
  made: Array<{ page: PageRecord; notes: string[] }>;
  /** Pages of others they were asked to, or came to: their part only, never whose page it was. */
  involved: Array<{
    pageId: number;
    communityId: string;
    openedAt: number;
    asked: Array<{ step: number; at: number }>;
    response: PageResponse | undefined;
    acknowledgedFirst: boolean;
    closed: boolean;
  }>;
  meetingsCalled: CrisisMeeting[];
  /** Meetings others called that they were invited to (without who called them). */
  meetingsInvited: Array<{ id: number; communityId: string; calledAt: number }>;
}
