/**
 * The Log Replay Service restores the Migrations view lists, on the core's LrsMonitor: the
 * managed instances the user works with (the targets of their migrations, and the instances
 * they added or restored to), one list of databases per instance page each refresh (every
 * fifth refresh for an instance that holds no restore), plus
 * restoreDetails for the restores the view shows in detail (expanded, open, being completed) and
 * a rotating few of the others, so a restore that fails or gets ready is seen without reading
 * all of them. How many of the others: what ARM's read budget allows this refresh
 * (requestBudget.ts, the same budget the migration monitor spends): a quarter of its
 * allowance for a refresh (25 reads at ARM's default limits and a 30 s interval), never below one. No `vscode` here.
 */
import type { InstanceRef } from '../../core/azure/lrs/models';
import type { RequestBudget } from '../../core/azure/requestBudget';
import type { LrsMonitor, LrsMonitorEvent, LrsMonitorSource, LrsRefreshReport } from '../../core/migration/lrsMonitor';
import type { LrsRestoreView } from '../../core/migration/lrsStatus';
import type { CoreApi } from './loadCore';

const keyOf = (i: InstanceRef) => `${i.subscriptionId}/${i.resourceGroup}/${i.managedInstance}`.toLowerCase();

/** A managed instance's ARM id as the monitor's reference. */
export function instanceRefOf(id: string): InstanceRef | undefined {
  const m = /^\/?subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Sql\/managedInstances\/([^/]+)/i.exec(id);
  return m ? { subscriptionId: m[1]!, resourceGroup: m[2]!, managedInstance: m[3]! } : undefined;
}

/** A source made on first use: an account that lists no instance never needs the client (nor a credential). */
export function lazySource(make: () => LrsMonitorSource): LrsMonitorSource {
  let source: LrsMonitorSource | undefined;
  const get = () => (source ??= make());
  return { listDatabases: (i, o) => get().listDatabases(i, o), getRestoreDetails: (r, o) => get().getRestoreDetails(r, o) };
}

export interface RestoreRefresh {
  report: LrsRefreshReport;
  events: LrsMonitorEvent[];
}

/**
 * The view lists a migration target that holds no restore every fifth refresh: the reads go where
 * restores are, and a restore started there outside the editor shows within five refreshes. The
 * instances the user named or restores to from the editor are listed every refresh.
 */
const QUIET_EVERY = 5;

export class RestoreWatch {
  private instances: InstanceRef[] = [];
  private registered: InstanceRef[] = [];
  private readonly monitor: LrsMonitor;
  private readonly events: LrsMonitorEvent[] = [];
  private readonly off: () => void;

  constructor(
    core: Pick<CoreApi, 'LrsMonitor'>,
    source: LrsMonitorSource,
    private readonly budget: RequestBudget | undefined,
    private readonly intervalMs: () => number,
  ) {
    // The monitor reads its options at each refresh: the instances and the sweep follow this object.
    const self = this;
    this.monitor = new core.LrsMonitor(source, {
      get instances() {
        return self.instances;
      },
      get sweep() {
        return self.sweep();
      },
      quietEvery: QUIET_EVERY,
      get everyRefresh() {
        return self.registered;
      },
    });
    this.off = this.monitor.onEvent((e) => this.events.push(e));
  }

  /**
   * The instances to list (ids or refs; duplicates and case do not matter): `registered` (the
   * user named them or restores to them) every refresh, `others` (migration targets) every
   * fifth while they hold no restore.
   */
  setInstances(registered: Iterable<string | InstanceRef>, others: Iterable<string | InstanceRef> = []): void {
    const refs = (ids: Iterable<string | InstanceRef>) => [...ids].flatMap((x) => (typeof x === 'string' ? instanceRefOf(x) ?? [] : [x]));
    this.registered = refs(registered);
    const byKey = new Map<string, InstanceRef>();
    for (const ref of [...this.registered, ...refs(others)]) if (!byKey.has(keyOf(ref))) byKey.set(keyOf(ref), ref);
    this.instances = [...byKey.values()];
  }

  get instanceCount(): number {
    return this.instances.length;
  }

  watch(id: string): void {
    this.monitor.watch(id);
  }

  unwatch(id: string): void {
    this.monitor.unwatch(id);
  }

  snapshot(): LrsRestoreView[] {
    return this.monitor.snapshot();
  }

  get(id: string): LrsRestoreView | undefined {
    return this.monitor.get(id);
  }

  async refresh(signal?: AbortSignal): Promise<RestoreRefresh> {
    if (!this.instances.length) return { report: { listCalls: 0, detailCalls: 0, restores: 0, errors: [] }, events: [] };
    const report = await this.monitor.refresh(signal);
    return { report, events: this.events.splice(0) };
  }

  /** Unwatched restores read this refresh: a quarter of the smallest allowance of the instances' subscriptions (the rest is the migrations'). */
  private sweep(): number {
    if (!this.budget) return 4;
    const subs = new Set(this.instances.map((i) => i.subscriptionId.toLowerCase()));
    const allowance = Math.min(...[...subs].map((s) => this.budget!.refreshAllowance(s, this.intervalMs() || 15_000)));
    return Math.max(1, Math.floor(allowance / 4));
  }

  dispose(): void {
    this.off();
  }
}
