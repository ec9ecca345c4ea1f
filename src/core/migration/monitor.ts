/**
 * Watches many migrations with the fewest calls: one listMigrations per migration service per
 * refresh (one call per page: the whole dashboard), plus one expanded GET per *watched*
 * migration (the ones whose backup files are on screen or being cut over) and, for a view that
 * asks, per migration whose summary in the list changed since the previous refresh. Those detail
 * reads keep within a budget per refresh derived from ARM's read limits (requestBudget.ts):
 * what does not fit is read first in a later refresh (watched ones first, then the longest
 * unread). Backs off when the service throttles or fails, honouring Retry-After, and emits
 * events on changes. Refreshes on its own schedule between start() and stop() (a view polls
 * only while it is visible), or when asked.
 *
 * It never reports a stale success: an event comes only from data read in the same refresh;
 * a service whose list failed has its migrations marked stale (shown, but no events); a watched
 * migration's Succeeded must be confirmed by its own fresh GET; and a newer operation (a
 * restart) always wins over an older one's status.
 */
import { isDeepStrictEqual } from 'node:util';
import { setTimeout as sleepTimer } from 'node:timers/promises';
import { mapBounded } from '../backup/scan';
import { migrationRefFromId, serviceIdOf, type MigrationRef, type MigrationServiceRef } from '../azure/dms/client';
import type { DatabaseMigration, DatabaseMigrationSqlMi } from '../azure/dms/models';
import type { AzureError } from '../azure/errors';
import type { RequestBudget } from '../azure/requestBudget';
import { isTerminal, statusOf, withoutSecrets } from './status';

/** What the monitor needs from the service; DmsClient provides it. */
export interface MonitorSource {
  listMigrations(service: MigrationServiceRef, options: { signal?: AbortSignal }): Promise<DatabaseMigration[]>;
  getMigration(ref: MigrationRef, options: { expand?: boolean; signal?: AbortSignal }): Promise<DatabaseMigrationSqlMi>;
}

export interface MigrationSnapshot {
  id: string;
  serviceId?: string;
  /** The same object from one refresh to the next while nothing in it changes. */
  migration: DatabaseMigration | DatabaseMigrationSqlMi;
  status: string;
  operationId?: string;
  /** Read with $expand=MigrationStatusDetails (watched migrations). */
  detailed: boolean;
  /** When the details shown were read (ms since epoch); the status is as of `observedAt`. */
  detailedAt?: number;
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
  /** Detail reads wanted but left for a later refresh: the budget had no room for them. */
  deferred: number;
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
  /**
   * Also read the details of every listed migration whose summary (status, operation, end,
   * provisioning state, failure) changed since the previous list: a view that shows them
   * learns what changed without reading the ones that did not.
   */
  detailsForChanged?: boolean;
  /**
   * ARM's request limits, shared with the source's pipeline: detail reads per refresh stay within
   * `refreshAllowance` of each migration's subscription. Without it, every wanted read is made.
   */
  budget?: RequestBudget;
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

/** What a list entry says of a migration: when it changes, the details may have too. */
function summaryOf(m: DatabaseMigration): string {
  const p = m.properties;
  return JSON.stringify([p?.migrationStatus, p?.provisioningState, p?.migrationOperationId, p?.startedOn, p?.endedOn, p?.migrationFailureError?.code, p?.migrationFailureError?.message]);
}

/** The subscription a migration id is under (its read budget). */
const subscriptionOf = (id: string) => /^\/?subscriptions\/([^/]+)/i.exec(id)?.[1]?.toLowerCase() ?? '';

/** Why a migration's details are read: the lower, the sooner. */
const enum Want {
  Watched = 0,
  Changed = 1,
  Listed = 2,
}

interface RunningRefresh {
  promise: Promise<RefreshReport>;
  abort: AbortController;
  /** The services it lists (a later setServices needs a refresh of its own). */
  servicesVersion: number;
}

export class MigrationMonitor {
  private readonly entries = new Map<string, MigrationSnapshot>();
  /** The entries' keys in the snapshot's order (by id), until one comes or goes. */
  private order: string[] | undefined;
  /** Watched ids whose terminal state was confirmed by their own GET (no more detail calls). */
  private readonly confirmed = new Map<string, string>();
  /** key(id) -> the id as given (names in ids are case-preserving). */
  private readonly watchedIds = new Map<string, string>();
  /** Services whose list has answered at least once: later entries in it are arrivals. */
  private readonly answeredServices = new Set<string>();
  /** key(id) -> the summary the last list gave (detailsForChanged). */
  private readonly summaries = new Map<string, string>();
  /** key(id) -> whose summary changed and whose details were not read yet (the budget had no room). */
  private readonly owed = new Map<string, string>();
  /** key(id) -> when its details were last read: the longest unread go first. */
  private readonly lastDetailed = new Map<string, number>();
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
      if (snap.serviceId && !after.has(key(snap.serviceId))) this.forget(id);
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
    this.order ??= [...this.entries.values()].sort((a, b) => a.id.localeCompare(b.id)).map((s) => key(s.id));
    return this.order.map((id) => this.entries.get(id)!);
  }

