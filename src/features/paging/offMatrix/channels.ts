import { createHash, createHmac } from "node:crypto";
import type { Transporter } from "nodemailer";
import type { OffMatrixConfig } from "../../../config/types";
import type { Channel, OffMatrixMessage } from "../../../ports/offMatrix";
import { DEFAULT_CONTEXT, renderWords, t, type RenderContext } from "../../../words";

export type { OffMatrixMessage, Channel } from "../../../ports/offMatrix";

/** How long one attempt may take before it counts as failed (and is retried). */
export const SEND_TIMEOUT_MS = 10_000;

export class EmailChannel implements Channel {
  readonly kind = "email" as const;
  private readonly transport: Transporter;

  constructor(private readonly cfg: NonNullable<OffMatrixConfig["email"]>) {
    // Loaded only when email is configured: nodemailer costs about 13 MB of memory.
    const nodemailer = require("nodemailer") as typeof import("nodemailer");
    this.transport = nodemailer.createTransport({
      host: cfg.host,
      port: cfg.port ?? 587,
      secure: cfg.secure ?? false,
      requireTLS: !(cfg.secure ?? false) && (cfg.require_tls ?? true),
      ignoreTLS: cfg.require_tls === false && !(cfg.secure ?? false),
      auth: cfg.auth ? { user: cfg.auth.user, pass: cfg.auth.pass } : undefined,
      connectionTimeout: SEND_TIMEOUT_MS,
      greetingTimeout: SEND_TIMEOUT_MS,
      socketTimeout: SEND_TIMEOUT_MS,
    });
  }

  async send(m: OffMatrixMessage): Promise<void> {
    if (!m.address) throw new Error("no email address");
    await this.transport.sendMail({
      from: this.cfg.from,
      to: m.address,
      subject: m.subject,
      text: m.text,
      // The same id on a retry, so a mailbox can tell a repeat from a new page.
      // (A hash: the key holds a Matrix id, which has no business in mail headers.)
      messageId: `<${createHash("sha256").update(m.deliveryId).digest("hex").slice(0, 32)}@carenet>`,
    });
  }

  close(): void {
    this.transport.close();
  }
}

/**
 * A confirmation code for a new address: the only other email carenet sends. In the
 * language of whoever asked for it (`reader`), else English.
 */
export function codeMessage(to: string, code: string, deliveryId: string, reader: RenderContext = DEFAULT_CONTEXT): OffMatrixMessage {
  return {
    deliveryId,
    userId: "",
    address: to,
    communityId: "",
    communityName: "",
    pageId: 0,
    step: 0,
    subject: renderWords(t("offMatrix.codeSubject"), reader).plain,
    text: renderWords(t("offMatrix.codeText", { code, command: `"!contact confirm ${code}"` }), reader).plain,
    link: "",
  };
}

export const SIGNATURE_HEADER = "X-Carenet-Signature";
export const TIMESTAMP_HEADER = "X-Carenet-Timestamp";
export const DELIVERY_HEADER = "X-Carenet-Delivery";

/**
 * The webhook's signature: hex HMAC-SHA256, keyed with the shared secret, over
 * `<timestamp>.<raw body>` (timestamp in whole seconds since 1970, as sent in
 * X-Carenet-Timestamp). Sent as `sha256=<hex>`. A receiver recomputes it over the raw body,
 * compares in constant time, rejects a timestamp more than 5 minutes from its own clock, and
 * drops a repeated X-Carenet-Delivery (docs/paging.md).
 */
export function signWebhook(secret: string, timestampS: number, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestampS}.${body}`).digest("hex")}`;
}

export class WebhookChannel implements Channel {
  readonly kind = "webhook" as const;

  constructor(
    private readonly cfg: NonNullable<OffMatrixConfig["webhook"]>,
    private readonly nowMs: () => number,
  ) {}

  async send(m: OffMatrixMessage): Promise<void> {
    const body = JSON.stringify({
      type: "carenet.page",
      delivery: m.deliveryId,
      user: m.userId,
      community: m.communityId,
      community_name: m.communityName,
      page: m.pageId,
      step: m.step,
      text: m.text,
      link: m.link,
    });
    const ts = Math.floor(this.nowMs() / 1000);
    const res = await fetch(this.cfg.url, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        [TIMESTAMP_HEADER]: String(ts),
        [SIGNATURE_HEADER]: signWebhook(this.cfg.secret, ts, body),
        [DELIVERY_HEADER]: m.deliveryId,
      },
      body,
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok) throw new Error(`webhook answered ${res.status}`);
  }
}
