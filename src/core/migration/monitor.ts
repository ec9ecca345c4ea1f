/**
 * Watches many migrations with the fewest calls: one listMigrations per migration service per
 * refresh (the whole dashboard), plus one expanded GET per *watched* migration (the ones whose
 * backup files are on screen or being cut over). Backs off when the service throttles or fails,
 * honouring Retry-After, and emits events on changes.
 *
 * It never reports a stale success: an event comes only from data read in the same refresh;
 * a service whose list failed has its migrations marked stale (shown, but no events); a watched
 * migration's Succeeded must be confirmed by its own fresh GET; and a newer operation (a
 * restart) always wins over an older one's status.
 */
import { setTimeout as sleepTimer } from 'node:timers/promises';
import { mapBounded } from '../backup/scan';
import { migrationRefFromId, serviceIdOf, type MigrationRef, type MigrationServiceRef } from '../azure/dms/client';
import type { DatabaseMigration, DatabaseMigrationSqlMi } from '../azure/dms/models';
import { AzureError } from '../azure/errors';
import { isTerminal, statusOf, withoutSecrets } from './status';

/** What the monitor needs from the service; DmsClient provides it. */
export interface MonitorSource {
  listMigrations(service: MigrationServiceRef, options: { signal?: AbortSignal }): Promise<DatabaseMigration[]>;
  getMigration(ref: MigrationRef, options: { expand?: boolean; signal?: AbortSignal }): Promise<DatabaseMigrationSqlMi>;
}

export interface MigrationSnapshot {
  id: string;
  serviceId?: string;
  migration: DatabaseMigration | DatabaseMigrationSqlMi;
  status: string;
  operationId?: string;
  /** Read with $expand=MigrationStatusDetails (watched migrations). */
  detailed: boolean;
  /** When it was last read successfully (ms since epoch). */
  observedAt: number;
  /** The last refresh could not read it: what is shown may be out of date. */
  stale: boolean;
}

export type MonitorEventType = 'Added' | 'Removed' | 'StatusChanged' | 'ReadyForCutover' | 'Succeeded' | 'Failed';

export interface MonitorEvent {
  type: MonitorEventType;
  id: string;
  status: string;
  previous?: string;
  snapshot: MigrationSnapshot;
}

export interface RefreshReport {
  listCalls: number;
  detailCalls: number;
  errors: { target: string; message: string; retryAfterMs?: number }[];
  /** How long to wait before the next refresh. */
  nextDelayMs: number;
}

