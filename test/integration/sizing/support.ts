/** A server clock the tests move: the collector's waits advance it instead of passing real time. */
export interface TestClock {
  now: () => number;
  /** The collector's sleep: moves the clock by the wait and returns at once. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  advance(ms: number): void;
}

export function testClock(startIso: string): TestClock {
  let t = Date.parse(startIso);
  let realAt = Date.now();
  return {
    // Real time passing between waits (query round trips) counts too, as on a real server.
    now: () => t + (Date.now() - realAt),
    sleep: async (ms) => {
      t += Math.max(0, ms) + (Date.now() - realAt);
      realAt = Date.now();
    },
    advance(ms) {
      t += ms;
    },
  };
}
