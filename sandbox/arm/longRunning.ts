/**
 * Long-running operations. A request that starts one answers 201/202 with an absolute
 * `Azure-AsyncOperation` URL (and, for resource-group deletes, a `Location` URL as ARM does);
 * the operation-status resource says InProgress until the work finishes, then Succeeded or
 * Failed with an error. Both the answer that starts an operation and every poll answer while it
 * runs carry `Retry-After`, as ARM's contract asks (see withRetryAfter).
 */
import { randomUUID } from 'node:crypto';
import type { SimClock } from '../clock';
import type { ArmResponse } from './http';

export type OperationStatus = 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';

export interface LongRunningOperation {
  id: string;
  /** Path of the status resource, e.g. /subscriptions/s/providers/Microsoft.DataMigration/locations/l/operationStatuses/{id}. */
  statusPath: string;
  apiVersion: string;
  status: OperationStatus;
  startTime: string;
  endTime?: string;
  error?: { code: string; message: string };
}

/** Marks an operation-status body while it runs, with the Retry-After its answer carries (not serialized). */
const RUNNING = Symbol('sandbox.runningOperation');

/** The LongRunningOperations that hands out poll URLs on each origin (a sandbox's), for withRetryAfter to ask. */
const issuers = new Map<string, WeakRef<LongRunningOperations>>();

/** A sandbox's long-running operations, by id. */
export class LongRunningOperations {
  private readonly ops = new Map<string, LongRunningOperation>();
  /** How long pollers are asked to wait between polls, in simulated seconds. */
  retryAfterSeconds = 5;

  constructor(private readonly clock: SimClock) {}

  /**
   * Retry-After in real time (the clock runs `speed` times faster): whole seconds as ARM sends
   * it, at least 1, and the exact wait in retry-after-ms, which Azure clients read first.
   */
  retryAfter(): Record<string, string> {
    const ms = Math.max(1, Math.round((this.retryAfterSeconds * 1000) / this.clock.speed));
    return { 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))), 'retry-after-ms': String(ms) };
  }

  /** `statusPath` gets the operation id appended. */
  start(statusPathPrefix: string, apiVersion: string, id: string = randomUUID()): LongRunningOperation {
    const op: LongRunningOperation = {
      id,
      statusPath: `${statusPathPrefix}/${id}`,
      apiVersion,
      status: 'InProgress',
      startTime: this.clock.date().toISOString(),
    };
    this.ops.set(id.toLowerCase(), op);
    return op;
  }

  get(id: string): LongRunningOperation | undefined {
    return this.ops.get(id.toLowerCase());
  }

  succeed(op: LongRunningOperation): void {
    if (op.status !== 'InProgress') return;
    op.status = 'Succeeded';
    op.endTime = this.clock.date().toISOString();
  }

  fail(op: LongRunningOperation, code: string, message: string): void {
    if (op.status !== 'InProgress') return;
    op.status = 'Failed';
    op.error = { code, message };
    op.endTime = this.clock.date().toISOString();
  }

  url(op: LongRunningOperation, baseUrl: string): string {
    issuers.set(new URL(baseUrl).origin, new WeakRef(this));
    return `${baseUrl}${op.statusPath}?api-version=${op.apiVersion}`;
  }

  /** The operation-status resource (what pollers read). */
  body(op: LongRunningOperation): Record<string, unknown> {
    const body = {
      id: op.statusPath,
      name: op.id,
      status: op.status,
      startTime: op.startTime,
      ...(op.endTime && { endTime: op.endTime }),
      ...(op.status === 'Succeeded' && { percentComplete: 100 }),
      ...(op.error && { error: op.error }),
    };
    if (op.status === 'InProgress') Object.defineProperty(body, RUNNING, { value: this.retryAfter() });
    return body;
  }
}

/**
 * Adds Retry-After to the answers of long-running operations: one that starts an operation
 * (its Azure-AsyncOperation or Location URL was handed out by a LongRunningOperations) and a status
 * answer while the operation runs. The router applies it to every route, so no provider can
 * forget it; a Retry-After a route sets itself is kept.
 */
export function withRetryAfter(res: ArmResponse): ArmResponse {
  const headers = res.headers ?? {};
  if (Object.keys(headers).some((h) => h.toLowerCase() === 'retry-after')) return res;
  let asked = (res.body as { [RUNNING]?: Record<string, string> } | undefined)?.[RUNNING];
  if (!asked && res.status >= 200 && res.status < 300) {
    const poll = Object.entries(headers).find(([h]) => ['azure-asyncoperation', 'location'].includes(h.toLowerCase()))?.[1];
    let origin: string | undefined;
    try {
      origin = poll ? new URL(poll).origin : undefined;
    } catch {
      origin = undefined;
    }
    asked = origin ? issuers.get(origin)?.deref()?.retryAfter() : undefined;
  }
  return asked ? { ...res, headers: { ...headers, ...asked } } : res;
}
