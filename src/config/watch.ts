/**
 * The agent's one config watcher: it notices a changed config file or is told to reload (SIGHUP), loads the file with
 * the given loader (the agent's: in a short-lived thread, offthread.ts), and hands the outcome on: the new, already
 * checked config, or the refusal with its FILE:LINE:COL lines. Whoever follows the file (the collectors, the admin API)
 * gets it from here; none of them reads the file or parses YAML.
 *
 * How a change is noticed: inotify (fs.watch) on the file's directory, and on the directory of what it resolves to
 * when that is elsewhere (a symlink). A directory watch sees what a watch of the file itself would miss: an editor's
 * or a ConfigMap's rename over it (kubelet swaps the `..data` symlink beside the file), a file created after a
 * removal. Any event there leads, once writes have settled (SETTLE_MS), to one look: a stat compared with the last
 * signature (inode, size, times). A slow poll (`slowPollMs`, 10 s) stays as a safety net for what inotify does not
 * see (a network filesystem changed from another host); where no watch can be set (the directory is missing,
 * inotify's watches are used up) the file is looked at every `pollMs` (1 s), as it was before inotify.
 *
 * Why not fs.promises.stat every second, as before (issue 14): an idle agent woke twice a second for it, and its
 * first call started libuv's 4 pool threads, each with a stack and a malloc arena kept for the process's life. The
 * look is a statSync: no pool threads at all in the agent's main thread, and the start-up has already stat'ed the same
 * file synchronously (`currentSignature`).
 *
 * Loads never overlap: a trigger during a load queues one more load after it, so the file last written is the one
 * applied, and SIGHUP always loads again (even when the file looks unchanged). Nothing here runs in a collection pass.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
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
  /** How often the file is looked at when no inotify watch could be set (ms, default 1000). */
  readonly pollMs?: number;
  /** How often the file is looked at beside an inotify watch (ms, default SLOW_POLL_MS), for what inotify misses. */
  readonly slowPollMs?: number;
  /** The file's signature when the config in force was loaded (`fileSignature` before loading it), so that a change
   * made during that load is not missed; by default, the file as it is when the watcher is made. */
  readonly loadedSignature?: string | null;
}

/** The fallback look beside an inotify watch: for changes inotify does not report (NFS from another host). */
export const SLOW_POLL_MS = 10_000;
/** From an inotify event to the look: a writer's truncate-then-write is one change, not a refused half file. */
export const SETTLE_MS = 50;

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

/** A directory's device and inode (null when it is not there): a directory made again under the same name differs. */
function dirIdentity(dir: string): string | null {
  try {
    const st = fs.statSync(dir);
    return `${st.dev}:${st.ino}`;
  } catch (e) {
    // Not there (yet): nothing to watch; the polls look at the file meanwhile.
    void e;
    return null;
  }
}

export class ConfigWatcher {
  private signature: string | null;
  private timer: NodeJS.Timeout | null = null;
  private settle: NodeJS.Timeout | null = null;
  private started = false;
  /** The inotify watches in force, by directory: the file's, and its target's when that is elsewhere. */
  private readonly watches = new Map<string, { readonly w: fs.FSWatcher; readonly id: string }>();
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

  /** Whether an inotify watch covers the file's directory now (otherwise it is polled every `pollMs`). */
  get watching(): boolean {
    return this.watches.has(path.dirname(path.resolve(this.o.file)));
  }

  /** Starts following the file (unref'd watches and timers: they never keep the process alive). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.arm();
    this.schedule();
  }

  stop(): void {
    this.started = false;
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.settle !== null) clearTimeout(this.settle);
    this.timer = null;
    this.settle = null;
    for (const { w } of this.watches.values()) w.close();
    this.watches.clear();
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

  /** The next timed look: slow beside a watch of the file's directory, every `pollMs` without one. */
  private schedule(): void {
    if (!this.started) return;
    if (this.timer !== null) clearTimeout(this.timer);
    const ms = this.watching ? (this.o.slowPollMs ?? SLOW_POLL_MS) : (this.o.pollMs ?? 1000);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.look();
      this.schedule();
    }, ms);
    this.timer.unref();
  }

  /**
   * Sets the watches the file needs now: its directory, and the directory of what it resolves to (a symlink into
   * another directory, edited there); drops the ones it no longer needs (a ConfigMap's old `..2024_...` directory).
   * A directory that cannot be watched is left to the polls.
   */
  private arm(): void {
    if (!this.started) return;
    const file = path.resolve(this.o.file);
    const want = new Set([path.dirname(file)]);
    try {
      want.add(path.dirname(fs.realpathSync(file)));
    } catch (e) {
      // Not there now (mid-rename, or a dangling link): the file's own directory still sees it come back.
      void e;
    }
    const ids = new Map<string, string | null>();
    for (const dir of want) ids.set(dir, dirIdentity(dir));
    // A directory no longer needed, or removed and made again since it was watched (its watch hears nothing now).
    for (const [dir, { w, id }] of this.watches)
      if (ids.get(dir) !== id) {
        w.close();
        this.watches.delete(dir);
      }
    for (const [dir, id] of ids) {
      if (this.watches.has(dir) || id === null) continue;
      let w: fs.FSWatcher;
      try {
        w = fs.watch(dir, { persistent: false }, () => this.changed());
      } catch (e) {
        // ENOENT (gone since), ENOSPC (inotify's watches used up), EACCES: the polls do it.
        void e;
        continue;
      }
      // A watch that fails (its directory unmounted): dropped; the next look sets what is needed then.
      w.on('error', () => this.unwatch(dir, w));
      this.watches.set(dir, { w, id });
    }
  }

  private unwatch(dir: string, w: fs.FSWatcher): void {
    w.close();
    if (this.watches.get(dir)?.w === w) this.watches.delete(dir);
    this.schedule();
  }

  /** An inotify event: one look once the writes it belongs to have settled. */
  private changed(): void {
    if (!this.started || this.settle !== null) return;
    this.settle = setTimeout(() => {
      this.settle = null;
      this.look();
    }, SETTLE_MS);
    this.settle.unref();
  }

  /**
   * One look at the file: a new signature starts a reload. The watches follow the file first (its link may now point
   * into another directory, or a watched directory may be back).
   */
  private look(): void {
    if (!this.started) return;
    const watched = this.watching;
    this.arm();
    if (this.watching !== watched) this.schedule();
    const sig = currentSignature(this.o.file);
    // Removed or being replaced: keep what is in force and look again next time (the load will say why if it stays).
    if (sig === null || sig === this.signature) return;
    this.signature = sig;
    void this.reload('file changed');
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