  get(migrationId: string): MigrationSnapshot | undefined {
    return this.entries.get(key(migrationId));
  }

  /** One refresh: the lists, then the watched details. */
  async refresh(signal?: AbortSignal): Promise<RefreshReport> {
    const report: RefreshReport = { listCalls: 0, listsAnswered: 0, detailCalls: 0, deferred: 0, errors: [], nextDelayMs: this.intervalMs };
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

    // Which listed migrations changed since the previous list (a new one in a list that answered before did too).
    if (this.options.detailsForChanged) {
      for (const [id, m] of fresh) {
        const summary = summaryOf(m);
        const before = this.summaries.get(id);
        const serviceId = m.properties?.migrationService;
        const arrived = before === undefined && serviceId !== undefined && answeredBefore.has(key(serviceId));
        if ((before !== undefined && before !== summary) || arrived) this.owed.set(id, m.id!);
        this.summaries.set(id, summary);
      }
    }

    const watchedNow = new Map(this.watchedIds);
    if (this.options.watchListed) for (const [id, m] of fresh) if (!watchedNow.has(id)) watchedNow.set(id, m.id!);
    const wanted = new Map<string, { id: string; want: Want }>();
    const want = (id: string, given: string, why: Want) => {
      const had = wanted.get(id);
      if (!had || had.want > why) wanted.set(id, { id: given, want: why });
    };
    for (const [id, given] of this.watchedIds) want(id, given, Want.Watched);
    for (const [id, given] of this.owed) if (fresh.has(id)) want(id, given, Want.Changed);
    if (this.options.watchListed) for (const [id, given] of watchedNow) want(id, given, Want.Listed);
    const candidates = [...wanted.entries()]
      .filter(([id]) => {
        const listed = fresh.get(id);
        const known = listed ?? this.entries.get(id)?.migration;
        // A watched migration already confirmed terminal (same operation) needs no more detail calls.
        return !(known && isTerminal(known) && this.confirmed.get(id) === (known.properties?.migrationOperationId ?? ''));
      })
      .sort(([a, x], [b, y]) => x.want - y.want || (this.lastDetailed.get(a) ?? 0) - (this.lastDetailed.get(b) ?? 0));
    // The budget of each subscription: what one refresh may read without crowding out every other tool.
    const budget = this.options.budget;
    const allowance = new Map<string, number>();
    const toRead: string[] = [];
    for (const [id] of candidates) {
      const sub = subscriptionOf(wanted.get(id)!.id);
      if (budget && !allowance.has(sub)) allowance.set(sub, budget.refreshAllowance(sub, this.intervalMs || 15_000));
      const left = budget ? allowance.get(sub)! : Infinity;
      if (left <= 0) {
        report.deferred++;
        continue;
      }
      allowance.set(sub, left - 1);
      toRead.push(id);
    }
    await this.readDetailsInto(toRead.map((id) => [id, wanted.get(id)!.id]), { fresh, detailed: freshDetailed, failed: failedServices, watched: watchedNow, report, concurrency, ...(signal && { signal }) });

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

  /**
   * Reads these migrations' details now (a view just opened them), within the budget, as a
   * refresh would: events for what changed, then the refresh listeners. No list calls.
   */  async readDetails(ids: readonly string[], signal?: AbortSignal): Promise<RefreshReport> {
    const report: RefreshReport = { listCalls: 0, listsAnswered: 0, detailCalls: 0, deferred: 0, errors: [], nextDelayMs: this.intervalMs };
    const budget = this.options.budget;
    const allowance = new Map<string, number>();
    const toRead: [string, string][] = [];
    for (const given of new Set(ids)) {
      migrationRefFromId(given);
      const sub = subscriptionOf(given);
      if (budget && !allowance.has(sub)) allowance.set(sub, budget.spendable(sub, 'reads'));
      const left = budget ? allowance.get(sub)! : Infinity;
      if (left <= 0) {
        report.deferred++;
        continue;
      }
      allowance.set(sub, left - 1);
      toRead.push([key(given), given]);
    }
    const fresh = new Map<string, DatabaseMigration | DatabaseMigrationSqlMi>();
    const detailed = new Set<string>();
    const failed = new Set<string>();
    const watched = new Map(toRead.filter(([id]) => this.watchedIds.has(id)));
    await this.readDetailsInto(toRead, { fresh, detailed, failed, watched, report, concurrency: this.options.concurrency ?? 8, ...(signal && { signal }) });
    this.apply(fresh, detailed, failed, new Set(watched.keys()), new Set(this.answeredServices), true);
    for (const l of this.refreshListeners) l(report);
    return report;
  }

  /** The expanded GETs of `toRead` ([key, id as given]) into `into.fresh`; failures into the report. */
  private async readDetailsInto(
    toRead: readonly (readonly [string, string])[],
    into: {
      fresh: Map<string, DatabaseMigration | DatabaseMigrationSqlMi>;
      detailed: Set<string>;
      failed: Set<string>;
      watched: Map<string, string>;
      report: RefreshReport;
      concurrency: number;
      signal?: AbortSignal;
    },
  ): Promise<void> {
    const { fresh, report, signal } = into;
    const readAt = this.now();
    await mapBounded(toRead, into.concurrency, async ([id, given]) => {
      report.detailCalls++;
      const ref = migrationRefFromId(given);
      try {
        const m = await this.source.getMigration(ref, { expand: true, ...(signal && { signal }) });
        this.owed.delete(id);
        this.lastDetailed.set(id, readAt);
        const listed = fresh.get(id);
        // The GET ran after the list: it is the newer truth, unless it reports an older operation.
        if (!listed || !(listed.properties?.startedOn && m.properties?.startedOn && listed.properties.startedOn > m.properties.startedOn)) {
          fresh.set(id, m);
          into.detailed.add(id);
        }
      } catch (e) {
        if ((e as Error).name === 'AbortError') throw e;
        if ((e as AzureError).statusCode === 404) {
          fresh.delete(id);
          this.confirmed.delete(id);
          this.owed.delete(id);
          return;
        }
        report.errors.push(errorOf(`get ${ref.targetDatabase}`, e));
        // Without its own fresh read, a watched migration's list status must not produce events.
        if (into.watched.has(id)) {
          fresh.delete(id);
          into.failed.add(`watched:${id}`);
        }
      }
    }, signal);
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

  /** `partial`: `fresh` holds only some migrations (readDetails): the others are not gone. */
  private apply(fresh: Map<string, DatabaseMigration | DatabaseMigrationSqlMi>, detailed: Set<string>, failed: Set<string>, watched: Set<string>, answeredBefore: Set<string>, partial = false): void {
    const now = this.now();
    const events: MonitorEvent[] = [];
    for (const [id, read] of fresh) {
      const m = withoutSecrets(read);
      const previous = this.entries.get(id);
      const status = statusOf(m);
      const opId = m.properties?.migrationOperationId;
      const serviceId = m.properties?.migrationService ?? previous?.serviceId;
      // A list entry carries no details: keep the last detailed read rather than lose the file list.
      const migration = detailed.has(id) || !previous?.detailed || previous.operationId !== opId ? m : { ...m, properties: { ...m.properties!, migrationStatusDetails: previous.migration.properties?.migrationStatusDetails } } as DatabaseMigration;
      const snap: MigrationSnapshot = {
        id: m.id ?? previous?.id ?? id,
        ...(serviceId && { serviceId }),
        // Nothing in it changed: the object already known, so a view redraws only what changed.
        migration: previous && isDeepStrictEqual(previous.migration, migration) ? previous.migration : migration,
        status,
        ...(opId && { operationId: opId }),
        detailed: detailed.has(id) || Boolean(previous?.detailed && previous.operationId === opId),
        ...(detailed.has(id) ? { detailedAt: now } : previous?.detailedAt !== undefined && previous.operationId === opId && { detailedAt: previous.detailedAt }),
        observedAt: now,
        stale: false,
      };
      if (!previous) this.order = undefined;
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
    for (const [id, snap] of partial ? [] : this.entries) {
      if (fresh.has(id)) continue;
      const serviceFailed = snap.serviceId ? failed.has(key(snap.serviceId)) : false;
      // Watched without a listed service and already confirmed ended (same operation): its
      // last detailed read is final, not out of date; a watch waiting on it must see it so.
      const settled = this.confirmed.get(id) === (snap.operationId ?? '') && isTerminal(snap.migration);
      if (settled && !serviceFailed && !this.serviceListed(snap)) continue;
      if (serviceFailed || failed.has(`watched:${id}`) || !this.serviceListed(snap)) {
        if (!snap.stale) this.entries.set(id, { ...snap, stale: true });
        continue;
      }
      // Its service answered without it: deleted.
      this.forget(id);
      events.push({ type: 'Removed', id: snap.id, status: snap.status, snapshot: snap });
    }
    for (const e of events) for (const l of this.listeners) l(e);
  }

  private forget(id: string): void {
    this.entries.delete(id);
    this.order = undefined;
    this.confirmed.delete(id);
    this.summaries.delete(id);
    this.owed.delete(id);
    this.lastDetailed.delete(id);
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
