/**
 * The ways of reaching someone outside Matrix (email, webhook) that paging sends through;
 * tests hand their own through InstallContext.offMatrixChannels.
 */

export type ContactKind = "email" | "webhook";

/**
 * One off-Matrix message to one person. Its words are fixed by carenet and never name the
 * member or carry a note: "a member of <community> needs support — open your Matrix app",
 * the page number and a link.
 */
export interface OffMatrixMessage {
  /** Unique per person, page, round and step (the durable job's key): a receiver can drop repeats by it. */
  deliveryId: string;
  userId: string;
  /** The email address (email), or null (webhook: the receiver knows people by `userId`). */
  address: string | null;
  communityId: string;
  communityName: string;
  pageId: number;
  /** 1-based ladder step that asked them. */
  step: number;
  subject: string;
  text: string;
  link: string;
}

/** The one small interface every off-Matrix way of reaching someone sits behind. */
export interface Channel {
  readonly kind: ContactKind;
  /** Sends, or throws (the durable job retries with backoff). */
  send(m: OffMatrixMessage): Promise<void>;
}
