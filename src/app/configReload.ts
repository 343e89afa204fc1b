import { createHash } from "node:crypto";
import { readFileSync, watch, type FSWatcher } from "node:fs";
import path from "node:path";
import { parseDocument } from "yaml";
import { Message } from "../messaging/message";
import { t } from "../words";
import { loadConfigFile } from "../config/load";
import { ConfigError, formatProblem, type ConfigProblem } from "../config/problems";
import type { CarenetConfig } from "../config/types";
import type { AppContext } from "./context";
import type { Logger } from "../kernel/logger";
import { communityById } from "../config/communities";

export type ReloadResult =
  | { outcome: "applied"; needsRestart: string[] }
  | { outcome: "unchanged" }
  | { outcome: "refused"; problems: ConfigProblem[] }
  | { outcome: "no-file" };

export interface ConfigReloaderDeps {
  /** Where the config came from; without it there is nothing to reload. */
  file: string | undefined;
  /** Applied to each config read, as to the first one. */
  adjust?: (config: CarenetConfig) => void;
  current: () => CarenetConfig;
  /** Makes `next` the config in force and reconciles everything with it. */
  apply: (next: CarenetConfig) => Promise<void>;
  app: Pick<AppContext, "audit" | "rooms" | "effects" | "clock" | "atomically">;
  log: Logger;
}

/** Settings read once at start: a change to them is reported and waits for a restart. */
const RESTART_ONLY = ["homeserver", "appservice", "database", "bot", "events", "logging", "metrics"] as const;

/** Editors save in bursts (write, rename, chmod); one reload after the burst is enough. */
const DEBOUNCE_MS = 300;

/**
 * Config reload on SIGHUP and when the file changes. A config that fails validation is
 * refused as a whole: the service keeps the last good one, the admins' log and the
 * audit log say why, and every staff room the problems concern is told exactly what is
 * wrong (file:line:column), so nobody has to read server logs to learn an edit failed.
 */
export class ConfigReloader {
  private chain: Promise<unknown> = Promise.resolve();
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private lastText: string | undefined;

  constructor(private readonly d: ConfigReloaderDeps) {
    if (d.file) this.lastText = readText(d.file);
  }

  reload(): Promise<ReloadResult> {
    const run = this.chain.then(() => this.run());
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Watches the file's folder (editors often replace the file rather than write to it). */
  watch(): void {
    if (!this.d.file || this.watcher) return;
    const dir = path.dirname(this.d.file);
    const base = path.basename(this.d.file);
    this.watcher = watch(dir, (_event, name) => {
      if (name !== null && name !== base) return;
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => {
        // Only a real change: saving the same text again is not a reload.
        if (readText(this.d.file!) === this.lastText) return;
        void this.reload();
      }, DEBOUNCE_MS);
    });
    this.watcher.on("error", (err) => this.d.log.warn({ err: err.message }, "stopped watching the config file; SIGHUP still reloads"));
  }

  stop(): void {
    clearTimeout(this.debounce);
    this.watcher?.close();
    this.watcher = undefined;
  }

  private async run(): Promise<ReloadResult> {
    const file = this.d.file;
    if (!file) {
      this.d.log.warn("reload asked for, but carenet was not started from a config file");
      return { outcome: "no-file" };
    }
    const text = readText(file);
    const now = this.d.app.clock.now();
    let next: CarenetConfig;
    try {
      const loaded = loadConfigFile(file);
      next = loaded.config;
      if (loaded.warnings.length) this.d.log.warn({ warnings: loaded.warnings.map(formatProblem) }, "the changed config has unusual values (applied all the same)");
      this.d.adjust?.(next);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      this.lastText = text;
      this.refuse(err.problems, text ?? "", now);
      return { outcome: "refused", problems: err.problems };
    }
    this.lastText = text;
    const before = this.d.current();
    const needsRestart = RESTART_ONLY.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(next[k]));
    for (const k of needsRestart) (next as unknown as Record<string, unknown>)[k] = before[k];
    if (JSON.stringify(before) === JSON.stringify(next)) {
      if (needsRestart.length) this.logRestartOnly(needsRestart);
      return { outcome: "unchanged" };
    }
    this.d.app.audit.append({ communityId: null, actor: "carenet", action: "config.reload", detail: describeChange(before, next) }, now);
    this.d.log.info({ communities: next.communities.map((c) => c.id) }, "config reloaded");
    if (needsRestart.length) this.logRestartOnly(needsRestart);
    await this.d.apply(next);
    return { outcome: "applied", needsRestart: [...needsRestart] };
  }

  private logRestartOnly(keys: readonly string[]): void {
    this.d.log.warn({ keys }, "these settings changed in the config file and take effect only after a restart");
  }

  private refuse(problems: ConfigProblem[], text: string, now: number): void {
    const current = this.d.current();
    const affected = affectedCommunities(problems, text, current);
    this.d.log.error({ problems: problems.map(formatProblem) }, "the changed config is invalid; still running on the last good one");
    const digest = createHash("sha256").update(text).digest("hex").slice(0, 16);
    this.d.app.atomically(() => {
      this.d.app.audit.append(
        { communityId: null, actor: "carenet", action: "config.refused", detail: problems.map(formatProblem).join("; ") },
        now,
      );
      for (const c of affected) {
        const staffRoom = this.d.app.rooms.get(c.id, "staff");
        if (!staffRoom) continue;
        const mine = problems.filter((p) => concerns(p, text, c.id));
        // The problems themselves stay as the validator wrote them: file:line:column and YAML paths.
        const message = new Message()
          .p(t("config.refused", { community: c.name }))
          .list(mine.map(formatProblem))
          .p(t("config.fixIt"));
        this.d.app.effects.post(staffRoom.roomId, message, `config-refused:${digest}:${c.id}`);
      }
    });
  }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * The communities a problem is about: `communities[i]…` names one (by the id written at
 * that position in the new text, if it is a community carenet runs); anything else
 * concerns every community.
 */
function affectedCommunities(problems: ConfigProblem[], text: string, current: CarenetConfig) {
  return current.communities.filter((c) => problems.some((p) => concerns(p, text, c.id)));
}

function concerns(p: ConfigProblem, text: string, communityId: string): boolean {
  const m = /^communities\[(\d+)\]/.exec(p.path);
  if (!m) return true;
  const id = idAt(text, Number(m[1]));
  // An entry with no readable id could be any community: everyone is told.
  return id === undefined || id === communityId;
}

function idAt(text: string, index: number): string | undefined {
  try {
    const data = parseDocument(text).toJS() as { communities?: Array<{ id?: unknown }> } | null;
    const id = data?.communities?.[index]?.id;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}

function describeChange(before: CarenetConfig, next: CarenetConfig): string {
  const ids = (c: CarenetConfig) => c.communities.map((x) => x.id);
  const added = ids(next).filter((id) => !ids(before).includes(id));
  const removed = ids(before).filter((id) => !ids(next).includes(id));
  const changed = next.communities
    .filter((c) => {
      const old = communityById(before.communities, c.id);
      return old && JSON.stringify(old) !== JSON.stringify(c);
    })
    .map((c) => c.id);
  const parts = [
    added.length ? `added ${added.join(", ")}` : "",
    removed.length ? `removed ${removed.join(", ")}` : "",
    changed.length ? `changed ${changed.join(", ")}` : "",
  ].filter(Boolean);
  return parts.length ? parts.join("; ") : "service-wide settings changed";
}
