/**
 * Long-running operations. A request that starts one answers 201/202 with an absolute
 * `Azure-AsyncOperation` URL (and, for resource-group deletes, a `Location` URL as ARM does);
 * the operation-status resource says InProgress until the work finishes, then Succeeded or
 * Failed with an error.
 */
import { randomUUID } from 'node:crypto';
import type { SimClock } from '../clock';

export type OperationStatus = 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';

export interface Operation {
  id: string;
  /** Path of the status resource, e.g. /subscriptions/s/providers/Microsoft.DataMigration/locations/l/operationStatuses/{id}. */
  statusPath: string;
  apiVersion: string;
  status: OperationStatus;
  startTime: string;
  endTime?: string;
  error?: { code: string; message: string };
}

export class Operations {
  private readonly ops = new Map<string, Operation>();

  constructor(private readonly clock: SimClock) {}

  /** `statusPath` gets the operation id appended. */
  start(statusPathPrefix: string, apiVersion: string, id: string = randomUUID()): Operation {
    const op: Operation = {
      id,
      statusPath: `${statusPathPrefix}/${id}`,
      apiVersion,
      status: 'InProgress',
      startTime: this.clock.date().toISOString(),
    };
    this.ops.set(id.toLowerCase(), op);
    return op;
  }

  get(id: string): Operation | undefined {
    return this.ops.get(id.toLowerCase());
  }

  succeed(op: Operation): void {
    if (op.status !== 'InProgress') return;
    op.status = 'Succeeded';
    op.endTime = this.clock.date().toISOString();
  }

  fail(op: Operation, code: string, message: string): void {
    if (op.status !== 'InProgress') return;
    op.status = 'Failed';
    op.error = { code, message };
    op.endTime = this.clock.date().toISOString();
  }

  url(op: Operation, baseUrl: string): string {
    return `${baseUrl}${op.statusPath}?api-version=${op.apiVersion}`;
  }

  /** The operation-status resource (what pollers read). */
  body(op: Operation): Record<string, unknown> {
    return {
      id: op.statusPath,
      name: op.id,
      status: op.status,
      startTime: op.startTime,
      ...(op.endTime && { endTime: op.endTime }),
      ...(op.status === 'Succeeded' && { percentComplete: 100 }),
      ...(op.error && { error: op.error }),
    };
  }
}
