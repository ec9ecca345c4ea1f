/**
 * The sandbox's simulated clock. Simulated time starts at the real time and runs `speed` times
 * faster (tests use 50-1000 so a migration that would take minutes takes a second). Changing
 * the speed re-times every pending sleep, so nothing waits on the old speed.
 */
interface Sleeper {
  dueSim: number;
  resolve: () => void;
  handle?: NodeJS.Timeout;
}

export class SimClock {
  private baseReal = Date.now();
  private baseSim = this.baseReal;
  private readonly sleepers = new Set<Sleeper>();

  constructor(private speedFactor = 1) {
    if (!(speedFactor > 0)) throw new Error(`clock speed must be a positive number, not ${speedFactor}`);
  }

  get speed(): number {
    return this.speedFactor;
  }

  /** Simulated milliseconds since the epoch. */
  now(): number {
    return this.baseSim + (Date.now() - this.baseReal) * this.speedFactor;
  }

  date(): Date {
    return new Date(this.now());
  }

  setSpeed(speed: number): void {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`clock speed must be a positive number, not ${speed}`);
    this.baseSim = this.now();
    this.baseReal = Date.now();
    this.speedFactor = speed;
    for (const s of this.sleepers) this.arm(s);
  }

  /** Resolves after `simMs` simulated milliseconds; rejects with the signal's reason when aborted. */
  sleep(simMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const s: Sleeper = { dueSim: this.now() + Math.max(0, simMs), resolve: () => undefined };
      const onAbort = () => {
        this.drop(s);
        reject(signal!.reason);
      };
      s.resolve = () => {
        this.drop(s);
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.add(s);
      this.arm(s);
    });
  }

  /**
   * Jumps simulated time forward (a month of a restore in a moment): every sleep due by then
   * ends now, in the order it was due.
   */
  advance(simMs: number): void {
    if (!(simMs >= 0) || !Number.isFinite(simMs)) throw new Error(`the clock moves forward only, by a finite time, not ${simMs}`);
    this.baseSim += simMs;
    for (const s of [...this.sleepers].sort((a, b) => a.dueSim - b.dueSim)) this.arm(s);
  }

  /** Wakes every sleeper now (used when the sandbox stops). */
  wakeAll(): void {
    for (const s of [...this.sleepers]) s.resolve();
  }

  private arm(s: Sleeper): void {
    if (s.handle) clearTimeout(s.handle);
    const realMs = Math.max(0, (s.dueSim - this.now()) / this.speedFactor);
    // A timer holds at most about 24.8 days: a longer sleep is re-armed when it fires.
    s.handle = setTimeout(() => (this.now() >= s.dueSim ? s.resolve() : this.arm(s)), Math.min(realMs, 2 ** 31 - 1));
  }

  private drop(s: Sleeper): void {
    if (s.handle) clearTimeout(s.handle);
    this.sleepers.delete(s);
  }
}
