/**
 * The agent's one config watcher: it notices a changed config file (a stat every second: inode, size, times) or is
 * told to reload (SIGHUP), loads the file with the given loader (the agent's: in a short-lived thread, offthread.ts),
 * and hands the outcome on: the new, already checked config, or the refusal with its FILE:LINE:COL lines. Whoever
 * follows the file (the collectors, the admin API) gets it from here; none of them reads the file or parses YAML.
 *
 * Loads never overlap: a trigger during a load queues one more load after it, so the file last written is the one
 * applied, and SIGHUP always loads again (even when the file looks unchanged). Nothing here runs in a collection pass.
 */
import * as fs from 'node:fs';
import type { AgentConfig } from './defaults';

/** The outcome of the last reload, as Prometheus reports its own (`..._config_last_reload_successful`). */
export interface ReloadStatus {
  /** Whether the last reload was accepted (true before any). */
  readonly ok: boolean;
  /** Epoch seconds of the last accepted load (the one at start counts). */
  readonly successTime: number;
  /** Why the last reload was refused (null when it was not). */
  readonly error: string | null;
}

export interface WatcherLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface ConfigWatcherOptions {
  readonly file: string;
  /** Loads and checks the file; rejects with a ConfigError (or any error) when it cannot be used. */
  readonly load: (file: string) => Promise<AgentConfig>;
  /**
   * Hands a reload's outcome on: the new config (null when the file was refused and the config in force stays) and the
   * status to report. Awaited before the next load starts.
   */
  readonly publish: (config: AgentConfig | null, status: ReloadStatus) => Promise<void>;
  readonly log: WatcherLog;
  /** How often the file is looked at (ms, default 1000). */
  readonly pollMs?: number;
  /** The file's signature when the config in force was loaded (`fileSignature` before loading it), so that a change
   * made during that load is not missed; by default, the file as it is when the watcher is made. */
  readonly loadedSignature?: string | null;
}

export type ReloadReason = 'SIGHUP' | 'file changed';

/** What tells one version of the file from another without reading it; null when it cannot be looked at now. */
export function fileSignature(st: fs.Stats | null): string | null {
  return st === null ? null : `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

/** `fileSignature` of the file now (stat follows symlinks: a ConfigMap's swapped link counts as a change). */
export function currentSignature(file: string): string | null {
  try {
    return fileSignature(fs.statSync(file));
  } catch (e) {
    // Not there now (mid-rename): no signature; the next look compares with what it finds then.
    void e;
    return null;
  }
}

export class ConfigWatcher {
  private signature: string | null;
  private timer: NodeJS.Timeout | null = null;
  private looking = false;
  private running: Promise<void> | null = null;
  private queued: ReloadReason | null = null;
  private statusNow: ReloadStatus;

  constructor(private readonly o: ConfigWatcherOptions) {
    this.signature = o.loadedSignature !== undefined ? o.loadedSignature : currentSignature(o.file);
    this.statusNow = { ok: true, successTime: Date.now() / 1000, error: null };
  }

  get status(): ReloadStatus {
    return this.statusNow;
  }

  /** Starts looking at the file (an unref'd timer: it never keeps the process alive). */
  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => void this.look(), this.o.pollMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Loads the file now (or right after the load in progress) and publishes the outcome; resolves when published. */
  reload(reason: ReloadReason): Promise<void> {
    if (this.running !== null) {
      // One more load after the one in progress covers every trigger that came during it.
      this.queued = this.queued === 'SIGHUP' ? 'SIGHUP' : reason;
      return this.running;
    }
    const run = (async () => {
      let next: ReloadReason | null = reason;
      while (next !== null) {
        this.queued = null;
        await this.once(next);
        next = this.queued;
      }
    })();
    this.running = run.finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** One look at the file: a new signature starts a reload. A stat is asynchronous, and only one is out at a time. */
  private async look(): Promise<void> {
    if (this.looking) return;
    this.looking = true;
    try {
      let sig: string | null;
      try {
        sig = fileSignature(await fs.promises.stat(this.o.file));
      } catch (e) {
        // Removed or being replaced: keep what is in force and look again next time (the load will say why if it stays).
        void e;
        return;
      }
      if (sig === this.signature) return;
      this.signature = sig;
      await this.reload('file changed');
    } finally {
      this.looking = false;
    }
  }

  private async once(reason: ReloadReason): Promise<void> {
    const { file, log } = this.o;
    // The signature of what is about to be read: a change after this point is seen by the next look.
    if (reason === 'SIGHUP') this.signature = currentSignature(file);
    let config: AgentConfig;
    try {
      config = await this.o.load(file);
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      this.statusNow = { ...this.statusNow, ok: false, error };
      log.error('config reload refused; the config in force stays', { file, reason, error });
      await this.publishSafely(null);
      return;
    }
    this.statusNow = { ok: true, successTime: Date.now() / 1000, error: null };
    await this.publishSafely(config);
    log.info('config reloaded', { file, reason, process_names: config.processNames.length });
  }

  private async publishSafely(config: AgentConfig | null): Promise<void> {
    try {
      await this.o.publish(config, this.statusNow);
    } catch (e) {
      this.o.log.error('config reload could not be applied', {
        file: this.o.file,
        err: e instanceof Error ? e.message : String(e),
      });
    }
  }
}
