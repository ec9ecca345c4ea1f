/**
 * Watches many migrations with the fewest calls: one listMigrations per migration service per
 * refresh (the whole dashboard), plus one expanded GET per *watched* migration (the ones whose
 * backup files are on screen or being cut over). Backs off when the service throttles or fails,
 * honouring Retry-After, and emits events on changes. Refreshes on its own schedule between
 * start() and stop() (a view polls only while it is visible), or when asked.
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
import type { AzureError } from '../azure/errors';
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

export interface RefreshError {
  target: string;
  message: string;
  retryAfterMs?: number;
  /** What was thrown (its code and HTTP status tell a face what to say). */
  cause: unknown;
}

export interface RefreshReport {
  listCalls: number;
  /** Services whose list answered: none of several means nothing could be read. */
  listsAnswered: number;
  detailCalls: number;
  errors: RefreshError[];
  /** How long to wait before the next refresh. */
  nextDelayMs: number;
}

export interface MonitorOptions {
  services: readonly MigrationServiceRef[];
  watched?: Iterable<string>;
  /**
   * Watch every listed migration too, until its end is confirmed: a view that shows every
   * migration's backup files reads them in the same refresh that first lists it.
   */
  watchListed?: boolean;
  /**
   * A migration that appears in a service's list after that service first answered, already
   * ReadyForCutover, Succeeded or Failed, gets that event too (after Added): it got there while
   * watched, and a view that notifies must say so. Off by default: a log already prints the
   * Added line with its status.
   */
  announceArrivals?: boolean;
  /** Normal refresh interval (default 15 s); 0 refreshes only when asked. */
  intervalMs?: number;
  /** Longest wait after repeated failures (default 5 min). */
  maxIntervalMs?: number;
  concurrency?: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const SIGNIFICANT: Partial<Record<string, MonitorEventType>> = { ReadyForCutover: 'ReadyForCutover', Succeeded: 'Succeeded', Failed: 'Failed' };

const key = (id: string) => id.toLowerCase();

interface RunningRefresh {
  promise: Promise<RefreshReport>;
  abort: AbortController;
  /** The services it lists (a later setServices needs a refresh of its own). */
  servicesVersion: number;
}

export class MigrationMonitor {
  private readonly entries = new Map<string, MigrationSnapshot>();
  /** Watched ids whose terminal state was confirmed by their own GET (no more detail calls). */
  private readonly confirmed = new Map<string, string>();
  /** key(id) -> the id as given (names in ids are case-preserving). */
  private readonly watchedIds = new Map<string, string>();
  /** Services whose list has answered at least once: later entries in it are arrivals. */
  private readonly answeredServices = new Set<string>();
  private readonly listeners = new Set<(e: MonitorEvent) => void>();
  private readonly refreshListeners = new Set<(r: RefreshReport) => void>();
  private services: readonly MigrationServiceRef[];
  private servicesVersion = 0;
  private failures = 0;
  private intervalMs: number;
  private readonly maxIntervalMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private started = false;
  private running: RunningRefresh | undefined;
  /** The wait before the next scheduled refresh; aborting it cancels that refresh. */
  private nextWait: AbortController | undefined;

