/**
 * Watches many Log Replay Service restores with the fewest calls the API allows. There is no
 * list of restore details: a database's files, progress and failure are only in its own
 * restoreDetails. So a refresh is one list of databases per instance (one call per page: every
 * restore's existence and database status, Restoring or Online; an instance without restores
 * less often, when asked: quietEvery), plus one restoreDetails per
 * *watched* restore (on screen, being completed), plus a rotating `sweep` of the other restoring
 * databases (the least recently read first), so a failure nobody watches is still seen within
 * (restoring / sweep) refreshes.
 *
 * Events come only from data read in the same refresh, as MigrationMonitor's do: Added, Removed,
 * StatusChanged, ReadyForCutover, Succeeded, Failed.
 */
import { mapBounded } from '../backup/scan';
import { LRS_TAGS, managedDatabaseIdOf, restoreRefFromId, type InstanceRef, type ManagedDatabase, type ManagedDatabaseRestoreDetails, type RestoreRef } from '../azure/lrs/models';
import { lrsRestoreView, type LrsRestoreView } from './lrsStatus';
import type { MonitorEventType } from './monitor';

export interface LrsMonitorSource {
  listDatabases(instance: InstanceRef, o: { signal?: AbortSignal; onPage?: (page: ManagedDatabase[]) => void }): Promise<ManagedDatabase[]>;
  getRestoreDetails(ref: RestoreRef, o: { signal?: AbortSignal }): Promise<ManagedDatabaseRestoreDetails>;
}

export interface LrsMonitorOptions {
  instances: readonly InstanceRef[];
  /** Managed database ids whose details are read every refresh. */
  watched?: Iterable<string>;
  /** Other restoring databases whose details are read each refresh, least recently read first (default 0). */
  sweep?: number;
  /**
   * An instance whose last list held no restore (and none is watched on it) is listed every
   * `quietEvery`-th refresh only, in turn with the other quiet ones (default 1: every refresh).
   * A view of many migration targets that hold no restore then spends its reads where restores
   * are; one started elsewhere shows within that many refreshes, one watched at once.
   */
  quietEvery?: number;
  /** Instances listed every refresh even without restores (ones the user restores to or named). */
  everyRefresh?: readonly InstanceRef[];
  concurrency?: number;
  now?: () => number;
}

export interface LrsMonitorEvent {
  type: MonitorEventType;
  id: string;
  status: string;
  previous?: string;
  view: LrsRestoreView;
}

export interface LrsRefreshReport {
  /** List calls: one per page of each instance's databases. */
  listCalls: number;
  /** restoreDetails reads. */
  detailCalls: number;
  restores: number;
  errors: { target: string; message: string }[];
}

const key = (id: string) => id.toLowerCase();
const SIGNIFICANT: Partial<Record<string, MonitorEventType>> = { ReadyForCutover: 'ReadyForCutover', Succeeded: 'Succeeded', Failed: 'Failed' };

/** A database of the list that is a restore: restoring (or being created), or one sqlmig restored. */
export function isRestore(db: ManagedDatabase): boolean {
  const status = (db.properties?.status ?? '').toLowerCase();
  return status === 'restoring' || status === 'creating' || Object.keys(db.tags ?? {}).some((k) => k.toLowerCase() === LRS_TAGS.source);
}

export class LrsMonitor {
  private readonly views = new Map<string, LrsRestoreView>();
  private readonly details = new Map<string, { details: ManagedDatabaseRestoreDetails; at: number }>();
  private readonly watchedIds = new Set<string>();
  /** Instances (subscription/group/name, lower case) whose last list held no restore. */
  private readonly quiet = new Set<string>();
  private refreshes = 0;
  private readonly listeners = new Set<(e: LrsMonitorEvent) => void>();
  private readonly now: () => number;

  constructor(
    private readonly source: LrsMonitorSource,
    private readonly options: LrsMonitorOptions,
  ) {
    for (const id of options.watched ?? []) this.watch(id);
    this.now = options.now ?? Date.now;
  }

  watch(id: string): void {
    restoreRefFromId(id);
    this.watchedIds.add(key(id));
  }

  unwatch(id: string): void {
    this.watchedIds.delete(key(id));
  }

