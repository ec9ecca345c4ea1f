/**
 * Fault injection for tests, on the admin route `/_sandbox/faults` (or `sandbox.faults` in
 * process): throttling with Retry-After, server errors, dropped connections (before or after
 * the request is acted on), slow answers and slow long-running operations. A fault applies to
 * requests whose method and path match, for a number of times.
 */
export interface FaultSpec {
  /**
   * throttle: 429 TooManyRequests with Retry-After; error: an ARM error (500 by default);
   * drop: the connection is destroyed without an answer, before the request is acted on;
   * dropAfterAccept: the request is acted on as usual (a change takes effect, an operation
   * starts), then the connection is destroyed instead of answering: the answer is lost;
   * delay: the answer waits `delayMs`.
   */
  kind: 'throttle' | 'error' | 'drop' | 'dropAfterAccept' | 'delay';
  /** Only this HTTP method (any when absent). */
  method?: string;
  /** Only paths containing this text, compared without regard to case (any when absent). */
  path?: string;
  /** How many matching requests it hits (default 1; 0 = every one until cleared). */
  times?: number;
  /** For `error`: the status (default 500), code and message. */
  status?: number;
  code?: string;
  message?: string;
  /** For `throttle` (default 1). */
  retryAfterSeconds?: number;
  /** For `delay`. */
  delayMs?: number;
}

const KINDS = new Set(['throttle', 'error', 'drop', 'dropAfterAccept', 'delay']);

/** Validates a fault from JSON; says which field is wrong. */
export function parseFault(value: unknown): FaultSpec {
  if (typeof value !== 'object' || value === null) throw new Error('a fault must be a JSON object');
  const v = value as Record<string, unknown>;
  if (typeof v.kind !== 'string' || !KINDS.has(v.kind)) throw new Error(`"kind" must be one of ${[...KINDS].join(', ')}`);
  const str = (k: string) => {
    if (v[k] !== undefined && typeof v[k] !== 'string') throw new Error(`"${k}" must be a string`);
  };
  const num = (k: string, min: number) => {
    if (v[k] !== undefined && (typeof v[k] !== 'number' || !Number.isFinite(v[k]) || (v[k] as number) < min)) throw new Error(`"${k}" must be a number >= ${min}`);
  };
  str('method');
  str('path');
  str('code');
  str('message');
  num('times', 0);
  num('status', 400);
  num('retryAfterSeconds', 0);
  num('delayMs', 0);
  if (v.status !== undefined && (v.status as number) > 599) throw new Error('"status" must be an HTTP error status');
  return v as unknown as FaultSpec;
}

interface Armed {
  spec: FaultSpec;
  left: number;
}

export class Faults {
  private armed: Armed[] = [];
  /** Extra simulated milliseconds every long-running operation takes. */
  slowOperationsMs = 0;

  add(spec: FaultSpec): void {
    parseFault(spec);
    this.armed.push({ spec, left: spec.times ?? 1 });
  }

  clear(): void {
    this.armed = [];
    this.slowOperationsMs = 0;
  }

  list(): FaultSpec[] {
    return this.armed.map((a) => ({ ...a.spec, times: a.left }));
  }

  /** The fault hitting this request, if any (counting it). */
  take(method: string, path: string): FaultSpec | undefined {
    const lower = path.toLowerCase();
    for (const a of this.armed) {
      if (a.spec.method && a.spec.method.toUpperCase() !== method) continue;
      if (a.spec.path && !lower.includes(a.spec.path.toLowerCase())) continue;
      if (a.left > 0 && --a.left === 0) this.armed = this.armed.filter((x) => x !== a);
      return a.spec;
    }
    return undefined;
  }
}
