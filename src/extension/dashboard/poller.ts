/**
 * Polls while the dashboard is visible: every interval, immediately on demand, backing off
 * after failures (doubling up to 5 minutes, or as long as the service's Retry-After says).
 */

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const MAX_BACKOFF_MS = 5 * 60_000;

/** The delay a failed poll asks for, when the error carries one (Retry-After, in ms or seconds). */
export function retryAfterMs(e: unknown): number | undefined {
  const x = e as { retryAfterMs?: unknown; response?: { headers?: { get?(name: string): string | undefined } } } | undefined;
  if (typeof x?.retryAfterMs === 'number') return x.retryAfterMs;
  const header = x?.response?.headers?.get?.('retry-after');
  if (header && /^\d+$/.test(header)) return Number(header) * 1000;
  return undefined;
}

export class Poller {
  private timer: unknown;
  private active = false;
  private failures = 0;
  private inFlight: Promise<void> | undefined;
  private abort: AbortController | undefined;

  constructor(
    private readonly tick: (signal: AbortSignal) => Promise<void>,
    /** The interval now (0 = no automatic polling), read each time so setting changes apply. */
    private readonly intervalMs: () => number,
    private readonly timers: Timers = { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
  ) {}

  get isActive(): boolean {
    return this.active;
  }

  /** Starts polling (at once) when it becomes active; stops when it does not. */
  setActive(active: boolean): void {
    if (active === this.active) return;
    this.active = active;
    if (active) void this.refreshNow();
    else {
      this.clear();
      this.abort?.abort();
    }
  }

  /** Polls now (joining a poll already running) and reschedules. */
  refreshNow(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    this.clear();
    const abort = new AbortController();
    this.abort = abort;
    this.inFlight = (async () => {
      let wait: number | undefined;
      try {
        await this.tick(abort.signal);
        this.failures = 0;
      } catch (e) {
        this.failures++;
        const base = this.intervalMs() || 30_000;
        wait = Math.max(retryAfterMs(e) ?? 0, Math.min(base * 2 ** this.failures, MAX_BACKOFF_MS));
      } finally {
        this.inFlight = undefined;
      }
      this.schedule(wait);
    })();
    return this.inFlight;
  }

  /** Picks up a changed interval. */
  reschedule(): void {
    if (this.active && !this.inFlight) this.schedule(undefined);
  }

  private schedule(wait: number | undefined): void {
    this.clear();
    const interval = this.intervalMs();
    if (!this.active || (interval <= 0 && wait === undefined)) return;
    this.timer = this.timers.setTimeout(() => void this.refreshNow(), wait ?? interval);
  }

  private clear(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    this.active = false;
    this.clear();
    this.abort?.abort();
  }
}