  onEvent(listener: (e: LrsMonitorEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(id: string): LrsRestoreView | undefined {
    return this.views.get(key(id));
  }

  snapshot(): LrsRestoreView[] {
    return [...this.views.values()];
  }

  async refresh(signal?: AbortSignal): Promise<LrsRefreshReport> {
    const report: LrsRefreshReport = { listCalls: 0, detailCalls: 0, restores: 0, errors: [] };
    const listed = new Map<string, { ref: RestoreRef; db: ManagedDatabase }>();
    const answered = new Set<string>();
    const whereOf = (i: InstanceRef) => `${i.subscriptionId}/${i.resourceGroup}/${i.managedInstance}`.toLowerCase();
    const every = Math.max(1, this.options.quietEvery ?? 1);
    const turn = this.refreshes++ % every;
    const watchedOn = new Set([...this.watchedIds].map((id) => whereOf(restoreRefFromId(id))));
    const always = new Set((this.options.everyRefresh ?? []).map(whereOf));
    const due = this.options.instances.filter((i, n) => !this.quiet.has(whereOf(i)) || watchedOn.has(whereOf(i)) || always.has(whereOf(i)) || n % every === turn);
    await mapBounded(
      due,
      this.options.concurrency ?? 4,
      async (instance) => {
        const where = whereOf(instance);
        try {
          const dbs = await this.source.listDatabases(instance, { ...(signal && { signal }), onPage: () => report.listCalls++ });
          answered.add(where);
          if (dbs.some(isRestore)) this.quiet.delete(where);
          else this.quiet.add(where);
          for (const db of dbs.filter(isRestore)) {
            const ref: RestoreRef = { ...instance, targetDatabase: db.name ?? '' };
            listed.set(key(db.id ?? managedDatabaseIdOf(ref)), { ref, db });
          }
        } catch (e) {
          if ((e as Error).name === 'AbortError') throw e;
          report.errors.push({ target: instance.managedInstance, message: (e as Error).message });
        }
      },
      signal,
    );
    // Details: every watched restore, then the least recently read of the others still restoring.
    const online = (v: { db: ManagedDatabase }) => (v.db.properties?.status ?? '').toLowerCase() === 'online';
    const restoring = [...listed.entries()].filter(([, v]) => !online(v));
    // A watched restore is read to its end: the last details of one just completed say so.
    const watched = [...listed.entries()].filter(([id]) => this.watchedIds.has(id));
    const others = restoring
      .filter(([id]) => !this.watchedIds.has(id))
      .sort(([a], [b]) => (this.details.get(a)?.at ?? -1) - (this.details.get(b)?.at ?? -1))
      .slice(0, this.options.sweep ?? 0);
    const fresh = new Set<string>();
    await mapBounded(
      [...watched, ...others],
      this.options.concurrency ?? 4,
      async ([id, { ref }]) => {
        try {
          report.detailCalls++;
          this.details.set(id, { details: await this.source.getRestoreDetails(ref, signal ? { signal } : {}), at: this.now() });
          fresh.add(id);
        } catch (e) {
          if ((e as Error).name === 'AbortError') throw e;
          // An online database's restore details may have expired: it is done, nothing is missing.
          if (!online(listed.get(id)!)) report.errors.push({ target: ref.targetDatabase, message: (e as Error).message });
        }
      },
      signal,
    );
    const now = new Date(this.now());
    const events: LrsMonitorEvent[] = [];
    for (const [id, { ref, db }] of listed) {
      const view = lrsRestoreView(ref, db, this.details.get(id)?.details, now);
      const before = this.views.get(id);
      this.views.set(id, view);
      // A status that depends on the details (Failed, ReadyForCutover) is said only when they were read now.
      const sure = fresh.has(id) || view.status === 'Succeeded' || !this.details.has(id);
      if (!before) events.push({ type: 'Added', id: view.id, status: view.status, view });
      else if (before.status !== view.status && sure) {
        events.push({ type: 'StatusChanged', id: view.id, status: view.status, previous: before.status, view });
        const significant = SIGNIFICANT[view.status];
        if (significant) events.push({ type: significant, id: view.id, status: view.status, previous: before.status, view });
      }
    }
    for (const [id, view] of [...this.views]) {
      const instance = `${view.ref.subscriptionId}/${view.ref.resourceGroup}/${view.ref.managedInstance}`.toLowerCase();
      if (listed.has(id) || !answered.has(instance)) continue;
      this.views.delete(id);
      this.details.delete(id);
      events.push({ type: 'Removed', id: view.id, status: view.status, view });
    }
    report.restores = listed.size;
    for (const e of events) for (const l of this.listeners) l(e);
    return report;
  }
}