  constructor(private readonly source: MonitorSource, private readonly options: MonitorOptions) {
    this.services = [...options.services];
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

  /**
   * Follows another set of services (one was registered). What it knows of the others is kept;
   * migrations of a service no longer followed are forgotten (they were not deleted: no event).
   */
  setServices(services: readonly MigrationServiceRef[]): void {
    const before = new Set(this.services.map((s) => key(serviceIdOf(s))));
    const after = new Set(services.map((s) => key(serviceIdOf(s))));
    this.services = [...services];
    if (before.size === after.size && [...after].every((s) => before.has(s))) return;
    this.servicesVersion++;
    for (const [id, snap] of this.entries) {
      if (snap.serviceId && !after.has(key(snap.serviceId))) {
        this.entries.delete(id);
        this.confirmed.delete(id);
      }
    }
  }

  onEvent(listener: (e: MonitorEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** After every refresh (scheduled or asked for), with its report: the snapshot is current then. */
  onRefresh(listener: (r: RefreshReport) => void): () => void {
    this.refreshListeners.add(listener);
    return () => this.refreshListeners.delete(listener);
  }

  snapshot(): MigrationSnapshot[] {
    return [...this.entries.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  get(migrationId: string): MigrationSnapshot | undefined {
    return this.entries.get(key(migrationId));
  }

  /** One refresh: the lists, then the watched details. */
  async refresh(signal?: AbortSignal): Promise<RefreshReport> {
    const report: RefreshReport = { listCalls: 0, listsAnswered: 0, detailCalls: 0, errors: [], nextDelayMs: this.intervalMs };
    const fresh = new Map<string, DatabaseMigration | DatabaseMigrationSqlMi>();
    const freshDetailed = new Set<string>();
    const failedServices = new Set<string>();
    const answeredBefore = new Set(this.answeredServices);
    const concurrency = this.options.concurrency ?? 8;

    await mapBounded(this.services, concurrency, async (service) => {
      const serviceId = key(serviceIdOf(service));
      report.listCalls++;
      try {
        const list = await this.source.listMigrations(service, signal ? { signal } : {});
        for (const m of list) if (m.id) fresh.set(key(m.id), m);
        report.listsAnswered++;
        this.answeredServices.add(serviceId);
      } catch (e) {
        if ((e as Error).name === 'AbortError') throw e;
        failedServices.add(serviceId);
        report.errors.push(errorOf(`listMigrations ${service.name}`, e));
      }
    }, signal);

    const watchedNow = new Map(this.watchedIds);
    if (this.options.watchListed) for (const [id, m] of fresh) if (!watchedNow.has(id)) watchedNow.set(id, m.id!);
    const toRead = [...watchedNow.keys()].filter((id) => {
      const listed = fresh.get(id);
      const known = listed ?? this.entries.get(id)?.migration;
      // A watched migration already confirmed terminal (same operation) needs no more detail calls.
      return !(known && isTerminal(known) && this.confirmed.get(id) === (known.properties?.migrationOperationId ?? ''));
    });
    await mapBounded(toRead, concurrency, async (id) => {
      report.detailCalls++;
      const ref = migrationRefFromId(watchedNow.get(id)!);
      try {
        const m = await this.source.getMigration(ref, { expand: true, ...(signal && { signal }) });
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
        report.errors.push(errorOf(`get ${ref.targetDatabase}`, e));
        // Without its own fresh read, a watched migration's list status must not produce events.
        fresh.delete(id);
        failedServices.add(`watched:${id}`);
      }
    }, signal);

    this.apply(fresh, freshDetailed, failedServices, new Set(watchedNow.keys()), answeredBefore);

    if (report.errors.length) {
      this.failures++;
      const backoff = Math.min(this.maxIntervalMs, this.intervalMs * 2 ** this.failures);
      const asked = Math.max(0, ...report.errors.map((e) => e.retryAfterMs ?? 0));
      report.nextDelayMs = Math.max(backoff, Math.min(asked, this.maxIntervalMs));
    } else {
      this.failures = 0;
    }
    for (const l of this.refreshListeners) l(report);
    return report;
  }

  /** Refreshes at once, then on its schedule (the interval, or the back-off) until stop(). */
  start(): void {
    if (this.started) return;
    this.started = true;
    void this.refreshNow().catch(() => undefined);
  }

  /** No more scheduled refreshes; one already running finishes. */
  stop(): void {
    this.started = false;
    this.cancelNextWait();
  }

  /** A new normal interval (0: refresh only when asked), from now on. */
  setIntervalMs(ms: number): void {
    this.intervalMs = Math.max(0, ms);
    if (!this.running) this.scheduleNext(this.intervalMs);
  }

  /**
   * Refreshes now and schedules the next one from its report. Joins a refresh already running
   * unless the services changed since it began: then this one follows it.
   */
  refreshNow(): Promise<RefreshReport> {
    const running = this.running;
    if (running && running.servicesVersion === this.servicesVersion) return running.promise;
    this.cancelNextWait();
    const abort = new AbortController();
    // Nothing running: the refresh starts now, with the services as they are now.
    const report = running ? running.promise.catch(() => undefined).then(() => this.refresh(abort.signal)) : this.refresh(abort.signal);
    const current: RunningRefresh = { abort, servicesVersion: this.servicesVersion, promise: report };
    const settled = (delayMs: number) => {
      if (this.running !== current) return;
      this.running = undefined;
      if (!abort.signal.aborted) this.scheduleNext(delayMs);
    };
    // What an unexpected failure waits: the longest.
    report.then((r) => settled(r.nextDelayMs), () => settled(this.maxIntervalMs));
    this.running = current;
    return report;
  }

  /** Refreshes until the signal aborts; the report of each round goes to `onRefresh`. */
  async run(signal: AbortSignal, onRefresh?: (r: RefreshReport) => void): Promise<void> {
    if (signal.aborted) return;
    const off = onRefresh ? this.onRefresh(onRefresh) : () => undefined;
    try {
      await new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => resolve(), { once: true });
        this.start();
      });
    } finally {
      off();
      this.dispose();
    }
  }

  /** Stops, and abandons a refresh in flight. */
  dispose(): void {
    this.stop();
    this.running?.abort.abort();
    this.running = undefined;
  }

  private scheduleNext(delayMs: number): void {
    this.cancelNextWait();
    if (!this.started || this.intervalMs <= 0) return;
    const wait = new AbortController();
    this.nextWait = wait;
    this.sleep(delayMs, wait.signal).then(
      () => {
        if (wait.signal.aborted || this.nextWait !== wait) return;
        this.nextWait = undefined;
        void this.refreshNow().catch(() => undefined);
      },
      () => undefined, // cancelled
    );
  }

  private cancelNextWait(): void {
    this.nextWait?.abort();
    this.nextWait = undefined;
  }

  private apply(fresh: Map<string, DatabaseMigration | DatabaseMigrationSqlMi>, detailed: Set<string>, failed: Set<string>, watched: Set<string>, answeredBefore: Set<string>): void {
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
      const significant = SIGNIFICANT[status];
      // A watched migration's success needs its own fresh GET (this round), not just the list.
      const confirmed = !(significant === 'Succeeded' && watched.has(id) && !detailed.has(id));
      if (!previous) {
        events.push({ type: 'Added', id: snap.id, status, snapshot: snap });
        const arrived = this.options.announceArrivals && serviceId !== undefined && answeredBefore.has(key(serviceId));
        if (arrived && significant && confirmed) events.push({ type: significant, id: snap.id, status, snapshot: snap });
        continue;
      }
      const changed = previous.status !== status || previous.operationId !== opId;
      if (!changed) continue;
      events.push({ type: 'StatusChanged', id: snap.id, status, previous: previous.status, snapshot: snap });
      if (significant && confirmed) events.push({ type: significant, id: snap.id, status, previous: previous.status, snapshot: snap });
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
    return this.services.some((s) => key(serviceIdOf(s)) === key(snap.serviceId!));
  }
}

function errorOf(target: string, e: unknown): RefreshError {
  const err = e as AzureError;
  return { target, message: err?.message ?? String(e), ...(err?.retryAfterMs !== undefined && { retryAfterMs: err.retryAfterMs }), cause: e };
}
