/**
 * The Migrations view's data and actions on the core. The feed keeps one core MigrationMonitor
 * per signed-in account, and the monitor does the polling, the back-off (Retry-After, throttling)
 * and the change detection: each refresh is one listMigrations per migration service (a call per
 * page) plus one expanded read per migration the view watches (expanded in the tree, open in a
 * details panel) and per migration whose summary in the list changed, within the account's
 * budget of ARM reads (requestBudget.ts); it refreshes on its own schedule while the view is
 * visible. The changes of a refresh reach the view together, once it is done. Cutover goes
 * through the core's guard and cutoverMany; cancel and delete through cancelMany and deleteMany,
 * which read each migration fresh. After each refresh of the monitor, the Log Replay Service
 * restores of the instances the user works with are read too (restoreWatch.ts: a list per
 * instance, details for the watched and a sweep within the same budget) and published with the
 * migrations. No `vscode` here.
 */
import * as l10n from '@vscode/l10n';
import type { MigrationRef, MigrationServiceRef } from '../../core/azure/dms/client';
import type { MigrationMonitor, MonitorEvent, MonitorEventType, MonitorSource, RefreshReport } from '../../core/migration/monitor';
import type { LrsMonitorEvent, LrsMonitorSource } from '../../core/migration/lrsMonitor';
import type { LrsRestoreView } from '../../core/migration/lrsStatus';
import { isRestoreId } from '../dashboard/lrsRows';
import type { OperationResult } from '../../core/migration/operations';
import type { DatabaseMigrationJson } from '../dashboard/dmsShape';
import { ActionableError } from '../errors';
import { listAllSubscriptions } from './azureResources';
import { budgetFor, contextFor } from './azureContext';
import { loadCore, type CoreApi } from './loadCore';
import type { LocalUploads } from './localUploads';
import { instanceRefOf, lazySource, RestoreWatch } from './restoreWatch';
import type { AccountSource, MigrationFeed, MigrationOperations, ServiceRegistry, SignedInAccount } from './types';

export interface FeedDeps {
  accounts: AccountSource;
  registry: ServiceRegistry;
  uploads: LocalUploads;
  log: { info(m: string): void; warn(m: string): void };
  /** The service the monitor reads for an account (default: the core's DmsClient; tests: a stand-in). */
  migrationSource?: (account: SignedInAccount) => MonitorSource;
  /** Managed instances whose Log Replay Service restores are listed too (beside the migrations' targets). */
  instances?: { list(cloud: SignedInAccount['cloud']): string[] };
  /** What the restores are read from (default: the core's LrsClient; tests: a stand-in). */
  restoreSource?: (account: SignedInAccount) => LrsMonitorSource;
}

const asJson = (m: unknown) => m as DatabaseMigrationJson;

/** What a refresh gave the view: the migrations, or why none could be read. */
export type FeedUpdate =
  | { kind: 'migrations'; migrations: DatabaseMigrationJson[]; restores?: LrsRestoreView[] }
  | { kind: 'failed'; error: unknown };

/** A change the core's monitor saw, with the migration as the view reads it. */
export interface MigrationChange {
  type: MonitorEventType;
  migration: DatabaseMigrationJson;
  status: string;
  previous?: string;
}

/** A change the Log Replay Service monitor saw in a restore. */
export interface RestoreChange {
  type: MonitorEventType;
  restore: LrsRestoreView;
  status: string;
  previous?: string;
}

/** The feed the Migrations view follows: the monitor's refreshes and changes. */
export interface LiveMigrationFeed extends MigrationFeed {
  /** Active: the monitor refreshes on its schedule (the view is visible); inactive: only when asked. */
  setActive(active: boolean): void;
  /** The normal time between refreshes (0: only when asked). */
  setIntervalMs(ms: number): void;
  /** Refreshes now, joining one under way; the listeners have the result when it resolves. Never rejects. */
  refresh(): Promise<void>;
  /** The migrations a view shows in detail for a reason (expanded in the tree, open in a panel): read every refresh. */
  setWatched(reason: string, ids: readonly string[]): void;
  /** Reads these migrations' details now (a view just opened them); the update listeners have them. Never rejects. */
  readDetails(ids: readonly string[]): Promise<void>;
  onUpdate(listener: (u: FeedUpdate) => void): () => void;
  /** The changes of one refresh (migrations, and restores), together, before its update. */
  onChanges(listener: (changes: MigrationChange[], restores: RestoreChange[]) => void): () => void;
  dispose(): void;
}

interface Session {
  account: SignedInAccount;
  core: CoreApi;
  monitor: MigrationMonitor;
  restores: RestoreWatch;
  close(): void;
}

