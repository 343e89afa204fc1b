import type { Clock } from "../../../kernel/clock";
import type { Logger } from "../../../kernel/logger";
import type { Effects } from "../../../messaging/effects";
import type { CarenetConfig, CommunityConfig, OffMatrixConfig } from "../../../config/types";
import type { EscalationStep } from "../domain/escalation";
import type { ContactKind, ContactsStore } from "../store/contacts";
import type { JobOf } from "../../../scheduler/registry";
import type { PageRecord, PagesStore } from "../store/pages";
import { codeMessage, EmailChannel, WebhookChannel, type Channel, type OffMatrixMessage } from "./channels";
import type { MetricsPort } from "../../../metrics/port";
import { DEFAULT_CONTEXT, renderWords, t, type RenderContext } from "../../../words";
import { communityById } from "../../../config/communities";

export const OFF_MATRIX_JOB = "page.offmatrix";
export const CONTACT_CODE_JOB = "contact.code";

declare module "../../../scheduler/registry" {
  interface JobPayloads {
    "page.offmatrix": { pageId: number; round: number; step: number; kind: ContactKind; userId: string; why: DeliveryWhy };
    "contact.code": { to: string; code: string; userId?: string };
  }
}
/** After this many failed attempts a delivery is given up (and logged); escalation goes on regardless. */
export const MAX_ATTEMPTS = 8;

export type DeliveryWhy = "step" | "matrix_failed";

/** One delivery per person, page, round, step and channel: the durable job's unique key. */
export const deliveryKey = (pageId: number, round: number, step: number, kind: ContactKind, userId: string) =>
  `page.offmatrix:${pageId}:r${round}:s${step}:${kind}:${userId}`;

/** The 0-based ladder step from which the people asked are reached off Matrix too: `off_matrix_at_step`, else the last. */
export function offMatrixFromStep(c: CommunityConfig, ladder: readonly EscalationStep[]): number {
  const configured = c.paging?.off_matrix_at_step;
  return configured !== undefined ? configured - 1 : ladder.length - 1;
}

export interface OffMatrixDeps {
  config: () => CarenetConfig;
  contacts: ContactsStore;
  pages: PagesStore;
  effects: Effects;
  clock: Clock;
  log: Logger;
  botUserId: string;
  /** For tests: channels other than those the config describes. */
  channels?: (cfg: OffMatrixConfig | undefined) => Channel[];
  /** Counts deliveries sent and failed, per community and channel (the service manager's view). */
  metrics?: Pick<MetricsPort, "offMatrixSent" | "offMatrixFailed">;
  /** Who reads a person's messages (their language), so an email or webhook text is in it; unset: English. */
  readerOf?: (userId: string) => RenderContext;
}

/**
 * The way off Matrix (issue 16, item 5): when a page reaches the configured step, and
 * whenever a Matrix message asking someone to come fails, the people asked who opted in
 * also get an email and/or a signed webhook call. Deliveries are durable jobs (retried with
 * backoff, at most {@link MAX_ATTEMPTS} times), one per person, page, round, step and
 * channel. The words name no member and carry no note.
 */
export class OffMatrix {
  private built: { cfg: OffMatrixConfig | undefined; channels: Map<ContactKind, Channel> } | undefined;

  constructor(private readonly d: OffMatrixDeps) {}

  /** The channels the config in force describes (rebuilt when the config changes). */
  channels(): Map<ContactKind, Channel> {
    const cfg = this.d.config().off_matrix;
    if (this.built && this.built.cfg === cfg) return this.built.channels;
    for (const ch of this.built ? [...this.built.channels.values()] : []) if (ch instanceof EmailChannel) ch.close();
    const list = this.d.channels
      ? this.d.channels(cfg)
      : [
          ...(cfg?.email ? [new EmailChannel(cfg.email)] : []),
          ...(cfg?.webhook ? [new WebhookChannel(cfg.webhook, () => this.d.clock.now())] : []),
        ];
    this.built = { cfg, channels: new Map(list.map((c) => [c.kind, c])) };
    return this.built.channels;
  }

  has(kind: ContactKind): boolean {
    return this.channels().has(kind);
  }