export interface MonitorOptions {
  services: MigrationServiceRef[];
  watched?: Iterable<string>;
  /** Normal refresh interval (default 15 s). */
  intervalMs?: number;
  /** Longest wait after repeated failures (default 5 min). */
  maxIntervalMs?: number;
  concurrency?: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const SIGNIFICANT: Partial<Record<string, MonitorEventType>> = { ReadyForCutover: 'ReadyForCutover', Succeeded: 'Succeeded', Failed: 'Failed' };

const key = (id: string) => id.toLowerCase();

export class MigrationMonitor {
  private readonly entries = new Map<string, MigrationSnapshot>();
  /** Watched ids whose terminal state was confirmed by their own GET (no more detail calls). */
  private readonly confirmed = new Map<string, string>();
  /** key(id) -> the id as given (names in ids are case-preserving). */
  private readonly watchedIds = new Map<string, string>();
  private readonly listeners = new Set<(e: MonitorEvent) => void>();
  private failures = 0;
  private readonly intervalMs: number;
  private readonly maxIntervalMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(private readonly source: MonitorSource, private readonly options: MonitorOptions) {
    for (const id of options.watched ?? []) this.watch(id);
    this.intervalMs = options.intervalMs ?? 15_000;
    this.maxIntervalMs = options.maxIntervalMs ?? 300_000;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms, signal) => sleepTimer(ms, undefined, signal ? { signal } : {}));
  }

  watch(migrationId: string): void {
    migrationRefFromId(migrationId); // refuse anything that is not a migration id
    this.watchedIds.set(key(migrationId), migrationId);
  }

  unwatch(migrationId: string): void {
    this.watchedIds.delete(key(migrationId));
  }

  onEvent(listener: (e: MonitorEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  snapshot(): MigrationSnapshot[] {
    return [...this.entries.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  get(migrationId: string): MigrationSnapshot | undefined {
    return this.entries.get(key(migrationId));
  }

  /** One refresh: the lists, then the watched details. */
  async refresh(signal?: AbortSignal): Promise<RefreshReport> {
    const report: RefreshReport = { listCalls: 0, detailCalls: 0, errors: [], nextDelayMs: this.intervalMs };
    const fresh = new Map<string, DatabaseMigration | DatabaseMigrationSqlMi>();
    const freshDetailed = new Set<string>();
    const failedServices = new Set<string>();
    const concurrency = this.options.concurrency ?? 8;

    await mapBounded(this.options.services, concurrency, async (service) => {
      const serviceId = key(serviceIdOf(service));
      report.listCalls++;
      try {
        const list = await this.source.listMigrations(service, signal ? { signal } : {});
        for (const m of list) if (m.id) fresh.set(key(m.id), m);
      } catch (e) {
        if ((e as Error).name === 'AbortError') throw e;
        failedServices.add(serviceId);
        report.errors.push(errorOf(`listMigrations ${service.name}`, e));
      }
    }, signal);

    const watched = [...this.watchedIds.keys()].filter((id) => {
      const listed = fresh.get(id);
      const known = listed ?? this.entries.get(id)?.migration;
      // A watched migration already confirmed terminal (same operation) needs no more detail calls.
      return !(known && isTerminal(known) && this.confirmed.get(id) === (known.properties?.migrationOperationId ?? ''));
    });
    await mapBounded(watched, concurrency, async (id) => {
      report.detailCalls++;
      try {
        const m = await this.source.getMigration(migrationRefFromId(this.watchedIds.get(id)!), { expand: true, ...(signal && { signal }) });
        const listed = fresh.get(id);
        // The GET ran after the list: it is the newer truth, unless it reports an older operation.
        if (!listed || !(listed.properties?.startedOn && m.properties?.startedOn && listed.properties.startedOn > m.properties.startedOn)) {
          fresh.set(id, m);
          freshDetailed.add(id);
        }
      } catch (e) {
        if ((e as Error).name === 'AbortError') throw e;
        if ((e as AzureError).statusCode === 404) {
          fresh.delete(id);
          this.confirmed.delete(id);
          return;
        }
        report.errors.push(errorOf(`get ${migrationRefFromId(this.watchedIds.get(id)!).targetDatabase}`, e));
        // Without its own fresh read, a watched migration's list status must not produce events.
        fresh.delete(id);
        failedServices.add(`watched:${id}`);
      }
    }, signal);

    this.apply(fresh, freshDetailed, failedServices);

    if (report.errors.length) {
      this.failures++;
      const backoff = Math.min(this.maxIntervalMs, this.intervalMs * 2 ** this.failures);
      const asked = Math.max(0, ...report.errors.map((e) => e.retryAfterMs ?? 0));
      report.nextDelayMs = Math.max(backoff, Math.min(asked, this.maxIntervalMs));
    } else {
      this.failures = 0;
    }
    return report;
  }

  /** Refreshes until the signal aborts; the report of each round goes to `onRefresh`. */
  async run(signal: AbortSignal, onRefresh?: (r: RefreshReport) => void): Promise<void> {
    while (!signal.aborted) {
      let report: RefreshReport;
      try {
        report = await this.refresh(signal);
      } catch (e) {
        if (signal.aborted) return;
        throw e;
      }
      onRefresh?.(report);
      try {
        await this.sleep(report.nextDelayMs, signal);
      } catch {
        return; // aborted while waiting
      }
    }
  }

  private apply(fresh: Map<string, DatabaseMigration | DatabaseMigrationSqlMi>, detailed: Set<string>, failed: Set<string>): void {
    const now = this.now();
    const events: MonitorEvent[] = [];
    for (const [id, read] of fresh) {
      const m = withoutSecrets(read);
      const previous = this.entries.get(id);
      const status = statusOf(m);
      const opId = m.properties?.migrationOperationId;
      const serviceId = m.properties?.migrationService ?? previous?.serviceId;
      const snap: MigrationSnapshot = {
        id: m.id ?? previous?.id ?? id,
        ...(serviceId && { serviceId }),
        // A list entry carries no details: keep the last detailed read rather than lose the file list.
        migration: detailed.has(id) || !previous?.detailed || previous.operationId !== opId ? m : { ...m, properties: { ...m.properties!, migrationStatusDetails: previous.migration.properties?.migrationStatusDetails } } as DatabaseMigration,
        status,
        ...(opId && { operationId: opId }),
        detailed: detailed.has(id) || Boolean(previous?.detailed && previous.operationId === opId),
        observedAt: now,
        stale: false,
      };
      this.entries.set(id, snap);
      if (detailed.has(id) && isTerminal(m)) this.confirmed.set(id, opId ?? '');
      if (!previous) {
        events.push({ type: 'Added', id: snap.id, status, snapshot: snap });
        continue;
      }
      const changed = previous.status !== status || previous.operationId !== opId;
      if (!changed) continue;
      events.push({ type: 'StatusChanged', id: snap.id, status, previous: previous.status, snapshot: snap });
      const significant = SIGNIFICANT[status];
      // A watched migration's success needs its own fresh GET (this round), not just the list.
      if (significant === 'Succeeded' && this.watchedIds.has(id) && !detailed.has(id)) continue;
      if (significant) events.push({ type: significant, id: snap.id, status, previous: previous.status, snapshot: snap });
    }
    for (const [id, snap] of this.entries) {
      if (fresh.has(id)) continue;
      const serviceFailed = snap.serviceId ? failed.has(key(snap.serviceId)) : false;
      if (serviceFailed || failed.has(`watched:${id}`) || !this.serviceListed(snap)) {
        if (!snap.stale) this.entries.set(id, { ...snap, stale: true });
        continue;
      }
      // Its service answered without it: deleted.
      this.entries.delete(id);
      this.confirmed.delete(id);
      events.push({ type: 'Removed', id: snap.id, status: snap.status, snapshot: snap });
    }
    for (const e of events) for (const l of this.listeners) l(e);
  }

  private serviceListed(snap: MigrationSnapshot): boolean {
    if (!snap.serviceId) return false;
    return this.options.services.some((s) => key(serviceIdOf(s)) === key(snap.serviceId!));
  }
}

function errorOf(target: string, e: unknown): RefreshReport['errors'][number] {
  const err = e as AzureError;
  return { target, message: err.message ?? String(e), ...(err.retryAfterMs !== undefined && { retryAfterMs: err.retryAfterMs }) };
}