function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new DOMException('aborted', 'AbortError'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new DOMException('aborted', 'AbortError'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export class MigrationFeedService implements LiveMigrationFeed {
  readonly availability = { available: true } as const;
  private session: Session | undefined;
  private active = false;
  private intervalMs = 30_000;
  private asked: Promise<FeedUpdate> | undefined;
  private last: FeedUpdate = { kind: 'migrations', migrations: [] };
  /** Resuming local uploads after each refresh, one after the other (never two at once). */
  private uploadsResumed: Promise<void> = Promise.resolve();
  private readonly lifetime = new AbortController();
  private readonly updateListeners = new Set<(u: FeedUpdate) => void>();
  private readonly changeListeners = new Set<(c: MigrationChange[], r: RestoreChange[]) => void>();
  /** The restores' refresh after each refresh of the monitor, one after the other. */
  private restoresRead: Promise<void> = Promise.resolve();
  /** The changes of the refresh under way: told together when it is done. */
  private pendingChanges: MigrationChange[] = [];
  /** Reason -> the migrations watched for it; the monitor watches their union. */
  private readonly watchedBy = new Map<string, Set<string>>();
  /** Services found by listing the subscriptions, once per account (when none is registered). */
  private readonly discovered = new WeakMap<SignedInAccount, string[]>();

  constructor(private readonly deps: FeedDeps) {}

  setActive(active: boolean): void {
    if (active === this.active) return;
    this.active = active;
    if (!active) this.session?.monitor.stop();
    else if (this.session) this.session.monitor.start();
    // The first time: sign-in and services first; the monitor's schedule starts with it.
    else void this.refresh();
  }

  setIntervalMs(ms: number): void {
    this.intervalMs = ms;
    this.session?.monitor.setIntervalMs(ms);
  }

  async refresh(): Promise<void> {
    await this.ask();
  }

  async list(signal: AbortSignal): Promise<DatabaseMigrationJson[]> {
    const update = await abortable(this.ask(), signal);
    if (update.kind === 'failed') throw update.error;
    return update.migrations;
  }

  onUpdate(listener: (u: FeedUpdate) => void): () => void {
    this.updateListeners.add(listener);
    return () => this.updateListeners.delete(listener);
  }

  onChanges(listener: (changes: MigrationChange[], restores: RestoreChange[]) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  setWatched(reason: string, ids: readonly string[]): void {
    const before = this.watchedIds();
    if (ids.length) this.watchedBy.set(reason, new Set(ids));
    else this.watchedBy.delete(reason);
    const after = this.watchedIds();
    const session = this.session;
    if (!session) return;
    // A restore's id names a managed database: the restores' monitor reads those.
    const of = (id: string) => (isRestoreId(id) ? session.restores : session.monitor);
    for (const id of before) if (!after.has(id)) of(id).unwatch(id);
    for (const id of after) if (!before.has(id)) of(id).watch(id);
  }

  async readDetails(ids: readonly string[]): Promise<void> {
    const session = this.session;
    if (!session || !ids.length) return;
    const restores = ids.filter(isRestoreId);
    if (restores.length) await this.readRestoreDetails(session, restores);
    const migrations = ids.filter((id) => !isRestoreId(id));
    if (!migrations.length) return;
    try {
      await session.monitor.readDetails(migrations, this.lifetime.signal);
    } catch (e) {
      if ((e as Error).name !== 'AbortError') this.deps.log.warn(`migrations: reading details: ${(e as Error).message}`);
    }
  }

  /** Reads restores' details now: watched for one refresh of the restores (a list per instance, their details). */
  private async readRestoreDetails(session: Session, ids: string[]): Promise<void> {
    for (const id of ids) session.restores.watch(id);
    try {
      await this.restoresRead;
      this.restoresRead = this.refreshRestores(session, undefined);
      await this.restoresRead;
    } finally {
      // Still watched for a reason of its own (the view expanded it meanwhile): left watched.
      const watched = this.watchedIds();
      for (const id of ids) if (!watched.has(id)) session.restores.unwatch(id);
    }
  }

  private watchedIds(): Set<string> {
    return new Set([...this.watchedBy.values()].flatMap((s) => [...s]));
  }

  dispose(): void {
    this.lifetime.abort();
    this.closeSession();
    this.updateListeners.clear();
    this.changeListeners.clear();
  }

  private ask(): Promise<FeedUpdate> {
    return (this.asked ??= this.refreshAsked().finally(() => (this.asked = undefined)));
  }

  /** The account and its services may have changed since the last refresh: read them, then the monitor. */
  private async refreshAsked(): Promise<FeedUpdate> {
    let session: Session;
    try {
      session = await this.currentSession(this.lifetime.signal);
    } catch (e) {
      // Nothing polls without an account: a sign-in or a settings change asks again.
      this.closeSession();
      return this.publish({ kind: 'failed', error: e });
    }
    try {
      await session.monitor.refreshNow();
    } catch (e) {
      if ((e as Error).name !== 'AbortError') return this.publish({ kind: 'failed', error: e });
    }
    await this.uploadsResumed;
    await this.restoresRead;
    return this.last;
  }

  private async currentSession(signal: AbortSignal): Promise<Session> {
    const core = await loadCore();
    const account = await this.deps.accounts.current(signal);
    const services = await this.services(core, account, signal);
    if (this.session?.account === account) {
      this.session.monitor.setServices(services);
      return this.session;
    }
    this.closeSession();
    const source = this.deps.migrationSource?.(account) ?? new core.DmsClient(contextFor(account));
    // Details only for what the view shows in detail (watched) and for what changed since the
    // last list, within the account's read budget; one that appears already ready or failed is
    // news as much as one that gets there.
    const monitor = new core.MigrationMonitor(source, { services, detailsForChanged: true, announceArrivals: true, intervalMs: this.intervalMs, budget: budgetFor(account) });
    const restores = new RestoreWatch(core, this.deps.restoreSource?.(account) ?? lazySource(() => new core.LrsClient(contextFor(account))), budgetFor(account), () => this.intervalMs);
    for (const id of this.watchedIds()) (isRestoreId(id) ? restores : monitor).watch(id);
    const offEvents = monitor.onEvent((e) => this.announce(e));
    const offRefreshes = monitor.onRefresh((r) => this.refreshed(session, r));
    const session: Session = {
      account,
      core,
      monitor,
      restores,
      close: () => {
        offEvents();
        offRefreshes();
        monitor.dispose();
        restores.dispose();
      },
    };
    this.session = session;
    if (this.active) monitor.start();
    return session;
  }

  private closeSession(): void {
    this.session?.close();
    this.session = undefined;
  }

  private async services(core: CoreApi, account: SignedInAccount, signal: AbortSignal): Promise<MigrationServiceRef[]> {
    let ids = this.deps.registry.list(account.cloud);
    if (ids.length === 0) {
      let found = this.discovered.get(account);
      if (!found) {
        const dms = new core.DmsClient(contextFor(account));
        const subs = await listAllSubscriptions(account, signal, (m) => this.deps.log.warn(m));
        const lists = await Promise.all(subs.map((s) => dms.listServicesBySubscription(s.id, { signal })));
        found = lists.flat().flatMap((s) => (s.id ? [s.id] : []));
        this.discovered.set(account, found);
        this.deps.log.info(`migrations: watching ${found.length} migration service(s) found in ${subs.length} subscription(s)`);
      }
      ids = found;
    }
    return ids.map((id) => core.serviceRefFromId(id));
  }

  /** After every refresh of the monitor, asked for or on its schedule. */
  private refreshed(session: Session, report: RefreshReport): void {
    for (const e of report.errors) this.deps.log.warn(`migrations: ${e.target}: ${e.message}`);
    if (report.deferred) this.deps.log.info(`migrations: ${report.detailCalls} details read, ${report.deferred} left for the next refresh (ARM's read budget)`);
    const changes = this.pendingChanges;
    this.pendingChanges = [];
    // No service answered: what is known is all stale, and the view says why instead.
    if (report.listCalls > 0 && report.listsAnswered === 0) {
      if (changes.length) for (const l of this.changeListeners) l(changes, []);
      this.publish({ kind: 'failed', error: report.errors[0]!.cause });
      return;
    }
    const { monitor, core, account } = session;
    this.uploadsResumed = this.uploadsResumed
      .then(() => this.deps.uploads.resume(account, (id) => {
        const s = monitor.get(id);
        return s ? !core.isTerminal(s.migration) : undefined;
      }))
      .catch((e) => this.deps.log.warn(`upload: ${(e as Error).message}`));
    // The restores of the instances the user works with: registered ones and the migrations' targets.
    // A thousand migrations have a few targets: each read once.
    const targets = new Set(monitor.snapshot().map((s) => s.migration.properties?.scope ?? s.id));
    session.restores.setInstances(this.deps.instances?.list(account.cloud) ?? [], [...targets].flatMap((t) => instanceRefOf(t) ?? []));
    this.restoresRead = this.restoresRead.then(() => this.refreshRestores(session, changes));
  }

  /**
   * Reads the restores, then tells the changes of this refresh and publishes migrations and
   * restores together. `changes` undefined: a read of the restores alone, which leaves a failure
   * to list the migrations shown (only the monitor's next refresh replaces it).
   */
  private async refreshRestores(session: Session, changes: MigrationChange[] | undefined): Promise<void> {
    const restoreChanges: RestoreChange[] = [];
    try {
      const { report, events } = await session.restores.refresh(this.lifetime.signal);
      for (const e of report.errors) this.deps.log.warn(`restores: ${e.target}: ${e.message}`);
      restoreChanges.push(...events.map(restoreChangeOf));
    } catch (e) {
      if ((e as Error).name === 'AbortError') return;
      this.deps.log.warn(`restores: ${(e as Error).message}`);
    }
    if (session !== this.session) return;
    if (changes?.length || restoreChanges.length) for (const l of this.changeListeners) l(changes ?? [], restoreChanges);
    if (!changes && this.last.kind === 'failed') return;
    this.publish({ kind: 'migrations', migrations: session.monitor.snapshot().map((s) => asJson(s.migration)), restores: session.restores.snapshot() });
  }

  /** A change the monitor saw: told with the others of its refresh, when it is done. */
  private announce(e: MonitorEvent): void {
    this.pendingChanges.push({ type: e.type, migration: asJson(e.snapshot.migration), status: e.status, ...(e.previous && { previous: e.previous }) });
  }

  private publish(update: FeedUpdate): FeedUpdate {
    this.last = update;
    for (const l of this.updateListeners) l(update);
    return update;
  }
}

function restoreChangeOf(e: LrsMonitorEvent): RestoreChange {
  return { type: e.type, restore: e.view, status: e.status, ...(e.previous && { previous: e.previous }) };
}

/** The core's refusal, in its words, as something the user can act on; a failure as it is. */
function throwUnlessDone(r: OperationResult | undefined, what: string): void {
  if (r?.outcome === 'done') return;
  if (r?.outcome === 'refused') throw new ActionableError(`${r.ref.targetDatabase} ${what}: ${r.reason}`, l10n.t('Refresh the Migrations view.'));
  throw new Error(r?.reason ?? l10n.t('the operation did not complete'));
}

function refOf(core: CoreApi, m: DatabaseMigrationJson): MigrationRef {
  return core.migrationRefFromId(m.id);
}

export function migrationOperations(deps: FeedDeps): MigrationOperations {
  const session = async (signal: AbortSignal) => {
    const core = await loadCore();
    const account = await deps.accounts.current(signal);
    const ctx = contextFor(account);
    return { core, ctx, dms: new core.DmsClient(ctx) };
  };
  return {
    availability: { available: true },

    async guardCutover(m, signal) {
      const { core, dms, ctx } = await session(signal);
      const fresh = await dms.getMigration(refOf(core, m), { expand: true, signal });
      const location = await core.readCutoverLocation(ctx, fresh, { signal, inFlight: deps.uploads.inFlight(m.id) });
      const check = core.checkCutover(fresh, { location });
      if (core.onlyNotReady(check)) {
        return {
          migration: asJson(core.withoutSecrets(fresh)),
          ...(check.warnings.length && { warnings: check.warnings }),
          notReadyOnly: l10n.t('the service does not say ReadyForCutover yet ({0}), but every backup is restored and none is pending, here or in the backup location: it accepts the cutover now', core.statusOf(fresh)),
        };
      }
      if (!check.allowed) {
        throw new ActionableError(check.blockers.join('; '), l10n.t('Wait until every backup is restored (the tail-log backup too) and the migration is ready for cutover, then retry.'));
      }
      return { migration: asJson(core.withoutSecrets(fresh)), ...(check.warnings.length && { warnings: check.warnings }) };
    },

    async cutover(m, signal, options = {}) {
      const { core, dms, ctx } = await session(signal);
      const [result] = await core.cutoverMany(dms, [refOf(core, m)], {
        signal,
        location: (fresh, s) => core.readCutoverLocation(ctx, fresh, { ...(s && { signal: s }), inFlight: deps.uploads.inFlight(m.id) }),
        ...(options.acceptNotReady && { overrides: { 'not-ready': options.acceptNotReady } }),
        ...(options.onStatus && { onStatus: (_ref: unknown, status: string) => options.onStatus!(status) }),
      });
      if (result?.outcome === 'refused') throw new ActionableError(result.blockers.join('; '), l10n.t('Wait until the migration is ready for cutover, then retry.'));
      if (result?.outcome === 'started') throw new ActionableError(l10n.t('The cutover was accepted but has not finished: the service says {0}.', result.status ?? ''), l10n.t('Follow it in the Migrations view.'));
      if (result?.outcome !== 'completed') throw new Error(result?.error ?? l10n.t('the cutover did not complete'));
      await deps.uploads.stop(m.id);
    },

    async cancel(m, signal) {
      const { core, dms } = await session(signal);
      const [r] = await core.cancelMany(dms, [refOf(core, m)], { signal });
      throwUnlessDone(r, l10n.t('cannot be canceled now'));
      await deps.uploads.stop(m.id);
    },

    async delete(m, signal) {
      const { core, dms } = await session(signal);
      const [r] = await core.deleteMany(dms, [refOf(core, m)], { signal });
      throwUnlessDone(r, l10n.t('cannot be deleted now'));
      await deps.uploads.stop(m.id);
    },
  };
}