  /** How `userId` can be reached off Matrix now: their own confirmed choice first, else what an admin set. */
  reachable(userId: string): Array<{ kind: ContactKind; address: string | null; by: "self" | "admin" }> {
    const admin = this.d.config().off_matrix?.contacts?.find((c) => c.user === userId);
    const out: Array<{ kind: ContactKind; address: string | null; by: "self" | "admin" }> = [];
    const email = this.d.contacts.confirmed(userId, "email");
    if (email?.address) out.push({ kind: "email", address: email.address, by: "self" });
    else if (admin?.email) out.push({ kind: "email", address: admin.email, by: "admin" });
    if (this.d.contacts.confirmed(userId, "webhook")) out.push({ kind: "webhook", address: null, by: "self" });
    else if (admin?.webhook) out.push({ kind: "webhook", address: null, by: "admin" });
    return out.filter((r) => this.has(r.kind));
  }

  /** Queues the deliveries for one person asked at one step (nothing twice, whatever the trigger). */
  deliver(page: Pick<PageRecord, "id" | "round">, stepIndex: number, userId: string, why: DeliveryWhy): number {
    let queued = 0;
    for (const r of this.reachable(userId)) {
      this.d.effects.schedule({
        kind: OFF_MATRIX_JOB,
        key: deliveryKey(page.id, page.round, stepIndex, r.kind, userId),
        dueAt: this.d.clock.now(),
        payload: { pageId: page.id, round: page.round, step: stepIndex, kind: r.kind, userId, why },
      });
      queued++;
    }
    return queued;
  }

  /** The OFF_MATRIX_JOB handler. Throws to be retried. */
  async run(job: JobOf<typeof OFF_MATRIX_JOB>): Promise<void> {
    const { pageId, round, step, kind, userId, why } = job.payload;
    const fields = { pageId, round, step, kind, why, attempts: job.attempts };
    const page = this.d.pages.get(pageId);
    // Someone is coming (or it is over): a message saying someone needs support would be untrue now.
    if (!page || page.round !== round || page.state.status === "acknowledged" || page.state.status === "resolved") {
      this.d.log.info(fields, "an off-Matrix message was no longer needed: the page was answered");
      return;
    }
    if (job.attempts >= MAX_ATTEMPTS) {
      this.d.log.error(fields, "gave up an off-Matrix message after repeated failures");
      return;
    }
    const channel = this.channels().get(kind);
    const target = this.reachable(userId).find((r) => r.kind === kind);
    if (!channel || !target) return; // the channel was removed from the config, or the person took the address back
    const c = communityById(this.d.config().communities, page.communityId);
    const name = c?.name ?? page.communityId;
    const link = this.d.config().off_matrix?.link ?? `https://matrix.to/#/${this.d.botUserId}`;
    const reader = this.d.readerOf?.(userId) ?? DEFAULT_CONTEXT;
    try {
      await sendQuietly(channel, {
      deliveryId: job.key,
      userId,
      address: target.address,
      communityId: page.communityId,
      communityName: name,
      pageId,
      step: step + 1,
      subject: renderWords(t("offMatrix.pageSubject", { community: name, pageId }), reader).plain,
      text: renderWords(t("offMatrix.pageText", { community: name, pageId, link }), reader).plain,
      link,
      });
    } catch (err) {
      this.d.metrics?.offMatrixFailed(page.communityId, kind);
      throw err;
    }
    this.d.metrics?.offMatrixSent(page.communityId, kind);
    this.d.log.info(fields, "sent an off-Matrix message about a page");
  }

  /** The CONTACT_CODE_JOB handler: emails a confirmation code (the code is in the job only until then). */
  async sendCode(job: JobOf<typeof CONTACT_CODE_JOB>): Promise<void> {
    const { to, code, userId } = job.payload;
    const channel = this.channels().get("email");
    if (!channel) return;
    if (job.attempts >= MAX_ATTEMPTS) {
      this.d.log.error({ attempts: job.attempts }, "gave up sending a confirmation code");
      return;
    }
    await sendQuietly(channel, codeMessage(to, code, job.key, (userId && this.d.readerOf?.(userId)) || DEFAULT_CONTEXT));
  }
}

/**
 * Sends, and on failure throws an error that says only which channel failed and its error
 * code: an SMTP server's answer can quote the address, and the error is logged and kept
 * with the job.
 */
async function sendQuietly(channel: Channel, m: OffMatrixMessage): Promise<void> {
  try {
    await channel.send(m);
  } catch (err) {
    const e = err as { code?: unknown; responseCode?: unknown };
    const code = typeof e.responseCode === "number" ? `SMTP ${e.responseCode}` : typeof e.code === "string" ? e.code : "error";
    throw Object.assign(new Error(`${channel.kind} delivery failed (${code})`), { code: typeof e.code === "string" ? e.code : undefined });
  }
}
